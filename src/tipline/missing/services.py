"""All writes to the missing-children registry. Each runs in a transaction, writes its audit
row, and puts what it did on the record's timeline (`MissingEvent`)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.accounts.types import Actor, Submitter
from tipline.audit.services import audit_record
from tipline.common import ids
from tipline.common.counters import next_in_year
from tipline.common.time import WAT, utcnow
from tipline.geo.models import RegionalCommand, State
from tipline.media.hashing import is_matchable, open_image, pdq_from_image
from tipline.media.sniff import IMAGE_TYPES
from tipline.media.storage import StorageError, StoredBlob, read_decrypted
from tipline.missing import matching
from tipline.missing.broadcast import broadcaster, sms_text
from tipline.missing.cap import reference_of
from tipline.missing.choices import (
    ALERTABLE_STATUSES,
    ALLOWED_TRANSITIONS,
    NOTE_REQUIRED,
    OPEN_STATUSES,
    RECORD_PREFIX,
    CandidateState,
    EventKind,
    FoundBy,
    MessageType,
    RecordStatus,
    Source,
)
from tipline.missing.drafts import RecordInput
from tipline.missing.models import (
    AlertMessage,
    MatchCandidate,
    MissingEvent,
    MissingPhoto,
    MissingRecord,
    RecordCounter,
    Sighting,
)
from tipline.people.batch import people_candidates_many
from tipline.people.choices import Decision, OwnerKind
from tipline.people.person import PersonFields
from tipline.people.scoring import MatchProfile, Score
from tipline.people.selectors import people_candidates, people_profile, people_score
from tipline.people.services import (
    candidates_clear_open,
    people_decide,
    people_index,
    people_index_many,
)
from tipline.reports.models import Person as ReportPerson
from tipline.reports.models import Report

# Who may verify a registration (and so make it matchable as verified, and alertable).
VERIFIER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
# A photo larger than this is refused before it is decoded.
MAX_PHOTO_BYTES = 20 * 1024 * 1024


def format_record_reference(year: int, number: int) -> str:
    """`MC-YYYY-NNNNN`."""
    return f"{RECORD_PREFIX}{year:04d}-{number:05d}"


def _next_reference(year: int) -> str:
    return format_record_reference(year, next_in_year(RecordCounter, year))


def _event(record: MissingRecord, kind: str, actor: Actor, body: str = "", **data: Any) -> None:
    MissingEvent.objects.create(
        record=record, at=utcnow(), actor=actor, kind=kind, body=body, data=data
    )


def _audit(record: MissingRecord, action: str, actor: Actor, ip: str | None, **after: Any) -> None:
    audit_record(
        actor=actor,
        action=f"missing.{action}",
        object_type="missing.record",
        object_id=record.pk,
        after={"reference": record.reference, **after},
        ip=ip,
    )


@dataclass(frozen=True)
class Registered:
    """A new record and the receipt code its guardian or partner follows it up with."""

    record: MissingRecord
    receipt_code: str


def _state(code: str) -> State:
    state = State.objects.select_related("command").filter(code=code.upper()).first()
    if state is None:
        raise ValidationError({"last_seen_state": f"No state {code!r}."})
    return state


def _check_times(data: RecordInput) -> None:
    now = utcnow()
    if data.last_seen_at > now + timedelta(minutes=5):
        raise ValidationError({"last_seen_at": "The last sighting cannot be in the future."})
    today = now.astimezone(WAT).date()
    if data.date_of_birth and data.date_of_birth > today:
        raise ValidationError({"date_of_birth": "The date of birth cannot be in the future."})


def _guardians(data: RecordInput) -> list[dict[str, Any]]:
    return [g.model_dump() for g in data.guardians]


def _record_row(data: RecordInput, state: State, **fields: Any) -> MissingRecord:
    now = utcnow()
    age_on = data.age_given_on or (now.astimezone(WAT).date() if data.age is not None else None)
    point = {"lat": data.latitude, "lon": data.longitude} if data.latitude is not None else None
    return MissingRecord(
        reference=_next_reference(now.year),
        given_names=data.given_names,
        family_name=data.family_name,
        other_names=list(data.other_names),
        sex=data.sex,
        date_of_birth=data.date_of_birth.isoformat() if data.date_of_birth else "",
        age=None if data.date_of_birth else data.age,
        age_given_on=None if data.date_of_birth else age_on,
        height_cm=data.height_cm,
        description=data.description,
        languages=list(data.languages),
        circumstance=data.circumstance,
        circumstances_text=data.circumstances_text,
        last_seen_at=data.last_seen_at,
        last_seen_state=state,
        last_seen_lga=data.last_seen_lga,
        last_seen_place=data.last_seen_place,
        last_seen_point=point,
        guardians=_guardians(data),
        child_phones=list(data.child_phones),
        consent_public=data.consent_public,
        external_id=data.external_id,
        created_at=now,
        updated_at=now,
        **fields,
    )


def missing_record_create(
    *,
    data: RecordInput,
    source: Source,
    actor: Actor,
    command: RegionalCommand | None = None,
    api_client: Submitter = None,
    ip: str | None = None,
) -> Registered:
    """Register a missing child, pending verification (`reported`): indexed for the matcher,
    matched at once against recent reports, audited (references and codes only). The record
    belongs to `command`, else to the command of the state where the child was last seen."""
    _check_times(data)
    state = _state(data.last_seen_state)
    code = ids.new_receipt_code()
    with transaction.atomic():
        record = _record_row(
            data,
            state,
            command=command or state.command,
            source=source,
            api_client=api_client,
            created_by=actor,
            receipt_hash=ids.receipt_hash(code),
        )
        record.save()
        people_index(
            owner_kind=OwnerKind.MISSING_RECORD, owner_id=record.pk, person=record.fields()
        )
        _audit(record, "registered", actor, ip, source=source, command=record.command.code)
        _event(record, EventKind.REGISTERED, actor, source=source)
        missing_match_record(record=record)
    return Registered(record, code)


# Status --------------------------------------------------------------------------------------


def _check_move(record: MissingRecord, to: str, actor: Actor, note: str) -> None:
    before = record.status
    if to not in ALLOWED_TRANSITIONS.get(before, frozenset()):
        raise ValidationError(f"A record cannot go from {before} to {to}.")
    if (before, to) in NOTE_REQUIRED and not note:
        raise ValidationError({"note": "Say why the registration is closed."})
    if to == RecordStatus.VERIFIED and (actor is None or actor.role not in VERIFIER_ROLES):
        raise ValidationError("Only a supervisor or an administrator verifies a record.")


def missing_transition(
    *,
    record: MissingRecord,
    to: str,
    actor: Actor,
    note: str = "",
    ip: str | None = None,
    **data: Any,
) -> MissingRecord:
    """The one place a record's status changes, over `ALLOWED_TRANSITIONS`. Verifying needs a
    supervisor or administrator; closing an unverified registration needs a note. `data` (a
    report reference, say) goes on the timeline entry."""
    with transaction.atomic():
        locked = MissingRecord.objects.select_for_update().get(pk=record.pk)
        before = locked.status
        _check_move(locked, to, actor, note.strip())
        now = utcnow()
        locked.status, locked.updated_at = to, now
        locked.closed_at = now if to == RecordStatus.CLOSED else None
        locked.save(update_fields=["status", "updated_at", "closed_at"])
        _audit(locked, "status_changed", actor, ip, before=before, status=to, **data)
        _event(
            locked, EventKind.STATUS_CHANGED, actor, note.strip(), before=before, status=to, **data
        )
        if to not in ALERTABLE_STATUSES and active_alert(locked) is not None:
            _send(locked, MessageType.CANCEL, actor, ip)  # found: the public page says so only
    record.refresh_from_db()
    return locked


# Information added ---------------------------------------------------------------------------


def _added(known: list[str] | None, more: Sequence[str]) -> list[str]:
    """`known` with those of `more` it lacks (compared without case or spaces), in order."""
    seen = {k.casefold().replace(" ", "") for k in known or []}
    fresh = [m.strip() for m in more if m.strip()]
    return list(known or []) + [
        m for m in dict.fromkeys(fresh) if m.casefold().replace(" ", "") not in seen
    ]


def missing_record_add_information(
    *,
    record: MissingRecord,
    text: str,
    other_names: Sequence[str] = (),
    phones: Sequence[str] = (),
    actor: Actor,
    ip: str | None = None,
) -> MissingRecord:
    """Add what a guardian (`actor` None) or an officer learnt since: words for the timeline,
    names the child is also called and phones the child may call from, which the matcher
    uses. The record is matched again at once. A closed record takes nothing more."""
    text = text.strip()
    if not (text or any(n.strip() for n in other_names) or any(p.strip() for p in phones)):
        raise ValidationError({"text": "Write the information you want to add."})
    with transaction.atomic():
        locked = MissingRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status == RecordStatus.CLOSED:
            raise ValidationError("This record is closed: call 627 to tell us more.")
        names, numbers = (
            _added(locked.other_names, other_names),
            _added(locked.child_phones, phones),
        )
        new = {
            "other_names": len(names) - len(locked.other_names or []),
            "phones": len(numbers) - len(locked.child_phones or []),
        }
        locked.other_names, locked.child_phones, locked.updated_at = names, numbers, utcnow()
        locked.save(update_fields=["other_names", "child_phones", "updated_at"])
        by = "staff" if actor is not None else "guardian"
        _audit(locked, "information_added", actor, ip, by=by, length=len(text), **new)
        _event(locked, EventKind.INFORMATION_ADDED, actor, text, by=by, **new)
        missing_match_record(record=locked)
    record.refresh_from_db()
    return locked


# Photos --------------------------------------------------------------------------------------


def _pdq_of(blob: StoredBlob) -> tuple[str, int]:
    if blob.size > MAX_PHOTO_BYTES:
        raise ValidationError(f"A photo is at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB.")
    try:
        data = b"".join(read_decrypted(blob.key))
        with open_image(io.BytesIO(data)) as image:
            image.load()
            result = pdq_from_image(image)
    # Damaged or hostile files raise all of these from Pillow's decoders.
    except (OSError, ValueError, EOFError, SyntaxError, StorageError) as exc:
        raise ValidationError("This file is not a readable image.") from exc
    return result.hash, result.quality


def missing_photo_add(
    *,
    record: MissingRecord,
    blob: StoredBlob,
    sniffed: str | None,
    actor: Actor,
    ip: str | None = None,
) -> MissingPhoto:
    """Keep a photo of the child (already streamed into the encrypted store), PDQ-hashed, and
    match the record again (a photo changes the scores)."""
    if sniffed not in IMAGE_TYPES:
        raise ValidationError("A photo must be an image (JPEG, PNG, GIF, WebP or BMP).")
    pdq, quality = _pdq_of(blob)
    with transaction.atomic():
        photo = MissingPhoto.objects.create(
            record=record,
            storage_key=blob.key,
            size=blob.size,
            sha256=blob.sha256,
            sniffed_type=sniffed,
            pdq=pdq,
            pdq_quality=quality,
            added_by=actor,
            added_at=utcnow(),
        )
        _audit(record, "photo_added", actor, ip, photo=photo.pk, sha256=blob.sha256)
        _event(record, EventKind.PHOTO_ADDED, actor, photo=photo.pk, quality=quality)
        missing_match_record(record=record)
    return photo


def record_photo_pdqs(record: MissingRecord) -> tuple[str, ...]:
    """The record's photo hashes good enough to compare."""
    return tuple(p.pdq for p in record.photos.all() if p.pdq and is_matchable(p.pdq_quality))


