"""Demo triage history: what analysts did with the demo reports, through the triage services.

Claims, priority changes, notes, escalations and their acknowledgement, referrals and closures are
made by the demo users through the same services the console calls, so each has its audit row.
The services stamp the present; a demo whose reports span ninety days needs those decisions spread
over the same days, or time-to-triage would measure the seconds the seeding took. So, once the
services have run, `_backdate` moves the decision times back to plausible moments after each
report arrived. It is the one place the demo writes a time itself, and it runs only in demo mode.
The audit rows keep the time they were really written (they are append-only and hash-chained).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tipline.accounts.models import User
from tipline.common.time import utcnow
from tipline.geo.models import RegionalCommand
from tipline.reports.choices import CloseReason, Priority, ReportStatus
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to
from tipline.triage.choices import EscalationState
from tipline.triage.models import Escalation, Notification, Referral, ReportNote
from tipline.triage.services import (
    escalation_acknowledge,
    report_add_note,
    report_assign,
    report_change_priority,
    report_close,
    report_escalate,
    report_refer,
)

# Hours from arrival to the first decision, by priority: P1 is seen within hours, P4 in days.
TRIAGE_HOURS = {"P1": (0.1, 2.0), "P2": (0.5, 12.0), "P3": (2.0, 72.0), "P4": (6.0, 160.0)}
UNTOUCHED_DAYS = 3  # reports younger than this mostly still wait in the queues
NOTES = [
    "Called the reporter back; details confirmed.",
    "Same phone number appears in an earlier report; see the cluster.",
    "Platform asked to preserve the account's data.",
    "Checked the images against the hash lists; see matches.",
    "State command informed by phone.",
]


@dataclass
class HistorySummary:
    """What the demo's analysts did."""

    triaged: int = 0
    closed: int = 0
    notes: int = 0
    escalations: int = 0
    referrals: int = 0
    reprioritised: int = 0
    touched: list[int] = field(default_factory=list)


class _Staff:
    """The demo users, and which reports each may see (one query per user)."""

    def __init__(self) -> None:
        names = ["analyst", "investigator", "liaison", "supervisor"]
        self.users = [User.objects.get(username=name) for name in names]
        self.supervisor = self.users[-1]
        self.sees = {
            u.pk: set(reports_visible_to(u).values_list("pk", flat=True)) for u in self.users
        }

    def for_report(self, report: Report) -> User:
        return next(u for u in self.users if report.pk in self.sees[u.pk])


def demo_triage_history(*, rng: random.Random) -> HistorySummary:
    """Triage most processed reports older than a few days; leave the recent ones waiting."""
    staff, summary = _Staff(), HistorySummary()
    partners = list(RegionalCommand.objects.filter(code__in=["NCMEC", "INTERPOL"]))
    waiting = Report.objects.filter(status=ReportStatus.AWAITING_TRIAGE).order_by("received_at")
    cutoff = utcnow() - timedelta(days=UNTOUCHED_DAYS)
    first_in_cluster: dict[int, Report] = {}
    for report in waiting:
        earlier = (
            first_in_cluster.setdefault(report.cluster_id, report) if report.cluster_id else None
        )
        if report.received_at > cutoff and rng.random() < 0.85:
            continue  # the queue keeps recent work
        if rng.random() < 0.12 and report.priority != Priority.P1:
            continue  # and some older reports nobody reached: they show as overdue
        _triage(report, staff.for_report(report), staff, rng, partners, earlier, summary)
        summary.touched.append(report.pk)
    _backdate(summary.touched, rng)
    return summary


