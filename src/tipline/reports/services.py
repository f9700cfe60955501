"""All writes to reports. `report_submit` is the only way a report gets in."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from tipline.accounts.types import Actor, Submitter
from tipline.audit.services import audit_record
from tipline.common import ids
from tipline.common.counters import next_in_year
from tipline.common.db import bulk_save_fields
from tipline.common.time import to_utc, utcnow
from tipline.geo.models import RegionalCommand, State
from tipline.reports.choices import ALLOWED_TRANSITIONS, ReportStatus
from tipline.reports.drafts import FileDraft, InternetDetailDraft, PersonDraft, ReportDraft
from tipline.reports.models import (
    Addendum,
    InternetDetail,
    Person,
    ReferenceCounter,
    Report,
    ReportFile,
)

# The PostgreSQL channel on which every stored report is announced (with its commit).
SUBMITTED_CHANNEL = "tipline_report_submitted"


@dataclass(frozen=True)
class SubmitResult:
    """The stored report and its receipt code. The code exists only here: show it once."""

    report: Report
    receipt_code: str


def _next_reference(year: int) -> str:
    return ids.format_reference(year, next_in_year(ReferenceCounter, year))


def _report_from_draft(draft: ReportDraft, reference: str, receipt_code: str) -> Report:
    incident = draft.incident
    occurred, zone_given = to_utc(incident.occurred_at) if incident.occurred_at else (None, False)
    return Report(
        reference=reference,
        receipt_hash=ids.receipt_hash(receipt_code),
        channel=draft.channel,
        external_id=draft.external_id or "",
        language=draft.language,
        received_at=to_utc(draft.received_at)[0],
        incident_type=incident.type,
        annotations=[str(a) for a in incident.annotations],
        incident_time=occurred,
        incident_time_zone_given=zone_given,
        incident_time_text=incident.occurred_at_text or "",
        description=incident.description,
        location_text=incident.location_text or "",
        latitude=incident.latitude,
        longitude=incident.longitude,
        platform=incident.platform or "",
        escalation_note=incident.escalation_note or "",
        reporter_anonymous=draft.reporter_anonymous,
        sharing_level=draft.sharing_level,
        raw_record=draft.raw_record,
        raw_content_type=draft.raw_content_type,
        extra=draft.extra or None,
    )


def _person(report: Report, position: int, person: PersonDraft) -> Person:
    return Person(
        report=report,
        role=person.role,
        position=position,
        first_name=person.first_name or "",
        last_name=person.last_name or "",
        age=person.age,
        date_of_birth=person.date_of_birth.isoformat() if person.date_of_birth else "",
        details=person.details(),
    )


def _internet_detail(report: Report, position: int, detail: InternetDetailDraft) -> InternetDetail:
    data = detail.model_dump(
        mode="json", exclude={"kind"}, exclude_none=True, exclude_defaults=True
    )
    return InternetDetail(report=report, kind=detail.kind, position=position, data=data)


def _file(report: Report, position: int, draft: FileDraft) -> ReportFile:
    return ReportFile(
        report=report,
        file_id=draft.file_id or ids.new_file_id(),
        position=position,
        original_name=draft.original_name or "",
        size=draft.size,
        sniffed_type=draft.content_type or "",
        md5=draft.md5 or "",
        sha1=draft.sha1 or "",
        sha256=draft.sha256 or "",
        pdq=draft.pdq or "",
        pdq_quality=draft.pdq_quality,
        viewed_by_platform=draft.viewed_by_platform,
        publicly_available=draft.publicly_available,
        classification=draft.classification or "",
        annotations=list(draft.annotations),
        details=draft.details or None,
        storage_key=draft.storage_key or "",
    )


def _given_state(draft: ReportDraft) -> State | None:
    """The state the reporter named, checked before anything is written."""
    code = draft.incident.state_code
    if not code:
        return None
    state = State.objects.filter(code=code).first()
    if state is None:
        raise ValidationError({"incident.state_code": f"Unknown state code {code!r}."})
    return state


def _place_in(report: Report, state: State | None) -> None:
    if state is not None:
        report.state, report.country = state, "NG"
        report.location_source, report.location_confidence = "reporter", 0.9


def _check_files(files: list[FileDraft]) -> None:
    for position, file in enumerate(files):
        if not (file.storage_key or file.md5 or file.sha1 or file.sha256 or file.pdq):
            raise ValidationError(
                {f"files[{position}]": "A file needs its content or at least one hash."}
            )


def _store_parts(report: Report, draft: ReportDraft) -> None:
    Person.objects.bulk_create([_person(report, i, p) for i, p in enumerate(draft.people)])
    InternetDetail.objects.bulk_create(
        [_internet_detail(report, i, d) for i, d in enumerate(draft.internet_details)]
    )
    ReportFile.objects.bulk_create([_file(report, i, f) for i, f in enumerate(draft.files)])


def _summary(report: Report, draft: ReportDraft) -> dict[str, Any]:
    # What the audit row keeps: shape and counts, never a person's details.
    return {
        "reference": report.reference,
        "channel": report.channel,
        "incident_type": report.incident_type,
        "people": len(draft.people),
        "internet_details": len(draft.internet_details),
        "files": len(draft.files),
        "api_client": report.api_client_id,
    }


def report_submit(
    *,
    draft: ReportDraft,
    submitted_by: Actor = None,
    api_client: Submitter = None,
    ip: str | None = None,
) -> SubmitResult:
    """Validate and store a whole report atomically, audit it, and announce it on commit.

    Raises `ValidationError` (nothing stored) when the draft breaks a rule beyond its schema.
    """
    _check_files(draft.files)
    state = _given_state(draft)
    receipt_code = ids.new_receipt_code()
    # Everything that can refuse the draft ran above, so no savepoint inside a caller's transaction
    # (/ispws finish): a failure from here on fails the caller's whole change anyway.
    with transaction.atomic(savepoint=False):
        reference = _next_reference(utcnow().year)
        report = _report_from_draft(draft, reference, receipt_code)
        report.api_client = api_client
        _place_in(report, state)
        report.save()
        _store_parts(report, draft)
        audit_record(
            actor=submitted_by,
            action="report.submitted",
            object_type="report",
            object_id=report.pk,
            after=_summary(report, draft),
            ip=ip,
            actor_label=None if submitted_by else _anonymous_label(draft, api_client),
        )
        _announce_submitted()
    return SubmitResult(report=report, receipt_code=receipt_code)


def _anonymous_label(draft: ReportDraft, api_client: Submitter) -> str:
    return f"client:{api_client.name}" if api_client is not None else f"public:{draft.channel}"


def _announce_submitted() -> None:
    # Whoever listens (the pipeline's idle workers) wakes at once instead of at its next poll.
    # NOTIFY is transactional: PostgreSQL sends it with the commit and drops it on rollback, so
    # nothing runs after the commit that could turn a stored report into an error.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {SUBMITTED_CHANNEL}")


def report_transition(
    *,
    report: Report,
    to_status: str,
    actor: Actor,
    reason: str = "",
    note: str = "",
    ip: str | None = None,
) -> Report:
    """Move one report to `to_status` (see `reports_transition`); returns the stored report."""
    return reports_transition(
        reports=[report], to_status=to_status, actor=actor, reason=reason, note=note, ip=ip
    )[0]


def reports_transition(
    *,
    reports: list[Report],
    to_status: str,
    actor: Actor,
    reason: str = "",
    note: str = "",
    ip: str | None = None,
) -> list[Report]:
    """The one place a report's status changes, over the table in `ALLOWED_TRANSITIONS`.

    All or none: the reports are locked and checked first, so one refused move changes none of
    them. Returns the stored reports, in the order given; one audit event per report.
    """
    if to_status == ReportStatus.CLOSED and not reason:
        raise ValidationError("Closing a report needs a reason.")
    with transaction.atomic():
        rows = Report.objects.select_for_update().filter(pk__in=[r.pk for r in reports])
        locked = {report.pk: report for report in rows.order_by("pk")}  # one lock order for all
        if len(locked) < len({r.pk for r in reports}):
            raise Report.DoesNotExist("A report to move no longer exists.")
        moved = [locked[r.pk] for r in reports]
        for report in moved:
            if to_status not in ALLOWED_TRANSITIONS.get(report.status, frozenset()):
                raise ValidationError(f"A report cannot go from {report.status} to {to_status}.")
        befores = [report.status for report in moved]
        fields = _apply_transition(moved, to_status, reason)
        if len(moved) == 1:
            moved[0].save(update_fields=fields)
        else:
            bulk_save_fields(moved, fields)  # a pipeline batch
        for report, before in zip(moved, befores, strict=True):
            audit_record(
                actor=actor,
                action="report.status_changed",
                object_type="report",
                object_id=report.pk,
                before={"status": before},
                after={"status": to_status, "reason": reason, "note": note},
                ip=ip,
            )
    return moved


def _apply_transition(reports: list[Report], to_status: str, reason: str) -> list[str]:
    """Set the new status on the instances; the fields to save."""
    fields = ["status", "closed_reason", "updated_at"]
    now = utcnow()
    for report in reports:
        if report.status == ReportStatus.AWAITING_TRIAGE and report.triaged_at is None:
            report.triaged_at = now  # leaving the triage queue for the first time
            if "triaged_at" not in fields:
                fields.append("triaged_at")
        report.status = to_status
        report.closed_reason = reason if to_status == ReportStatus.CLOSED else ""
        report.updated_at = now
    return fields


def report_add_addendum(
    *,
    report: Report,
    body: str,
    channel: str,
    actor: Actor = None,
    ip: str | None = None,
) -> Addendum:
    """Attach more information to a report (the reporter's follow-up, or staff's)."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write the information you want to add."})
    with transaction.atomic():
        now = utcnow()
        addendum = Addendum.objects.create(
            report=report, body=body, channel=channel, created_at=now
        )
        # The pipeline takes the new text in (identifiers, links, priority) and tells whoever
        # holds the report: see `pipeline_rerun_at`.
        report.pipeline_rerun_at = now
        report.save(update_fields=["pipeline_rerun_at", "updated_at"])
        audit_record(
            actor=actor,
            action="report.addendum_added",
            object_type="report",
            object_id=report.pk,
            after={
                "addendum": addendum.pk,
                "channel": channel,
                "length": len(body),
                "pipeline_rerun": True,
            },
            ip=ip,
            actor_label=None if actor else f"reporter:{channel}",
        )
    return addendum