# Matching ------------------------------------------------------------------------------------


def _profile() -> MatchProfile:
    return people_profile(owner_kind=OwnerKind.MISSING_RECORD)


def _candidate(
    record: MissingRecord, person: ReportPerson, score: Score, found_by: str
) -> MatchCandidate:
    return MatchCandidate(
        record=record,
        report_id=person.report_id,
        report_person=person,
        found_by=found_by,
        probability=score.probability,
        weight=score.weight,
        reasons=[
            {"field": r.field, "level": r.level, "bits": r.bits, "text": r.text}
            for r in score.reasons
        ],
        comparison=score.comparison,
        created_at=utcnow(),
    )


Scored = tuple[MissingRecord, ReportPerson, Score]


def _keep_best(scored: list[Scored], decided: set[tuple[int, int]]) -> list[Scored]:
    """The pairs worth a candidate row: above the floor, not decided yet, the best
    CANDIDATES_PER_PERSON (rows are built for these only)."""
    fresh = [
        (record, person, score)
        for record, person, score in scored
        if score.probability >= matching.CANDIDATE_FLOOR and (record.pk, person.pk) not in decided
    ]
    return sorted(fresh, key=lambda s: -s[2].probability)[: matching.CANDIDATES_PER_PERSON]


# What `MissingRecord.fields` reads, and the reference: all the matcher loads of a candidate (the
# description, circumstances and place are neither decrypted nor sent).
_MATCHED = (
    "reference",
    "status",
    "given_names",
    "family_name",
    "other_names",
    "sex",
    "date_of_birth",
    "age",
    "age_given_on",
    "child_phones",
    "guardians",
    "last_seen_at",
    "last_seen_lga",
    "last_seen_point",
    "last_seen_state__code",
)


