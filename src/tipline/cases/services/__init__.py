"""All writes to cases. Each runs in a transaction, writes its audit row, and puts what it did
on the case's timeline (`CaseEvent`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tipline.accounts.models import User
from tipline.accounts.selectors import command_ids_for
from tipline.accounts.types import Actor
from tipline.audit.services import audit_record
from tipline.cases.choices import (
    ALLOWED_TRANSITIONS,
    CaseEventKind,
    CaseStatus,
    CourtOutcome,
    CustodyAction,
    EvidenceKind,
    PersonRole,
    SuspectRole,
)
from tipline.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseInvolvement,
    CasePerson,
    CaseReport,
    CaseTask,
    CustodyEvent,
    EvidenceItem,
)
from tipline.common.counters import next_in_year
from tipline.common.time import utcnow
from tipline.geo.models import RegionalCommand
from tipline.media.storage import StorageError, StoredBlob, read_decrypted
from tipline.people.choices import Decision, OwnerKind
from tipline.people.person import PersonFields
from tipline.people.selectors import people_profile, people_score
from tipline.people.services import people_decide, people_index
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Person as ReportPerson
from tipline.reports.models import Report, ReportFile
from tipline.reports.services import report_transition


def format_case_reference(year: int, number: int) -> str:
    """`NAP-YYYY-NNNNN`."""
    return f"NAP-{year:04d}-{number:05d}"


def _next_reference(year: int) -> str:
    return format_case_reference(year, next_in_year(CaseCounter, year))


def _event(case: Case, kind: str, actor: Actor, body: str = "", **data: Any) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, at=utcnow(), actor=actor, kind=kind, body=body, data=data
    )


def case_event_record(
    *, case: Case, kind: str, actor: Actor, body: str = "", data: dict[str, Any] | None = None
) -> CaseEvent:
    """Put on a case's timeline what another app did with the case (exchange: a share with a
    partner). The caller writes its own audit row in the same transaction."""
    if kind not in CaseEventKind.values:
        raise ValueError(f"Unknown case event kind {kind!r}.")
    with transaction.atomic():
        return _event(case, kind, actor, body, **(data or {}))


def _audit(case: Case, action: str, actor: Actor, ip: str | None, **after: Any) -> None:
    audit_record(
        actor=actor,
        action=f"case.{action}",
        object_type="case",
        object_id=case.pk,
        after={"reference": case.reference, **after},
        ip=ip,
    )


def _check_in_scope(user: User, command: RegionalCommand) -> None:
    """A team member must be able to see the command's cases, or the team cannot work."""
    scope = command_ids_for(user)
    if scope is not None and command.pk not in scope:
        raise ValidationError(f"{user.username} does not work in {command.name}.")


