"""Vocabularies of the case: statuses and the table of allowed moves, court outcomes, events.

The HTCDS 2.0 names are kept beside ours where the standard has one (`cas_Status`).
"""

from django.db import models


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    UNDER_INVESTIGATION = "under_investigation", "Under investigation"
    REFERRED_FOR_PROSECUTION = "referred_for_prosecution", "Referred for prosecution"
    IN_COURT = "in_court", "In court"
    SUSPENDED = "suspended", "Suspended"
    REOPENED = "reopened", "Reopened"
    CLOSED = "closed", "Closed"


_S = CaseStatus
# The only status changes `case_transition` allows; this table is the specification (its test is
# parametrised over it). Why each move exists:
# - open: work starts, or is parked, or the case is closed at once (e.g. opened in error);
# - under investigation: the file goes to the prosecutor, or is parked, or closed (no offence);
# - referred for prosecution: charged in court, sent back for more investigation, or closed when
#   the prosecutor declines;
# - in court: only a verdict (or a strike-out) ends it, which closes the case with an outcome;
#   an adjourned trial stays in court;
# - suspended (e.g. suspect abroad, victim unreachable): resumed or closed;
# - closed: only reopened (new evidence); a reopened case resumes, is parked, or closes again.
# Nothing goes back to `open`, and no move skips the prosecutor on the way to court.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    _S.OPEN: frozenset({_S.UNDER_INVESTIGATION, _S.SUSPENDED, _S.CLOSED}),
    _S.UNDER_INVESTIGATION: frozenset({_S.REFERRED_FOR_PROSECUTION, _S.SUSPENDED, _S.CLOSED}),
    _S.REFERRED_FOR_PROSECUTION: frozenset({_S.IN_COURT, _S.UNDER_INVESTIGATION, _S.CLOSED}),
    _S.IN_COURT: frozenset({_S.CLOSED}),
    _S.SUSPENDED: frozenset({_S.UNDER_INVESTIGATION, _S.CLOSED}),
    _S.CLOSED: frozenset({_S.REOPENED}),
    _S.REOPENED: frozenset({_S.UNDER_INVESTIGATION, _S.SUSPENDED, _S.CLOSED}),
}

# Statuses in which the case is still being worked (lists, tasks, dashboards).
ACTIVE_STATUSES = frozenset(set(CaseStatus) - {CaseStatus.CLOSED})


class HtcdsCaseStatus(models.TextChoices):
    """HTCDS 2.0 `cas_Status` picklist (value names as the standard spells them)."""

    ACTIVE = "Active", "Active"
    FOLLOW_UP = "FollowUp", "Follow Up"
    CLOSED = "Closed", "Closed"
    CLOSED_REFERRED = "ClosedReferred", "Closed Referred"


# Our status as HTCDS `cas_Status`. A suspended case waits on something outside the team, which
# is what the standard's "Follow Up" means; every other open status is "Active".
HTCDS_STATUS: dict[str, str] = {
    **{status: HtcdsCaseStatus.ACTIVE for status in CaseStatus},
    CaseStatus.SUSPENDED: HtcdsCaseStatus.FOLLOW_UP,
    CaseStatus.CLOSED: HtcdsCaseStatus.CLOSED,
}


class CourtOutcome(models.TextChoices):
    """How a case that reached court ended; required to close a case from `in_court`."""

    CONVICTED = "convicted", "Convicted"
    ACQUITTED = "acquitted", "Acquitted"
    DISCHARGED = "discharged", "Discharged (no case to answer)"
    STRUCK_OUT = "struck_out", "Struck out"
    WITHDRAWN = "withdrawn", "Withdrawn by the prosecution (nolle prosequi)"


class CaseEventKind(models.TextChoices):
    """What a timeline entry records."""

    OPENED = "opened", "Case opened"
    REPORT_ADDED = "report_added", "Report added"
    REPORT_REMOVED = "report_removed", "Report removed"
    MEMBER_ADDED = "member_added", "Team member added"
    MEMBER_REMOVED = "member_removed", "Team member removed"
    STATUS_CHANGED = "status_changed", "Status changed"
    NOTE = "note", "Note"
    TASK_ADDED = "task_added", "Task added"
    TASK_DONE = "task_done", "Task done"
    PERSON_ADDED = "person_added", "Person added"
    PERSON_MERGED = "person_merged", "Person merged"
    PERSON_UNMERGED = "person_unmerged", "Merge undone"
    EVIDENCE_ADDED = "evidence_added", "Evidence added"
    CUSTODY = "custody", "Evidence custody"
    BUNDLE = "bundle", "Court bundle produced"
    VICTIM_CONTEXT = "victim_context", "Victim context recorded"
    MOVEMENT = "movement", "Place of movement added"
    PERSON_DETAILS = "person_details", "Person details recorded"
    REFERRAL = "referral", "Referral"
    OUTCOME = "outcome", "Outcome"
    LEGAL_REQUEST = "legal_request", "Legal request"


class PersonRole(models.TextChoices):
    """A person's part in a case."""

    VICTIM = "victim", "Victim"
    SUSPECT = "suspect", "Suspect"
    WITNESS = "witness", "Witness"
    GUARDIAN = "guardian", "Guardian"


