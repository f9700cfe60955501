"""Reads of the exchange, and its one access rule: administrators and partner liaison officers
only (anyone else gets 404, as for a missing object)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.accounts.types import Submitter, Viewer
from tipline.cases.models import Case
from tipline.cases.selectors import case_get_for_user
from tipline.exchange.choices import QUEUE_KINDS, DeliveryState
from tipline.exchange.models import Partner, Share, WebhookDelivery
from tipline.reports.models import Report
from tipline.reports.selectors import report_get_for_user, reports_visible_to
from tipline.travellers.choices import EventKind
from tipline.travellers.models import Notice, NoticeEvent
from tipline.travellers.selectors import is_national_desk, notice_get_for_user
from tipline.triage.choices import ReferralState
from tipline.triage.models import Referral

EXCHANGE_ROLES = frozenset({Role.ADMINISTRATOR, Role.PARTNER_LIAISON})


def exchange_check_user(*, user: Viewer) -> None:
    """Raise 404 unless the user works the exchange."""
    if not isinstance(user, User) or not user.is_active or user.role not in EXCHANGE_ROLES:
        raise Http404("No such page.")


def delivery_get_for_user(*, user: Viewer, event_id: str) -> WebhookDelivery:
    """One delivery by event id, for exchange staff; missing and forbidden both 404."""
    exchange_check_user(user=user)
    try:
        return WebhookDelivery.objects.select_related("partner").get(event_id=event_id)
    except WebhookDelivery.DoesNotExist:
        raise Http404("No such delivery.") from None


def report_for_exchange(*, user: Viewer, reference: str) -> Report:
    """A report exchange staff may share: in their scope. Missing and forbidden both 404."""
    exchange_check_user(user=user)
    return report_get_for_user(user=user, reference=reference)


def case_for_exchange(*, user: Viewer, reference: str) -> Case:
    """A case exchange staff may share: one they may see. Missing and forbidden both 404."""
    exchange_check_user(user=user)
    return case_get_for_user(user=user, reference=reference)


def shares_of_case(*, case: Case) -> QuerySet[Share]:
    """What of the case went to whom, newest first, each with its delivery's state."""
    return (
        Share.objects.filter(case=case)
        .select_related("partner", "delivery", "created_by")
        .order_by("-created_at", "-pk")
    )


def pending_requests(*, report: Report) -> QuerySet[Referral]:
    """The referrals of the report asked for in triage and not yet sent, oldest first."""
    return (
        Referral.objects.filter(report=report, state=ReferralState.PENDING)
        .select_related("partner", "created_by")
        .order_by("created_at", "pk")
    )


def partner_answering(*, queue_code: str, partners: list[Partner]) -> Partner | None:
    """The first of `partners` that answers a triage partner queue (by kind, else by code)."""
    kind = QUEUE_KINDS.get(queue_code)
    for partner in partners:
        if partner.kind == kind or partner.code == queue_code.lower():
            return partner
    return None


def requests_waiting(*, user: Viewer, limit: int = 200) -> list[Referral]:
    """Referrals asked for in triage, not yet sent, of reports in the user's scope, oldest
    first: the exchange's work list."""
    rows = (
        Referral.objects.filter(
            state=ReferralState.PENDING, report__in=reports_visible_to(user).values("pk")
        )
        .select_related("partner", "created_by", "report")
        .only(
            "id",
            "reason",
            "created_at",
            "partner__name",
            "created_by__username",
            "report__reference",
            "report__sharing_level",
        )
        .order_by("created_at", "pk")
    )
    return list(rows[:limit])


def dead_letters() -> QuerySet[WebhookDelivery]:
    """Deliveries that used up their retries, oldest first (their order is the partner's)."""
    return WebhookDelivery.objects.filter(state=DeliveryState.DEAD).select_related("partner")


def active_partners() -> QuerySet[Partner]:
    return Partner.objects.filter(is_active=True).order_by("name")


def shares_of_report(*, report: Report) -> QuerySet[Share]:
    """What went to whom, newest first, each with its delivery's state."""
    return (
        Share.objects.filter(report=report)
        .select_related("partner", "delivery", "created_by")
        .order_by("-created_at", "-pk")
    )


def partner_for_client(*, client: Submitter) -> Partner | None:
    """The active partner an API client belongs to, if any."""
    if client is None:
        return None
    return Partner.objects.filter(api_client=client, is_active=True).first()


def feed_shares(*, partner: Partner, after: int, limit: int) -> list[Share]:
    """The partner's shares after id `after`, oldest first, at most `limit` (one query: the
    delivery's event id and the report's current level come along, not its encrypted columns)."""
    rows = (
        Share.objects.filter(partner=partner, pk__gt=after)
        .select_related("report", "delivery")
        .only(
            "id",
            "event_type",
            "tlp",
            "body",
            "created_at",
            "report__sharing_level",
            "delivery__event_id",
        )
        .order_by("pk")
    )
    return list(rows[:limit])


# --------------------------------------------------------------------------- travel notices


def notice_sender_partner(*, notice: Notice) -> Partner | None:
    """The exchange partner that sent the notice, active or not: the partner of the API client
    that submitted it, else the partner whose name or code is the notice's sending agency
    (notices entered at the console or imported name their sender in words). None when the
    sender is not a configured partner: then its outcomes are only exported."""
    if notice.api_client_id is not None:
        by_client = Partner.objects.filter(api_client_id=notice.api_client_id).first()
        if by_client is not None:
            return by_client
    agency = notice.sender_agency.strip()
    if not agency:
        return None
    named = Partner.objects.filter(Q(name__iexact=agency) | Q(code__iexact=agency))
    return named.order_by("pk").first()


def shares_of_notice(*, notice: Notice) -> QuerySet[Share]:
    """The notice's outcomes sent to partners, newest first, each with its delivery."""
    return (
        Share.objects.filter(notice=notice)
        .select_related("partner", "delivery", "notice_event", "created_by")
        .order_by("-created_at", "-pk")
    )


def notice_latest_outcome(*, notice: Notice) -> NoticeEvent | None:
    """The last outcome recorded on the notice's timeline: what the sender should hold."""
    events = NoticeEvent.objects.filter(notice=notice, kind=EventKind.OUTCOME)
    return events.order_by("-at", "-pk").first()


def notice_for_feedback(*, user: Viewer, reference: str) -> Notice:
    """A notice whose outcomes the national desk sends or re-sends (a destination command sees
    the notice, the desk speaks to its sender). Missing and forbidden both 404."""
    if not is_national_desk(user):
        raise Http404("No such page.")
    return notice_get_for_user(user=user, reference=reference)


def notice_delivery_for_feedback(*, notice: Notice, event_id: str) -> WebhookDelivery:
    """A delivery of one of the notice's outcomes; any other delivery 404s here."""
    try:
        return WebhookDelivery.objects.select_related("partner").get(
            event_id=event_id, share__notice=notice
        )
    except WebhookDelivery.DoesNotExist:
        raise Http404("No such delivery.") from None
