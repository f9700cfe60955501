"""Files are stored only by the views that take them, within limits, and nothing is left behind."""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from PIL import Image

from tipline.media.storage import EncryptedWriter
from tipline.reports.models import ReportFile

FORM = "/en/"


@pytest.fixture(autouse=True)
def _clear_rate_limits(db: Any) -> None:
    cache.clear()


def _png(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 24), (shade, 40, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def _file(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def _megabyte_files(count: int) -> list[io.BytesIO]:
    return [_file(f"f{n}.png", _png(n) + os.urandom(1024 * 1024)) for n in range(count)]


def _report_data(**extra: Any) -> dict[str, Any]:
    return {
        "incident_type": "online_enticement",
        "description": "An invented man keeps messaging an invented child.",
        **extra,
    }


def media_snapshot() -> dict[str, str]:
    """Every file and folder under the media store, with a digest of each file's bytes."""
    root = Path(settings.MEDIA_STORE_DIR)
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        )
        for path in sorted(root.rglob("*"))
    }


def test_follow_up_page_stores_no_files_even_when_rate_limited(geo: Any) -> None:
    before = media_snapshot()
    with override_settings(RATE_LIMIT_PUBLIC_PER_HOUR=1):
        client = Client()
        data = {"reference": "TL-2026-000001", "receipt_code": "x" * 20}
        assert client.post("/en/follow-up/", {**data, "f": _megabyte_files(3)}).status_code == 200
        limited = client.post("/en/follow-up/", {**data, "f": _megabyte_files(10)})
    assert limited.status_code == 429
    assert media_snapshot() == before


def test_rate_limited_report_leaves_the_media_folder_unchanged(geo: Any) -> None:
    before = media_snapshot()
    with override_settings(RATE_LIMIT_PUBLIC_PER_HOUR=1):
        Client().post(FORM, _report_data())
        limited = Client().post(FORM, _report_data(attachments=_megabyte_files(4)))
    assert limited.status_code == 429
    assert media_snapshot() == before


def test_refused_csrf_leaves_the_media_folder_unchanged(geo: Any) -> None:
    before = media_snapshot()
    client = Client(enforce_csrf_checks=True)
    client.get(FORM)
    response = client.post(
        FORM, _report_data(attachments=_megabyte_files(2), csrfmiddlewaretoken="f" * 64)
    )
    assert response.status_code == 403
    assert media_snapshot() == before


def test_invalid_form_and_honeypot_leave_the_media_folder_unchanged(geo: Any) -> None:
    before = media_snapshot()
    invalid = Client().post(
        FORM, {"incident_type": "online_enticement", "attachments": _file("a.png", _png(1))}
    )
    honeypot = Client().post(FORM, _report_data(website="x", attachments=_file("b.png", _png(2))))
    assert (invalid.status_code, honeypot.status_code) == (400, 400)
    assert media_snapshot() == before


@override_settings(PUBLIC_ATTACHMENT_MAX_TOTAL_BYTES=1024 * 1024)
def test_body_larger_than_any_report_is_refused_before_it_is_read(geo: Any) -> None:
    before = media_snapshot()
    response = Client().post(FORM, _report_data(attachments=_megabyte_files(12)))
    assert response.status_code == 413 and "at most 1 MB" in response.content.decode()
    assert media_snapshot() == before


def _new_files(before: dict[str, str]) -> int:
    return len([p for p, kind in media_snapshot().items() if kind != "dir" and p not in before])


def test_files_over_the_count_are_refused_by_name_and_the_rest_attached(geo: Any) -> None:
    before = media_snapshot()
    files = [_file(f"picture{n}.png", _png(n)) for n in range(8)]
    response = Client().post(FORM, _report_data(attachments=files), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert ReportFile.objects.count() == 5
    for n in range(5, 8):
        assert f"picture{n}.png" in page
    assert page.count("Too many files were sent at once") == 3
    assert _new_files(before) == 5


@override_settings(PUBLIC_ATTACHMENT_MAX_TOTAL_BYTES=2 * 1024 * 1024)
def test_files_past_the_total_are_refused_and_not_kept(geo: Any) -> None:
    before = media_snapshot()
    response = Client().post(FORM, _report_data(attachments=_megabyte_files(3)), follow=True)
    assert response.status_code == 200
    assert "The files together were larger than the limit" in response.content.decode()
    assert ReportFile.objects.count() == 1
    assert _new_files(before) == 1


def test_console_posts_store_no_files(lagos_report: Any, lagos_analyst: Any) -> None:
    from tipline.conftest import login

    before = media_snapshot()
    login(lagos_analyst).post(
        f"/console/queue/reports/{lagos_report.reference}/note/",
        {"body": "An invented note.", "f": _megabyte_files(2)},
    )
    assert media_snapshot() == before


def test_sweep_deletes_only_old_unreferenced_blobs(geo: Any) -> None:
    Client().post(FORM, _report_data(attachments=_file("kept.png", _png(9))))
    kept = ReportFile.objects.get().storage_key
    orphans = []
    for _ in range(2):
        writer = EncryptedWriter()
        writer.write(b"left behind by a request that died")
        orphans.append(writer.close().key)
    root = Path(settings.MEDIA_STORE_DIR)
    old = time.time() - 7200
    for key in (kept, orphans[0]):
        os.utime(root / key[:2] / key, (old, old))
    out = io.StringIO()
    call_command("media_sweep", stdout=out)
    assert "Deleted 1 " in out.getvalue()
    assert (root / kept[:2] / kept).exists()
    assert not (root / orphans[0][:2] / orphans[0]).exists()
    assert (root / orphans[1][:2] / orphans[1]).exists()  # young: its request may still run


def test_every_worker_runs_the_orphan_sweep_hourly_or_more_often() -> None:
    from django.utils.module_loading import import_string

    from tipline.media.tasks import media_sweep

    jobs = {import_string(path): every for path, every in settings.PERIODIC_JOBS}
    assert jobs.get(media_sweep, 3601) <= 3600
