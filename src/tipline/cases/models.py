"""The case: an investigation that gathers reports, a team, tasks and a timeline.

What could identify a person (the summary, notes, task wording, the closure reason) is encrypted
at field level; references, statuses and dates stay plain so lists can filter and sort on them.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from tipline.cases.choices import (
    HTCDS_STATUS,
    CaseEventKind,
    CaseStatus,
    CourtOutcome,
    CustodyAction,
    EvidenceKind,
    HolderKind,
    IdentifierKind,
    LegalRequestKind,
    LegalRequestStatus,
    OutcomeKind,
    PersonRole,
    ReferralDirection,
    ServiceKind,
)
from tipline.cases.htcds import (
    ForcedLabourIndustry,
    MovementStage,
    OrganisationType,
    ReferralReason,
    RelationshipToTrafficker,
    StatusDecidedBy,
    TraffickingStatus,
)
from tipline.common.counters import YearlyCounter
from tipline.common.fields import EncryptedJSONField, EncryptedTextField
from tipline.people.person import PersonFields
from tipline.reports.models import Report


class CaseCounter(YearlyCounter):
    """Per-year counter behind case references (`NAP-2026-00042`)."""


class Case(models.Model):
    """An investigation owned by a regional command and worked by its team.

    HTCDS 2.0: `cas_CaseOwner` is the lead investigator, `cas_Status` follows `status` (see
    `HTCDS_STATUS`) and `cas_ReasonForCaseClosure` is `closure_reason` (long text in the standard).
    """

    reference = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    summary = EncryptedTextField(blank=True, default="")
    command = models.ForeignKey(
        "geo.RegionalCommand", on_delete=models.PROTECT, related_name="cases"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_led"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="case_memberships"
    )
    reports: models.ManyToManyField[Report, CaseReport] = models.ManyToManyField(
        "reports.Report", through="CaseReport", related_name="cases"
    )
    status = models.CharField(max_length=32, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    closure_reason = EncryptedTextField(blank=True, default="")
    court_outcome = models.CharField(
        max_length=16, choices=CourtOutcome.choices, blank=True, default=""
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["command", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=CaseStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="case_closed_at_iff_closed",
                violation_error_message="A closed case has a closing time; an open one has none.",
            ),
            models.CheckConstraint(
                condition=Q(court_outcome__in=[*CourtOutcome.values, ""]),
                name="case_court_outcome_known",
                violation_error_message="Unknown court outcome.",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def htcds_status(self) -> str:
        """HTCDS `cas_Status` value name."""
        return HTCDS_STATUS[self.status]


class CaseReport(models.Model):
    """A report gathered into a case, and who added it when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_reports")
    report = models.ForeignKey(
        "reports.Report", on_delete=models.PROTECT, related_name="case_links"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "report"],
                name="case_report_once",
                violation_error_message="This report is already in the case.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.report_id}"


class CaseEvent(models.Model):
    """One entry of the case's timeline; written by the service that made the change, beside
    its audit row. `body` holds a note's words (encrypted); `data` only references and codes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=CaseEventKind.choices)
    body = EncryptedTextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "-at", "-id"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d}"


class CaseTask(models.Model):
    """Something a team member must do by a date ("interview the victim")."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = EncryptedTextField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_tasks"
    )
    due_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["assignee", "done_at", "due_on"])]

    def __str__(self) -> str:
        return f"task {self.pk} of case {self.case_id}"


