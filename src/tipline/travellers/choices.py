"""Vocabularies of travel notices: statuses and the table of allowed moves, sources, documents,
timeline entries, candidates, confirmations and places of concern."""

from django.db import models


class NoticeStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ASSIGNED = "assigned", "Assigned"
    MONITORING = "monitoring", "Monitoring (arrived)"
    ENTRY_REFUSED = "entry_refused", "Entry refused"
    DID_NOT_ARRIVE = "did_not_arrive", "Did not arrive"
    DEPARTED = "departed", "Departed"
    CLOSED = "closed", "Closed"


_S = NoticeStatus
# The only status changes `notice_transition` allows; this table is the specification (its test
# is parametrised over it): received -> assigned -> (monitoring | entry_refused | did_not_arrive)
# -> departed -> closed. A refused or absent traveller never departs: those notices close.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    _S.RECEIVED: frozenset({_S.ASSIGNED}),
    _S.ASSIGNED: frozenset({_S.MONITORING, _S.ENTRY_REFUSED, _S.DID_NOT_ARRIVE}),
    _S.MONITORING: frozenset({_S.DEPARTED}),
    _S.ENTRY_REFUSED: frozenset({_S.CLOSED}),
    _S.DID_NOT_ARRIVE: frozenset({_S.CLOSED}),
    _S.DEPARTED: frozenset({_S.CLOSED}),
    _S.CLOSED: frozenset(),
}
# Notices that reports are matched against (with the time window of the stay).
ACTIVE_STATUSES = frozenset({_S.RECEIVED, _S.ASSIGNED, _S.MONITORING, _S.DEPARTED})


class Channel(models.TextChoices):
    """How the sending country sent the notice."""

    GREEN_NOTICE = "interpol_green", "INTERPOL Green Notice"
    DIFFUSION = "interpol_diffusion", "INTERPOL diffusion"
    HSI_ATTACHE = "hsi_attache", "HSI attaché (Angel Watch)"
    USMS = "usms", "US Marshals (NSOTC)"
    NCMEC = "ncmec", "NCMEC"
    OTHER = "other", "Other partner"


class Source(models.TextChoices):
    """Which way the notice came in."""

    CONSOLE = "console", "National desk (console)"
    API = "api", "Partner (JSON API)"
    IMPORT = "import", "Bulk import"


class DocumentType(models.TextChoices):
    PASSPORT = "passport", "Passport"
    ID_CARD = "id_card", "Identity card"
    OTHER = "other", "Other travel document"


class RiskLevel(models.TextChoices):
    """The sender's own word on risk, kept as they state it."""

    UNKNOWN = "", "Not stated"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Outcome(models.TextChoices):
    """What the destination did, for the sender's feedback."""

    MET = "met", "Met"
    MONITORED = "monitored", "Monitored"
    REFUSED_ENTRY = "refused_entry", "Refused entry"
    DID_NOT_ARRIVE = "did_not_arrive", "Did not arrive"
    INVESTIGATION = "investigation", "Investigation opened"


OUTCOME_OF_STATUS = {
    _S.MONITORING: Outcome.MONITORED,
    _S.ENTRY_REFUSED: Outcome.REFUSED_ENTRY,
    _S.DID_NOT_ARRIVE: Outcome.DID_NOT_ARRIVE,
}


class EventKind(models.TextChoices):
    RECEIVED = "received", "Received"
    STATUS_CHANGED = "status_changed", "Status changed"
    PHOTO_ADDED = "photo_added", "Photo added"
    CONFIRMATION = "confirmation", "Border confirmation"
    CANDIDATE_CONFIRMED = "candidate_confirmed", "Match confirmed"
    CANDIDATE_REJECTED = "candidate_rejected", "Match rejected"
    OUTCOME = "outcome", "Outcome recorded"
    PURGED = "purged", "Personal fields purged"


class CandidateState(models.TextChoices):
    OPEN = "open", "To review"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class FoundBy(models.TextChoices):
    """Which arrival made the pair: a report, a new notice, or a hotel's manifest."""

    REPORT = "report", "Incoming report"
    NOTICE = "notice", "New notice"
    MANIFEST = "manifest", "Guest manifest"


class Movement(models.TextChoices):
    ARRIVAL = "arrival", "Arrived"
    DEPARTURE = "departure", "Departed"


class PlaceKind(models.TextChoices):
    HOTEL = "hotel", "Hotel"
    GUEST_HOUSE = "guest_house", "Guest house"
    SHORT_LET = "short_let", "Short-let apartment"
    BAR = "bar", "Bar or club"
    BEACH = "beach", "Beach"
    ORPHANAGE = "orphanage", "Orphanage or children's home"
    SCHOOL = "school", "School"
    OTHER = "other", "Other"


SEXES = [("", "Not known"), ("f", "Female"), ("m", "Male")]