def _open_records(ids_: list[str], *, photos: bool = True) -> dict[str, MissingRecord]:
    """The open records among `ids_`, with only what the matcher reads (`_MATCHED`; any other
    field is read from the database when asked for), their photos only when `photos`."""
    rows = (
        MissingRecord.objects.filter(pk__in=[int(i) for i in ids_], status__in=OPEN_STATUSES)
        .select_related("last_seen_state")
        .only(*_MATCHED)
    )
    return {str(r.pk): r for r in (rows.prefetch_related("photos") if photos else rows)}


def _blind_found(people: list[tuple[int, PersonFields]]) -> dict[Any, list[tuple[str, int]]]:
    """For each person (by key), the records sharing the most blind-index terms, best first,
    with their points (none read): one statement for the batch."""
    return people_candidates_many(
        owner_kind=OwnerKind.MISSING_RECORD, people=people, limit=matching.BLIND_LIMIT
    )


def _open_states(ids_: set[str]) -> dict[str, str]:
    """Record id -> its last-seen state code, for the open ones of `ids_` (plain columns: no
    decryption)."""
    rows = MissingRecord.objects.filter(pk__in=[int(i) for i in ids_], status__in=OPEN_STATUSES)
    return {str(pk): code for pk, code in rows.values_list("pk", "last_seen_state__code")}


