"""The missing-children registry: records, their photos, timeline, sightings and the match
candidates the pipeline finds.

What identifies the child or the guardians (names, date of birth, description, the place and
point last seen, phones, the guardians themselves) is encrypted at field level. References,
statuses, dates, the state and LGA stay plain so lists can filter on them and the matcher can
measure distances; the people app's blind index (owner kind "missing_record") finds records
without decrypting the table.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from tipline.common.counters import YearlyCounter
from tipline.common.fields import EncryptedJSONField, EncryptedTextField
from tipline.missing.choices import (
    CandidateState,
    Circumstance,
    EventKind,
    FoundBy,
    MessageType,
    RecordStatus,
    Source,
)
from tipline.people.person import PersonFields, Place


class RecordCounter(YearlyCounter):
    """Per-year counter behind record references (`MC-2026-00042`)."""


class MissingRecord(models.Model):
    """A missing child, owned by the command (reporting unit) that works the record.

    `guardians` is a list of {"name", "relationship", "phones": [...], "email"}; `child_phones`
    the child's own numbers. `last_seen_point` is {"lat", "lon"} when known. `consent_public`
    is the guardian's consent to a public alert; without it no alert is ever issued.
    """

    reference = models.CharField(max_length=20, unique=True)
    given_names = EncryptedTextField(blank=True, default="")
    family_name = EncryptedTextField(blank=True, default="")
    other_names = EncryptedJSONField(null=True, blank=True)  # aliases, other spellings
    sex = EncryptedTextField(blank=True, default="")  # "m", "f" or ""
    date_of_birth = EncryptedTextField(blank=True, default="")  # ISO date
    age = models.PositiveSmallIntegerField(null=True, blank=True)  # when no date of birth...
    age_given_on = models.DateField(null=True, blank=True)  # ...the day the age was given
    height_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    description = EncryptedTextField(blank=True, default="")  # appearance, clothes, marks
    languages: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    circumstance = models.CharField(max_length=24, choices=Circumstance.choices)
    circumstances_text = EncryptedTextField(blank=True, default="")
    last_seen_at = models.DateTimeField()
    last_seen_state = models.ForeignKey(
        "geo.State", on_delete=models.PROTECT, related_name="missing_records"
    )
    last_seen_lga = models.CharField(max_length=80, blank=True, default="")
    last_seen_place = EncryptedTextField(blank=True, default="")  # town, street, landmark
    last_seen_point = EncryptedJSONField(null=True, blank=True)
    guardians = EncryptedJSONField(null=True, blank=True)
    child_phones = EncryptedJSONField(null=True, blank=True)
    consent_public = models.BooleanField(default=False)
    command = models.ForeignKey(
        "geo.RegionalCommand", on_delete=models.PROTECT, related_name="missing_records"
    )
    status = models.CharField(
        max_length=16, choices=RecordStatus.choices, default=RecordStatus.REPORTED
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    api_client = models.ForeignKey(
        "accounts.ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(max_length=200, blank=True, default="")
    receipt_hash = models.CharField(max_length=64, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["command", "status", "-updated_at"], name="missing_cmd_status"),
            models.Index(fields=["status", "-updated_at"], name="missing_status_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=RecordStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=RecordStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="missing_closed_at_iff_closed",
                violation_error_message="A closed record has a closing time; an open one none.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RecordStatus.values),
                name="missing_status_known",
                violation_error_message="Unknown record status.",
            ),
            models.CheckConstraint(
                condition=Q(age__isnull=True) | Q(age__lte=25),
                name="missing_age_of_a_child",
                violation_error_message="The registry is for children (an age of 25 at most).",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def full_name(self) -> str:
        return " ".join(n for n in (self.given_names, self.family_name) if n) or "(no name)"

    def guardian_phones(self) -> list[str]:
        return [p for g in self.guardians or [] for p in g.get("phones", [])]

    def birth_date(self) -> date | None:
        return date.fromisoformat(self.date_of_birth) if self.date_of_birth else None

    def place(self) -> Place:
        point = self.last_seen_point or {}
        return Place(
            state=self.last_seen_state.code,
            lga=self.last_seen_lga,
            lat=point.get("lat"),
            lon=point.get("lon"),
        )

    def fields(self, photo_pdqs: tuple[str, ...] = ()) -> PersonFields:
        """The child as the matcher sees them: the guardians' phones count as the child's, as a
        sighting may come from (or name) a guardian's phone."""
        return PersonFields(
            given_names=self.given_names,
            family_name=self.family_name,
            other_names=tuple(self.other_names or ()),
            sex=self.sex,
            date_of_birth=self.birth_date(),
            age=self.age,
            age_given_on=self.age_given_on,
            phones=tuple(self.child_phones or ()) + tuple(self.guardian_phones()),
            places=(self.place(),),
            seen_at=self.last_seen_at,
            photo_pdqs=photo_pdqs,
        )


