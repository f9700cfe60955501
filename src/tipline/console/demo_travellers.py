"""The demo's travel notices: about thirty invented travellers (some arriving today), places of
concern, a hotel's manifest, border confirmations, and public reports from hotels about some of
the travellers, so the console shows a notice with a likely report at once.

Everything goes through the real services (notice_receive, notice_transition,
confirmation_receive, place_create, manifest_check, report_submit and the pipeline), so each
step has its audit row and timeline entry. Names come from Faker's foreign locales; nobody real
is meant.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from faker import Faker

from tipline.accounts.models import User
from tipline.common.time import utcnow
from tipline.geo.models import State
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import Channel, PersonRole
from tipline.reports.drafts import IncidentDraft, PersonDraft, ReportDraft
from tipline.reports.services import report_submit
from tipline.travellers.choices import Channel as NoticeChannel
from tipline.travellers.choices import NoticeStatus, PlaceKind, Source
from tipline.travellers.drafts import ConfirmationInput, NoticeInput
from tipline.travellers.models import Notice
from tipline.travellers.places import manifest_check, place_create
from tipline.travellers.services import confirmation_receive, notice_receive, notice_transition

NOTICES = 30
# Public reports from hotels about travellers in the country, one each (the demo's test counts).
HOTEL_REPORTS = 4
# (name, kind, state, aliases): invented places, marked "Demo" so no real business is meant.
PLACES = [
    ("Demo Palmview Hotel and Suites", PlaceKind.HOTEL, "LA", ["the Palmview"]),
    ("Demo Lagoon Crest Guest House", PlaceKind.GUEST_HOUSE, "LA", ["Lagoon Crest"]),
    ("Demo Bar Beach Shacks", PlaceKind.BEACH, "LA", []),
    ("Demo Sapphire Court Apartments", PlaceKind.SHORT_LET, "FC", ["Sapphire Court"]),
    ("Demo Harbour Point Hotel", PlaceKind.HOTEL, "RI", ["Harbour Point"]),
    ("Demo Coral Bay Resort", PlaceKind.HOTEL, "CR", ["Coral Bay"]),
    ("Demo Hope Children's Home", PlaceKind.ORPHANAGE, "CR", []),
]
LOCALES = {"en_GB": "GBR", "en_US": "USA", "nl_NL": "NLD", "de_DE": "DEU", "fr_FR": "FRA"}
SAID = {"GBR": "British", "USA": "American", "NLD": "Dutch", "DEU": "German", "FRA": "French"}
PORTS = {"LA": "LOS", "FC": "ABV", "RI": "PHC", "CR": "CBQ"}
SENDERS = [
    ("Demo Angel Watch Center", NoticeChannel.HSI_ATTACHE),
    ("Demo INTERPOL NCB", NoticeChannel.GREEN_NOTICE),
    ("Demo National Crime Agency", NoticeChannel.DIFFUSION),
]


@dataclass(frozen=True)
class DemoTravellers:
    """What the demo added."""

    notices: int
    places: int
    reports: int


def demo_travellers(*, rng: random.Random) -> DemoTravellers:
    """Seed places, notices (walked along the status table), a manifest, confirmations and the
    reports that match some notices; once (nothing when demo notices exist)."""
    if Notice.objects.filter(sender_reference__startswith="DEMO-").exists():
        return DemoTravellers(0, 0, 0)
    desk = User.objects.get(username="liaison")
    places = [
        place_create(
            name=name, kind=kind, state=State.objects.get(code=code), aliases=aliases, actor=desk
        )  # fmt: skip
        for name, kind, code, aliases in PLACES
    ]
    notices = [_notice(n, rng, desk) for n in range(NOTICES)]
    for notice in notices:
        _walk(notice, desk)
    _confirmations(notices[0])
    reports = _reports(notices)
    palmview = places[0]
    day = utcnow().date().isoformat()
    guest = notices[1]
    said = SAID.get((guest.nationalities or ["GBR"])[0], "")
    rows = [
        f"{guest.given_names} {guest.family_name},{said},{guest.document_number},{day},,305,",
        f"Demo Guest Unrelated,French,FRDEMO001,{day},,306,",
    ]
    data = "Guest name,Nationality,Passport number,Arrival,Departure,Room,Phone\n" + "\n".join(rows)
    manifest_check(place=palmview, data=data.encode(), actor=desk)
    return DemoTravellers(len(notices), len(places), reports)


def _stay(n: int, rng: random.Random) -> tuple[datetime, datetime]:
    """The first few arrive today, the next are in the country, the rest come or have gone."""
    now = utcnow()
    if n < 5:
        arrival = now + timedelta(hours=rng.uniform(2, 20))
    elif n < 14:  # in the country now: arrived and not yet gone
        arrival = now - timedelta(days=rng.uniform(1, 6))
        return arrival, now + timedelta(days=rng.uniform(2, 10))
    elif n < 24:
        arrival = now + timedelta(days=rng.uniform(2, 30))
    else:
        arrival = now - timedelta(days=rng.uniform(20, 40))
    return arrival, arrival + timedelta(days=rng.randint(4, 14))


def _notice(n: int, rng: random.Random, desk: User) -> Notice:
    locale = list(LOCALES)[n % len(LOCALES)]
    faker = Faker(locale)
    faker.seed_instance(7000 + n)
    state = ["LA", "LA", "FC", "RI", "CR"][n % 5]
    hotel = {"LA": "Demo Palmview Hotel, Victoria Island", "FC": "Sapphire Court, Maitama",
             "RI": "Demo Harbour Point Hotel", "CR": "Demo Coral Bay Resort"}[state]  # fmt: skip
    sender, channel = SENDERS[n % len(SENDERS)]
    arrival, departure = _stay(n, rng)
    given = "Michael" if n == 0 else faker.first_name_male()
    data = NoticeInput(
        id=f"DEMO-{n:04d}",
        sender_agency=sender,
        channel=channel,
        given_names=given,
        family_name=faker.last_name(),
        sex="m",
        date_of_birth=_born(rng),
        nationalities=[LOCALES[locale]],
        passport_number=f"{rng.randint(100_000_000, 999_999_999)}",
        document_state=LOCALES[locale],
        convictions="Invented: sexual assault of a child (demo data).",
        victims="Invented: girls aged 10 to 14",
        risk_level=rng.choice(["medium", "high"]),
        purpose="Tourism",
        carrier="Demo Air",
        flight=f"DA{rng.randint(100, 999)}",
        phones=[f"+447700900{n:03d}"] if n % 3 == 0 else [],
        arrival=arrival,
        departure=departure,
        port_of_entry=PORTS[state],
        destination_state=state,
        destination_place=hotel,
    )
    return notice_receive(data=data, source=Source.CONSOLE, actor=desk).notice


def _born(rng: random.Random) -> str:
    return f"{rng.randint(1950, 1985)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _walk(notice: Notice, desk: User) -> None:
    """In the country: assigned and monitored; gone: departed; arriving: assigned or new."""
    now = utcnow()
    steps: list[str] = []
    if notice.departure_at and notice.departure_at < now:
        steps = [NoticeStatus.ASSIGNED, NoticeStatus.MONITORING, NoticeStatus.DEPARTED]
    elif notice.arrival_at < now:
        steps = [NoticeStatus.ASSIGNED, NoticeStatus.MONITORING]
    elif notice.pk % 2:
        steps = [NoticeStatus.ASSIGNED]
    for step in steps:
        notice = notice_transition(notice=notice, to=step, actor=desk)


def _confirmations(notice: Notice) -> None:
    """One arrival for a notice, and one passenger record that matches no notice."""
    confirmation_receive(
        data=ConfirmationInput(movement="arrival", document_number=notice.document_number,
                               at=notice.arrival_at, reference="DEMO-PAX-1"),
        api_client=None,
    )  # fmt: skip
    confirmation_receive(
        data=ConfirmationInput(movement="arrival", name="DEMO UNKNOWN PASSENGER",
                               document_number="X00000000", at=utcnow(), reference="DEMO-PAX-2"),
        api_client=None,
    )  # fmt: skip


def _reports(notices: list[Notice]) -> int:
    """Public reports from hotels about travellers in the country (processed at once)."""
    now = utcnow()
    here = [n for n in notices if n.arrival_at < now < (n.departure_at or now)][:HOTEL_REPORTS]
    texts = [
        "A {said} man called {nick}, about {age}, brings young girls to {place} at night.",
        "I work at {place}. An oyinbo man named {given} asked me to find him schoolgirls.",
        "Mr {family} ({said}) at {place} pays boys from the beach to come to his room.",
        "A {said} tourist called {given} {family} is staying at {place} with a small girl.",
    ]
    for number, notice in enumerate(here):
        nationality = SAID.get((notice.nationalities or ["GBR"])[0], "foreign")
        age = utcnow().year - int(notice.date_of_birth[:4]) + (number % 3) * 2 - 2
        nick = "Mike" if notice.given_names == "Michael" else notice.given_names
        words = texts[number % len(texts)].format(
            said=nationality, nick=nick, given=notice.given_names, family=notice.family_name,
            age=age, place=notice.first_night_address.split(",")[0].removeprefix("Demo "),
        )  # fmt: skip
        draft = ReportDraft(
            channel=Channel.WEB,
            incident=IncidentDraft(
                type="child_sex_tourism",
                description=f"{words} (Invented demo report.)",
                state_code=notice.destination_state.code if notice.destination_state else "LA",
            ),
            people=[PersonDraft(role=PersonRole.REPORTED_PERSON, notes=words)],
        )
        report = report_submit(draft=draft).report
        pipeline_run(report_id=report.pk)
    return len(here)