class SuspectRole(models.TextChoices):
    """What a suspect did in the trafficking chain (one suspect may have several)."""

    RECRUITER = "recruiter", "Recruiter"
    TRANSPORTER = "transporter", "Transporter"
    EXPLOITER = "exploiter", "Exploiter"
    HARBOURER = "harbourer", "Harbourer"
    FINANCIER = "financier", "Financier"
    FACILITATOR = "facilitator", "Facilitator"


# Whose names the case page hides until someone reveals them (audited): a victim's, and a
# guardian's, whose family name names the child.
MASKED_ROLES = frozenset({PersonRole.VICTIM, PersonRole.GUARDIAN})


class EvidenceKind(models.TextChoices):
    REPORT_FILE = "report_file", "File of a report (by reference)"
    UPLOAD = "upload", "Media added by an investigator"
    DEVICE = "device", "Seized device"
    DOCUMENT = "document", "Document"
    STATEMENT = "statement", "Statement"


class CustodyAction(models.TextChoices):
    """What happened to an item; every one is an append-only custody event."""

    INTAKE = "intake", "Taken into evidence"
    TRANSFER = "transfer", "Transferred"
    ACCESS = "access", "Accessed"
    COPY = "copy", "Copied"
    EXAMINATION = "examination", "Examined"
    VERIFICATION = "verification", "Hash verified"


class ServiceKind(models.TextChoices):
    """What a referral is for: a service for the victim, or another agency taking a part."""

    SHELTER = "shelter", "Shelter"
    MEDICAL = "medical", "Medical care"
    PSYCHOSOCIAL = "psychosocial", "Psychosocial support"
    LEGAL_AID = "legal_aid", "Legal aid"
    REINTEGRATION = "reintegration", "Reintegration"
    REPATRIATION = "repatriation", "Repatriation"
    AGENCY = "agency", "Another agency"


class ReferralDirection(models.TextChoices):
    OUTGOING = "outgoing", "Outgoing (we refer)"
    INCOMING = "incoming", "Incoming (referred to us)"


class OutcomeKind(models.TextChoices):
    """What happened, dated: to a victim (rescue, reunification, repatriation) or a suspect."""

    RESCUE = "rescue", "Rescue"
    ARREST = "arrest", "Arrest"
    CHARGE = "charge", "Charge"
    CONVICTION = "conviction", "Conviction"
    ACQUITTAL = "acquittal", "Acquittal"
    REUNIFICATION = "reunification", "Reunification with family"
    REPATRIATION = "repatriation", "Repatriation"


# Whose outcome each kind is: a victim's or a suspect's.
OUTCOME_ROLE: dict[str, str] = {
    OutcomeKind.RESCUE: PersonRole.VICTIM,
    OutcomeKind.REUNIFICATION: PersonRole.VICTIM,
    OutcomeKind.REPATRIATION: PersonRole.VICTIM,
    OutcomeKind.ARREST: PersonRole.SUSPECT,
    OutcomeKind.CHARGE: PersonRole.SUSPECT,
    OutcomeKind.CONVICTION: PersonRole.SUSPECT,
    OutcomeKind.ACQUITTAL: PersonRole.SUSPECT,
}


class IdentifierKind(models.TextChoices):
    """What a legal request asks about."""

    PHONE = "phone", "Phone number"
    EMAIL = "email", "Email address"
    ACCOUNT = "account", "Platform account (platform:handle)"
    IP = "ip", "IP address + port + time"
    WALLET = "wallet", "Wallet address"
    NUBAN = "nuban", "Bank account (NUBAN)"


class HolderKind(models.TextChoices):
    """Who holds the data a legal request asks for."""

    PLATFORM = "platform", "Platform"
    TELECOM = "telecom", "Telecom operator"
    EMAIL = "email", "Email provider"
    ISP = "isp", "Internet service provider"
    BANK = "bank", "Bank"
    WALLET = "wallet", "Wallet service or exchange"
    ANY = "any", "Any holder"


class LegalRequestKind(models.TextChoices):
    PRESERVATION = "preservation", "Preservation request"
    PRODUCTION = "production", "Production order"


class LegalRequestStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    RESPONDED = "responded", "Response received"
    REFUSED = "refused", "Refused by the holder"
    WITHDRAWN = "withdrawn", "Withdrawn"


_L = LegalRequestStatus
# The only moves of a legal request (`legal_request_transition`): a draft is sent or dropped; a
# sent request is answered, refused or withdrawn; a refused one may be sent again (amended, or
# with a court order); an answered or withdrawn request is finished (further files of an answer
# are added to it as evidence without a move).
LEGAL_TRANSITIONS: dict[str, frozenset[str]] = {
    _L.DRAFT: frozenset({_L.SENT, _L.WITHDRAWN}),
    _L.SENT: frozenset({_L.RESPONDED, _L.REFUSED, _L.WITHDRAWN}),
    _L.REFUSED: frozenset({_L.SENT, _L.WITHDRAWN}),
    _L.RESPONDED: frozenset(),
    _L.WITHDRAWN: frozenset(),
}