class MissingPhoto(models.Model):
    """A photo of the child, in the encrypted store (never on disk in clear), PDQ-hashed."""

    record = models.ForeignKey(MissingRecord, on_delete=models.CASCADE, related_name="photos")
    storage_key = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    sniffed_type = models.CharField(max_length=100)
    pdq = models.CharField(max_length=64, blank=True, default="")
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"photo {self.pk} of {self.record_id}"


class MissingEvent(models.Model):
    """One entry of the record's timeline, written beside its audit row by the service that
    made the change. `body` holds words (encrypted); `data` only references and codes."""

    record = models.ForeignKey(MissingRecord, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    body = EncryptedTextField(blank=True, default="")
    data: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["record", "-at", "-id"], name="missing_event_newest")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.kind} {self.at:%Y-%m-%d}"


class MatchCandidate(models.Model):
    """A person named in a report who may be the missing child, scored by the people matcher.

    `reasons` are the field-by-field words (they quote names, so they are encrypted);
    `comparison` the levels only (what a reviewer's decision is kept with). Recomputed when the
    report or the record changes, until a reviewer decides; a decided pair is kept as decided.
    """

    record = models.ForeignKey(MissingRecord, on_delete=models.CASCADE, related_name="candidates")
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    report_person = models.ForeignKey("reports.Person", on_delete=models.CASCADE, related_name="+")
    found_by = models.CharField(max_length=8, choices=FoundBy.choices)
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
            models.Index(fields=["record", "-probability"], name="missing_cand_record"),
            models.Index(fields=["state", "-probability"], name="missing_cand_open"),
            models.Index(fields=["report"], name="missing_cand_report"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "report_person"],
                name="missing_candidate_once",
                violation_error_message="This person is already a candidate for this record.",
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="missing_candidate_probability_range",
                violation_error_message="A probability lies between 0 and 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}~{self.report_person_id} {self.probability:.2f}"


class Sighting(models.Model):
    """A report confirmed to be about the child: the link between the report and the record."""

    record = models.ForeignKey(MissingRecord, on_delete=models.CASCADE, related_name="sightings")
    report = models.ForeignKey(
        "reports.Report", on_delete=models.PROTECT, related_name="missing_sightings"
    )
    candidate = models.OneToOneField(
        MatchCandidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="sighting"
    )
    seen_at = models.DateTimeField()
    state = models.ForeignKey(
        "geo.State", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lga = models.CharField(max_length=80, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "report"],
                name="missing_sighting_once",
                violation_error_message="This report is already a sighting of this record.",
            )
        ]

    def __str__(self) -> str:
        return f"sighting of {self.record_id} in {self.report_id}"


class AlertMessage(models.Model):
    """One CAP 1.2 message of a child's public alert: the first (`Alert`), a later `Update`, or
    the `Cancel` that ends it. `public_id` is the first message's identifier, the alert's
    address on the public site; `references` the CAP references of the earlier messages.

    `public` is what the guardian consented to publish, frozen when the message was sent (the
    child's names, age, sex, description, where and when last seen, the photo's id): never a
    guardian's detail. A Cancel carries none of it.
    """

    record = models.ForeignKey(MissingRecord, on_delete=models.PROTECT, related_name="alerts")
    identifier = models.CharField(max_length=80, unique=True)
    public_id = models.CharField(max_length=80, db_index=True)
    msg_type = models.CharField(max_length=8, choices=MessageType.choices)
    sent = models.DateTimeField()
    references = models.CharField(max_length=2000, blank=True, default="")
    public = EncryptedJSONField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["public_id", "-sent"], name="missing_alert_newest")]

    def __str__(self) -> str:
        return self.identifier
