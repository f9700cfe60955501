"""Updates the platform sends by itself: to partners that already hold a report or a case,
`case.outcome` when an outcome is recorded in a case shared with them and `report.updated` when
information is added to a report shared with them; and `missing_child.alert` to every partner
whose profile lets it receive victims' names, when a missing child's public alert is issued,
updated or cancelled; and `notice.outcome` to the partner that sent a travel notice, when an
outcome is recorded on the notice (by a status change or by hand), once per outcome.

The cases and reports apps sit below the exchange and must not call it, so the exchange listens
for their rows being created and, once the change has committed, shares the fresh package
through the same services as a person would (`case_share`, `report_share`): built by
`exchange_package_for`, audited, on the timeline, refused for a partner whose level or
activity no longer allows it. A failure here never undoes the outcome or the addendum.

What is owed is written down first, in the change's own transaction (`Announcement`, an
outbox): a process that dies after the commit, or a send that fails, leaves the row for the
worker's periodic job, so no partner misses an update and none gets it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save

from tipline.cases.models import Case, CaseOutcome
from tipline.common.time import utcnow
from tipline.exchange.choices import EventType, Section
from tipline.exchange.models import Announcement, Partner
from tipline.exchange.packages import SharingRefused
from tipline.exchange.selectors import notice_sender_partner
from tipline.exchange.services import alert_share, case_share, notice_outcome_share, report_share
from tipline.missing.models import AlertMessage
from tipline.reports.models import Addendum, Report
from tipline.travellers.choices import EventKind
from tipline.travellers.models import NoticeEvent

log = logging.getLogger(__name__)
# The sections that make a partner one a missing child's alert goes to.
ALERT_SECTIONS = frozenset({Section.VICTIM_FIRST_NAME, Section.VICTIM_DETAILS})


def partners_holding(*, report: Report | None = None, case: Case | None = None) -> list[Partner]:
    """The active partners that were sent this report or case before."""
    held = Q(shares__report=report) if report is not None else Q(shares__case=case)
    return list(Partner.objects.filter(held, is_active=True).distinct().order_by("pk"))


def case_outcome_announce(*, case_id: int, kind: str) -> int:
    """Send `case.outcome` to every partner holding the case; how many were sent."""
    case = Case.objects.get(pk=case_id)
    sent = 0
    for partner in partners_holding(case=case):
        try:
            case_share(
                case=case,
                partner=partner,
                actor=None,
                reason=f"Outcome recorded: {kind}.",
                event_type=EventType.CASE_OUTCOME,
            )
            sent += 1
        except SharingRefused as exc:
            log.info("case.outcome not sent to %s: %s", partner.code, exc.messages)
    return sent


def report_update_announce(*, report_id: int) -> int:
    """Send `report.updated` to every partner holding the report; how many were sent."""
    report = Report.objects.get(pk=report_id)
    sent = 0
    for partner in partners_holding(report=report):
        try:
            report_share(
                report=report,
                partner=partner,
                actor=None,
                reason="Information was added to the report.",
                event_type=EventType.REPORT_UPDATED,
            )
            sent += 1
        except SharingRefused as exc:
            log.info("report.updated not sent to %s: %s", partner.code, exc.messages)
    return sent


def alert_announce(*, alert_id: int) -> int:
    """Send `missing_child.alert` to every active partner that may receive a child's name;
    how many were sent."""
    alert = AlertMessage.objects.get(pk=alert_id)
    sent = 0
    for partner in Partner.objects.filter(is_active=True).order_by("pk"):
        if not set(partner.sections) & ALERT_SECTIONS:
            continue
        try:
            alert_share(alert=alert, partner=partner)
            sent += 1
        except SharingRefused as exc:
            log.info("missing_child.alert not sent to %s: %s", partner.code, exc.messages)
    return sent


def notice_outcome_announce(*, event_id: int) -> int:
    """Send `notice.outcome` of one outcome entry to the partner that sent the notice, if the
    sender is a partner that may receive it; how many were sent (0 or 1, and 0 again when the
    entry was sent before: a replayed hook sends nothing twice)."""
    event = NoticeEvent.objects.select_related("notice").get(pk=event_id)
    partner = notice_sender_partner(notice=event.notice)
    if partner is None:
        return 0
    try:
        share = notice_outcome_share(event=event, partner=partner)
    except SharingRefused as exc:
        log.info("notice.outcome not sent to %s: %s", partner.code, exc.messages)
        return 0
    return 0 if share is None else 1


# The periodic job leaves a fresh announcement to the send after its commit for this long.
AFTER_COMMIT_GRACE = timedelta(seconds=60)
# Waits between failed tries: doubling from a minute, at most an hour.
RETRY_FIRST, RETRY_MOST = timedelta(minutes=1), timedelta(hours=1)

ANNOUNCERS: dict[str, Callable[..., int]] = {
    EventType.CASE_OUTCOME: case_outcome_announce,
    EventType.REPORT_UPDATED: report_update_announce,
    EventType.MISSING_CHILD_ALERT: alert_announce,
    EventType.NOTICE_OUTCOME: notice_outcome_announce,
}


def _owe(event_type: str, **arguments: Any) -> None:
    """Record the update in the caller's transaction; try to send it once that commits."""
    now = utcnow()
    row = Announcement.objects.create(
        event_type=event_type,
        arguments=arguments,
        created_at=now,
        next_attempt_at=now + AFTER_COMMIT_GRACE,
    )
    transaction.on_commit(lambda: announcement_attempt(pk=row.pk))


