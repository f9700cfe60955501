"""Travel notices of convicted child sex offenders, their timeline and match candidates, border
confirmations, places of concern and hotels' foreign-guest manifests.

What identifies the subject (names, aliases, date of birth, nationalities, document, addresses,
contacts, offences) is encrypted at field level. References, statuses, the arrival and departure
times, the port of entry and the destination state stay plain, so queues filter and order on
them; the people app's blind index (owner kind "travel_notice") finds notices without decrypting
the table. After departure and the retention period the personal fields are emptied
(`notice_purge_due`), and `purged_at` says so.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from tipline.common.counters import YearlyCounter
from tipline.common.fields import EncryptedJSONField, EncryptedTextField
from tipline.people.person import PersonFields, Place
from tipline.travellers.choices import (
    CandidateState,
    Channel,
    DocumentType,
    EventKind,
    FoundBy,
    Movement,
    NoticeStatus,
    Outcome,
    PlaceKind,
    RiskLevel,
    Source,
)


class NoticeCounter(YearlyCounter):
    """Per-year counter behind notice references (`TN-2026-00042`)."""


def partial_date(value: str) -> tuple[int, int | None, date | None]:
    """A date of birth that may be "1971", "1971-04" or "1971-04-12": (year, month, full date)."""
    parts = value.split("-")
    year, month = int(parts[0]), int(parts[1]) if len(parts) > 1 else None
    return year, month, date.fromisoformat(value) if len(parts) == 3 else None


# What of a notice the matcher compares (`subject_fields`): its encrypted columns, then plain.
SUBJECT_SECRET = ("given_names", "family_name", "aliases", "date_of_birth", "sex",
                  "nationalities", "identifiers", "document_number", "first_night_address",
                  "other_addresses")  # fmt: skip
SUBJECT_FIELDS = (*SUBJECT_SECRET, "arrival_at", "departure_at", "photo_pdq")
# What the matcher's statement reads of a notice (`Notice.subject_sealed`: the SUBJECT_SECRET
# values as one ciphertext), then the plain columns of SUBJECT_FIELDS.
SUBJECT_READ = ("subject_sealed", "arrival_at", "departure_at", "photo_pdq")


def subject_fields(values: dict[str, Any], state: str) -> PersonFields:
    """A notice's subject as the matcher sees them, from its SUBJECT_FIELDS' values (decrypted)
    and its destination state's code: `Notice.fields`, and the matcher's path, which reads the
    columns in its own statement and builds no model instance."""
    ids = values["identifiers"] or {}
    born = None
    if values["date_of_birth"]:
        # A year or a month only: the middle of it (compared at the "year" level at best).
        year, month, born = partial_date(values["date_of_birth"])
        born = born or date(year, month or 7, 1 if month is None else 15)
    addresses = [str(a) for a in values["other_addresses"] or []]
    venues = [values["first_night_address"], *addresses]
    aliases = [a.get(k, "") for a in values["aliases"] or [] for k in ("name", "transliteration")]
    document = values["document_number"]
    return PersonFields(
        given_names=values["given_names"],
        family_name=values["family_name"],
        other_names=tuple(n for n in aliases if n),
        sex=values["sex"],
        date_of_birth=born,
        phones=tuple(ids.get("phones", ())),
        emails=tuple(ids.get("emails", ())),
        usernames=tuple(ids.get("usernames", ())),
        documents=(f"passport:{document}",) if document else (),
        nationality=",".join(values["nationalities"] or ()),
        places=(Place(state=state),) if state else (),
        stay=(values["arrival_at"], values["departure_at"]),
        venues=tuple(v for v in venues if v),
        photo_pdqs=(values["photo_pdq"],) if values["photo_pdq"] else (),
    )


class Notice(models.Model):
    """A sending country's notice that a convicted child sex offender is travelling here.

    TLP:AMBER: the national desk and the destination command see it, nobody else. Routed to
    `command`, the command of the first-night address's state, else of the port of entry's.
    """

    reference = models.CharField(max_length=20, unique=True)
    # The source.
    channel = models.CharField(max_length=24, choices=Channel.choices)
    sender_agency = models.CharField(max_length=200)
    sender_reference = models.CharField(max_length=200)
    received_at = models.DateTimeField()
    source = models.CharField(max_length=8, choices=Source.choices)
    api_client = models.ForeignKey(
        "accounts.ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The subject.
    given_names = EncryptedTextField(blank=True, default="")
    family_name = EncryptedTextField(blank=True, default="")
    # [{"name": ..., "script": "original script or ''", "transliteration": ...}]
    aliases = EncryptedJSONField(null=True, blank=True)
    date_of_birth = EncryptedTextField(blank=True, default="")  # "YYYY", "YYYY-MM" or full
    sex = EncryptedTextField(blank=True, default="")
    nationalities = EncryptedJSONField(null=True, blank=True)  # ISO 3166 alpha-3
    place_of_birth = EncryptedTextField(blank=True, default="")
    marks = EncryptedTextField(blank=True, default="")
    photo_key = models.CharField(max_length=200, blank=True, default="")
    photo_pdq = models.CharField(max_length=64, blank=True, default="")
    photo_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    # The travel document.
    document_type = models.CharField(
        max_length=12, choices=DocumentType.choices, default=DocumentType.PASSPORT
    )
    document_number = EncryptedTextField(blank=True, default="")
    document_state = EncryptedTextField(blank=True, default="")  # issuing state, alpha-3
    document_expiry = EncryptedTextField(blank=True, default="")
    mrz = EncryptedTextField(blank=True, default="")
    # The offence, as the sender summarises it.
    convictions = EncryptedTextField(blank=True, default="")
    victims = EncryptedTextField(blank=True, default="")  # ages and sex
    jurisdiction = models.CharField(max_length=200, blank=True, default="")
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, blank=True)
    # The trip.
    purpose = EncryptedTextField(blank=True, default="")
    carrier = models.CharField(max_length=80, blank=True, default="")
    flight = models.CharField(max_length=12, blank=True, default="")
    port_of_entry = models.CharField(max_length=3, blank=True, default="")  # IATA
    arrival_at = models.DateTimeField()
    departure_at = models.DateTimeField(null=True, blank=True)
    first_night_address = EncryptedTextField(blank=True, default="")
    other_addresses = EncryptedJSONField(null=True, blank=True)
    local_contacts = EncryptedJSONField(null=True, blank=True)
    destination_state = models.ForeignKey(
        "geo.State", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # {"phones": [...], "emails": [...], "usernames": ["site:handle"]}
    identifiers = EncryptedJSONField(null=True, blank=True)
    description = EncryptedTextField(blank=True, default="")
    # The SUBJECT_SECRET values again, as one ciphertext ({name: value}; None once purged): the
    # matcher compares each report with up to 50 notices and decrypts this one field of each, not
    # ten (a third of the cost of a report's look-up). Kept in step by `save` and `_notice_row`.
    subject_sealed = EncryptedJSONField(null=True, blank=True)
    # Handling.
    command = models.ForeignKey(
        "geo.RegionalCommand", on_delete=models.PROTECT, related_name="travel_notices"
    )
    status = models.CharField(
        max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.RECEIVED
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    arrived_at = models.DateTimeField(null=True, blank=True)  # as the border confirmed
    departed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["command", "arrival_at"], name="travel_notice_queue"),
            models.Index(fields=["arrival_at", "departure_at"], name="travel_notice_stay"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["sender_agency", "sender_reference"],
                name="travel_notice_sender_reference_once",
                violation_error_message="This sender's reference is already a notice.",
            ),
            models.CheckConstraint(
                condition=Q(departure_at__isnull=True)
                | Q(departure_at__gte=models.F("arrival_at")),
                name="travel_notice_departs_after_arrival",
                violation_error_message="The departure cannot be before the arrival.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=NoticeStatus.values),
                name="travel_notice_status_known",
                violation_error_message="Unknown notice status.",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved with `subject_sealed` in step whenever a field of the subject is saved."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or set(update_fields) & {*SUBJECT_SECRET, "purged_at"}:
            self.seal_subject()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "subject_sealed"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        if self.purged_at:
            return "(purged)"
        return " ".join(n for n in (self.given_names, self.family_name) if n) or "(no name)"

    def alias_names(self) -> list[str]:
        return [a.get(k, "") for a in self.aliases or [] for k in ("name", "transliteration")]

    def seal_subject(self) -> None:
        """Set `subject_sealed` from the subject's fields (None once purged)."""
        self.subject_sealed = (
            None if self.purged_at else {name: getattr(self, name) for name in SUBJECT_SECRET}
        )

    def fields(self) -> PersonFields:
        """The subject as the matcher sees them."""
        return subject_fields(
            {name: getattr(self, name) for name in SUBJECT_FIELDS},
            self.destination_state.code if self.destination_state else "",
        )

    def arrives_within(self, now: datetime, hours: int = 48) -> bool:
        """Whether the subject arrives between now and `hours` from now."""
        return 0 <= (self.arrival_at - now).total_seconds() <= hours * 3600


