"""The national desk's NCMEC page and the `tipline ncmec` command: only the national desk may
import; uploads are ZIPs, stored encrypted and discarded once their referrals are taken; every
refusal is a clear 4xx that stores nothing."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tipline.accounts.choices import Role
from tipline.audit.models import AuditEvent
from tipline.conftest import login
from tipline.intake.ncmec.samples import (
    PLACES,
    SampleFile,
    SampleReferral,
    sample_png,
    with_pictures,
    write_folder,
    zip_bytes,
)
from tipline.media.storage import read_decrypted
from tipline.pipeline.services import pipeline_run
from tipline.reports.models import Report, ReportFile

IMPORTS = reverse("ncmec:imports")
UPLOAD = reverse("ncmec:upload")


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_STORE_DIR = tmp_path / "media"
    return settings.MEDIA_STORE_DIR  # type: ignore[no-any-return]


def blobs(store: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(store)) if store.exists() else 0


@pytest.fixture
def desk(make_user: Any) -> Any:
    return make_user(Role.PARTNER_LIAISON, ("NAT",))


def referral(number: str, count: int = 1) -> SampleReferral:
    made = with_pictures(number, count=count)
    made.place = PLACES[0]
    return made


def zip_upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def post(client: Client, *files: SimpleUploadedFile) -> Any:
    return client.post(UPLOAD, {"packages": list(files)})


def test_outsiders_get_404_for_the_page_and_the_upload(
    kano_analyst: Any, make_user: Any, store: Path
) -> None:
    liaison_elsewhere = make_user(Role.PARTNER_LIAISON, ("LAG",))
    analyst_at_the_desk = make_user(Role.ANALYST, ("NAT",))
    for user in (kano_analyst, liaison_elsewhere, analyst_at_the_desk):
        client = login(user)
        assert client.get(IMPORTS).status_code == 404
        response = post(client, zip_upload("a.zip", zip_bytes([referral("700000001")])))
        assert response.status_code == 404
    assert Report.objects.count() == 0
    assert blobs(store) == 0
    assert Client().get(IMPORTS).status_code == 302  # to the login page


def test_the_desk_uploads_packages_and_sees_each_referral_with_its_report(
    desk: Any, store: Path
) -> None:
    first = zip_upload("one.zip", zip_bytes([referral("700000002", count=2)]))
    second = zip_upload("two.zip", zip_bytes([referral("700000003"), referral("700000004")]))
    response = post(login(desk), first, second)
    assert response.status_code == 200
    assert response.content.decode().count("Imported") == 3
    assert Report.objects.filter(external_id__startswith="NCMEC-").count() == 3
    assert blobs(store) == ReportFile.objects.count() == 4  # the uploaded ZIPs are gone
    again = post(login(desk), zip_upload("one.zip", zip_bytes([referral("700000002", 2)])))
    assert again.status_code == 200
    assert "Already imported; nothing stored again" in again.content.decode()
    assert blobs(store) == 4


def test_a_national_supervisor_sees_the_referrals_with_ncmecs_priority(
    make_user: Any, desk: Any, store: Path
) -> None:
    post(login(desk), zip_upload("one.zip", zip_bytes([referral("700000005")])))
    supervisor = make_user(Role.SUPERVISOR, (), national=True)
    page = login(supervisor).get(IMPORTS)
    assert page.status_code == 200
    text = page.content.decode()
    assert "700000005" in text
    assert "Ikeja, Lagos, Nigeria (NCMEC geolocation" in text


def test_a_file_that_is_not_a_zip_is_refused_with_422(desk: Any, store: Path) -> None:
    response = post(login(desk), zip_upload("report.zip", b"%PDF-1.4 not a zip"))
    assert response.status_code == 422
    assert "is not a ZIP file" in response.content.decode()
    assert blobs(store) == 0


def test_an_upload_over_the_limit_is_refused_with_413(
    desk: Any, store: Path, settings: Any
) -> None:
    settings.NCMEC_UPLOAD_MAX_BYTES = 2048
    big = zip_upload("big.zip", zip_bytes([referral("700000006", count=3)]))
    response = post(login(desk), big)
    assert response.status_code == 413
    assert "larger than the upload limit" in response.content.decode()
    assert Report.objects.count() == 0
    assert blobs(store) == 0


def test_a_broken_referral_is_a_422_with_its_reason_and_the_rest_are_taken(
    desk: Any, store: Path
) -> None:
    broken = referral("700000008")
    broken.files[0].content = b"not a picture"
    response = post(login(desk), zip_upload("mix.zip", zip_bytes([referral("700000007"), broken])))
    assert response.status_code == 422
    assert "files/image0.png is named as an image" in response.content.decode()
    assert Report.objects.count() == 1


def test_a_form_without_a_package_is_a_400(desk: Any, store: Path) -> None:
    assert login(desk).post(UPLOAD, {}).status_code == 400


def test_an_upload_without_the_csrf_token_is_refused_and_stores_nothing(
    desk: Any, store: Path
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk)
    response = post(client, zip_upload("a.zip", zip_bytes([referral("700000009")])))
    assert response.status_code == 403
    assert Report.objects.count() == 0
    assert blobs(store) == 0


def test_the_command_imports_zips_and_folders_and_fails_on_a_broken_one(
    geo: Any, store: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    write_folder(folder / "800000001", referral("800000001"))
    (folder / "more.zip").write_bytes(zip_bytes([referral("800000002"), referral("800000003")]))
    out = io.StringIO()
    call_command("ncmec", "import", str(folder), stdout=out)
    assert "3 taken, 0 not imported" in out.getvalue()
    assert Report.objects.count() == 3
    (tmp_path / "bad.zip").write_bytes(b"nope")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 referral"):
        call_command("ncmec", "import", str(folder), str(tmp_path / "bad.zip"), stdout=out)
    assert "already_imported" in out.getvalue()
    assert "not a readable ZIP file" in out.getvalue()
    assert Report.objects.count() == 3


def test_the_demo_imports_invented_referrals_once_and_only_in_demo_mode(
    geo: Any, store: Path, settings: Any
) -> None:
    with pytest.raises(CommandError, match="demo mode only"):
        call_command("ncmec", "demo", stdout=io.StringIO())
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("ncmec", "demo", stdout=out)
    assert "12 of 12 taken" in out.getvalue()
    call_command("ncmec", "demo", stdout=io.StringIO())  # `make run` again: nothing twice
    assert Report.objects.filter(external_id__startswith="NCMEC-").count() == 12


def test_a_file_the_company_did_not_view_is_held_back_until_a_legal_basis_is_recorded(
    desk: Any, make_user: Any, kano_analyst: Any, store: Path, tmp_path: Path
) -> None:
    made = referral("700000090", count=2)
    made.files[1].viewed_by_esp = False
    call_command("ncmec", "import", str(write_folder(tmp_path / "p", made)))
    report = Report.objects.get(external_id="NCMEC-700000090")
    pipeline_run(report_id=report.pk)
    viewed, unviewed = report.files.order_by("position")
    assert b"".join(read_decrypted(unviewed.storage_key)) == made.files[1].content  # stored
    client = login(make_user(Role.ANALYST, ("LAG",)))
    page = client.get(reverse("console:report", args=[report.reference])).content.decode()
    assert reverse("media:preview", args=[viewed.file_id]) in page
    assert reverse("media:preview", args=[unviewed.file_id]) not in page
    assert "Held back" in page and reverse("media:open_held_back", args=[unviewed.file_id]) in page
    for name in ("media:preview", "media:full"):
        assert client.get(reverse(name, args=[unviewed.file_id])).status_code == 404
    assert client.post(reverse("media:reveal", args=[unviewed.file_id])).status_code == 404
    opening = reverse("media:open_held_back", args=[unviewed.file_id])
    basis = "Search warrant SW/LAG/2024/017 (invented), issued 3 May 2024."
    assert login(kano_analyst).post(opening, {"legal_basis": basis}).status_code == 404
    assert client.post(opening, {"legal_basis": " "}).status_code == 400
    assert client.get(reverse("media:preview", args=[unviewed.file_id])).status_code == 404
    assert client.post(opening, {"legal_basis": basis}).status_code == 302
    audited = AuditEvent.objects.get(action="media.held_back_opened", object_id=unviewed.file_id)
    assert audited.after["legal_basis"] == basis
    assert client.get(reverse("media:preview", args=[unviewed.file_id])).status_code == 200


def test_an_addendums_files_show_on_the_report_and_never_to_an_outsider(
    desk: Any, make_user: Any, kano_analyst: Any, store: Path, tmp_path: Path
) -> None:
    call_command("ncmec", "import", str(write_folder(tmp_path / "a", referral("700000091"))))
    report = Report.objects.get(external_id="NCMEC-700000091")
    pipeline_run(report_id=report.pk)
    later = referral("700000091", count=0)
    later.files = [SampleFile(path="files/later.png", content=sample_png(97))]
    call_command("ncmec", "import", str(write_folder(tmp_path / "b", later)), stdout=io.StringIO())
    added = report.files.get(position=1)
    assert b"".join(read_decrypted(added.storage_key)) == later.files[0].content
    preview = reverse("media:preview", args=[added.file_id])
    page = reverse("console:report", args=[report.reference])
    insider = login(make_user(Role.ANALYST, ("LAG",)))
    assert preview in insider.get(page).content.decode()
    assert insider.get(preview).status_code == 200
    outsider = login(kano_analyst)
    assert outsider.get(page).status_code == 404
    for name in ("media:preview", "media:full"):
        assert outsider.get(reverse(name, args=[added.file_id])).status_code == 404
    assert outsider.post(reverse("media:reveal", args=[added.file_id])).status_code == 404