def _triage(
    report: Report,
    actor: User,
    staff: _Staff,
    rng: random.Random,
    partners: list[RegionalCommand],
    earlier: Report | None,
    summary: HistorySummary,
) -> None:
    if report.priority == Priority.P1 and rng.random() < 0.7:
        escalation = report_escalate(
            report=report, reason="Child may be in danger now.", actor=actor
        )
        summary.escalations += 1
        if rng.random() < 0.8:
            escalation_acknowledge(escalation=escalation, actor=staff.supervisor)
    if report.priority == Priority.P4 and rng.random() < 0.8:
        report_close(report=report, reason=CloseReason.INFORMATIONAL, actor=actor)
        summary.triaged, summary.closed = summary.triaged + 1, summary.closed + 1
        return
    report = report_assign(report=report, assignee=actor, actor=actor)
    summary.triaged += 1
    if rng.random() < 0.35:
        report_add_note(report=report, body=rng.choice(NOTES), actor=actor)
        summary.notes += 1
    if report.priority in (Priority.P3, Priority.P4) and rng.random() < 0.1:
        report = report_change_priority(
            report=report,
            priority=Priority.P2,
            reason="Victim is younger than reported.",
            actor=actor,
        )
        summary.reprioritised += 1
    _conclude(report, actor, rng, partners, earlier, summary)


def _conclude(
    report: Report,
    actor: User,
    rng: random.Random,
    partners: list[RegionalCommand],
    earlier: Report | None,
    summary: HistorySummary,
) -> None:
    roll = rng.random()
    if earlier is not None and earlier.pk != report.pk and roll < 0.3:
        report_close(report=report, reason=CloseReason.DUPLICATE, duplicate_of=earlier, actor=actor)
        summary.closed += 1
    elif report.state_id is None and partners and roll < 0.6:
        report_refer(
            report=report,
            partner=rng.choice(partners),
            reason="The suspect appears to be abroad.",
            actor=actor,
        )
        summary.referrals += 1
    elif roll < 0.35:
        reason = rng.choice([CloseReason.NO_OFFENCE, CloseReason.INSUFFICIENT_INFORMATION])
        report_close(report=report, reason=reason, actor=actor)
        summary.closed += 1


def _after(start: datetime, low_hours: float, high_hours: float, rng: random.Random) -> datetime:
    moment = start + timedelta(hours=rng.uniform(low_hours, high_hours))
    return min(moment, utcnow() - timedelta(minutes=5))


def _backdate(touched: list[int], rng: random.Random) -> None:
    """The demo-only backdating (see the module's docstring): every report is stored minutes
    after it was received, and the decisions on the triaged ones follow it by plausible delays."""
    reports = list(Report.objects.only("pk", "received_at", "priority", "triaged_at"))
    triaged_at: dict[int, datetime] = {}
    for report in reports:
        report.created_at = _after(report.received_at, 0.02, 0.3, rng)
        if report.pk in touched:
            low, high = TRIAGE_HOURS.get(report.priority or "P4", (1.0, 48.0))
            report.triaged_at = triaged_at[report.pk] = _after(report.created_at, low, high, rng)
    Report.objects.bulk_update(reports, ["created_at", "triaged_at"], batch_size=500)
    _backdate_decisions(triaged_at, rng)


def _backdate_decisions(triaged_at: dict[int, datetime], rng: random.Random) -> None:
    notes = list(ReportNote.objects.filter(report_id__in=triaged_at))
    for note in notes:
        note.created_at = _after(triaged_at[note.report_id], 0.1, 6, rng)
    ReportNote.objects.bulk_update(notes, ["created_at"])
    referrals = list(Referral.objects.filter(report_id__in=triaged_at))
    for referral in referrals:
        referral.created_at = _after(triaged_at[referral.report_id], 0.5, 24, rng)
    Referral.objects.bulk_update(referrals, ["created_at"])
    escalations = list(Escalation.objects.filter(report_id__in=triaged_at))
    for escalation in escalations:
        escalation.raised_at = triaged_at[escalation.report_id]
        if escalation.state == EscalationState.ACKNOWLEDGED:
            escalation.acknowledged_at = _after(escalation.raised_at, 0.1, 3, rng)
    Escalation.objects.bulk_update(escalations, ["raised_at", "acknowledged_at"])
    sent = list(Notification.objects.filter(report_id__in=triaged_at))
    for notification in sent:
        notification.created_at = triaged_at[notification.report_id]
    Notification.objects.bulk_update(sent, ["created_at"])