def report_add_files(
    *,
    report: Report,
    files: list[FileDraft],
    actor: Actor = None,
    actor_label: str | None = None,
    ip: str | None = None,
) -> list[ReportFile]:
    """Attach more files to a stored report (a later package of a partner's referral), each
    stored as `report_submit` stores one, after the report's own files. A file whose SHA-256 the
    report already holds is skipped: a file sent again is not stored twice. The pipeline is asked
    to hash and match the new files (`pipeline_rerun_at`). Returns the files added, in order.

    Raises `ValidationError` (nothing stored) when a file has neither content nor a hash.
    """
    _check_files(files)
    with transaction.atomic():
        # Locked: two packages for one report cannot both take the same positions or content.
        list(Report.objects.select_for_update().filter(pk=report.pk).values_list("pk", flat=True))
        held = ReportFile.objects.filter(report=report)
        known = {sha for sha in held.values_list("sha256", flat=True) if sha}
        start = 1 + max(held.values_list("position", flat=True), default=-1)
        new: list[FileDraft] = []
        for draft in files:
            if draft.sha256 and draft.sha256 in known:
                continue
            known.add(draft.sha256 or "")
            new.append(draft)
        added = ReportFile.objects.bulk_create(
            [_file(report, start + i, f) for i, f in enumerate(new)]
        )
        if added:
            report.pipeline_rerun_at = utcnow()
            report.save(update_fields=["pipeline_rerun_at", "updated_at"])
            audit_record(
                actor=actor,
                action="report.files_added",
                object_type="report",
                object_id=report.pk,
                after={
                    "files": [f.file_id for f in added],
                    "already_held": len(files) - len(added),
                    "pipeline_rerun": True,
                },
                ip=ip,
                actor_label=actor_label,
            )
    return added


