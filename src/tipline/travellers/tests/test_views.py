"""The console pages of travel notices and places: what the national desk and the destination
command see and do, and that outsiders (another command, anonymous) get 404 or the login."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.common.time import WAT, utcnow
from tipline.conftest import login
from tipline.geo.models import State
from tipline.media.storage import default_store
from tipline.people.models import MatchDecision
from tipline.travellers.choices import NoticeStatus, PlaceKind
from tipline.travellers.models import Manifest, Notice, NoticeCandidate, PlaceOfConcern
from tipline.travellers.places import place_create
from tipline.travellers.tests.helpers import drawn_image, hotel_report, manifest_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def arrived(make_notice: Callable[..., Notice]) -> Notice:
    """A Lagos notice whose subject arrived two days ago."""
    return make_notice(arrival=(utcnow() - timedelta(days=2)).isoformat())


@pytest.fixture
def palm(lagos_analyst: User, geo: Any) -> PlaceOfConcern:
    return place_create(
        name="Invented Palm Hotel",
        kind=PlaceKind.HOTEL,
        state=State.objects.get(code="LA"),
        aliases=["the Palm"],
        actor=lagos_analyst,
    )


def test_queue_shows_the_commands_notices_and_marks_the_arrivals_within_48_hours(
    make_notice: Callable[..., Notice], lagos_analyst: User, kano_analyst: User
) -> None:
    soon = make_notice()
    later = make_notice(
        id="INVENTED-LATER",
        arrival=(utcnow() + timedelta(days=5)).isoformat(),
        departure=(utcnow() + timedelta(days=9)).isoformat(),
    )
    page = login(lagos_analyst).get("/console/travellers/").content.decode()
    assert soon.reference in page and later.reference in page
    assert page.index(soon.reference) < page.index(later.reference)
    assert page.count("arrives within 48 h") == 1
    assert soon.reference not in login(kano_analyst).get("/console/travellers/").content.decode()
    assert login(lagos_analyst).get("/console/travellers/", {"command": "KAN"}).status_code == 400


def _form(**overrides: str) -> dict[str, str]:
    arrival = (utcnow() + timedelta(days=1)).astimezone(WAT)
    values = {
        "sender_agency": "Invented Sending Agency",
        "channel": "hsi_attache",
        "sender_reference": "INVENTED-AW-77",
        "given_names": "Michael",
        "family_name": "Invented-Jones",
        "other_names": "Mike, Mick",
        "sex": "m",
        "date_of_birth": "1961-03",
        "nationalities": "USA",
        "document_type": "passport",
        "passport_number": "987654321",
        "document_state": "USA",
        "risk_level": "high",
        "port_of_entry": "PHC",
        "arrival": arrival.strftime("%Y-%m-%dT%H:%M"),
        "departure": (arrival + timedelta(days=6)).strftime("%Y-%m-%dT%H:%M"),
        "destination_state": "",
        "destination_place": "Invented Garden Hotel, GRA",
        "other_addresses": "12 Invented Road, Port Harcourt\nInvented Beach Resort",
        "phones": "+12025550143",
    }
    values.update(overrides)
    return values


def test_national_desk_enters_a_notice_and_it_is_routed_by_the_port(
    desk_officer: User, geo: Any
) -> None:
    client = login(desk_officer)
    assert client.get("/console/travellers/new/").status_code == 200
    answer = client.post("/console/travellers/new/", _form())
    assert answer.status_code == 302
    notice = Notice.objects.get()
    assert notice.destination_state is not None and notice.destination_state.code == "RI"
    assert notice.command.code == "PHC"
    assert notice.other_addresses == ["12 Invented Road, Port Harcourt", "Invented Beach Resort"]
    assert notice.alias_names()[:1] == ["Mike"] and notice.date_of_birth == "1961-03"
    assert notice.arrival_at.astimezone(WAT).strftime("%Y-%m-%dT%H:%M") == _form()["arrival"]
    page = client.get(answer["Location"]).content.decode()
    assert "Invented-Jones" in page and "routed to" in page


@pytest.mark.parametrize(
    ("overrides", "said"),
    [
        ({"nationalities": "XYZ"}, "not an ISO 3166 alpha-3"),
        ({"port_of_entry": "JFK"}, "not a Nigerian port of entry"),
        ({"date_of_birth": "1961-13"}, "month must be in 1..12"),
        ({"departure": "2020-01-01T10:00"}, "departure is before the arrival"),
        ({"given_names": "", "family_name": ""}, "Give the subject"),
        ({"mrz": "P<UTO\nL898"}, "Not a machine-readable zone"),
    ],
)
def test_a_bad_notice_is_a_400_naming_the_field_and_nothing_is_stored(
    desk_officer: User, geo: Any, overrides: dict[str, str], said: str
) -> None:
    answer = login(desk_officer).post("/console/travellers/new/", _form(**overrides))
    assert answer.status_code == 400 and said in answer.content.decode()
    assert not Notice.objects.exists()


def test_only_the_national_desk_enters_notices(lagos_analyst: User, geo: Any) -> None:
    client = login(lagos_analyst)
    assert client.get("/console/travellers/new/").status_code == 404
    assert client.post("/console/travellers/new/", _form()).status_code == 404
    assert not Notice.objects.exists()


def test_notice_page_shows_a_likely_report_with_reasons_and_the_reviewer_confirms(
    arrived: Notice, lagos_analyst: User
) -> None:
    report = hotel_report()
    candidate = NoticeCandidate.objects.get(notice=arrived, report=report)
    client = login(lagos_analyst)
    page = client.get(f"/console/travellers/{arrived.reference}/").content.decode()
    assert report.reference in page and "(likely)" in page and "Mike" in page
    decide = f"/console/travellers/{arrived.reference}/candidates/{candidate.pk}/decide/"
    answer = client.post(decide, {"decision": "confirmed"})
    assert answer.status_code == 302
    candidate.refresh_from_db()
    assert candidate.state == "confirmed"
    assert MatchDecision.objects.filter(owner_kind="travel_notice", decision="confirmed").exists()
    assert "Match confirmed" in client.get(answer["Location"]).content.decode()
    assert client.post(decide, {"decision": "rejected"}).status_code == 302  # already decided
    candidate.refresh_from_db()
    assert candidate.state == "confirmed"


def test_the_report_page_links_to_its_candidate_notice_and_place(
    arrived: Notice, palm: PlaceOfConcern, lagos_analyst: User
) -> None:
    report = hotel_report()
    page = login(lagos_analyst).get(f"/console/reports/{report.reference}/").content.decode()
    assert f"/console/travellers/{arrived.reference}/" in page
    assert f"/console/travellers/places/{palm.pk}/" in page


def test_status_and_outcome_from_the_page_and_the_purge_date_shown(
    arrived: Notice, lagos_analyst: User
) -> None:
    client = login(lagos_analyst)
    base = f"/console/travellers/{arrived.reference}/"
    for step in ("assigned", "monitoring", "departed"):
        client.post(f"{base}status/", {"to": step})
    arrived.refresh_from_db()
    assert arrived.status == NoticeStatus.DEPARTED and arrived.outcome == "monitored"
    client.post(f"{base}status/", {"to": "received"})  # refused by the table
    client.post(f"{base}outcome/", {"outcome": "investigation"})
    arrived.refresh_from_db()
    assert arrived.status == NoticeStatus.DEPARTED and arrived.outcome == "investigation"
    page = client.get(base).content.decode()
    assert "Personal fields will be purged at" in page and "cannot go from" in page


def _photo(client: Client, notice: Notice, data: bytes, name: str = "subject.png") -> Any:
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    return client.post(f"/console/travellers/{notice.reference}/photo/", {"photo": upload})


def test_a_photo_is_kept_encrypted_hashed_and_shown_without_exif(
    arrived: Notice, desk_officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(desk_officer)
    assert _photo(client, arrived, drawn_image()).status_code == 302
    arrived.refresh_from_db()
    assert arrived.photo_pdq and default_store().exists(arrived.photo_key)
    shown = client.get(f"/console/travellers/{arrived.reference}/photo.jpg")
    assert shown["Content-Type"] == "image/jpeg" and "no-store" in shown["Cache-Control"]
    first = arrived.photo_key
    with django_capture_on_commit_callbacks(execute=True):  # the replaced blob goes on commit
        assert _photo(client, arrived, drawn_image(3)).status_code == 302
    arrived.refresh_from_db()
    assert arrived.photo_key != first and not default_store().exists(first)


def test_a_file_that_is_not_an_image_is_refused_and_not_kept(
    arrived: Notice, desk_officer: User
) -> None:
    client = login(desk_officer)
    store = default_store()
    before = set(store.keys_older_than(float("inf")))
    answer = _photo(client, arrived, b"%PDF-1.4 invented", name="x.pdf")
    arrived.refresh_from_db()
    assert answer.status_code == 302 and not arrived.photo_key
    said = client.get(answer["Location"]).content.decode()
    assert "not taken" in said or "must be an image" in said
    assert set(store.keys_older_than(float("inf"))) == before


def test_places_registered_listed_and_the_place_page_puts_everything_on_one_timeline(
    arrived: Notice, lagos_analyst: User, kano_analyst: User
) -> None:
    report = hotel_report()
    client = login(lagos_analyst)
    form = {"name": "Invented Palm Hotel", "kind": "hotel", "aliases": "the Palm", "state": "LA"}
    answer = client.post("/console/travellers/places/", form)
    assert answer.status_code == 302
    place = PlaceOfConcern.objects.get()
    page = client.get(answer["Location"]).content.decode()
    assert report.reference in page and arrived.reference in page  # linked on registration
    listing = client.get("/console/travellers/places/").content.decode()
    assert "Invented Palm Hotel" in listing
    assert "Invented Palm Hotel" not in login(kano_analyst).get("/console/travellers/places/")
    again = client.post("/console/travellers/places/", form)
    assert again.status_code == 400 and "already has a place" in again.content.decode()
    elsewhere = client.post("/console/travellers/places/", {**form, "state": "KN"})
    assert elsewhere.status_code == 400 and PlaceOfConcern.objects.count() == 1
    assert place.links.count() == 2


def _manifest(client: Client, place: PlaceOfConcern, data: bytes) -> Any:
    upload = SimpleUploadedFile("guests.csv", data, content_type="text/csv")
    return client.post(f"/console/travellers/places/{place.pk}/manifests/", {"manifest": upload})


def test_a_manifest_upload_finds_the_subject(
    arrived: Notice, palm: PlaceOfConcern, lagos_analyst: User
) -> None:
    day = (utcnow() - timedelta(days=1)).date().isoformat()
    data = manifest_csv(
        ("MICHAEL INVENTED-SMITH", "British", "123456789", day, "", "214", ""),
        ("Invented Other Guest", "French", "X1234567", day, "", "215", ""),
    )
    client = login(lagos_analyst)
    answer = _manifest(client, palm, data)
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert arrived.reference in page and "(likely)" in page and "room 214" in page
    assert "Invented Other Guest" not in page
    assert Manifest.objects.get().rows_count == 2


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"name\n", "no guests"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"room,phone\n1,2\n", "guest name"),
        (b"guest name,arrival\nA Guest,yesterday\n", "is not a date"),
    ],
)
def test_a_bad_manifest_is_refused_with_the_reason_and_nothing_kept(
    palm: PlaceOfConcern, lagos_analyst: User, data: bytes, said: str
) -> None:
    client = login(lagos_analyst)
    answer = _manifest(client, palm, data)
    assert answer.status_code == 302 and not Manifest.objects.exists()
    assert said in client.get(answer["Location"]).content.decode()


def test_a_manifest_over_the_ceiling_is_refused_unread(
    palm: PlaceOfConcern, lagos_analyst: User, settings: Any
) -> None:
    client = login(lagos_analyst)
    answer = _manifest(client, palm, b"guest name\n" + b"A Guest\n" * 300_000)
    assert answer.status_code == 302 and not Manifest.objects.exists()
    assert "at most" in client.get(answer["Location"]).content.decode()


def _pages(notice: Notice, place: PlaceOfConcern, candidate: NoticeCandidate) -> list[str]:
    base = f"/console/travellers/{notice.reference}/"
    manifest = Manifest.objects.get()
    return [
        base,
        f"{base}photo.jpg",
        f"{base}status/",
        f"{base}outcome/",
        f"{base}photo/",
        f"{base}candidates/{candidate.pk}/decide/",
        f"/console/travellers/places/{place.pk}/",
        f"/console/travellers/places/{place.pk}/manifests/",
        f"/console/travellers/places/{place.pk}/manifests/{manifest.pk}/",
    ]


@pytest.mark.parametrize("outsider", ["kano_analyst", "anonymous"])
def test_outsiders_get_404_on_every_notice_and_place_page(
    outsider: str, arrived: Notice, palm: PlaceOfConcern, lagos_analyst: User, kano_analyst: User
) -> None:
    hotel_report()
    candidate = NoticeCandidate.objects.get(notice=arrived)
    day = utcnow().date().isoformat()
    _manifest(login(lagos_analyst), palm, manifest_csv(("A Guest", "", "", day, "", "", "")))
    client = login(kano_analyst) if outsider == "kano_analyst" else Client()
    refused = {404, 405} if outsider == "kano_analyst" else {302, 405}
    for path in _pages(arrived, palm, candidate):
        for method in (client.get, client.post):
            assert method(path).status_code in refused, path
    new = client.post("/console/travellers/new/", _form())
    assert new.status_code in ({404} if outsider == "kano_analyst" else {302})
    candidate.refresh_from_db()
    arrived.refresh_from_db()
    assert candidate.state == "open" and arrived.status == NoticeStatus.RECEIVED
    assert Notice.objects.count() == 1 and Manifest.objects.count() == 1


def test_a_colleague_who_cannot_see_the_report_does_not_see_the_candidate(
    make_notice: Callable[..., Notice], make_user: Any, lagos_analyst: User
) -> None:
    notice = make_notice(arrival=(utcnow() - timedelta(days=2)).isoformat())
    hotel_report(state="KN")  # routed to Kano; the notice is Lagos's
    candidate = NoticeCandidate.objects.get(notice=notice)
    client = login(lagos_analyst)
    page = client.get(f"/console/travellers/{notice.reference}/").content.decode()
    assert candidate.report is not None and candidate.report.reference not in page
    assert "1 more in reports you cannot see" in page
    decide = f"/console/travellers/{notice.reference}/candidates/{candidate.pk}/decide/"
    assert client.post(decide, {"decision": "rejected"}).status_code == 404
    national = login(make_user("supervisor", (), national=True))
    page = national.get(f"/console/travellers/{notice.reference}/").content.decode()
    assert candidate.report.reference in page


def test_outcomes_export_for_the_senders_has_no_personal_field_and_is_audited(
    arrived: Notice, lagos_analyst: User, kano_analyst: User
) -> None:
    client = login(lagos_analyst)
    client.post(f"/console/travellers/{arrived.reference}/status/", {"to": "assigned"})
    client.post(f"/console/travellers/{arrived.reference}/status/", {"to": "monitoring"})
    answer = client.get("/console/travellers/outcomes.csv")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    lines = answer.content.decode().splitlines()
    assert lines[0].startswith("reference,sender_agency,sender_reference")
    assert arrived.reference in lines[1] and "INVENTED-GN-0001" in lines[1]
    assert lines[1].endswith("monitoring,monitored,LAG")
    assert "Invented-Smith" not in answer.content.decode()
    assert arrived.events.filter(kind="outcome", data__outcome="monitored").exists()
    assert AuditEvent.objects.filter(action="travellers.outcomes_exported").exists()
    outsider = login(kano_analyst).get("/console/travellers/outcomes.csv").content.decode()
    assert arrived.reference not in outsider
    assert Client().get("/console/travellers/outcomes.csv").status_code == 302