def missing_match_report(*, report: Report) -> list[MatchCandidate]:
    """Score the people of a report who may be a missing child against the open records (the
    pipeline's step); replaces the report's undecided candidates, keeps decided ones. Each
    such person is indexed too, so a record registered later finds the report."""
    return missing_match_reports(reports=[report])


def _clear_undecided(report_ids: list[int]) -> set[tuple[int, int]]:
    """Delete the reports' undecided candidates; the (record, person) pairs of their decided
    ones."""
    rows = candidates_clear_open(
        candidates=MatchCandidate.objects.filter(report_id__in=report_ids),
        pair=("record_id", "report_person_id"),
        open_state=CandidateState.OPEN,
    )
    return {(record, person) for record, person, state in rows if state != CandidateState.OPEN}


def missing_match_reports(*, reports: list[Report]) -> list[MatchCandidate]:
    """`missing_match_report` for a batch of reports (the pipeline's batch step): the profile,
    the index write, the clearing of undecided candidates and the read of decided ones are done
    once for the batch, not once per report."""
    people = [pair for report in reports for pair in matching.people_to_match(report)]
    profile = _profile()
    with transaction.atomic():
        people_index_many(owner_kind=OwnerKind.REPORT_PERSON, people=[(p.pk, f) for p, f in people])
        decided = _clear_undecided([r.pk for r in reports])
        if not people:
            return []
        blind = _blind_found([(person.pk, fields) for person, fields in people])
        states = _open_states({i for found in blind.values() for i, _ in found})
        found = {
            person.pk: matching.shortlist(blind[person.pk], states, fields.state)
            for person, fields in people
        }
        # A photo counts only when the report has one: else the records' are not loaded.
        photos = any(fields.photo_pdqs for _, fields in people)
        records = _open_records(sorted({i for ids_ in found.values() for i in ids_}), photos=photos)
        decrypted: dict[str, PersonFields] = {}  # each record decrypted once for the batch
        rows: list[MatchCandidate] = []
        for person, fields in people:
            scored: list[Scored] = []
            for record_id in (i for i in found[person.pk] if i in records):
                record = records[record_id]
                if record_id not in decrypted:
                    pdqs = record_photo_pdqs(record) if photos else ()
                    decrypted[record_id] = record.fields(pdqs)
                score = people_score(profile=profile, left=fields, right=decrypted[record_id])
                scored.append((record, person, score))
            rows += [_candidate(r, p, s, FoundBy.REPORT) for r, p, s in _keep_best(scored, decided)]
        return MatchCandidate.objects.bulk_create(rows)


