"""A holder's answer to a legal request comes as the holder keeps it: CSV call records, text,
JSON, spreadsheets, ZIP. The evidence upload takes those types for an answer only, decides each
by its bytes, and refuses a file whose name lies about its type without storing anything."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tipline.accounts.models import User
from tipline.cases.models import Case, EvidenceItem, LegalRequest
from tipline.cases.services.legal import legal_request_draft, legal_request_transition
from tipline.cases.uploads import JSON, EvidenceUploadHandler
from tipline.cases.uploads import XLSX as XLSX_TYPE
from tipline.conftest import login
from tipline.media.storage import default_store
from tipline.media.uploads import EncryptedUpload

CDR = (
    b"msisdn,other_party,direction,started_at,seconds\n"
    b"2348031234567,2348059876543,out,2026-01-05T10:01:00Z,64\n"
    b"2348031234567,2348059876543,in,2026-01-05T11:17:00Z,12\n"
)


def _zip(*entries: tuple[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries:
            archive.writestr(name, text)
    return buffer.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 30)).save(out, "PNG")
    return out.getvalue()


XLSX = _zip(("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>"))

ACCEPTED = {
    "calls.csv": (CDR, "text/csv"),
    "calls.tsv": (CDR.replace(b",", b"\t"), "text/csv"),
    "statement-latin1.csv": (
        "name,amount\r\nAdébáyò Invented,5000\r\n".encode("latin-1"),
        "text/csv",
    ),
    "subscriber.txt": (b"Subscriber: Invented Person\nRegistered: 2025-03-01\n", "text/plain"),
    "export.json": (b'\xef\xbb\xbf{"account": "invented_account", "logins": []}', JSON),
    "statement.xlsx": (XLSX, XLSX_TYPE),
    "package.zip": (_zip(("messages.csv", "a,b\n")), "application/zip"),
}
LIES = {
    "a PNG named .csv": ("calls.csv", _png()),
    "a binary named .csv": ("calls.csv", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8),
    "CSV for 9 KB, then binary": ("calls.csv", CDR * 80 + b"\x00\x01\x02\x03" * 64),
    "a ZIP named .csv": ("calls.csv", _zip(("x.txt", "x"))),
    "text named .json that is not JSON": ("export.json", b"Invented, not JSON\n"),
    "a CSV named .xlsx": ("statement.xlsx", CDR),
    "an empty file named .csv": ("calls.csv", b""),
}


@pytest.fixture
def sent(make_case: Callable[..., Case], investigator: User) -> LegalRequest:
    drafted = legal_request_draft(
        case=make_case(),
        kind="production",
        identifier_kind="phone",
        value="08031234567",
        actor=investigator,
    )
    return legal_request_transition(request=drafted, to="sent", actor=investigator)


def _answer(client: Client, req: LegalRequest, name: str, content: bytes, **extra: int) -> str:
    upload = SimpleUploadedFile(name, content, content_type="text/csv")  # what the client says
    response = client.post(
        f"/console/cases/{req.case.reference}/evidence/upload/",
        {"file": upload, **extra},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", ACCEPTED)
def test_the_holders_files_are_taken_as_the_answer(
    sent: LegalRequest, investigator: User, name: str
) -> None:
    content, _ = ACCEPTED[name]
    page = _answer(login(investigator), sent, name, content, legal_request=sent.number)
    item = EvidenceItem.objects.get()
    sent.refresh_from_db()
    assert item.legal_request == sent and sent.status == "responded"
    assert item.sha256 == hashlib.sha256(content).hexdigest() and item.original_name == name
    assert "taken into evidence as the answer" in page
    with default_store().open_read(item.storage_key) as stored:
        assert content not in stored.read()  # encrypted at rest like every upload


def _handled(name: str, content: bytes) -> EncryptedUpload:
    """The handler fed as Django feeds it, in chunks (small ones, so the checks span several)."""
    handler = EvidenceUploadHandler()
    handler.new_file("file", name, "text/csv", len(content))
    for start in range(0, len(content), 1024):
        handler.receive_data_chunk(content[start : start + 1024], start)
    upload = handler.file_complete(len(content))
    if upload.blob is not None:
        default_store().delete(upload.blob.key)
    return upload


@pytest.mark.parametrize("name", ACCEPTED)
def test_each_answer_type_is_read_from_the_bytes(name: str) -> None:
    content, expected = ACCEPTED[name]
    upload = _handled(name, content)
    assert (upload.sniffed, upload.error) == (expected, "")


@pytest.mark.parametrize("lie", LIES)
def test_the_handler_refuses_every_lie(lie: str) -> None:
    upload = _handled(*LIES[lie])
    assert upload.blob is None and upload.error


@pytest.mark.parametrize("lie", LIES)
def test_a_file_whose_name_lies_about_its_type_is_refused_and_not_stored(
    sent: LegalRequest, investigator: User, lie: str
) -> None:
    name, content = LIES[lie]
    before = set(default_store().keys_older_than(float("inf")))
    page = _answer(login(investigator), sent, name, content, legal_request=sent.number)
    assert "was not taken" in page
    assert not EvidenceItem.objects.exists()
    assert set(default_store().keys_older_than(float("inf"))) == before
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_the_refusal_says_what_the_bytes_are(sent: LegalRequest, investigator: User) -> None:
    page = _answer(login(investigator), sent, "calls.csv", _png(), legal_request=sent.number)
    assert "named .csv but its bytes are image/png" in page


@pytest.mark.parametrize("name", ["calls.csv", "package.zip"])
def test_an_answers_type_is_refused_as_ordinary_evidence(
    sent: LegalRequest, investigator: User, name: str
) -> None:
    before = set(default_store().keys_older_than(float("inf")))
    page = _answer(login(investigator), sent, name, ACCEPTED[name][0])
    assert "taken only as a request&#x27;s answer" in page
    assert not EvidenceItem.objects.exists()
    assert set(default_store().keys_older_than(float("inf"))) == before


@pytest.mark.parametrize("who", ["colleague", "kano_analyst"])
def test_outsiders_cannot_answer_a_request(
    sent: LegalRequest, who: str, request: pytest.FixtureRequest
) -> None:
    before = set(default_store().keys_older_than(float("inf")))
    response = login(request.getfixturevalue(who)).post(
        f"/console/cases/{sent.case.reference}/evidence/upload/",
        {"file": SimpleUploadedFile("calls.csv", CDR), "legal_request": sent.number},
    )
    assert response.status_code == 404 and not EvidenceItem.objects.exists()
    assert set(default_store().keys_older_than(float("inf"))) == before