def case_open(
    *,
    command: RegionalCommand,
    lead: User,
    title: str,
    actor: User,
    reports: Iterable[Report] = (),
    members: Iterable[Any] = (),
    summary: str = "",
    ip: str | None = None,
) -> Case:
    """Open a case for `command`, led by `lead`, from the reports given (none, one, or a
    cluster's). Each report moves to `case_opened` (see `_gather_report`). The caller has
    checked that `actor` may see the reports."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the case a title."})
    team = [lead, *members]
    for user in team:
        _check_in_scope(user, command)
    with transaction.atomic():
        now = utcnow()
        case = Case.objects.create(
            reference=_next_reference(now.year),
            title=title,
            summary=summary.strip(),
            command=command,
            lead=lead,
            opened_by=actor,
            opened_at=now,
            updated_at=now,
        )
        case.members.add(*team)
        _audit(case, "opened", actor, ip, command=command.code, lead=lead.pk)
        _event(case, CaseEventKind.OPENED, actor, command=command.code)
        for report in reports:
            _gather_report(case, report, actor, ip)
    return case


def _gather_report(case: Case, report: Report, actor: User, ip: str | None) -> None:
    if CaseReport.objects.filter(case=case, report=report).exists():
        raise ValidationError(f"{report.reference} is already in {case.reference}.")
    CaseReport.objects.create(case=case, report=report, added_by=actor, added_at=utcnow())
    _move_report_to_case(report, actor, ip)
    _audit(case, "report_added", actor, ip, report=report.reference)
    _event(case, CaseEventKind.REPORT_ADDED, actor, report=report.reference)


def _move_report_to_case(report: Report, actor: User, ip: str | None) -> None:
    """A report waiting in the queue is taken (assigned) and then opened as a case, both through
    `report_transition`; one already in a case stays; a closed or referred one is refused."""
    report.refresh_from_db(fields=["status"])
    if report.status == ReportStatus.CASE_OPENED:
        return
    if report.status == ReportStatus.AWAITING_TRIAGE:
        report_transition(report=report, to_status=ReportStatus.ASSIGNED, actor=actor, ip=ip)
        report.status = ReportStatus.ASSIGNED
    if report.status != ReportStatus.ASSIGNED:
        raise ValidationError(
            f"{report.reference} is {report.get_status_display().lower()}: reopen it first."
        )
    report_transition(
        report=report, to_status=ReportStatus.CASE_OPENED, actor=actor, ip=ip, note="case"
    )


def case_add_reports(
    *, case: Case, reports: Iterable[Report], actor: User, ip: str | None = None
) -> Case:
    """Gather more reports into a case (each moved to `case_opened`); all or none."""
    with transaction.atomic():
        for report in reports:
            _gather_report(case, report, actor, ip)
        _touch(case)
    return case


def case_remove_report(*, case: Case, report: Report, actor: User, ip: str | None = None) -> Case:
    """Take a report out of a case. Its own status is left alone: whether it needs more work is
    the analyst's call, through the report's own actions."""
    with transaction.atomic():
        deleted, _ = CaseReport.objects.filter(case=case, report=report).delete()
        if not deleted:
            raise ValidationError(f"{report.reference} is not in {case.reference}.")
        _audit(case, "report_removed", actor, ip, report=report.reference)
        _event(case, CaseEventKind.REPORT_REMOVED, actor, report=report.reference)
        _touch(case)
    return case


def case_add_member(*, case: Case, user: User, actor: User, ip: str | None = None) -> Case:
    """Add a user (who works in the case's command) to the case team."""
    _check_in_scope(user, case.command)
    with transaction.atomic():
        if case.members.filter(pk=user.pk).exists():
            raise ValidationError(f"{user.username} is already on the team.")
        case.members.add(user)
        _audit(case, "member_added", actor, ip, user=user.pk)
        _event(case, CaseEventKind.MEMBER_ADDED, actor, user=user.username)
        _touch(case)
    return case


def case_remove_member(*, case: Case, user: User, actor: User, ip: str | None = None) -> Case:
    """Take a user off the team; the lead stays (name another lead first)."""
    if user.pk == case.lead_id:
        raise ValidationError("The lead investigator stays on the team.")
    with transaction.atomic():
        if not case.members.filter(pk=user.pk).exists():
            raise ValidationError(f"{user.username} is not on the team.")
        case.members.remove(user)
        _audit(case, "member_removed", actor, ip, user=user.pk)
        _event(case, CaseEventKind.MEMBER_REMOVED, actor, user=user.username)
        _touch(case)
    return case


def _touch(case: Case) -> None:
    case.updated_at = utcnow()
    case.save(update_fields=["updated_at"])


def case_transition(
    *,
    case: Case,
    to: str,
    actor: User,
    reason: str = "",
    outcome: str = "",
    ip: str | None = None,
) -> Case:
    """The one place a case's status changes, over `ALLOWED_TRANSITIONS`.

    Closing needs the HTCDS reason for closure (`reason`); closing from `in_court` also needs
    the court's `outcome`. Any other move keeps `reason` as its note on the timeline.
    """
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        before = locked.status
        if to not in ALLOWED_TRANSITIONS.get(before, frozenset()):
            raise ValidationError(f"A case cannot go from {before} to {to}.")
        _check_closing(before, to, reason.strip(), outcome)
        fields = _apply(locked, to, reason.strip(), outcome)
        locked.save(update_fields=fields)
        _audit(locked, "status_changed", actor, ip, before=before, status=to, outcome=outcome)
        _event(
            locked, CaseEventKind.STATUS_CHANGED, actor, reason.strip(), before=before, status=to
        )
    return locked


def _check_closing(before: str, to: str, reason: str, outcome: str) -> None:
    if to != CaseStatus.CLOSED:
        if outcome:
            raise ValidationError({"outcome": "Only closing a case records a court outcome."})
        return
    if not reason:
        raise ValidationError({"reason": "Closing a case needs the reason for closure."})
    if before == CaseStatus.IN_COURT and outcome not in CourtOutcome.values:
        raise ValidationError({"outcome": "A case closed in court needs the court's outcome."})
    if before != CaseStatus.IN_COURT and outcome:
        raise ValidationError({"outcome": "Only a case closed from court has a court outcome."})


def _apply(case: Case, to: str, reason: str, outcome: str) -> list[str]:
    now = utcnow()
    case.status, case.updated_at = to, now
    if to == CaseStatus.CLOSED:
        case.closed_at, case.closure_reason, case.court_outcome = now, reason, outcome
    else:
        # Reopening clears the closing, which stays on the timeline and in the audit trail.
        case.closed_at, case.closure_reason, case.court_outcome = None, "", ""
    return ["status", "updated_at", "closed_at", "closure_reason", "court_outcome"]


def case_add_note(*, case: Case, body: str, actor: User, ip: str | None = None) -> CaseEvent:
    """A team member's note on the timeline (encrypted; the audit row keeps only its length)."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write the note."})
    with transaction.atomic():
        event = _event(case, CaseEventKind.NOTE, actor, body)
        _audit(case, "note_added", actor, ip, event=event.pk, length=len(body))
        _touch(case)
    return event


def case_task_add(
    *, case: Case, title: str, assignee: User, due_on: date, actor: User, ip: str | None = None
) -> CaseTask:
    """Give a team member something to do by `due_on`."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Say what is to be done."})
    if not case.members.filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": f"{assignee.username} is not on the case team."})
    with transaction.atomic():
        task = CaseTask.objects.create(
            case=case,
            title=title,
            assignee=assignee,
            due_on=due_on,
            created_by=actor,
            created_at=utcnow(),
        )
        _audit(case, "task_added", actor, ip, task=task.pk, assignee=assignee.pk, due=due_on)
        _event(case, CaseEventKind.TASK_ADDED, actor, title, task=task.pk, due=str(due_on))
    return task