class NoticeEvent(models.Model):
    """One entry of a notice's timeline."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    body = EncryptedTextField(blank=True, default="")
    data: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["notice", "-at"], name="travel_event_notice")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.notice_id}"


class PlaceOfConcern(models.Model):
    """A hotel, guest house, short-let, bar, beach, orphanage or school that staff watch, with
    the other names people use for it. Not personal data: kept in clear."""

    name = models.CharField(max_length=200)
    aliases: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    kind = models.CharField(max_length=16, choices=PlaceKind.choices)
    state = models.ForeignKey("geo.State", on_delete=models.PROTECT, related_name="+")
    lga = models.CharField(max_length=80, blank=True, default="")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["state", "name"],
                name="travel_place_name_once_per_state",
                violation_error_message="This state already has a place of that name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlaceLink(models.Model):
    """A report or a notice that names a place of concern, and where it named it."""

    place = models.ForeignKey(PlaceOfConcern, on_delete=models.CASCADE, related_name="links")
    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, null=True, blank=True, related_name="place_links"
    )
    named_as = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["place", "report"],
                name="travel_place_report_once",
                condition=Q(report__isnull=False),
                violation_error_message="This report is already linked to the place.",
            ),
            models.UniqueConstraint(
                fields=["place", "notice"],
                name="travel_place_notice_once",
                condition=Q(notice__isnull=False),
                violation_error_message="This notice is already linked to the place.",
            ),
            models.CheckConstraint(
                condition=Q(report__isnull=False) ^ Q(notice__isnull=False),
                name="travel_place_link_one_side",
                violation_error_message="A link names a report or a notice.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place_id}: {self.report_id or self.notice_id}"


class Manifest(models.Model):
    """A hotel's foreign-guest manifest as an officer uploaded it. Its rows are kept until
    `expires_at`; after that only the rows that matched a notice remain."""

    place = models.ForeignKey(PlaceOfConcern, on_delete=models.PROTECT, related_name="manifests")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    rows_count = models.PositiveIntegerField(default=0)
    purged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"manifest {self.pk} of {self.place_id}"


class ManifestRow(models.Model):
    """One guest of a manifest (encrypted)."""

    manifest = models.ForeignKey(Manifest, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()
    guest_name = EncryptedTextField(blank=True, default="")
    nationality = EncryptedTextField(blank=True, default="")
    passport_number = EncryptedTextField(blank=True, default="")
    arrival = models.DateTimeField(null=True, blank=True)
    departure = models.DateTimeField(null=True, blank=True)
    room = EncryptedTextField(blank=True, default="")
    phone = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["manifest_id", "position"]

    def __str__(self) -> str:
        return f"row {self.position} of {self.manifest_id}"

    def fields(self, state: str) -> PersonFields:
        given, _, family = self.guest_name.strip().rpartition(" ")
        return PersonFields(
            given_names=given or family,
            family_name=family if given else "",
            nationality=self.nationality,
            documents=(f"passport:{self.passport_number}",) if self.passport_number else (),
            phones=(self.phone,) if self.phone else (),
            seen_at=self.arrival,
            places=(Place(state=state),),
        )


class NoticeCandidate(models.Model):
    """Someone who may be the notice's subject: a person named in a report, a person of a case,
    or a guest of a manifest, scored by the people matcher with its reasons (encrypted: they
    quote names) and the comparison levels (kept with a reviewer's decision)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="candidates")
    found_by = models.CharField(max_length=8, choices=FoundBy.choices)
    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    report_person = models.ForeignKey(
        "reports.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    case_person = models.ForeignKey(
        "cases.CasePerson", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    manifest_row = models.ForeignKey(
        ManifestRow, on_delete=models.CASCADE, null=True, blank=True, related_name="candidates"
    )
    probability = models.FloatField()
    weight = models.FloatField()
    reasons = EncryptedJSONField(null=True, blank=True)
    comparison: models.JSONField[Any, Any] = models.JSONField(default=dict)
    state = models.CharField(
        max_length=12, choices=CandidateState.choices, default=CandidateState.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["notice", "-probability"], name="travel_cand_notice"),
            models.Index(fields=["report", "-probability"], name="travel_cand_report"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "report_person"],
                name="travel_candidate_report_person_once",
                condition=Q(report_person__isnull=False),
                violation_error_message="This person is already a candidate for this notice.",
            ),
            models.UniqueConstraint(
                fields=["notice", "case_person"],
                name="travel_candidate_case_person_once",
                condition=Q(case_person__isnull=False),
                violation_error_message="This person is already a candidate for this notice.",
            ),
            models.UniqueConstraint(
                fields=["notice", "manifest_row"],
                name="travel_candidate_guest_once",
                condition=Q(manifest_row__isnull=False),
                violation_error_message="This guest is already a candidate for this notice.",
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="travel_candidate_probability_range",
                violation_error_message="A probability lies between 0 and 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} candidate {self.pk} {self.probability:.2f}"

    @property
    def other_id(self) -> str:
        """The id of the other side, as the people app keeps a decision's pair."""
        if self.report_person_id:
            return f"report_person:{self.report_person_id}"
        if self.case_person_id:
            return f"case_person:{self.case_person_id}"
        return f"guest:{self.manifest_row_id}"


class Confirmation(models.Model):
    """The border agency's record that someone arrived or left (a passenger-list row), matched
    to a notice by document and date of birth; one that matches none is kept and shown."""

    movement = models.CharField(max_length=10, choices=Movement.choices)
    name = EncryptedTextField(blank=True, default="")
    date_of_birth = EncryptedTextField(blank=True, default="")
    nationality = EncryptedTextField(blank=True, default="")
    document_number = EncryptedTextField(blank=True, default="")
    document_state = EncryptedTextField(blank=True, default="")
    flight = models.CharField(max_length=12, blank=True, default="")
    at = models.DateTimeField()
    sender_reference = models.CharField(max_length=200, blank=True, default="")
    api_client = models.ForeignKey(
        "accounts.ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notice = models.ForeignKey(
        Notice, on_delete=models.SET_NULL, null=True, blank=True, related_name="confirmations"
    )
    received_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["notice", "-at"], name="travel_confirm_notice")]
        constraints = [
            models.UniqueConstraint(
                fields=["api_client", "sender_reference"],
                name="travel_confirmation_once",
                condition=~Q(sender_reference=""),
                violation_error_message="This confirmation was already received.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.movement} {self.at:%Y-%m-%d}"
