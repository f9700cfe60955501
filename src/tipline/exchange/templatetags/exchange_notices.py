"""`{% load exchange_notices %}`: the notice page shows what of the notice's outcomes went back to
the sending partner and how each delivery stands, without the travellers app importing this one
(the exchange builds on travellers, not the other way round)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django import template

from tipline.accounts.types import Viewer
from tipline.exchange.choices import DeliveryState
from tipline.exchange.models import Partner, Share
from tipline.exchange.packages import SharingRefused, notice_outcome_package
from tipline.exchange.selectors import (
    notice_latest_outcome,
    notice_sender_partner,
    shares_of_notice,
)
from tipline.travellers.choices import Outcome
from tipline.travellers.models import Notice
from tipline.travellers.selectors import is_national_desk

register = template.Library()


@dataclass(frozen=True)
class SentOutcome:
    """One outcome sent to a partner and where its delivery stands."""

    share: Share
    outcome: str
    state: str  # delivered, pending, failed, feed
    detail: str
    event_id: str


@dataclass(frozen=True)
class NoticeFeedback:
    """What the notice page shows of the sender's feedback."""

    partner: Partner | None
    refused: str
    sent: list[SentOutcome]
    unsent: bool  # the latest outcome has not gone to the sender
    preview: str
    desk: bool  # may send now and re-send a failed delivery


def _sent(share: Share) -> SentOutcome:
    kind = str((share.notice_event.data if share.notice_event else {}).get("outcome", ""))
    label = Outcome(kind).label if kind in Outcome.values else kind
    delivery = getattr(share, "delivery", None)
    if delivery is None:
        return SentOutcome(share, label, "feed", "in the partner's feed (no webhook endpoint)", "")
    tried = f"{delivery.attempts} attempt{'s' if delivery.attempts != 1 else ''}"
    last = f", last HTTP {delivery.last_status}" if delivery.last_status else ""
    last = last or (f", {delivery.last_error}" if delivery.last_error else "")
    if delivery.state == DeliveryState.DELIVERED:
        state, detail = "delivered", f"delivered ({tried})"
    elif delivery.state == DeliveryState.DEAD:
        state, detail = "failed", f"failed: retries used up ({tried}{last})"
    else:
        state = "pending"
        detail = f"pending, retrying ({tried}{last})" if delivery.attempts else "pending"
    return SentOutcome(share, label, state, detail, delivery.event_id)


@register.simple_tag
def notice_feedback(notice: Notice, user: Viewer) -> NoticeFeedback:
    """The sending partner, the outcomes sent to it with their deliveries, whether the latest
    outcome is still to go, and exactly what would go (the page's caller has scoped the notice)."""
    partner = notice_sender_partner(notice=notice)
    desk = is_national_desk(user)
    if partner is None:
        return NoticeFeedback(None, "", [], False, "", desk)
    shares = list(shares_of_notice(notice=notice).filter(partner=partner))
    latest = notice_latest_outcome(notice=notice)
    refused, preview = "", ""
    if latest is not None:
        try:
            package = notice_outcome_package(partner=partner, notice=notice, event=latest)
            preview = json.dumps(package, indent=2)
        except SharingRefused as exc:
            refused = "; ".join(exc.messages)
    held = shares[0].notice_event if shares else None
    unsent = (
        latest is not None
        and not refused
        and (held is None or held.data.get("outcome") != latest.data.get("outcome"))
    )
    return NoticeFeedback(partner, refused, [_sent(s) for s in shares], unsent, preview, desk)