def case_task_complete(*, task: CaseTask, actor: User, ip: str | None = None) -> CaseTask:
    """Mark a task done (once)."""
    with transaction.atomic():
        locked = CaseTask.objects.select_for_update().select_related("case").get(pk=task.pk)
        if locked.done_at is not None:
            raise ValidationError("This task is already done.")
        locked.done_at = utcnow()
        locked.save(update_fields=["done_at"])
        _audit(locked.case, "task_done", actor, ip, task=locked.pk)
        _event(locked.case, CaseEventKind.TASK_DONE, actor, locked.title, task=locked.pk)
    return locked


# People on a case ------------------------------------------------------------------------------


def _person_row(person: PersonFields, actor: User) -> CasePerson:
    identifiers = {
        "phones": list(person.phones),
        "emails": list(person.emails),
        "usernames": list(person.usernames),
        "documents": list(person.documents),
    }
    return CasePerson(
        given_names=person.given_names.strip(),
        family_name=person.family_name.strip(),
        other_names=list(person.other_names),
        sex=person.sex,
        date_of_birth=person.date_of_birth.isoformat() if person.date_of_birth else "",
        age=person.age,
        age_given_on=person.age_given_on,
        identifiers={k: v for k, v in identifiers.items() if v},
        nationality=person.nationality.upper()[:2],
        created_by=actor,
        created_at=utcnow(),
    )