class CasePerson(models.Model):
    """A person in the registry that cases share: victims, suspects, witnesses, guardians.

    Every identifying field is encrypted; the people app's blind index (owner kind
    "case_person") finds look-alikes without decrypting the table. A person found to be another
    points at them through `merged_into` (a reviewer's decision, reversible).
    """

    given_names = EncryptedTextField(blank=True, default="")
    family_name = EncryptedTextField(blank=True, default="")
    other_names = EncryptedJSONField(null=True, blank=True)  # list of names or nicknames
    sex = EncryptedTextField(blank=True, default="")  # "m", "f" or ""
    date_of_birth = EncryptedTextField(blank=True, default="")  # ISO date
    age = models.PositiveSmallIntegerField(null=True, blank=True)  # a guess, given on...
    age_given_on = models.DateField(null=True, blank=True)
    # {"phones": [...], "emails": [...], "usernames": ["platform:handle"], "documents": [...]}
    identifiers = EncryptedJSONField(null=True, blank=True)
    nationality = models.CharField(max_length=2, blank=True, default="")
    # HTCDS 2.0 person fields the matcher does not use (prs_Salutation, prs_Title, prs_Gender,
    # prs_Citizenship, prs_HomePhone, prs_Mailing*); mobile phone and email are `identifiers`.
    salutation = EncryptedTextField(blank=True, default="")
    job_title = EncryptedTextField(blank=True, default="")  # prs_Title: position in an organisation
    gender = EncryptedTextField(blank=True, default="")  # an htcds.Gender value
    citizenship = EncryptedJSONField(null=True, blank=True)  # ISO 3166 codes
    home_phone = EncryptedTextField(blank=True, default="")
    # {"street", "city", "state", "postal_code", "country"}
    mailing_address = EncryptedJSONField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"case person {self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(n for n in (self.given_names, self.family_name) if n) or "(no name)"

    def fields(self) -> PersonFields:
        """The person as the matcher sees them."""
        ids = self.identifiers or {}
        return PersonFields(
            given_names=self.given_names,
            family_name=self.family_name,
            other_names=tuple(self.other_names or ()),
            sex=self.sex,
            date_of_birth=date.fromisoformat(self.date_of_birth) if self.date_of_birth else None,
            age=self.age,
            age_given_on=self.age_given_on,
            phones=tuple(ids.get("phones", ())),
            emails=tuple(ids.get("emails", ())),
            usernames=tuple(ids.get("usernames", ())),
            documents=tuple(ids.get("documents", ())),
            nationality=self.nationality,
        )


class CaseInvolvement(models.Model):
    """A registry person's part in one case (a victim here may be a witness there)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involvements")
    person = models.ForeignKey(CasePerson, on_delete=models.PROTECT, related_name="involvements")
    role = models.CharField(max_length=16, choices=PersonRole.choices)
    suspect_roles = models.JSONField(default=list, blank=True)  # SuspectRole values
    source_report = models.ForeignKey(
        "reports.Report", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "person", "role"],
                name="case_person_role_once",
                violation_error_message="This person already has this role in the case.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.person_id} in {self.case_id}"


class EvidenceItem(models.Model):
    """A piece of evidence of a case: a report's file (by reference: its stored blob is never
    copied), an investigator's upload (in the encrypted store, hashed on arrival), or a physical
    item. `sha256` is the intake hash; `hash_mismatch` is set the moment a recomputed hash
    differs from it, and never cleared."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    number = models.PositiveIntegerField()  # E1, E2... within the case
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    description = EncryptedTextField(blank=True, default="")
    original_name = EncryptedTextField(blank=True, default="")
    report_file = models.ForeignKey(
        "reports.ReportFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    storage_key = models.CharField(max_length=64, blank=True, default="")
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    holder = models.CharField(max_length=200, blank=True, default="")
    hash_mismatch = models.BooleanField(default=False)
    # The legal request whose answer this item is (files a holder returned), if any.
    legal_request = models.ForeignKey(
        "LegalRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returned_items",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "number"],
                name="evidence_number_once",
                violation_error_message="This evidence number is taken in the case.",
            )
        ]

    def __str__(self) -> str:
        return f"E{self.number} of {self.case_id}"

    @property
    def label(self) -> str:
        return f"E{self.number:03d}"


