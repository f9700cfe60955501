"""Evidence, chain of custody, and the court bundle checked with the system's own tools."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.cases.models import Case, CustodyEvent, EvidenceItem
from tipline.cases.services import (
    custody_record,
    evidence_add_physical,
    evidence_add_upload,
)
from tipline.cases.signing import parse_signing_keys
from tipline.conftest import login
from tipline.media.storage import EncryptedWriter, default_store
from tipline.media.tests.test_console_media import _report_with_image
from tipline.reports.models import Report


def _upload(case: Case, user: User, content: bytes, name: str = "chat.png") -> EvidenceItem:
    writer = EncryptedWriter()
    writer.write(content)
    blob = writer.close()
    return evidence_add_upload(
        case=case, blob=blob, name=name, description="Invented screenshot", actor=user
    )


@pytest.fixture
def case_with_evidence(make_case: Callable[..., Case], investigator: User) -> Case:
    case = make_case()
    _upload(case, investigator, os.urandom(5000), "chat export.png")
    _upload(case, investigator, b"invented statement text\n" * 50, "statement.txt")
    evidence_add_physical(
        case=case,
        kind="device",
        description="Invented phone",
        holder="Exhibit room, Lagos",
        actor=investigator,
    )
    return case


def test_intake_is_the_first_custody_event_with_the_arrival_hash(
    case_with_evidence: Case,
) -> None:
    item = case_with_evidence.evidence.get(number=1)
    intake = item.custody.get()
    assert intake.action == "intake" and intake.sha256_after == item.sha256
    assert len(item.sha256) == 64 and not item.hash_mismatch


def test_a_transfer_moves_the_item_and_needs_both_parties(
    case_with_evidence: Case, investigator: User
) -> None:
    item = case_with_evidence.evidence.get(number=3)
    with pytest.raises(ValidationError, match="from whom and to whom"):
        custody_record(item=item, action="transfer", actor=investigator, to_party="Lab")
    custody_record(
        item=item,
        action="transfer",
        actor=investigator,
        from_party="Exhibit room, Lagos",
        to_party="Forensic lab, Abuja",
        purpose="Extraction",
    )
    assert EvidenceItem.objects.get(pk=item.pk).holder == "Forensic lab, Abuja"
    assert [e.action for e in item.custody.order_by("at", "pk")] == ["intake", "transfer"]


def test_a_changed_blob_is_flagged_at_once_and_stays_flagged(
    case_with_evidence: Case, investigator: User
) -> None:
    item = case_with_evidence.evidence.get(number=1)
    replacement = EncryptedWriter(key=item.storage_key + "x")
    replacement.write(b"something else")
    replacement.close()
    store = default_store()
    with store.open_read(item.storage_key + "x") as src:
        swapped = src.read()
    store.delete(item.storage_key)  # the stored content swapped behind the platform's back
    with store.open_write(item.storage_key) as dst:
        dst.write(swapped)
    event = custody_record(item=item, action="verification", actor=investigator)
    assert event.sha256_before == item.sha256 != event.sha256_after
    assert EvidenceItem.objects.get(pk=item.pk).hash_mismatch
    page = f"/console/cases/{case_with_evidence.reference}/"
    assert "hash-mismatch" in login(investigator).get(page).content.decode()


def _run(*args: str, cwd: Path) -> int:
    return subprocess.run(args, cwd=cwd, capture_output=True, check=False, timeout=60).returncode  # noqa: S603


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_court_bundle_verifies_with_sha256sum_and_openssl_and_fails_when_altered(
    case_with_evidence: Case, investigator: User, tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command(
        "evidence",
        "bundle",
        case_with_evidence.reference,
        "--out",
        str(tmp_path / "out"),
        "--as",
        investigator.username,
        stdout=out,
    )
    bundle = tmp_path / "out" / f"{case_with_evidence.reference}-bundle.zip"
    assert bundle.exists() and "2 items" not in out.getvalue()
    folder = tmp_path / "bundle"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(folder)
    key = io.StringIO()
    call_command("evidence", "public-key", stdout=key)
    (tmp_path / "published.pem").write_text(key.getvalue())
    verify = (
        "openssl",
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        str(tmp_path / "published.pem"),
        "-rawin",
        "-in",
        "SHA256SUMS",
        "-sigfile",
        "SHA256SUMS.sig",
    )
    manifest = (folder / "SHA256SUMS").read_text().splitlines()
    assert len(manifest) == 6  # two digital items, the custody log and summary (CSV/text, PDF)
    assert _run("sha256sum", "-c", "SHA256SUMS", cwd=folder) == 0
    assert _run(*verify, cwd=folder) == 0
    item = next(folder.glob("items/E001-*"))
    _flip(item)
    assert _run("sha256sum", "-c", "SHA256SUMS", cwd=folder) != 0
    _flip(folder / "SHA256SUMS")
    assert _run(*verify, cwd=folder) != 0


def test_the_bundle_is_a_custody_copy_and_audited(
    case_with_evidence: Case, investigator: User, tmp_path: Path
) -> None:
    call_command(
        "evidence",
        "bundle",
        case_with_evidence.reference,
        "--out",
        str(tmp_path),
        "--as",
        investigator.username,
        stdout=io.StringIO(),
    )
    copies = CustodyEvent.objects.filter(action="copy", item__case=case_with_evidence)
    assert copies.count() == 2  # digital items only
    assert AuditEvent.objects.get(action="case.bundle_built").after["items"] == [
        "E001",
        "E002",
        "E003",
    ]


def test_a_rotated_key_still_publishes_the_old_public_key() -> None:
    old, new = (base64.b64encode(os.urandom(32)).decode() for _ in range(2))
    before = parse_signing_keys(f"k1:{old}")
    after = parse_signing_keys(f"k2:{new},k1:{old}")
    assert after[0].key_id == "k2"
    assert after[1].public_pem == before[0].public_pem


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_upload_from_the_page_is_stored_encrypted_and_hashed(
    make_case: Callable[..., Case], investigator: User
) -> None:
    case = make_case()
    content = _png()
    upload = SimpleUploadedFile("invented.png", content, content_type="image/png")
    response = login(investigator).post(
        f"/console/cases/{case.reference}/evidence/upload/", {"file": upload, "description": "x"}
    )
    assert response.status_code == 302
    item = case.evidence.get()
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    with default_store().open_read(item.storage_key) as stored:
        assert content not in stored.read()


def test_a_refused_upload_leaves_nothing_in_the_store(
    make_case: Callable[..., Case], investigator: User
) -> None:
    case = make_case()
    before = set(default_store().keys_older_than(float("inf")))
    upload = SimpleUploadedFile("x.exe", b"MZ\x90\x00" + os.urandom(100))
    login(investigator).post(f"/console/cases/{case.reference}/evidence/upload/", {"file": upload})
    assert not case.evidence.exists()
    assert set(default_store().keys_older_than(float("inf"))) == before


@pytest.mark.parametrize("who", ["colleague", "kano_analyst"])
def test_outsiders_get_404_on_evidence_and_the_bundle(
    case_with_evidence: Case, who: str, request: pytest.FixtureRequest
) -> None:
    outsider = login(request.getfixturevalue(who))
    base = f"/console/cases/{case_with_evidence.reference}"
    for tail in (
        "evidence/upload/",
        "evidence/physical/",
        "evidence/report-file/",
        "evidence/1/custody/",
        "bundle/",
    ):
        data = {"action": "access", "kind": "device", "description": "x", "holder": "y"}
        assert outsider.post(f"{base}/{tail}", data).status_code == 404, tail
    assert CustodyEvent.objects.count() == 3  # the three intakes, nothing more
    assert not AuditEvent.objects.filter(action="case.bundle_built").exists()


def test_the_bundle_button_downloads_a_signed_zip(
    case_with_evidence: Case, investigator: User
) -> None:
    response = login(investigator).post(f"/console/cases/{case_with_evidence.reference}/bundle/")
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        names = set(zf.namelist())
        manifest = zf.read("SHA256SUMS").decode()
        pdfs = [zf.read(name) for name in ("case_summary.pdf", "custody_log.pdf")]
    assert {"SHA256SUMS", "SHA256SUMS.sig", "custody_log.csv", "case_summary.txt"} <= names
    assert all(pdf.startswith(b"%PDF-") for pdf in pdfs)
    assert "  case_summary.pdf\n" in manifest and "  custody_log.pdf\n" in manifest


def test_a_report_file_is_taken_by_reference(
    make_case: Callable[..., Case], investigator: User
) -> None:
    file = _report_with_image()
    report = Report.objects.get(pk=file.report_id)
    case = make_case(reports=(report,))
    login(investigator).post(
        f"/console/cases/{case.reference}/evidence/report-file/", {"file_id": file.file_id}
    )
    item = case.evidence.get()
    assert item.report_file == file and item.storage_key == "" and item.sha256 == file.sha256
    assert item.custody.get().sha256_after == file.sha256
