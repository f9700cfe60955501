"""The upload paths on both stores: the public form and the /ispws upload API write encrypted
blobs to the configured store, a directory or a bucket on SeaweedFS, and leave nothing behind
what they refuse; with the store down the answer names the media store, not the database."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from PIL import Image

from tipline.accounts.choices import ClientKind, Scope
from tipline.accounts.services import api_client_create
from tipline.common.outage import DatabaseOutageMiddleware
from tipline.intake.models import IspwsFile
from tipline.media.s3 import S3Store
from tipline.media.storage import (
    MAGIC,
    BlobStore,
    FilesystemStore,
    StorageUnavailable,
    default_store,
    read_decrypted,
)
from tipline.media.tests.seaweed import dead_endpoint
from tipline.reports.models import Report

ISPWS_REPORT = (
    Path(__file__).parents[2] / "intake" / "tests" / "ispws" / "fixtures" / "report-minimal.xml"
)
ESP_PASSWORD = "an-invented-esp-password"


@pytest.fixture(params=["filesystem", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path, settings: Any, db: Any) -> BlobStore:
    """The configured store, once as a directory and once as a bucket prefix on SeaweedFS."""
    cache.clear()  # the public form's rate limit
    if request.param == "s3":
        request.getfixturevalue("s3_settings")
    else:
        settings.MEDIA_STORE = ""
        settings.MEDIA_STORE_DIR = tmp_path / "media"
    configured = default_store()
    assert isinstance(configured, S3Store if request.param == "s3" else FilesystemStore)
    return configured


def _png(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (shade, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _named(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def _public_post(*files: io.BytesIO) -> Any:
    data = {
        "incident_type": "online_enticement",
        "description": "An invented man keeps messaging an invented 13-year-old.",
        "state": "LA",
        "attachments": list(files),
    }
    return Client().post("/en/", data, follow=True)


def _stored_keys(store: BlobStore) -> set[str]:
    return set(store.keys_older_than(float("inf")))


def _assert_encrypted_at_rest(store: BlobStore, key: str, content: bytes) -> None:
    """The store holds our ciphertext (magic, no run of the plain bytes); it decrypts back."""
    with store.open_read(key) as handle:
        raw = handle.read()
    assert raw.startswith(MAGIC)
    assert content[16:80] not in raw
    assert b"".join(read_decrypted(key, store=store)) == content


def test_the_public_form_stores_its_files_encrypted_in_the_configured_store(
    store: BlobStore, geo: Any
) -> None:
    pictures = [_png(200), _png(90)]
    response = _public_post(_named("one.png", pictures[0]), _named("two.png", pictures[1]))
    assert response.status_code == 200
    files = {f.original_name: f for f in Report.objects.get().files.all()}
    assert _stored_keys(store) == {f.storage_key for f in files.values()}
    for name, content in zip(["one.png", "two.png"], pictures, strict=True):
        _assert_encrypted_at_rest(store, files[name].storage_key, content)


def test_a_refused_file_leaves_nothing_in_the_store(store: BlobStore, geo: Any) -> None:
    lying = _named("photo.jpg", b"MZ\x90\x00 this is not an image at all" * 100)
    response = _public_post(lying, _named("real.png", _png(10)))
    assert "not an image, video or document" in response.content.decode()
    kept = Report.objects.get().files.get()
    assert _stored_keys(store) == {kept.storage_key}


class _Esp:
    """A CyberTipline client: Basic auth, XML bodies, a multipart upload."""

    def __init__(self) -> None:
        api_client_create(
            name="esp",
            kind=ClientKind.PLATFORM,
            scopes=[Scope.ISPWS],
            ispws_username="esp",
            ispws_password=ESP_PASSWORD,
        )
        token = base64.b64encode(f"esp:{ESP_PASSWORD}".encode()).decode()
        self.http = Client(HTTP_AUTHORIZATION=f"Basic {token}")

    def open_report(self) -> str:
        body = ISPWS_REPORT.read_bytes()
        answer = self.http.post("/ispws/submit", data=body, content_type="text/xml")
        return _tag(answer, "reportId")

    def upload(self, report_id: str, content: bytes) -> Any:
        return self.http.post("/ispws/upload", {"id": report_id, "file": _named("e.png", content)})


def _tag(response: Any, tag: str) -> str:
    found = re.search(rf"<{tag}>([^<]+)</{tag}>".encode(), response.content)
    assert found, response.content
    return found.group(1).decode()


def test_the_ispws_upload_api_stores_the_file_encrypted_in_the_configured_store(
    store: BlobStore, geo: Any
) -> None:
    esp = _Esp()
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 400
    file_id = _tag(esp.upload(esp.open_report(), content), "fileId")
    stored = IspwsFile.objects.get(file_id=file_id)
    assert _stored_keys(store) == {stored.storage_key}
    _assert_encrypted_at_rest(store, stored.storage_key, content)


def test_an_api_upload_while_the_store_is_down_names_the_media_store_and_stores_nothing(
    s3_settings: str, settings: Any, geo: Any
) -> None:
    esp = _Esp()
    report_id = esp.open_report()
    live = default_store()
    settings.S3_ENDPOINT = dead_endpoint()
    response = esp.upload(report_id, _png(40))
    assert response.status_code == 503 and response["Retry-After"]
    assert _tag(response, "responseCode") == "1000"
    assert "the media store cannot be reached" in _tag(response, "responseDescription")
    assert "database" not in response.content.decode()
    assert not IspwsFile.objects.exists()
    assert _stored_keys(live) == set()


def _store_down(request: HttpRequest) -> HttpResponse:
    raise AssertionError("answered by process_exception")


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/api/v1/reports", "The media store cannot be reached"),
        ("/console/reports/", "The media store cannot be reached just now"),
    ],
)
def test_the_outage_answers_name_the_media_store_when_it_is_the_store(path: str, says: str) -> None:
    middleware = DatabaseOutageMiddleware(_store_down)
    request = RequestFactory().post(path)
    answer = middleware.process_exception(request, StorageUnavailable("down"))
    assert isinstance(answer, HttpResponse) and answer.status_code == 503
    text = answer.content.decode()
    assert says in text and "database" not in text
    if path.startswith("/api/"):
        assert answer["Content-Type"] == "application/problem+json"
        assert text.count("media-store-unavailable") == 1