class CustodyEvent(models.Model):
    """One link of an item's chain of custody: who, when, from whom, to whom, why, and the
    SHA-256 before and after (digital items). Append-only: no service updates or deletes one."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=CustodyAction.choices)
    from_party = models.CharField(max_length=200, blank=True, default="")
    to_party = models.CharField(max_length=200, blank=True, default="")
    purpose = EncryptedTextField(blank=True, default="")
    sha256_before = models.CharField(max_length=64, blank=True, default="")
    sha256_after = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["item", "at"])]

    def __str__(self) -> str:
        return f"{self.action} of {self.item_id} at {self.at:%Y-%m-%d %H:%M}"


class VictimContext(models.Model):
    """HTCDS 2.0 victim context (`vic_*`) of a victim in one case: the trafficking status and
    who decided it, how they were recruited and controlled, how exploited, and vulnerabilities.

    Multi-select fields hold lists of the standard's value names (see `tipline.cases.htcds`);
    codes stay plain so the dashboard can count them, while the free-text details are encrypted.
    The places (`vic_LocationOfRecruitment`, `vic_LocationOfExploitation`) are `VictimMovement`s.
    """

    involvement = models.OneToOneField(
        CaseInvolvement, on_delete=models.CASCADE, related_name="victim_context"
    )
    trafficking_status = models.CharField(
        max_length=32, choices=TraffickingStatus.choices, blank=True, default=""
    )
    status_decided_by = models.CharField(
        max_length=40, choices=StatusDecidedBy.choices, blank=True, default=""
    )
    relationship_to_trafficker = models.CharField(
        max_length=16, choices=RelationshipToTrafficker.choices, blank=True, default=""
    )
    age_when_trafficked = models.PositiveSmallIntegerField(null=True, blank=True)
    recruitment_methods = models.JSONField(default=list, blank=True)
    recruitment_platforms = models.JSONField(default=list, blank=True)
    methods_of_control = models.JSONField(default=list, blank=True)
    exploitation_types = models.JSONField(default=list, blank=True)
    forced_labour_industry = models.CharField(
        max_length=64, choices=ForcedLabourIndustry.choices, blank=True, default=""
    )
    sex_exploitation_types = models.JSONField(default=list, blank=True)
    exploitation_platforms = models.JSONField(default=list, blank=True)
    vulnerabilities = models.JSONField(default=list, blank=True)
    vulnerability_details = EncryptedTextField(blank=True, default="")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"victim context of {self.involvement_id}"


class VictimMovement(models.Model):
    """A place in a victim's movement (HTCDS historic trafficking event, `hte_*`): where they
    were recruited, passed through or exploited, in Nigeria by state and LGA, abroad by
    country, with dates. The place's own words (a street, a venue) are encrypted."""

    involvement = models.ForeignKey(
        CaseInvolvement, on_delete=models.CASCADE, related_name="movements"
    )
    stage = models.CharField(max_length=16, choices=MovementStage.choices)
    country = models.CharField(max_length=2)  # ISO 3166-1 alpha-2
    state = models.ForeignKey(
        "geo.State", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lga = models.CharField(max_length=80, blank=True, default="")
    place = EncryptedTextField(blank=True, default="")
    arrived_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(arrived_on__isnull=True)
                | Q(left_on__gte=models.F("arrived_on")),
                name="movement_left_after_arrived",
                violation_error_message="A place is left on or after the day it was reached.",
            ),
            models.CheckConstraint(
                condition=Q(state__isnull=True) | Q(country="NG"),
                name="movement_state_in_nigeria",
                violation_error_message="A Nigerian state is a place in Nigeria (NG).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} of {self.involvement_id}"


class Organisation(models.Model):
    """A service provider or agency victims are referred to or from (HTCDS `org_*`): shelters,
    clinics, NGOs, other agencies. Data that administrators keep in the admin."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=OrganisationType.choices)
    services = models.JSONField(default=list, blank=True)  # ServiceKind values offered
    city = models.CharField(max_length=100, blank=True, default="")
    state = models.CharField(max_length=100, blank=True, default="")
    country = models.CharField(max_length=2, default="NG")
    phone = models.CharField(max_length=20, blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Referral(models.Model):
    """A victim referred by us to a service or agency (outgoing), or to us by another
    organisation (incoming), with the HTCDS referral fields and the victim's consent.

    HTCDS 2.0: the organisation is `cas_ReferredOrganisation` (outgoing) or
    `cas_ReferringOrganisation` (incoming); likewise the primary case worker, the reason, the
    date and the details; `consent` is `con_Consent`.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    involvement = models.ForeignKey(
        CaseInvolvement, on_delete=models.PROTECT, related_name="referrals"
    )
    direction = models.CharField(max_length=8, choices=ReferralDirection.choices)
    service = models.CharField(max_length=16, choices=ServiceKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=32, choices=ReferralReason.choices)
    referred_on = models.DateField()
    case_worker = EncryptedTextField(blank=True, default="")  # the other side's, by name
    details = EncryptedTextField(blank=True, default="")
    consent = models.BooleanField()
    consent_note = EncryptedTextField(blank=True, default="")  # how, from whom (a guardian?)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["direction", "service", "referred_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent=True) | Q(direction=ReferralDirection.INCOMING),
                name="referral_outgoing_needs_consent",
                violation_error_message="An outgoing referral needs the victim's consent.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.service} referral of {self.involvement_id}"


class CaseOutcome(models.Model):
    """Something that happened, dated: a victim rescued, reunified or repatriated; a suspect
    arrested, charged (with the offences), convicted (with the sentence) or acquitted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=16, choices=OutcomeKind.choices)
    occurred_on = models.DateField()
    involvement = models.ForeignKey(
        CaseInvolvement, on_delete=models.PROTECT, related_name="outcomes"
    )
    offences = models.JSONField(default=list, blank=True)  # as charged, e.g. "TIPPEA 2015 s.13"
    sentence = models.CharField(max_length=300, blank=True, default="")
    court = models.CharField(max_length=200, blank=True, default="")
    details = EncryptedTextField(blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "occurred_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OutcomeKind.values),
                name="outcome_kind_known",
                violation_error_message="Unknown outcome.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} in {self.case_id} on {self.occurred_on}"


class LegalTemplate(models.Model):
    """The wording of a preservation request or production order: data administrators edit in
    the admin (seeded with defaults citing the Cybercrimes Act 2015 and the Trafficking in
    Persons Act 2015). `body` may use {holder}, {identifier}, {identifier_kind}, {case},
    {command}, {officer}, {date}, {due_date} and {legal_basis}."""

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=LegalRequestKind.choices)
    holder_kind = models.CharField(max_length=16, choices=HolderKind.choices)
    title = models.CharField(max_length=200)
    legal_basis = models.TextField(help_text="The statutes and sections relied on.")
    body = models.TextField()
    days_to_respond = models.PositiveSmallIntegerField(default=14)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "holder_kind", "name"]

    def __str__(self) -> str:
        return self.name


class LegalRequest(models.Model):
    """A preservation request or production order to the holder of an identifier, tracked from
    draft to answer. The identifier and the rendered text are encrypted; `body` is the text as
    drafted (the template may change later, the request does not)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="legal_requests")
    number = models.PositiveIntegerField()  # LR1, LR2... within the case
    kind = models.CharField(max_length=16, choices=LegalRequestKind.choices)
    identifier_kind = models.CharField(max_length=16, choices=IdentifierKind.choices)
    identifier = EncryptedTextField()
    holder = models.CharField(max_length=200)
    holder_kind = models.CharField(max_length=16, choices=HolderKind.choices)
    template = models.ForeignKey(LegalTemplate, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    body = EncryptedTextField()
    status = models.CharField(
        max_length=16, choices=LegalRequestStatus.choices, default=LegalRequestStatus.DRAFT
    )
    sent_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    note = EncryptedTextField(blank=True, default="")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "number"],
                name="legal_request_number_once",
                violation_error_message="This request number is taken in the case.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[LegalRequestStatus.DRAFT, LegalRequestStatus.WITHDRAWN])
                | Q(sent_on__isnull=False),
                name="legal_request_sent_has_date",
                violation_error_message="A request that went out has the date it was sent.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} of {self.case_id}"

    @property
    def label(self) -> str:
        return f"LR{self.number}"
