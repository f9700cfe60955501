"""The demo's missing-children registry: invented children and guardians (Faker's Nigerian
providers, phone numbers of random digits), abstract pictures as their photos, a few records
verified with public alerts, and sightings that the matcher pairs with them, one confirmed.

Everything goes through the missing app's services and `report_submit`, so each record has its
timeline and audit trail, and each sighting its pipeline run, like real ones.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import timedelta

from faker import Faker

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.common.time import utcnow
from tipline.console.demo_media import draw_image
from tipline.media.storage import EncryptedWriter
from tipline.missing.choices import Circumstance, RecordStatus, Source
from tipline.missing.drafts import RecordInput
from tipline.missing.models import MissingRecord
from tipline.missing.services import (
    missing_alert_issue,
    missing_candidate_decide,
    missing_photo_add,
    missing_record_create,
    missing_transition,
)
from tipline.people.choices import Decision
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import Channel, IncidentType, PersonRole
from tipline.reports.drafts import IncidentDraft, PersonDraft, Phone, ReportDraft
from tipline.reports.services import report_submit

CHILDREN = 12
SIGHTINGS = 4  # verified children a public sighting names
# (state, LGA) pairs the invented children were last seen in.
PLACES = [
    ("LA", "Ikeja"), ("LA", "Alimosho"), ("KN", "Fagge"), ("OY", "Ibadan North"),
    ("ED", "Oredo"), ("EN", "Nsukka"), ("FC", "Municipal Area Council"), ("KD", "Kaduna North"),
    ("RI", "Port Harcourt"), ("BO", "Maiduguri"), ("AK", "Uyo"), ("BE", "Makurdi"),
]  # fmt: skip
CIRCUMSTANCES = list(Circumstance)
MOBILE = ("803", "806", "813", "703", "805", "807", "815", "802", "808")


@dataclass(frozen=True)
class DemoMissing:
    """What `demo_missing` created."""

    records: int
    alerts: int
    sightings: int


def _phone(rng: random.Random) -> str:
    return f"0{rng.choice(MOBILE)}{rng.randint(0, 9_999_999):07d}"


def _child(fake: Faker, rng: random.Random, index: int) -> RecordInput:
    sex = rng.choice("fm")
    state, lga = PLACES[index % len(PLACES)]
    given = fake.first_name_female() if sex == "f" else fake.first_name_male()
    return RecordInput(
        given_names=given,
        family_name=fake.last_name(),
        sex=sex,
        age=rng.randint(4, 16),
        description="Invented: " + rng.choice(["blue school uniform", "red dress", "green shirt"]),
        circumstance=CIRCUMSTANCES[index % len(CIRCUMSTANCES)],
        last_seen_at=utcnow() - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23)),
        last_seen_state=state,
        last_seen_lga=lga,
        last_seen_place="Invented market",
        guardians=[
            {
                "name": fake.name(),
                "relationship": rng.choice(["mother", "father", "aunt"]),
                "phones": [_phone(rng)],
            }
        ],  # fmt: skip
        consent_public=index % 3 != 2,
    )


def _photo(record: MissingRecord, rng: random.Random, actor: User) -> None:
    buffer = io.BytesIO()
    draw_image(rng).save(buffer, "PNG")
    writer = EncryptedWriter()
    writer.write(buffer.getvalue())
    missing_photo_add(record=record, blob=writer.close(), sniffed="image/png", actor=actor)


def _sighting(record: MissingRecord, rng: random.Random) -> None:
    """A public sighting that names the child as a witness would: a short or swapped name, an
    age guessed, the state; processed by the pipeline, which matches it."""
    given, family = record.given_names, record.family_name
    if rng.random() < 0.5:
        given, family = family, given  # order swapped
    child = PersonDraft(
        role=PersonRole.VICTIM, first_name=given, last_name=family, age=(record.age or 9) + 1
    )
    reporter = PersonDraft(role=PersonRole.REPORTER, phones=[Phone(number=_phone(rng))])
    incident = IncidentDraft(
        type=IncidentType.MISSING_CHILD_SIGHTING,
        description="Invented: a child like the one on the poster, near the motor park.",
        state_code=record.last_seen_state.code,
        location_text=record.last_seen_lga,
    )
    draft = ReportDraft(channel=Channel.WEB, incident=incident, people=[child, reporter])
    pipeline_run(report_id=report_submit(draft=draft).report.pk)


def demo_missing(*, rng: random.Random) -> DemoMissing:
    """Register the invented children (mixed sources), verify two thirds, alert where the
    guardian consented, file sightings of four, and confirm the first (the child sighted)."""
    supervisor = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    analyst = User.objects.filter(role=Role.ANALYST).order_by("pk").first()
    if supervisor is None or analyst is None or MissingRecord.objects.exists():
        return DemoMissing(0, 0, 0)
    fake = Faker(["en_NG", "yo_NG", "ig_NG", "ha_NG"])
    fake.seed_instance(rng.randint(0, 10**6))
    records, alerts = [], 0
    for index in range(CHILDREN):
        source = [Source.CONSOLE, Source.PUBLIC, Source.API][index % 3]
        actor = analyst if source == Source.CONSOLE else None
        data = _child(fake, rng, index)
        record = missing_record_create(data=data, source=source, actor=actor).record
        _photo(record, rng, analyst)
        if index % 3 != 1:
            missing_transition(record=record, to=RecordStatus.VERIFIED, actor=supervisor)
            if record.consent_public:
                missing_alert_issue(record=record, actor=supervisor)
                alerts += 1
        records.append(record)
    verified = [r for r in records if r.status == RecordStatus.VERIFIED]
    for record in verified[:SIGHTINGS]:
        _sighting(record, rng)
    first = verified[0].candidates.order_by("-probability").first()
    if first is not None:
        missing_candidate_decide(candidate=first, decision=Decision.CONFIRMED, actor=supervisor)
    return DemoMissing(len(records), alerts, SIGHTINGS)