def _recent_people(record: MissingRecord, person: PersonFields) -> list[ReportPerson]:
    found = people_candidates(
        owner_kind=OwnerKind.REPORT_PERSON, person=person, limit=100, with_evidence=False
    )
    since = utcnow() - timedelta(days=matching.RECENT_DAYS)
    rows = (
        ReportPerson.objects.filter(
            pk__in=[int(c.owner_id) for c in found], report__received_at__gte=since
        )
        .select_related("report__state")
        .prefetch_related("report__files", "report__people")
    )
    return [p for p in rows if matching.may_be_the_child(p.report, p)]


def missing_match_record(*, record: MissingRecord) -> list[MatchCandidate]:
    """Score a record against the people of recent reports (a new or changed record); replaces
    its undecided candidates, keeps decided ones. Matches only while the record is open."""
    with transaction.atomic():
        MatchCandidate.objects.filter(record=record, state=CandidateState.OPEN).delete()
        if record.status not in OPEN_STATUSES:
            return []
        fields = record.fields(record_photo_pdqs(record))
        people_index(owner_kind=OwnerKind.MISSING_RECORD, owner_id=record.pk, person=fields)
        decided = set(
            MatchCandidate.objects.filter(record=record).values_list(
                "record_id", "report_person_id"
            )
        )
        profile = _profile()
        scored = [
            (
                record,
                person,
                people_score(
                    profile=profile,
                    left=matching.person_fields(person.report, person),
                    right=fields,
                ),
            )
            for person in _recent_people(record, fields)
        ]
        best = _keep_best(scored, decided)
        return MatchCandidate.objects.bulk_create(
            [_candidate(r, p, s, FoundBy.RECORD) for r, p, s in best]
        )


# Reviewers' decisions ------------------------------------------------------------------------

OUTCOMES = frozenset({RecordStatus.SIGHTED, RecordStatus.FOUND})


def _stored_score(candidate: MatchCandidate) -> Score:
    """The score the reviewer saw, as the people app keeps it with the label."""
    return Score(candidate.probability, candidate.weight, (), dict(candidate.comparison))


def _sighting(candidate: MatchCandidate, actor: User) -> Sighting:
    report = candidate.report
    return Sighting.objects.create(
        record=candidate.record,
        report=report,
        candidate=candidate,
        seen_at=report.incident_time or report.incident_time_read or report.received_at,
        state=report.state,
        lga=report.location_lga,
        recorded_by=actor,
        recorded_at=utcnow(),
    )


def missing_candidate_decide(
    *,
    candidate: MatchCandidate,
    decision: Decision,
    actor: User,
    outcome: str = RecordStatus.SIGHTED,
    ip: str | None = None,
) -> MatchCandidate:
    """A reviewer's word on a candidate, kept as a label for the matcher (`people_decide`).
    A confirmation links the report to the record as a sighting and moves the record to
    `outcome` (sighted or found) through `missing_transition`: all or nothing."""
    if decision == Decision.CONFIRMED and outcome not in OUTCOMES:
        raise ValidationError({"outcome": "A confirmed match makes the child sighted or found."})
    with transaction.atomic():
        locked = (
            MatchCandidate.objects.select_for_update()
            .select_related("record", "report")
            .get(pk=candidate.pk)
        )
        if locked.state != CandidateState.OPEN:
            raise ValidationError("This candidate has already been decided.")
        if decision == Decision.CONFIRMED and locked.record.status == RecordStatus.REPORTED:
            raise ValidationError("Verify the record before confirming a sighting of the child.")
        people_decide(
            owner_kind=OwnerKind.MISSING_RECORD,
            left_id=locked.report_person_id,
            right_id=locked.record_id,
            decision=decision,
            by=actor,
            score=_stored_score(locked),
        )
        confirmed = decision == Decision.CONFIRMED
        locked.state = CandidateState.CONFIRMED if confirmed else CandidateState.REJECTED
        locked.decided_by, locked.decided_at = actor, utcnow()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        record, reference = locked.record, locked.report.reference
        kind = EventKind.CANDIDATE_CONFIRMED if confirmed else EventKind.CANDIDATE_REJECTED
        _audit(
            record, f"candidate_{locked.state}", actor, ip, report=reference, candidate=locked.pk
        )
        _event(record, kind, actor, report=reference, probability=round(locked.probability, 3))
        if confirmed:
            _sighting(locked, actor)
            _event(record, EventKind.SIGHTING, actor, report=reference)
            missing_transition(record=record, to=outcome, actor=actor, ip=ip, report=reference)
    return locked


