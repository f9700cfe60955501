"""The /ispws endpoints over HTTP: every endpoint and every response code the platform produces."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tipline.accounts.choices import ClientKind, Scope
from tipline.accounts.models import ApiClient
from tipline.accounts.services import api_client_create
from tipline.intake.ispws.services import ispws_expire_abandoned
from tipline.intake.models import IspwsFile, IspwsOpenReport
from tipline.media.storage import default_store, read_decrypted
from tipline.reports.models import Report

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
PASSWORD = "an-invented-esp-password"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def golden(name: str, **values: object) -> bytes:
    return (GOLDEN / name).read_text().strip().format(**values).encode("iso-8859-1")


def _client(db: Any, name: str = "esp", scopes: tuple[str, ...] = (Scope.ISPWS,)) -> ApiClient:
    return api_client_create(
        name=name,
        kind=ClientKind.PLATFORM,
        scopes=list(scopes),
        ispws_username=name,
        ispws_password=PASSWORD,
    ).client


class Esp:
    """A CyberTipline client as platforms write them: Basic auth, XML bodies, form posts."""

    def __init__(self, username: str, password: str = PASSWORD) -> None:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.http = Client(HTTP_AUTHORIZATION=f"Basic {token}")

    def submit(self, body: bytes, content_type: str = "text/xml; charset=utf-8") -> Any:
        return self.http.post("/ispws/submit", data=body, content_type=content_type)

    def upload(self, report_id: object, content: bytes, name: str = "file.bin") -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.http.post(
            "/ispws/upload", {"id": str(report_id), "file": SimpleUploadedFile(name, content)}
        )

    def fileinfo(self, report_id: object, file_id: str, extra: str = "") -> Any:
        body = (
            f"<fileDetails><reportId>{report_id}</reportId><fileId>{file_id}</fileId>"
            f"{extra}</fileDetails>"
        ).encode()
        return self.http.post("/ispws/fileinfo", data=body, content_type="application/xml")

    def form(self, action: str, report_id: object, multipart: bool = False) -> Any:
        if multipart:
            return self.http.post(f"/ispws/{action}", {"id": str(report_id)})
        return self.http.post(
            f"/ispws/{action}",
            data=f"id={report_id}",
            content_type="application/x-www-form-urlencoded",
        )


def code_of(response: Any) -> int:
    match = re.search(rb"<responseCode>(\d+)</responseCode>", response.content)
    assert match, response.content
    return int(match.group(1))


def id_of(response: Any, tag: str = "reportId") -> str:
    match = re.search(rf"<{tag}>([^<]+)</{tag}>".encode(), response.content)
    assert match, response.content
    return match.group(1).decode()


@pytest.fixture
def esp(db: Any, geo: Any) -> Esp:
    _client(db)
    return Esp("esp")


def test_every_response_is_latin1_xml_with_a_request_id(esp: Esp) -> None:
    for response in (
        esp.http.get("/ispws/status"),
        Client().get("/ispws/status"),
        esp.submit(b"<nope"),
    ):
        assert response["Content-Type"] == "application/xml;charset=ISO-8859-1"
        assert re.fullmatch(r"[0-9a-f]{32}", response["Request-ID"])
        assert response.content.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')


def test_status_names_the_user_and_address(esp: Esp) -> None:
    response = esp.http.get("/ispws/status")
    assert response.status_code == 200
    assert response.content == golden("status.xml", user="esp")


@pytest.mark.parametrize("auth", [None, "Basic bm9wZQ==", "Bearer x", "Basic !!!"])
def test_missing_or_wrong_credentials_are_401_with_2000(esp: Esp, auth: str | None) -> None:
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": auth} if auth else {}
    response = Client(**headers).post(
        "/ispws/submit", data=fixture("report-minimal.xml"), content_type="text/xml"
    )
    assert response.status_code == 401 and code_of(response) == 2000
    assert response["WWW-Authenticate"].startswith("Basic realm=")
    assert not IspwsOpenReport.objects.exists()


def test_wrong_password_is_refused(esp: Esp) -> None:
    response = Esp("esp", "not-the-password").http.get("/ispws/status")
    assert response.status_code == 401 and code_of(response) == 2000


def test_client_without_ispws_scope_gets_3100(db: Any, geo: Any) -> None:
    _client(db, "jsononly", scopes=(Scope.REPORTS_SUBMIT,))
    response = Esp("jsononly").submit(fixture("report-minimal.xml"))
    assert response.status_code == 403 and code_of(response) == 3100


def test_xsd_is_served(db: Any) -> None:
    response = Client().get("/ispws/xsd")
    assert response.status_code == 200 and b"<xs:schema" in response.content


@pytest.mark.parametrize(
    "content_type", ["text/xml", "text/xml; charset=UTF-8", "application/xml", "text/plain"]
)
def test_submit_accepts_every_content_type(esp: Esp, content_type: str) -> None:
    response = esp.submit(fixture("report-minimal.xml"), content_type)
    assert response.status_code == 200
    report_id = id_of(response)
    assert response.content == golden("submit.xml", report_id=report_id)


@pytest.mark.parametrize(
    "name",
    [
        "accept-bom-and-whitespace.xml",
        "accept-iso-8859-1.xml",
        "accept-no-declaration.xml",
        "accept-single-quoted-declaration.xml",
        "accept-xsi-attributes.xml",
        "report-maximal.xml",
    ],
)
def test_submit_accepts_the_document_variants(esp: Esp, name: str) -> None:
    assert code_of(esp.submit(fixture(name))) == 0


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("reject-malformed.xml", 4110),
        ("reject-xxe.xml", 4110),
        ("reject-billion-laughs.xml", 4110),
        ("reject-external-dtd.xml", 4110),
        ("reject-out-of-order.xml", 4100),
        ("reject-missing-email.xml", 4100),
        ("reject-bad-enum.xml", 4100),
        ("reject-platform-too-long.xml", 4100),
        ("reject-future-incident.xml", 4100),
        ("reject-false-annotation.xml", 4100),
    ],
)
def test_bad_documents_are_refused_and_store_nothing(esp: Esp, name: str, code: int) -> None:
    response = esp.submit(fixture(name))
    assert response.status_code == 400 and code_of(response) == code
    assert not IspwsOpenReport.objects.exists()


def test_validation_message_names_line_column_and_expectation(esp: Esp) -> None:
    response = esp.submit(fixture("reject-out-of-order.xml"))
    assert re.search(rb"Validation failed \[\d+,\d+\] - .*is expected", response.content)


def test_deep_nesting_is_refused_and_the_server_stays_up(esp: Esp) -> None:
    deep = b"<report>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</report>"
    assert code_of(esp.submit(deep)) in (4100, 4110)
    assert code_of(esp.http.get("/ispws/status")) == 0


def test_oversized_document_is_413_with_4100(esp: Esp) -> None:
    big = b"<report><additionalInfo>" + b"x" * (5 * 1024 * 1024) + b"</additionalInfo></report>"
    response = esp.submit(big)
    assert response.status_code == 413 and code_of(response) == 4100
    assert not IspwsOpenReport.objects.exists()


def _open(esp: Esp) -> str:
    return id_of(esp.submit(fixture("report-minimal.xml")))


def test_upload_answers_file_id_and_md5_of_the_bytes(esp: Esp) -> None:
    report_id = _open(esp)
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 400
    response = esp.upload(report_id, content, "evidence.png")
    file_id = id_of(response, "fileId")
    md5 = hashlib.md5(content).hexdigest()  # noqa: S324  # the wire format's own hash
    assert response.content == golden("upload.xml", report_id=report_id, file_id=file_id, md5=md5)
    stored = IspwsFile.objects.get(file_id=file_id)
    assert b"".join(read_decrypted(stored.storage_key)) == content
    with default_store().open_read(stored.storage_key) as handle:
        assert bytes(range(256)) not in handle.read()


def test_upload_needs_exactly_one_file(esp: Esp) -> None:
    report_id = _open(esp)
    response = esp.http.post("/ispws/upload", {"id": report_id})
    assert code_of(response) == 4000


def test_fileinfo_for_a_known_and_an_unknown_file(esp: Esp) -> None:
    report_id = _open(esp)
    file_id = id_of(esp.upload(report_id, b"some bytes"), "fileId")
    response = esp.fileinfo(report_id, file_id, "<fileViewedByEsp>true</fileViewedByEsp>")
    assert response.content == golden("fileinfo.xml", report_id=report_id, file_id=file_id)
    assert code_of(esp.fileinfo(report_id, "f" * 32)) == 5002


def test_fileinfo_is_validated(esp: Esp) -> None:
    report_id = _open(esp)
    file_id = id_of(esp.upload(report_id, b"x"), "fileId")
    bad = esp.fileinfo(report_id, file_id, "<industryClassification>Z9</industryClassification>")
    assert code_of(bad) == 4100


@pytest.mark.parametrize("multipart", [False, True])
def test_finish_turns_the_open_report_into_a_platform_report(esp: Esp, multipart: bool) -> None:
    report_id = _open(esp)
    file_id = id_of(esp.upload(report_id, b"\xff\xd8\xff\xe0 invented bytes"), "fileId")
    esp.fileinfo(report_id, file_id, "<fileViewedByEsp>true</fileViewedByEsp>")
    response = esp.form("finish", report_id, multipart)
    assert response.content == golden("finish.xml", report_id=report_id, file_id=file_id)
    report = Report.objects.get()
    assert report.channel == "ispws" and report.external_id == report_id
    stored = report.files.get()
    assert stored.file_id == file_id and stored.viewed_by_platform is True
    assert report.incident_type == "child_pornography"


def test_finish_without_files_answers_empty_files(esp: Esp) -> None:
    report_id = _open(esp)
    response = esp.form("finish", report_id)
    assert response.content == golden("finish-no-files.xml", report_id=report_id)


def test_after_finish_everything_answers_5102(esp: Esp) -> None:
    report_id = _open(esp)
    esp.form("finish", report_id)
    assert code_of(esp.upload(report_id, b"late")) == 5102
    assert code_of(esp.fileinfo(report_id, "a" * 32)) == 5102
    assert code_of(esp.form("retract", report_id)) == 5102
    assert code_of(esp.form("finish", report_id)) == 5102
    assert Report.objects.count() == 1


def test_retract_discards_and_then_answers_5101(
    esp: Esp, django_capture_on_commit_callbacks: Any
) -> None:
    report_id = _open(esp)
    esp.upload(report_id, b"to be discarded")
    key = IspwsFile.objects.get().storage_key
    with django_capture_on_commit_callbacks(execute=True):
        response = esp.form("retract", report_id)
    assert response.content == golden("retract.xml", report_id=report_id)
    assert not default_store().exists(key)
    assert code_of(esp.upload(report_id, b"late")) == 5101
    assert code_of(esp.form("finish", report_id)) == 5101
    assert not Report.objects.exists()


def test_outsider_gets_5001_exactly_like_a_missing_report(esp: Esp, db: Any) -> None:
    report_id = _open(esp)
    _client(db, "other")
    other = Esp("other")
    for response in (
        other.upload(report_id, b"x"),
        other.form("finish", report_id),
        other.form("retract", report_id),
        other.fileinfo(report_id, "a" * 32),
    ):
        assert code_of(response) == 5001
        assert response.content == other.form("finish", 999_999).content
    assert code_of(other.form("finish", "not-a-number")) == 5001
    assert not IspwsFile.objects.exists() and not Report.objects.exists()


def test_wrong_method_is_4000_405(esp: Esp) -> None:
    response = esp.http.get("/ispws/submit")
    assert response.status_code == 405 and code_of(response) == 4000


def test_abandoned_reports_expire_after_both_limits(
    esp: Esp, django_capture_on_commit_callbacks: Any
) -> None:
    old, fresh = _open(esp), _open(esp)
    esp.upload(old, b"abandoned")
    key = IspwsFile.objects.get().storage_key
    opened = IspwsOpenReport.objects.get(pk=old)
    now = opened.opened_at + timedelta(hours=24, minutes=1)
    IspwsOpenReport.objects.filter(pk=fresh).update(
        opened_at=now - timedelta(hours=2), last_change_at=now - timedelta(hours=2)
    )
    IspwsOpenReport.objects.filter(pk=old).update(last_change_at=now - timedelta(minutes=30))
    assert ispws_expire_abandoned(now=now) == 0  # changed 30 minutes ago: kept
    IspwsOpenReport.objects.filter(pk=old).update(last_change_at=now - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert ispws_expire_abandoned(now=now) == 1  # the fresh one is not 24 h old
    assert IspwsOpenReport.objects.get(pk=old).state == "expired"
    assert not default_store().exists(key)
    assert code_of(esp.form("finish", old)) == 5001


def test_upload_and_fileinfo_count_as_changes_and_expired_reports_refuse_them(
    esp: Esp, django_capture_on_commit_callbacks: Any
) -> None:
    report_id = _open(esp)
    long_ago = IspwsOpenReport.objects.get(pk=report_id).opened_at - timedelta(hours=30)
    IspwsOpenReport.objects.filter(pk=report_id).update(last_change_at=long_ago)
    file_id = id_of(esp.upload(report_id, b"bytes"), "fileId")
    uploaded = IspwsOpenReport.objects.get(pk=report_id).last_change_at
    assert uploaded > long_ago
    IspwsOpenReport.objects.filter(pk=report_id).update(last_change_at=long_ago)
    esp.fileinfo(report_id, file_id, "<fileViewedByEsp>true</fileViewedByEsp>")
    assert IspwsOpenReport.objects.get(pk=report_id).last_change_at > long_ago
    assert IspwsFile.objects.get(file_id=file_id).details_xml.startswith("<fileDetails>")
    IspwsOpenReport.objects.filter(pk=report_id).update(opened_at=long_ago, last_change_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert ispws_expire_abandoned() == 1
    assert code_of(esp.upload(report_id, b"late")) == 5001
    assert code_of(esp.fileinfo(report_id, file_id)) == 5001
    assert IspwsFile.objects.count() == 1  # the refused upload stored nothing
