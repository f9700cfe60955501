"""Reports, images and manifests for the travellers' tests: invented, generated here."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from tipline.accounts.models import User
from tipline.common.time import utcnow
from tipline.conftest import draft
from tipline.geo.models import State
from tipline.pipeline.services import pipeline_run
from tipline.reports.drafts import IncidentDraft, PersonDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit
from tipline.travellers.choices import PlaceKind, Source
from tipline.travellers.drafts import NoticeInput
from tipline.travellers.models import NoticeCandidate, PlaceOfConcern
from tipline.travellers.places import manifest_check, place_create
from tipline.travellers.services import notice_receive


def hotel_report(
    *,
    text: str = "A British man called Mike, about 55, brings young girls to the Invented Palm "
    "Hotel every night.",
    state: str = "LA",
) -> Report:
    """A processed public report from a hotel about a foreign man (invented)."""
    result = report_submit(
        draft=draft(
            incident=IncidentDraft(type="child_sex_tourism", description=text, state_code=state),
            people=[PersonDraft(role="reported_person", notes="British man called Mike")],
        )
    )
    assert pipeline_run(report_id=result.report.pk).done
    return Report.objects.get(pk=result.report.pk)


def drawn_image(seed: int = 0) -> bytes:
    """A generated picture (stripes and a block), different per seed."""
    image = Image.new("RGB", (320, 240), (30 + seed * 40 % 200, 90, 160))
    for x in range(0, 320, 16 + seed):
        for y in range(240):
            image.putpixel((x, y), (240, 240, 20))
    for x in range(60, 140):
        for y in range(80 + seed * 5, 160):
            image.putpixel((x, y), (10, 10, 10))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def manifest_csv(*rows: tuple[str, ...]) -> bytes:
    """A hotel's manifest: a header and the rows given (name, nationality, passport, arrival,
    departure, room, phone)."""
    header = "Guest name,Nationality,Passport number,Arrival,Departure,Room,Phone"
    return "\n".join([header, *(",".join(r) for r in rows)]).encode()


def walk_notice(officer: User) -> tuple[NoticeCandidate, PlaceOfConcern]:
    """For the access walk: a Lagos notice, a Lagos hotel, and a manifest of the hotel whose
    guest is the notice's subject (the notice's candidate)."""
    now = utcnow()
    data = NoticeInput(
        id="INVENTED-WALK-1",
        given_names="Walker",
        family_name="Invented",
        date_of_birth="1960",
        passport_number="555444333",
        nationalities=["GBR"],
        arrival=now - timedelta(days=1),
        departure=now + timedelta(days=5),
        port_of_entry="LOS",
        destination_state="LA",
    )
    notice = notice_receive(data=data, source=Source.CONSOLE, actor=None).notice
    place = place_create(
        name="Invented Walk Hotel",
        kind=PlaceKind.HOTEL,
        state=State.objects.get(code="LA"),
        actor=officer,
    )
    day = now.date().isoformat()
    manifest_check(
        place=place,
        data=manifest_csv(("Walker Invented", "GBR", "555444333", day, "", "1", "")),
        actor=officer,
    )
    return NoticeCandidate.objects.get(notice=notice, manifest_row__isnull=False), place


def query_world_travel(world_round: int, officer: User, phone: str) -> None:
    """For the query-count world: a Lagos notice a round whose subject shares the world's
    suspects' phone (so its reports are candidates), a farm lodge the reports name (created in
    the first round, linked by the pipeline after), and a manifest with the subject as a guest."""
    now = utcnow()
    data = NoticeInput(
        id=f"INVENTED-QC-{world_round}",
        given_names="Invented",
        family_name=f"Suspect{world_round}x7p0",
        passport_number=f"QC{world_round:07d}",
        nationalities=["GBR"],
        phones=[phone],
        arrival=now - timedelta(days=3),
        departure=now + timedelta(days=3),
        port_of_entry="LOS",
        destination_state="LA",
        destination_place="Invented Farm Lodge",
    )
    notice_receive(data=data, source=Source.CONSOLE, actor=officer)
    place = PlaceOfConcern.objects.filter(name="Invented Farm Lodge").first() or place_create(
        name="Invented Farm Lodge",
        kind=PlaceKind.GUEST_HOUSE,
        state=State.objects.get(code="LA"),
        actor=officer,
    )
    guests = [(f"Invented Suspect{world_round}x7p0", "GBR", f"QC{world_round:07d}",
               now.date().isoformat(), "", str(n), "") for n in range(world_round + 1)]  # fmt: skip
    manifest_check(place=place, data=manifest_csv(*guests), actor=officer)