# Public alerts --------------------------------------------------------------------------------


def active_alert(record: MissingRecord) -> AlertMessage | None:
    """The newest message of the record's alert while it is not cancelled, else None."""
    newest = record.alerts.order_by("-sent", "-pk").first()
    return newest if newest is not None and newest.msg_type != MessageType.CANCEL else None


def _age_now(record: MissingRecord) -> int | None:
    today = utcnow().astimezone(WAT).date()
    born = record.birth_date()
    if born:
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if record.age is not None and record.age_given_on:
        return record.age + (today - record.age_given_on).days // 365
    return record.age


def public_details(record: MissingRecord) -> dict[str, Any]:
    """What a public alert shows: the child only, as the guardian agreed; no guardian, phone,
    date of birth or reference."""
    photo = record.photos.order_by("pk").first()
    point = record.last_seen_point or {}
    return {
        "name": record.full_name,
        "given_names": record.given_names,
        "family_name": record.family_name,
        "sex": record.sex,
        "age": _age_now(record),
        "height_cm": record.height_cm,
        "description": record.description,
        "circumstance": record.circumstance,
        "last_seen_at": record.last_seen_at.astimezone(WAT).isoformat(),
        "place": record.last_seen_place,
        "lga": record.last_seen_lga,
        "state_code": record.last_seen_state.code,
        "state_name": record.last_seen_state.name,
        "lat": point.get("lat"),
        "lon": point.get("lon"),
        "photo": photo.pk if photo else None,
    }


def _send(record: MissingRecord, kind: str, actor: Actor, ip: str | None) -> AlertMessage:
    earlier = list(record.alerts.order_by("sent", "pk"))
    identifier = f"NG-NAPTIP-{record.reference}-{len(earlier) + 1}"
    message = AlertMessage.objects.create(
        record=record,
        identifier=identifier,
        public_id=earlier[0].public_id if earlier else identifier,
        msg_type=kind,
        sent=utcnow(),
        references=" ".join(reference_of(m) for m in earlier),
        public=None if kind == MessageType.CANCEL else public_details(record),
        sent_by=actor,
    )
    _audit(record, "alert", actor, ip, identifier=identifier, msg_type=kind)
    _event(record, EventKind.ALERT, actor, identifier=identifier, msg_type=kind)
    return message


def _check_alertable(record: MissingRecord, actor: User) -> None:
    if actor.role not in VERIFIER_ROLES:
        raise ValidationError("Only a supervisor or an administrator issues a public alert.")
    if record.status not in ALERTABLE_STATUSES:
        raise ValidationError("Only a verified record still being looked for gets an alert.")
    if not record.consent_public:
        raise ValidationError("The guardian has not consented to a public alert.")


def missing_alert_issue(
    *, record: MissingRecord, actor: User, ip: str | None = None
) -> AlertMessage:
    """Issue the record's public alert (CAP msgType Alert), or an Update of the active one
    with the record as it is now. Push it with `alert_broadcast` once its address is known."""
    _check_alertable(record, actor)
    with transaction.atomic():
        locked = MissingRecord.objects.select_for_update().get(pk=record.pk)
        kind = MessageType.UPDATE if active_alert(locked) else MessageType.ALERT
        return _send(locked, kind, actor, ip)


def alert_broadcast(*, message: AlertMessage, url: str) -> None:
    """Push an issued alert to the SMS broadcast of its state, after the surrounding commit (a
    gateway that fails never undoes the alert)."""
    text = sms_text(message.public or {}, url)
    state = (message.public or {}).get("state_code", "")
    transaction.on_commit(lambda: broadcaster().send(state_code=state, text=text))


def missing_alert_cancel(
    *, record: MissingRecord, actor: User, ip: str | None = None
) -> AlertMessage:
    """Cancel the record's active alert (CAP msgType Cancel): its page then says only that the
    alert has ended."""
    if actor.role not in VERIFIER_ROLES:
        raise ValidationError("Only a supervisor or an administrator cancels a public alert.")
    with transaction.atomic():
        locked = MissingRecord.objects.select_for_update().get(pk=record.pk)
        if active_alert(locked) is None:
            raise ValidationError("This record has no active alert.")
        return _send(locked, MessageType.CANCEL, actor, ip)