LOCATION_FIELDS = [
    "state",
    "country",
    "location_source",
    "location_confidence",
    "location_lga",
    "location_detail",
]
# What the pipeline's decision steps set on a report, stored together by `reports_save_decisions`.
DECISION_FIELDS = [
    *LOCATION_FIELDS,
    "priority",
    "priority_reasons",
    "priority_by_rules",
    "priority_set_by",
    "routed_command",
    "incident_time_read",
    "incident_time_reading",
    "updated_at",
]


def _saving(save: bool) -> AbstractContextManager[Any]:
    if save:
        return transaction.atomic()
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("save=False needs the caller's transaction, to store the report in.")
    return nullcontext()


def _save(report: Report, save: bool, fields: list[str]) -> None:
    report.updated_at = utcnow()
    if save:
        report.save(update_fields=[*fields, "updated_at"])


def reports_save_decisions(*, reports: list[Report]) -> None:
    """Store what `save=False` calls of the setters above decided, for many reports at once.
    Runs in the caller's transaction, the one holding the audit events of those decisions."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("reports_save_decisions must run inside the deciding transaction.")
    bulk_save_fields(reports, DECISION_FIELDS)


def report_set_routing(
    *, report: Report, command: RegionalCommand, actor: Actor = None, save: bool = True
) -> Report:
    """Send a report to a command's queue. With `save=False` the caller stores the report inside
    its own transaction (the pipeline stores a batch of reports in one statement)."""
    with _saving(save):
        before = report.routed_command.code if report.routed_command else None
        report.routed_command = command
        _save(report, save, ["routed_command"])
        audit_record(
            actor=actor,
            action="report.routed",
            object_type="report",
            object_id=report.pk,
            before={"command": before},
            after={"command": command.code},
        )
    return report


def report_set_location(
    *,
    report: Report,
    state: Any | None,
    country: str,
    source: str,
    confidence: float,
    detail: str = "",
    lga: str = "",
    save: bool = True,
) -> Report:
    """Record where the report is located, and how that was decided (shown to analysts).
    `save=False` as for `report_set_routing`."""
    with _saving(save):
        before = {"state": report.state.code if report.state else None, "country": report.country}
        report.state, report.country = state, country
        report.location_source, report.location_confidence = source, confidence
        report.location_lga, report.location_detail = lga[:80], detail[:500]
        _save(report, save, LOCATION_FIELDS)
        after = {
            "state": state.code if state else None,
            "country": country,
            "source": source,
            "confidence": confidence,
            "lga": lga,
            "detail": detail,
        }
        if before != {"state": after["state"], "country": country}:
            audit_record(
                actor=None,
                action="report.located",
                object_type="report",
                object_id=report.pk,
                before=before,
                after=after,
            )
    return report


def report_set_incident_time_reading(
    *, report: Report, at: datetime, note: str, save: bool = True
) -> Report:
    """Record the incident time read from the reporter's words and how it was read; the words
    stay as written. `save=False` as for `report_set_routing`."""
    with _saving(save):
        report.incident_time_read, report.incident_time_reading = at, note[:500]
        _save(report, save, ["incident_time_read", "incident_time_reading"])
        # The note quotes the reporter's words: the audit row keeps only the time.
        audit_record(
            actor=None,
            action="report.incident_time_read",
            object_type="report",
            object_id=report.pk,
            after={"incident_time_read": at.isoformat()},
        )
    return report


def report_set_priority(
    *,
    report: Report,
    priority: str,
    reasons: list[str],
    actor: Actor = None,
    note: str = "",
    save: bool = True,
) -> Report:
    """Set the priority with the reasons an analyst can check. `save=False` as for
    `report_set_routing`. Set by a person (an `actor`), it is marked as theirs; set by the
    rules (no actor), it is the rules' again and kept as what they said."""
    with _saving(save):
        before = {"priority": report.priority or None}
        report.priority, report.priority_reasons = priority, reasons
        report.priority_set_by = actor
        if actor is None:
            report.priority_by_rules = priority
        fields = ["priority", "priority_reasons", "priority_by_rules", "priority_set_by"]
        _save(report, save, fields)
        if before["priority"] != priority or actor is not None:
            audit_record(
                actor=actor,
                action="report.prioritised",
                object_type="report",
                object_id=report.pk,
                before=before,
                after={"priority": priority, "reasons": reasons, "note": note},
            )
    return report
