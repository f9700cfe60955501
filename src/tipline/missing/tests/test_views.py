"""The registry's console pages: what an insider sees and does, and that outsiders get 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.common.time import WAT, utcnow
from tipline.conftest import login
from tipline.media.storage import default_store
from tipline.missing.choices import RecordStatus
from tipline.missing.models import MatchCandidate, MissingPhoto, MissingRecord
from tipline.missing.tests.helpers import drawn_image, sighting_report


def _pages(record: MissingRecord, candidate: MatchCandidate | None = None) -> list[str]:
    base = f"/console/missing/{record.reference}/"
    pages = [base, f"{base}photos/1/"]
    if candidate is not None:
        pages.append(f"{base}candidates/{candidate.pk}/decide/")
    return pages


def test_the_list_shows_the_commands_records_and_filters(
    make_record: Callable[..., MissingRecord], lagos_analyst: User, kano_analyst: User
) -> None:
    record = make_record()
    page = login(lagos_analyst).get("/console/missing/")
    assert page.status_code == 200 and record.reference in page.content.decode()
    assert record.reference not in login(kano_analyst).get("/console/missing/").content.decode()
    assert login(lagos_analyst).get("/console/missing/", {"status": "nonsense"}).status_code == 400
    found = login(lagos_analyst).get("/console/missing/", {"status": "found"})
    assert record.reference not in found.content.decode()


def test_registering_from_the_console(lagos_analyst: User) -> None:
    client = login(lagos_analyst)
    assert client.get("/console/missing/new/").status_code == 200
    seen = (utcnow() - timedelta(days=1)).astimezone(WAT).strftime("%Y-%m-%dT%H:%M")
    form = {
        "given_names": "Ngozi",
        "family_name": "Eze",
        "other_names": "Ngo",
        "sex": "f",
        "age": "8",
        "circumstance": "lost",
        "last_seen_at": seen,
        "last_seen_state": "LA",
        "last_seen_lga": "Surulere",
        "guardian_name": "Invented Parent",
        "guardian_phones": "08030001111",
        "consent_public": "on",
        "command": "LAG",
    }
    answer = client.post("/console/missing/new/", form)
    assert answer.status_code == 302
    record = MissingRecord.objects.get()
    assert record.other_names == ["Ngo"] and record.guardian_phones() == ["08030001111"]
    assert record.last_seen_at.astimezone(WAT).strftime("%Y-%m-%dT%H:%M") == seen
    assert client.get(answer["Location"]).status_code == 200


def test_a_bad_registration_is_a_400_with_the_reason(lagos_analyst: User) -> None:
    client = login(lagos_analyst)
    answer = client.post(
        "/console/missing/new/",
        {"circumstance": "lost", "last_seen_at": "2026-01-01T10:00", "last_seen_state": "LA",
         "command": "LAG", "guardian_phones": "not a phone"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert "Not a phone number" in answer.content.decode()
    nameless = client.post(
        "/console/missing/new/",
        {"circumstance": "lost", "last_seen_at": "2026-01-01T10:00", "last_seen_state": "LA",
         "command": "LAG"},
    )  # fmt: skip
    assert nameless.status_code == 400 and "name" in nameless.content.decode()
    assert not MissingRecord.objects.exists()


def test_a_command_outside_the_users_scope_is_refused(lagos_analyst: User) -> None:
    answer = login(lagos_analyst).post(
        "/console/missing/new/",
        {"given_names": "Ade", "circumstance": "lost", "last_seen_at": "2026-01-01T10:00",
         "last_seen_state": "KN", "command": "KAN"},
    )  # fmt: skip
    assert answer.status_code == 400 and not MissingRecord.objects.exists()


def test_the_record_page_shows_candidates_with_reasons_and_the_reviewer_confirms(
    verified_record: MissingRecord, supervisor: User
) -> None:
    report = sighting_report()
    candidate = MatchCandidate.objects.get(record=verified_record)
    client = login(supervisor)
    page = client.get(f"/console/missing/{verified_record.reference}/").content.decode()
    assert report.reference in page and "Family name &#x27;Adebayo&#x27; matches exactly" in page
    assert "likely" in page
    answer = client.post(
        f"/console/missing/{verified_record.reference}/candidates/{candidate.pk}/decide/",
        {"decision": "confirmed", "outcome": "found"},
    )
    assert answer.status_code == 302
    verified_record.refresh_from_db()
    assert verified_record.status == RecordStatus.FOUND
    assert "Match confirmed" in client.get(answer["Location"]).content.decode()


def test_the_review_page_lists_open_candidates(
    verified_record: MissingRecord, supervisor: User, kano_analyst: User
) -> None:
    report = sighting_report()
    assert report.reference in login(supervisor).get("/console/missing/review/").content.decode()
    outsider = login(kano_analyst).get("/console/missing/review/").content.decode()
    assert report.reference not in outsider


def test_status_change_from_the_page(
    make_record: Callable[..., MissingRecord], supervisor: User
) -> None:
    record = make_record()
    client = login(supervisor)
    client.post(f"/console/missing/{record.reference}/status/", {"to": "verified"})
    record.refresh_from_db()
    assert record.status == RecordStatus.VERIFIED
    client.post(f"/console/missing/{record.reference}/status/", {"to": "closed"})  # refused
    record.refresh_from_db()
    assert record.status == RecordStatus.VERIFIED


def _upload(client: Client, record: MissingRecord, data: bytes, name: str = "child.png") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, data, content_type="image/png")
    return client.post(f"/console/missing/{record.reference}/photos/", {"photo": upload})


def test_a_photo_upload_is_kept_encrypted_and_shown_without_exif(
    make_record: Callable[..., MissingRecord], lagos_analyst: User
) -> None:
    record = make_record()
    client = login(lagos_analyst)
    assert _upload(client, record, drawn_image()).status_code == 302
    photo = MissingPhoto.objects.get()
    assert default_store().exists(photo.storage_key)
    shown = client.get(f"/console/missing/{record.reference}/photos/{photo.pk}/")
    assert shown["Content-Type"] == "image/jpeg" and "no-store" in shown["Cache-Control"]
    assert shown.content[:2] == b"\xff\xd8"


def test_a_file_that_is_not_an_image_is_refused_and_not_kept(
    make_record: Callable[..., MissingRecord], lagos_analyst: User
) -> None:
    record = make_record()
    client = login(lagos_analyst)
    store = default_store()
    before = set(store.keys_older_than(float("inf")))
    answer = _upload(client, record, b"%PDF-1.4 invented", name="x.pdf")
    assert answer.status_code == 302 and not MissingPhoto.objects.exists()
    page = client.get(answer["Location"]).content.decode()
    assert "not taken" in page or "must be an image" in page
    assert set(store.keys_older_than(float("inf"))) == before


@pytest.mark.parametrize("outsider", ["kano_analyst", "anonymous"])
def test_outsiders_get_404_on_every_record_page(
    outsider: str,
    verified_record: MissingRecord,
    kano_analyst: User,
    lagos_analyst: User,
) -> None:
    sighting_report()
    candidate = MatchCandidate.objects.get(record=verified_record)
    MissingPhoto.objects.create(
        record=verified_record, storage_key="x", size=1, sha256="0", sniffed_type="image/png",
        added_at=utcnow(),
    )  # fmt: skip
    client = login(kano_analyst) if outsider == "kano_analyst" else Client()
    for path in _pages(verified_record, candidate):
        for method in (client.get, client.post):
            status = method(path).status_code
            assert status in ({404, 405} if outsider != "anonymous" else {302, 405}), path
    for path in (f"/console/missing/{verified_record.reference}/status/",
                 f"/console/missing/{verified_record.reference}/photos/"):  # fmt: skip
        assert client.post(path).status_code in {404, 302}
    candidate.refresh_from_db()
    verified_record.refresh_from_db()
    assert candidate.state == "open" and verified_record.status == RecordStatus.VERIFIED


def test_a_colleague_who_cannot_see_the_report_does_not_see_the_candidate(
    verified_record: MissingRecord, make_user: Callable[..., User]
) -> None:
    sighting_report(state="KN")  # routed to Kano: a Lagos analyst cannot open it
    candidate = MatchCandidate.objects.get(record=verified_record)
    lagos = login(make_user(Role.ANALYST, ("LAG",)))
    page = lagos.get(f"/console/missing/{verified_record.reference}/").content.decode()
    assert candidate.report.reference not in page and "1 more in reports you cannot see" in page
    decide = f"/console/missing/{verified_record.reference}/candidates/{candidate.pk}/decide/"
    assert lagos.post(decide, {"decision": "rejected"}).status_code == 404