def _check_roles(role: str, suspect_roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(suspect_roles))
    if role not in PersonRole.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if chosen and role != PersonRole.SUSPECT:
        raise ValidationError({"suspect_roles": "Only a suspect has roles in the chain."})
    unknown = set(chosen) - set(SuspectRole.values)
    if unknown:
        raise ValidationError({"suspect_roles": f"Unknown suspect role {sorted(unknown)}."})
    return chosen


def case_person_add(
    *,
    case: Case,
    role: str,
    person: PersonFields,
    actor: User,
    suspect_roles: Iterable[str] = (),
    source_report: Report | None = None,
    ip: str | None = None,
) -> CaseInvolvement:
    """Add a new person to the registry and to the case in `role`, indexed for the matcher
    (owner kind "case_person"). The audit row and the timeline say who and which role, never
    the person's details. Look-alikes are for the reviewer to decide (`case_person_merge`)."""
    roles = _check_roles(role, suspect_roles)
    if not (person.given_names or person.family_name or person.phones or person.emails):
        raise ValidationError("A person needs at least a name, a phone or an email.")
    with transaction.atomic():
        row = _person_row(person, actor)
        row.save()
        people_index(owner_kind=OwnerKind.CASE_PERSON, owner_id=row.pk, person=row.fields())
        involvement = CaseInvolvement.objects.create(
            case=case,
            person=row,
            role=role,
            suspect_roles=roles,
            source_report=source_report,
            added_by=actor,
            added_at=utcnow(),
        )
        source = source_report.reference if source_report else None
        _audit(case, "person_added", actor, ip, person=row.pk, role=role, report=source)
        _event(case, CaseEventKind.PERSON_ADDED, actor, person=row.pk, role=role, report=source)
        _touch(case)
    return involvement


def report_person_fields(report_person: ReportPerson) -> PersonFields:
    """A report's person (names, birth date, phones, emails, accounts) as matcher fields."""
    details = report_person.details or {}
    accounts = details.get("accounts", [])
    usernames = [
        f"{a['platform']}:{a.get('screen_name') or a.get('esp_identifier')}"
        for a in accounts
        if a.get("platform") and (a.get("screen_name") or a.get("esp_identifier"))
    ]
    born = report_person.date_of_birth
    return PersonFields(
        given_names=report_person.first_name,
        family_name=report_person.last_name,
        date_of_birth=date.fromisoformat(born) if born else None,
        age=report_person.age,
        age_given_on=report_person.report.received_at.date() if report_person.age else None,
        phones=tuple(p["number"] for p in details.get("phones", []) if p.get("number")),
        emails=tuple(e["address"] for e in details.get("emails", []) if e.get("address")),
        usernames=tuple(usernames),
    )


def case_person_from_report(
    *, case: Case, report_person: ReportPerson, role: str, actor: User, ip: str | None = None
) -> CaseInvolvement:
    """Add a person found in one of the case's reports, in one action."""
    if not case.case_reports.filter(report_id=report_person.report_id).exists():
        raise ValidationError("That person's report is not in this case.")
    return case_person_add(
        case=case,
        role=role,
        person=report_person_fields(report_person),
        actor=actor,
        source_report=report_person.report,
        ip=ip,
    )


def _decide(person: CasePerson, other: CasePerson, decision: Decision, actor: User) -> None:
    profile = people_profile(owner_kind=OwnerKind.CASE_PERSON)
    score = people_score(profile=profile, left=person.fields(), right=other.fields())
    people_decide(
        owner_kind=OwnerKind.CASE_PERSON,
        left_id=min(person.pk, other.pk),
        right_id=max(person.pk, other.pk),
        decision=decision,
        by=actor,
        score=score,
    )


def case_person_merge(
    *, case: Case, person: CasePerson, into: CasePerson, actor: User, ip: str | None = None
) -> CasePerson:
    """Record that `person` is `into` (the reviewer confirmed the pair): `person` points at
    `into` from now on; its rows stay, so `case_person_unmerge` undoes it."""
    if person.pk == into.pk or into.merged_into_id is not None:
        raise ValidationError("Merge into a person who is not merged themself.")
    with transaction.atomic():
        _decide(person, into, Decision.CONFIRMED, actor)
        person.merged_into = into
        person.save(update_fields=["merged_into"])
        CasePerson.objects.filter(merged_into=person).update(merged_into=into)
        _audit(case, "person_merged", actor, ip, person=person.pk, into=into.pk)
        _event(case, CaseEventKind.PERSON_MERGED, actor, person=person.pk, into=into.pk)
    return person


