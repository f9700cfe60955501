"""Vocabularies of the missing-children registry: statuses and the table of allowed moves,
circumstances, sources, timeline entries, candidate states."""

from django.db import models

# The start of every record reference (`MC-2026-00042`): how other pages tell one apart.
RECORD_PREFIX = "MC-"


class RecordStatus(models.TextChoices):
    REPORTED = "reported", "Reported (pending verification)"
    VERIFIED = "verified", "Verified"
    SIGHTED = "sighted", "Sighted"
    FOUND = "found", "Found"
    REUNIFIED = "reunified", "Reunified with family"
    IN_CARE = "in_care", "In care"
    DECEASED = "deceased", "Deceased"
    CLOSED = "closed", "Closed"


_S = RecordStatus
# The only status changes `missing_transition` allows; this table is the specification (its test
# is parametrised over it). reported -> verified -> (sighted)* -> found -> (reunified | in_care |
# deceased) -> closed. Why the rest:
# - a verified record may be found at once (no sighting first), and a sighting may follow another;
# - a record that is not verified may be closed with a reason (a false or duplicate registration),
#   which is the only way a record leaves the registry without being found;
# - nothing moves backwards: a record found in error is a new registration with its history.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    _S.REPORTED: frozenset({_S.VERIFIED, _S.CLOSED}),
    _S.VERIFIED: frozenset({_S.SIGHTED, _S.FOUND}),
    _S.SIGHTED: frozenset({_S.SIGHTED, _S.FOUND}),
    _S.FOUND: frozenset({_S.REUNIFIED, _S.IN_CARE, _S.DECEASED}),
    _S.REUNIFIED: frozenset({_S.CLOSED}),
    _S.IN_CARE: frozenset({_S.CLOSED}),
    _S.DECEASED: frozenset({_S.CLOSED}),
    _S.CLOSED: frozenset(),
}
# Moves that need a note on the timeline (why a registration is closed unverified).
NOTE_REQUIRED: frozenset[tuple[str, str]] = frozenset({(_S.REPORTED, _S.CLOSED)})
# Records still being looked for: incoming reports are matched against these.
OPEN_STATUSES = frozenset({_S.REPORTED, _S.VERIFIED, _S.SIGHTED})


class Circumstance(models.TextChoices):
    """How the child went missing, as far as the guardian or officer knows."""

    ABDUCTED_STRANGER = "abducted_stranger", "Abducted by a stranger"
    ABDUCTED_FAMILY = "abducted_family", "Abducted by a family member"
    RUNAWAY = "runaway", "Ran away"
    TRAFFICKING = "trafficking", "Trafficking suspected"
    LOST = "lost", "Lost"
    DISPLACED = "displaced", "Displaced (conflict, flood, camp)"
    UNKNOWN = "unknown", "Not known"


class Source(models.TextChoices):
    """Where a record came from."""

    CONSOLE = "console", "Staff (console)"
    PUBLIC = "public", "Guardian (public site)"
    API = "api", "Partner (JSON API)"


class EventKind(models.TextChoices):
    """What a timeline entry records."""

    REGISTERED = "registered", "Registered"
    STATUS_CHANGED = "status_changed", "Status changed"
    PHOTO_ADDED = "photo_added", "Photo added"
    INFORMATION_ADDED = "information_added", "Information added"
    CANDIDATE_CONFIRMED = "candidate_confirmed", "Match confirmed"
    CANDIDATE_REJECTED = "candidate_rejected", "Match rejected"
    SIGHTING = "sighting", "Sighting recorded"
    ALERT = "alert", "Public alert"


class CandidateState(models.TextChoices):
    OPEN = "open", "To review"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class FoundBy(models.TextChoices):
    """Which side's arrival made the pair: a new report, or a new record."""

    REPORT = "report", "Incoming report"
    RECORD = "record", "New record"


SEXES = [("", "Not known"), ("f", "Female"), ("m", "Male")]


class MessageType(models.TextChoices):
    """CAP 1.2 `msgType` of an alert message."""

    ALERT = "Alert", "Alert"
    UPDATE = "Update", "Update"
    CANCEL = "Cancel", "Cancel"


# Records a public alert may be issued for: verified and still being looked for.
ALERTABLE_STATUSES = frozenset({RecordStatus.VERIFIED, RecordStatus.SIGHTED})
