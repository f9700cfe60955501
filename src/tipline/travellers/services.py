"""All writes of travel notices. Each runs in a transaction, writes its audit row, and puts what
it did on the notice's timeline (`NoticeEvent`). Matching is in `travellers.match`; places and
manifests in `travellers.places`."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tipline.accounts.types import Actor, Submitter
from tipline.audit.services import audit_record
from tipline.common.counters import next_in_year
from tipline.common.time import utcnow
from tipline.geo.models import RegionalCommand, State
from tipline.media.hashing import open_image, pdq_from_image
from tipline.media.orphans import media_discard_unreferenced
from tipline.media.sniff import IMAGE_TYPES
from tipline.media.storage import StorageError, StoredBlob, read_decrypted
from tipline.people.choices import OwnerKind
from tipline.people.services import people_index, people_unindex
from tipline.travellers.choices import (
    ALLOWED_TRANSITIONS,
    OUTCOME_OF_STATUS,
    EventKind,
    Movement,
    NoticeStatus,
    Outcome,
    Source,
)
from tipline.travellers.documents import PORTS_OF_ENTRY
from tipline.travellers.drafts import ConfirmationInput, NoticeInput
from tipline.travellers.models import Confirmation, Notice, NoticeCounter, NoticeEvent

MAX_PHOTO_BYTES = 20 * 1024 * 1024
# What a purge empties: every field that identifies the subject or their trip's addresses.
PERSONAL_FIELDS = {
    "given_names": "",
    "family_name": "",
    "aliases": None,
    "date_of_birth": "",
    "sex": "",
    "nationalities": None,
    "place_of_birth": "",
    "marks": "",
    "photo_key": "",
    "photo_pdq": "",
    "photo_quality": None,
    "document_number": "",
    "document_state": "",
    "document_expiry": "",
    "mrz": "",
    "convictions": "",
    "victims": "",
    "purpose": "",
    "first_night_address": "",
    "other_addresses": None,
    "local_contacts": None,
    "identifiers": None,
    "description": "",
    "subject_sealed": None,
}


def format_notice_reference(year: int, number: int) -> str:
    """`TN-YYYY-NNNNN`."""
    return f"TN-{year:04d}-{number:05d}"


def _next_reference(year: int) -> str:
    return format_notice_reference(year, next_in_year(NoticeCounter, year))


def _event(notice: Notice, kind: str, actor: Actor, body: str = "", **data: Any) -> None:
    NoticeEvent.objects.create(
        notice=notice, at=utcnow(), actor=actor, kind=kind, body=body, data=data
    )


def _audit(notice: Notice, action: str, actor: Actor, ip: str | None, **after: Any) -> None:
    audit_record(
        actor=actor,
        action=f"travellers.{action}",
        object_type="travellers.notice",
        object_id=notice.pk,
        after={"reference": notice.reference, **after},
        ip=ip,
    )


@dataclass(frozen=True)
class Received:
    """A notice and whether this call stored it (False: the sender's reference was known)."""

    notice: Notice
    created: bool


def _destination(data: NoticeInput) -> tuple[State, RegionalCommand]:
    """The first-night address's state, else the port of entry's, and its command."""
    code = data.destination_state or PORTS_OF_ENTRY.get(data.port_of_entry, "")
    state = State.objects.select_related("command").filter(code=code).first()
    if state is None:
        raise ValidationError({"destination_state": f"No state {code!r}."})
    command = state.command or RegionalCommand.objects.filter(code="NAT").first()
    if command is None:
        raise ValidationError({"destination_state": f"State {code} has no command."})
    return state, command


def _notice_row(data: NoticeInput, state: State, command: RegionalCommand, **extra: Any) -> Notice:
    now = utcnow()
    row = Notice(
        reference=_next_reference(now.year),
        channel=data.channel,
        sender_agency=data.sender_agency,
        sender_reference=data.id,
        received_at=now,
        given_names=data.given_names,
        family_name=data.family_name,
        aliases=data.aliases(),
        date_of_birth=data.date_of_birth,
        sex=data.sex,
        nationalities=list(data.nationalities),
        place_of_birth=data.place_of_birth,
        marks=data.marks,
        document_type=data.document_type,
        document_number=data.passport_number,
        document_state=data.document_state,
        document_expiry=data.document_expiry.isoformat() if data.document_expiry else "",
        mrz=data.mrz,
        convictions=data.convictions,
        victims=data.victims,
        jurisdiction=data.jurisdiction,
        risk_level=data.risk_level,
        purpose=data.purpose,
        carrier=data.carrier,
        flight=data.flight,
        port_of_entry=data.port_of_entry,
        arrival_at=data.arrival,
        departure_at=data.departure,
        first_night_address=data.destination_place,
        other_addresses=list(data.other_addresses),
        local_contacts=list(data.local_contacts),
        destination_state=state,
        identifiers={
            "phones": list(data.phones),
            "emails": list(data.emails),
            "usernames": list(data.usernames),
        },
        description=data.description,
        command=command,
        updated_at=now,
        **extra,
    )
    row.seal_subject()  # a bulk import's rows are not saved one by one
    return row


def notice_receive(
    *,
    data: NoticeInput,
    source: Source,
    actor: Actor,
    api_client: Submitter = None,
    ip: str | None = None,
    match: bool = True,
) -> Received:
    """Store a notice (console, API or import), routed to its destination's command, indexed
    for the matcher and matched at once against reports, case people and places. The same
    sender's reference again returns the stored notice and stores nothing (idempotent). Refused
    field by field (`ValidationError` with a dict), nothing half-stored."""
    errors = data.check_whole()
    if errors:
        raise ValidationError(errors)
    known = Notice.objects.filter(
        sender_agency=data.sender_agency, sender_reference=data.id
    ).first()
    if known is not None:
        return Received(known, False)
    state, command = _destination(data)
    try:
        with transaction.atomic():
            notice = _notice_row(
                data, state, command, source=source, api_client=api_client, created_by=actor
            )
            notice.save()
            people_index(
                owner_kind=OwnerKind.TRAVEL_NOTICE, owner_id=notice.pk, person=notice.fields()
            )
            _audit(notice, "received", actor, ip, source=source, command=command.code)
            _event(notice, EventKind.RECEIVED, actor, source=source, command=command.code)
            if match:
                _match_new(notice)
    except IntegrityError:
        # A concurrent call stored the same reference first: answer with that one.
        known = Notice.objects.filter(
            sender_agency=data.sender_agency, sender_reference=data.id
        ).first()
        if known is None:
            raise
        return Received(known, False)
    return Received(notice, True)


def _match_new(notice: Notice) -> None:
    # Imported here: both build on this module's notices (no cycle at import time).
    from tipline.travellers.match import notice_match  # noqa: PLC0415
    from tipline.travellers.places import places_link_notice  # noqa: PLC0415

    notice_match(notice=notice)
    places_link_notice(notice=notice)


# Status ----------------------------------------------------------------------------------------


def notice_transition(
    *,
    notice: Notice,
    to: str,
    actor: Actor,
    note: str = "",
    ip: str | None = None,
    **data: Any,
) -> Notice:
    """The one place a notice's status changes, over `ALLOWED_TRANSITIONS`; on the timeline
    and in the audit log. Arriving, being refused or not arriving sets the outcome the sender
    hears; departing starts the retention clock."""
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        before = locked.status
        if to not in ALLOWED_TRANSITIONS.get(before, frozenset()):
            raise ValidationError(f"A notice cannot go from {before} to {to}.")
        now = utcnow()
        locked.status, locked.updated_at = to, now
        locked.closed_at = now if to == NoticeStatus.CLOSED else None
        outcome = OUTCOME_OF_STATUS.get(NoticeStatus(to))
        outcome_set = outcome is not None and not locked.outcome
        if outcome is not None and outcome_set:
            locked.outcome = outcome
        if to == NoticeStatus.DEPARTED and locked.departed_at is None:
            locked.departed_at = data.get("at") or now
        locked.save(update_fields=["status", "updated_at", "closed_at", "outcome", "departed_at"])
        shown = {k: str(v) for k, v in data.items()}
        _audit(locked, "status_changed", actor, ip, before=before, status=to, **shown)
        _event(
            locked, EventKind.STATUS_CHANGED, actor, note.strip(), before=before, status=to, **shown
        )
        if outcome_set:  # an outcome event each time the sender's answer changes (exchange's hook)
            _event(locked, EventKind.OUTCOME, actor, before="", outcome=locked.outcome)
    notice.refresh_from_db()
    return locked


def notice_set_outcome(
    *, notice: Notice, outcome: Outcome, actor: Actor, ip: str | None = None
) -> Notice:
    """Record what the destination did (the sender's feedback: met, monitored, refused entry,
    did not arrive, investigation opened). Its timeline entry is what the exchange sends to the
    sending partner, after the commit; the same outcome again (a form sent twice) records
    nothing, so nothing goes twice."""
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        before = locked.outcome
        if before == outcome:
            return locked
        locked.outcome, locked.updated_at = outcome, utcnow()
        locked.save(update_fields=["outcome", "updated_at"])
        _audit(locked, "outcome", actor, ip, before=before, outcome=outcome)
        _event(locked, EventKind.OUTCOME, actor, before=before, outcome=outcome)
    return locked


# Photo -----------------------------------------------------------------------------------------


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


def notice_photo_set(
    *, notice: Notice, blob: StoredBlob, sniffed: str | None, actor: Actor, ip: str | None = None
) -> Notice:
    """The subject's photo (already streamed into the encrypted store), PDQ-hashed; a photo
    given before is replaced (its blob deleted after the commit)."""
    if sniffed not in IMAGE_TYPES:
        raise ValidationError("A photo must be an image (JPEG, PNG, GIF, WebP or BMP).")
    pdq, quality = _pdq_of(blob)
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        old = locked.photo_key
        locked.photo_key, locked.photo_pdq, locked.photo_quality = blob.key, pdq, quality
        locked.updated_at = utcnow()
        locked.save(update_fields=["photo_key", "photo_pdq", "photo_quality", "updated_at"])
        _audit(locked, "photo_set", actor, ip, sha256=blob.sha256)
        _event(locked, EventKind.PHOTO_ADDED, actor, quality=quality)
        if old:
            transaction.on_commit(lambda: media_discard_unreferenced(keys=[old]))
    return locked


# Border confirmations --------------------------------------------------------------------------


def _notice_for(data: ConfirmationInput) -> Notice | None:
    """The notice whose document number (and date of birth, when both have one) match."""
    window = utcnow() - timedelta(days=365)
    candidates = Notice.objects.filter(purged_at__isnull=True, arrival_at__gte=window)
    candidates = candidates.exclude(status=NoticeStatus.CLOSED).order_by("-arrival_at")
    for notice in candidates.only("pk", "document_number", "date_of_birth", "status"):
        if notice.document_number != data.document_number:
            continue
        born = data.date_of_birth.isoformat() if data.date_of_birth else ""
        if not born or not notice.date_of_birth or born.startswith(notice.date_of_birth):
            return Notice.objects.get(pk=notice.pk)
    return None


def confirmation_receive(
    *, data: ConfirmationInput, api_client: Submitter, ip: str | None = None
) -> tuple[Confirmation, bool]:
    """Keep a border confirmation and match it to a notice by document and date of birth; an
    arrival moves an assigned notice to monitoring, a departure a monitored one to departed. One
    that matches no notice is kept and shown. The same reference again stores nothing."""
    if data.reference:
        known = Confirmation.objects.filter(
            api_client=api_client, sender_reference=data.reference
        ).first()
        if known is not None:
            return known, False
    notice = _notice_for(data)
    with transaction.atomic():
        row = Confirmation.objects.create(
            movement=data.movement,
            name=data.name,
            date_of_birth=data.date_of_birth.isoformat() if data.date_of_birth else "",
            nationality=data.nationality,
            document_number=data.document_number,
            document_state=data.document_state,
            flight=data.flight,
            at=data.at,
            sender_reference=data.reference,
            api_client=api_client,
            notice=notice,
            received_at=utcnow(),
        )
        audit_record(
            actor=None,
            action="travellers.confirmation",
            object_type="travellers.confirmation",
            object_id=row.pk,
            after={"movement": row.movement, "notice": notice.reference if notice else None},
            ip=ip,
        )
        if notice is not None:
            _apply_confirmation(notice, row)
    return row, True


def _apply_confirmation(notice: Notice, row: Confirmation) -> None:
    _event(notice, EventKind.CONFIRMATION, None, movement=row.movement, at=row.at.isoformat())
    moves = {
        Movement.ARRIVAL: (NoticeStatus.ASSIGNED, NoticeStatus.MONITORING, "arrived_at"),
        Movement.DEPARTURE: (NoticeStatus.MONITORING, NoticeStatus.DEPARTED, "departed_at"),
    }
    before, after, stamp = moves[Movement(row.movement)]
    Notice.objects.filter(pk=notice.pk).update(**{stamp: row.at})
    if notice.status == before:
        notice_transition(
            notice=notice, to=after, actor=None, note="Border confirmation", at=row.at
        )


# Feedback to senders ---------------------------------------------------------------------------


def notice_outcomes_exported(*, actor: Actor, rows: int, ip: str | None = None) -> None:
    """Audit an export of the notices' outcomes (the senders' feedback): who, how many rows."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="travellers.outcomes_exported",
            object_type="travellers.notice",
            object_id="*",
            after={"rows": rows},
            ip=ip,
        )


# Retention -------------------------------------------------------------------------------------


def purge_due_at(notice: Notice) -> Any:
    """When the notice's personal fields will be purged, or None (not departed, or linked to a
    case, which keeps them)."""
    left = notice.departed_at or (notice.departure_at if notice.status in _LEFT_STATUSES else None)
    if notice.case_id or notice.purged_at or left is None:
        return None
    return left + timedelta(days=settings.TRAVEL_NOTICE_RETENTION_DAYS)


_LEFT_STATUSES = frozenset({NoticeStatus.DEPARTED, NoticeStatus.CLOSED})


def notice_purge(*, notice: Notice, actor: Actor = None) -> Notice:
    """Empty the notice's personal fields, drop it from the matcher's index and its candidates'
    reasons, delete its photo; audited (by field name only)."""
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.purged_at:
            return locked
        photo = locked.photo_key
        for name, empty in PERSONAL_FIELDS.items():
            setattr(locked, name, empty)
        locked.purged_at = locked.updated_at = utcnow()
        locked.save(update_fields=[*PERSONAL_FIELDS, "purged_at", "updated_at"])
        people_unindex(owner_kind=OwnerKind.TRAVEL_NOTICE, owner_id=locked.pk)
        locked.candidates.update(reasons=None)
        _audit(locked, "purged", actor, None, fields=sorted(PERSONAL_FIELDS))
        _event(locked, EventKind.PURGED, actor, fields=len(PERSONAL_FIELDS))
        if photo:
            transaction.on_commit(lambda: media_discard_unreferenced(keys=[photo]))
    return locked


def notices_purge_due() -> int:
    """Purge every notice whose retention after departure has run out; returns how many."""
    now, days = utcnow(), timedelta(days=settings.TRAVEL_NOTICE_RETENTION_DAYS)
    due = Notice.objects.filter(purged_at__isnull=True, case__isnull=True).filter(
        status__in=_LEFT_STATUSES
    )
    count = 0
    for notice in due.only("pk", "departed_at", "departure_at", "status", "case", "purged_at"):
        left = notice.departed_at or notice.departure_at
        if left is not None and left + days <= now:
            notice_purge(notice=notice)
            count += 1
    return count