def case_person_keep_apart(
    *, case: Case, person: CasePerson, other: CasePerson, actor: User, ip: str | None = None
) -> None:
    """Record that the two are different people (the reviewer rejected the pair)."""
    with transaction.atomic():
        _decide(person, other, Decision.REJECTED, actor)
        _audit(case, "person_kept_apart", actor, ip, person=person.pk, other=other.pk)


def case_person_unmerge(
    *, case: Case, person: CasePerson, actor: User, ip: str | None = None
) -> CasePerson:
    """Undo a merge: the pair is recorded as different people, and `person` stands alone."""
    into = person.merged_into
    if into is None:
        raise ValidationError("This person is not merged.")
    with transaction.atomic():
        _decide(person, into, Decision.REJECTED, actor)
        person.merged_into = None
        person.save(update_fields=["merged_into"])
        _audit(case, "person_unmerged", actor, ip, person=person.pk, was=into.pk)
        _event(case, CaseEventKind.PERSON_UNMERGED, actor, person=person.pk, was=into.pk)
    return person


def case_person_reveal(
    *, case: Case, involvement: CaseInvolvement, actor: User, ip: str | None = None
) -> CasePerson:
    """Audit that `actor` is shown the identity of a case person (always, for a victim)."""
    with transaction.atomic():
        _audit(
            case, "person_revealed", actor, ip, person=involvement.person_id, role=involvement.role
        )
    return involvement.person


# Evidence and chain of custody -----------------------------------------------------------------


def evidence_content_sha256(item: EvidenceItem) -> str:
    """The SHA-256 of the item's content as stored now (decrypted chunk by chunk, never
    written); empty for a physical item or a hash-only report file."""
    key = item.report_file.storage_key if item.report_file else item.storage_key
    if not key:
        return ""
    digest = hashlib.sha256()
    try:
        for chunk in read_decrypted(key):
            digest.update(chunk)
    except (StorageError, OSError):
        return "unreadable"  # differs from any intake hash: flagged, never silently passed
    return digest.hexdigest()


def _new_item(case: Case, actor: User, **fields: Any) -> EvidenceItem:
    Case.objects.select_for_update().filter(pk=case.pk).first()  # numbers without gaps or races
    last = case.evidence.order_by("-number").values_list("number", flat=True).first() or 0
    return EvidenceItem.objects.create(
        case=case, number=last + 1, added_by=actor, added_at=utcnow(), **fields
    )


def _intake(item: EvidenceItem, actor: User, holder: str, ip: str | None) -> EvidenceItem:
    now_hash = evidence_content_sha256(item) if item.sha256 else ""
    _custody_event(item, CustodyAction.INTAKE, actor, "", holder, "Taken into evidence", now_hash)
    _audit(item.case, "evidence_added", actor, ip, item=item.label, evidence_kind=item.kind)
    _event(item.case, CaseEventKind.EVIDENCE_ADDED, actor, item=item.label, evidence_kind=item.kind)
    return item


def evidence_add_report_file(
    *, case: Case, report_file: ReportFile, actor: User, ip: str | None = None
) -> EvidenceItem:
    """Take a file of one of the case's reports into evidence, by reference; its intake hash
    is the one the report recorded on arrival."""
    if not case.case_reports.filter(report_id=report_file.report_id).exists():
        raise ValidationError("That file's report is not in this case.")
    with transaction.atomic():
        item = _new_item(
            case,
            actor,
            kind=EvidenceKind.REPORT_FILE,
            report_file=report_file,
            original_name=report_file.original_name,
            size=report_file.size,
            sha256=report_file.sha256,
            holder="tipline encrypted store",
        )
        return _intake(item, actor, item.holder, ip)


