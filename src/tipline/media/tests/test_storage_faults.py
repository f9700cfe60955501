"""Faults of the object store: down during an upload or a pipeline step; a missing blob."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from PIL import Image

from tipline.accounts.models import User
from tipline.conftest import draft, login
from tipline.media.s3 import S3Store
from tipline.media.storage import EncryptedWriter, default_store
from tipline.media.tests.seaweed import SeaweedServer, dead_endpoint
from tipline.pipeline.choices import Step, StepStatus
from tipline.pipeline.models import StepRun
from tipline.pipeline.services import pipeline_run
from tipline.reports.drafts import FileDraft
from tipline.reports.models import Report, ReportFile
from tipline.reports.services import report_submit


@pytest.fixture(autouse=True)
def _clear_rate_limits(db: Any) -> None:
    cache.clear()


def _png() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (64, 64), (200, 30, 30))
    for x in range(0, 64, 8):
        for y in range(64):
            image.putpixel((x, y), (0, 0, 250))
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _objects(store: S3Store) -> list[str]:
    listed = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix)
    uploads = store.client.list_multipart_uploads(Bucket=store.bucket, Prefix=store.prefix)
    return [o["Key"] for o in listed.get("Contents", [])] + [
        u["Key"] for u in uploads.get("Uploads", [])
    ]


def _report_with_image() -> Report:
    writer = EncryptedWriter()
    writer.write(_png())
    blob = writer.close()
    files = [
        FileDraft(
            md5=blob.md5,
            size=blob.size,
            content_type="image/png",
            storage_key=blob.key,
            original_name="a.png",
        )
    ]
    return report_submit(draft=draft(files=files)).report


def test_an_upload_while_the_store_is_down_is_a_clear_503_and_stores_nothing(
    s3_settings: str, settings: Any, geo: Any
) -> None:
    live = default_store()
    assert isinstance(live, S3Store)
    settings.S3_ENDPOINT = dead_endpoint()
    picture = io.BytesIO(_png())
    picture.name = "picture.png"
    data = {
        "incident_type": "online_enticement",
        "description": "An invented man keeps messaging an invented 13-year-old.",
        "state": "LA",
        "attachments": [picture],
    }
    response = Client().post("/en/", data)
    assert response.status_code == 503 and response["Retry-After"]
    assert "try again" in response.content.decode().lower()
    assert not Report.objects.exists()
    assert _objects(live) == []


def test_a_pipeline_step_fails_while_the_store_is_down_and_succeeds_when_retried(
    s3_settings: str, settings: Any, geo: Any
) -> None:
    report = _report_with_image()
    live_endpoint = settings.S3_ENDPOINT
    settings.S3_ENDPOINT = dead_endpoint()
    pipeline_run(report_id=report.pk)
    run = StepRun.objects.get(report=report, step=Step.MEDIA)
    assert run.status == StepStatus.FAILED and run.attempts == 1
    assert "object store cannot be reached" in run.error
    settings.S3_ENDPOINT = live_endpoint
    pipeline_run(report_id=report.pk, only={Step.MEDIA}, force=True)
    run.refresh_from_db()
    assert run.status == StepStatus.DONE and run.attempts == 2
    assert ReportFile.objects.get(report=report).pdq


@pytest.mark.parametrize("kind", ["filesystem", "s3"])
def test_a_missing_blob_is_reported_and_never_crashes_a_page(
    kind: str, request: pytest.FixtureRequest, lagos_analyst: User, settings: Any, geo: Any
) -> None:
    if kind == "s3":
        request.getfixturevalue("s3_settings")
    report = _report_with_image()
    file = report.files.get()
    default_store().delete(file.storage_key)
    pipeline_run(report_id=report.pk)
    assert StepRun.objects.get(report=report, step=Step.MEDIA).status == StepStatus.DONE
    file.refresh_from_db()
    assert file.details["pdq_error"].startswith("blob missing")
    client = login(lagos_analyst)
    preview = client.get(f"/console/media/files/{file.file_id}/preview.jpg")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    assert client.get(f"/console/reports/{report.reference}/").status_code == 200


def test_the_test_server_is_loopback_only(s3_server: SeaweedServer) -> None:
    assert s3_server.endpoint.startswith("http://127.0.0.1:")
