"""Reads of the registry, and the one access check for the record kind.

A record belongs to a command, like a routed report: national users (supervisors and
administrators) see every record, anyone else the records of their commands. A candidate is
shown only when its report is one the user may see on its own; the others are counted.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from tipline.accounts.selectors import command_ids_for
from tipline.accounts.types import Viewer
from tipline.common import ids
from tipline.missing.choices import CandidateState
from tipline.missing.models import MatchCandidate, MissingEvent, MissingPhoto, MissingRecord
from tipline.reports.selectors import reports_visible_to

# The record list's order, ending in the primary key so keyset pages are total.
RECORD_LIST_ORDER = ["-updated_at", "-pk"]


def records_visible_to(user: Viewer) -> QuerySet[MissingRecord]:
    """Records a staff user may see: all for national users, else their commands'."""
    scope = command_ids_for(user)
    if scope is None:
        return MissingRecord.objects.all()
    return MissingRecord.objects.filter(command_id__in=scope)


def record_get_for_user(*, user: Viewer, reference: str) -> MissingRecord:
    """One record by reference, if the user may see it. Missing and forbidden both raise 404."""
    try:
        return (
            records_visible_to(user)
            .select_related("command", "last_seen_state", "created_by")
            .get(reference=reference)
        )
    except MissingRecord.DoesNotExist:
        raise Http404("No such record.") from None


@dataclass(frozen=True)
class RecordFilters:
    """The list's filters; empty means any."""

    status: str = ""
    state: str = ""
    command: str = ""


def record_list_for_user(
    *, user: Viewer, filters: RecordFilters | None = None
) -> QuerySet[MissingRecord]:
    """The user's records, most recently changed first (page by RECORD_LIST_ORDER)."""
    f = filters or RecordFilters()
    qs = records_visible_to(user).select_related("command", "last_seen_state")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.state:
        qs = qs.filter(last_seen_state__code=f.state)
    if f.command:
        qs = qs.filter(command__code=f.command)
    return qs.order_by(*RECORD_LIST_ORDER)


def record_timeline(*, record: MissingRecord) -> QuerySet[MissingEvent]:
    """Every event of the record, newest first."""
    return record.events.select_related("actor").order_by("-at", "-pk")


def record_photo_get(*, record: MissingRecord, photo_id: int) -> MissingPhoto:
    """One photo of a record the caller may see (checked); else 404."""
    try:
        return record.photos.get(pk=photo_id)
    except MissingPhoto.DoesNotExist:
        raise Http404("No such photo.") from None


def _visible_candidates(user: Viewer) -> QuerySet[MatchCandidate]:
    return MatchCandidate.objects.filter(report__in=reports_visible_to(user))


def record_candidates_for_user(
    *, user: Viewer, record: MissingRecord
) -> tuple[list[MatchCandidate], int]:
    """The record's candidates whose reports the user may see, best first (undecided first),
    and how many others there are."""
    shown = list(
        _visible_candidates(user)
        .filter(record=record)
        .select_related("report", "decided_by")
        .order_by("state", "-probability", "pk")
    )
    # "confirmed" < "open" < "rejected" alphabetically: put the undecided first.
    shown.sort(key=lambda c: (c.state != CandidateState.OPEN, -c.probability))
    return shown, record.candidates.count() - len(shown)


def candidate_get_for_user(
    *, user: Viewer, record: MissingRecord, candidate_id: int
) -> MatchCandidate:
    """One candidate of a record the caller may see (checked), whose report the user may see
    too; else 404."""
    try:
        return (
            _visible_candidates(user)
            .select_related("record", "report")
            .get(record=record, pk=candidate_id)
        )
    except MatchCandidate.DoesNotExist:
        raise Http404("No such candidate.") from None


def candidates_to_review_for_user(*, user: Viewer, limit: int = 100) -> list[MatchCandidate]:
    """Undecided candidates the user may see on both sides, most likely first."""
    return list(
        _visible_candidates(user)
        .filter(state=CandidateState.OPEN, record__in=records_visible_to(user))
        .select_related("record", "report")
        .order_by("-probability", "pk")[:limit]
    )


def record_for_receipt(*, reference: str, receipt_code: str) -> MissingRecord | None:
    """The record whose reference and receipt code both match, else None; the same work either
    way and no hint of which failed (as `reports.selectors.report_for_receipt`)."""
    record = (
        MissingRecord.objects.select_related("last_seen_state")
        .filter(reference=reference.strip().upper(), receipt_hash__gt="")
        .first()
    )
    candidate = ids.receipt_hash(receipt_code)
    if record is None:
        return None
    return record if hmac.compare_digest(candidate, record.receipt_hash) else None