def evidence_add_upload(
    *,
    case: Case,
    blob: StoredBlob,
    name: str,
    description: str,
    actor: User,
    ip: str | None = None,
) -> EvidenceItem:
    """Take an investigator's upload (already streamed, encrypted and hashed) into evidence."""
    with transaction.atomic():
        item = _new_item(
            case,
            actor,
            kind=EvidenceKind.UPLOAD,
            storage_key=blob.key,
            original_name=name,
            description=description.strip(),
            size=blob.size,
            sha256=blob.sha256,
            holder="tipline encrypted store",
        )
        return _intake(item, actor, item.holder, ip)


def evidence_add_physical(
    *, case: Case, kind: str, description: str, holder: str, actor: User, ip: str | None = None
) -> EvidenceItem:
    """Record a seized device, a document or a statement, and who holds it."""
    if kind not in {EvidenceKind.DEVICE, EvidenceKind.DOCUMENT, EvidenceKind.STATEMENT}:
        raise ValidationError({"kind": "A physical item is a device, a document or a statement."})
    if not description.strip() or not holder.strip():
        raise ValidationError("Describe the item and say who holds it.")
    with transaction.atomic():
        item = _new_item(
            case, actor, kind=kind, description=description.strip(), holder=holder.strip()
        )
        return _intake(item, actor, item.holder, ip)


def _custody_event(
    item: EvidenceItem,
    action: str,
    actor: User,
    from_party: str,
    to_party: str,
    purpose: str,
    now_hash: str,
) -> CustodyEvent:
    previous = item.custody.order_by("-at", "-pk").values_list("sha256_after", flat=True).first()
    event = CustodyEvent.objects.create(
        item=item,
        at=utcnow(),
        actor=actor,
        action=action,
        from_party=from_party,
        to_party=to_party,
        purpose=purpose,
        sha256_before=previous if previous is not None else item.sha256,
        sha256_after=now_hash,
    )
    if item.sha256 and now_hash != item.sha256 and not item.hash_mismatch:
        item.hash_mismatch = True  # flagged at once, and for good
        item.save(update_fields=["hash_mismatch"])
    return event


def custody_record(
    *,
    item: EvidenceItem,
    action: str,
    actor: User,
    from_party: str = "",
    to_party: str = "",
    purpose: str = "",
    ip: str | None = None,
) -> CustodyEvent:
    """Append one custody event; a digital item's hash is recomputed for it, and a difference
    from the intake hash flags the item. A transfer moves the item to `to_party`."""
    if action not in CustodyAction.values or action == CustodyAction.INTAKE:
        raise ValidationError({"action": f"Unknown custody action {action!r}."})
    if action == CustodyAction.TRANSFER and not (from_party.strip() and to_party.strip()):
        raise ValidationError("A transfer says from whom and to whom.")
    with transaction.atomic():
        locked = EvidenceItem.objects.select_for_update().select_related("case").get(pk=item.pk)
        now_hash = evidence_content_sha256(locked) if locked.sha256 else ""
        event = _custody_event(
            locked, action, actor, from_party.strip(), to_party.strip(), purpose.strip(), now_hash
        )
        if action == CustodyAction.TRANSFER:
            locked.holder = to_party.strip()
            locked.save(update_fields=["holder"])
        _audit(
            locked.case,
            "custody",
            actor,
            ip,
            item=locked.label,
            custody_action=action,
            match=not locked.hash_mismatch,
        )
        _event(locked.case, CaseEventKind.CUSTODY, actor, item=locked.label, custody_action=action)
    item.refresh_from_db()
    return event


def case_record_bundle(
    *, case: Case, items: list[str], key_id: str, actor: User, ip: str | None = None
) -> None:
    """Audit a court bundle produced (which items, which key signed it), on the timeline."""
    with transaction.atomic():
        _audit(case, "bundle_built", actor, ip, items=items, key=key_id)
        _event(case, CaseEventKind.BUNDLE, actor, items=items, key=key_id)