def announcement_send(*, pk: int) -> bool:
    """Send one owed update and strike it off, in one transaction: False when it is gone (sent
    already) or another process holds it. Raises what the sending raised, with nothing sent."""
    with transaction.atomic():
        row = Announcement.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        if row is None:
            return False
        ANNOUNCERS[row.event_type](**row.arguments)
        row.delete()
    return True


def announcement_attempt(*, pk: int) -> bool:
    """`announcement_send`, with a failure counted and the next try set instead of raised: a
    partner's update must never break the change that caused it, nor stop the worker."""
    try:
        return announcement_send(pk=pk)
    except Exception as exc:
        log.exception("exchange update %s failed", pk)
        _failed(pk, exc)
        return False


def _failed(pk: int, exc: Exception) -> None:
    row = Announcement.objects.filter(pk=pk).first()
    if row is None:
        return
    wait = min(RETRY_FIRST * 2**row.attempts, RETRY_MOST)
    row.attempts, row.last_error = row.attempts + 1, f"{type(exc).__name__}: {exc}"[:500]
    row.next_attempt_at = utcnow() + wait
    row.save(update_fields=["attempts", "last_error", "next_attempt_at"])


def announcements_send_due(*, size: int = 50) -> int:
    """Try the owed updates whose time has come, oldest first (those whose send after the
    commit never ran, or failed); how many were sent."""
    due = Announcement.objects.filter(next_attempt_at__lte=utcnow()).order_by("pk")
    return sum(announcement_attempt(pk=pk) for pk in due.values_list("pk", flat=True)[:size])


def _on_outcome(sender: Any, instance: CaseOutcome, created: bool, **kwargs: Any) -> None:
    if created:
        _owe(EventType.CASE_OUTCOME, case_id=instance.case_id, kind=instance.kind)


def _on_addendum(sender: Any, instance: Addendum, created: bool, **kwargs: Any) -> None:
    if created:
        _owe(EventType.REPORT_UPDATED, report_id=instance.report_id)


def _on_alert(sender: Any, instance: AlertMessage, created: bool, **kwargs: Any) -> None:
    if created:
        _owe(EventType.MISSING_CHILD_ALERT, alert_id=instance.pk)


def _on_notice_event(sender: Any, instance: NoticeEvent, created: bool, **kwargs: Any) -> None:
    if created and instance.kind == EventKind.OUTCOME:
        _owe(EventType.NOTICE_OUTCOME, event_id=instance.pk)


def connect() -> None:
    """Listen for outcomes, addenda, alerts and notices' outcomes (called once, from the app's
    `ready`)."""
    post_save.connect(_on_outcome, sender=CaseOutcome, dispatch_uid="exchange.case_outcome")
    post_save.connect(_on_alert, sender=AlertMessage, dispatch_uid="exchange.missing_alert")
    post_save.connect(_on_addendum, sender=Addendum, dispatch_uid="exchange.report_addendum")
    post_save.connect(_on_notice_event, sender=NoticeEvent, dispatch_uid="exchange.notice_outcome")
