"""Media in the console: blurred greyscale by default, reveal is deliberate and audited."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent, LookupEvent, LookupKind
from tipline.conftest import draft, login
from tipline.media.storage import EncryptedWriter
from tipline.pipeline.services import pipeline_run
from tipline.reports.drafts import FileDraft
from tipline.reports.models import Report, ReportFile
from tipline.reports.services import report_submit


def _report_with_image() -> ReportFile:
    image = Image.new("RGB", (300, 200), (250, 20, 20))
    for x in range(0, 300, 20):
        for y in range(200):
            image.putpixel((x, y), (0, 0, 250))
    exif = Image.Exif()
    exif[0x010F] = "InventedCamera"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    writer = EncryptedWriter()
    writer.write(buffer.getvalue())
    blob = writer.close()
    files = [
        FileDraft(
            md5=blob.md5,
            size=blob.size,
            content_type="image/jpeg",
            storage_key=blob.key,
            original_name="invented.jpg",
        )
    ]
    report = report_submit(draft=draft(files=files)).report
    pipeline_run(report_id=report.pk)
    return Report.objects.get(pk=report.pk).files.get()


def _decoded(response: Any) -> Image.Image:
    return Image.open(io.BytesIO(response.content))


def test_preview_is_blurred_greyscale_and_without_exif(lagos_analyst: User, geo: Any) -> None:
    file = _report_with_image()
    response = login(lagos_analyst).get(f"/console/media/files/{file.file_id}/preview.jpg")
    assert response.status_code == 200 and {"no-store", "private"} <= set(
        response["Cache-Control"].split(", ")
    )
    image = _decoded(response)
    assert image.mode == "L" and max(image.size) <= 256
    assert not image.getexif()
    pixels = list(image.getdata())
    assert max(pixels) - min(pixels) < 120  # the sharp red/blue stripes are smeared away


def test_full_view_needs_a_reveal_which_is_audited(lagos_analyst: User, geo: Any) -> None:
    file = _report_with_image()
    client = login(lagos_analyst)
    full = f"/console/media/files/{file.file_id}/full.jpg"
    assert client.get(full).status_code == 404
    reveal = client.post(f"/console/media/files/{file.file_id}/reveal")
    assert reveal.status_code == 302
    assert AuditEvent.objects.filter(action="media.revealed", object_id=file.file_id).exists()
    response = client.get(full)
    assert response.status_code == 200
    image = _decoded(response)
    assert image.mode == "RGB" and not image.getexif()
    reveals_and_views = LookupEvent.objects.filter(object_ref=file.report.reference)
    kinds = sorted(reveals_and_views.values_list("kind", flat=True))
    assert kinds == [LookupKind.MEDIA_REVEAL, LookupKind.MEDIA_VIEW]
    assert {e.query for e in reveals_and_views} == {file.file_id}
    assert {e.actor for e in reveals_and_views} == {lagos_analyst}


def test_preference_opens_unblurred_and_is_audited(lagos_analyst: User, geo: Any) -> None:
    file = _report_with_image()
    client = login(lagos_analyst)
    client.post("/console/media/preferences/media", {"reveal_by_default": "1"})
    lagos_analyst.refresh_from_db()
    assert lagos_analyst.media_reveal_default is True
    assert client.get(f"/console/media/files/{file.file_id}/full.jpg").status_code == 200
    assert AuditEvent.objects.filter(action="media.preference_changed").exists()


def test_outsider_gets_404_for_media_of_another_command(kano_analyst: User, geo: Any) -> None:
    file = _report_with_image()
    client = login(kano_analyst)
    for path in ("preview.jpg", "full.jpg"):
        assert client.get(f"/console/media/files/{file.file_id}/{path}").status_code == 404
    assert client.post(f"/console/media/files/{file.file_id}/reveal").status_code == 404
    assert not AuditEvent.objects.filter(action="media.revealed").exists()
    assert not LookupEvent.objects.exists()  # refused, so nothing was looked at


def test_hash_only_file_shows_no_picture(lagos_analyst: User, geo: Any) -> None:
    report = report_submit(draft=draft(files=[FileDraft(md5="e" * 32)])).report
    pipeline_run(report_id=report.pk)
    file = report.files.get()
    client = login(lagos_analyst)
    assert client.get(f"/console/media/files/{file.file_id}/preview.jpg").status_code == 404
    page = client.get(f"/console/reports/{report.reference}/").content.decode()
    assert "Hash only" in page and "preview.jpg" not in page


def test_report_page_shows_blurred_preview_and_reveal_button(lagos_analyst: User, geo: Any) -> None:
    file = _report_with_image()
    page = login(lagos_analyst).get(f"/console/reports/{file.report.reference}/")
    text = page.content.decode()
    assert f"/console/media/files/{file.file_id}/preview.jpg" in text
    assert "Reveal this image" in text and "full.jpg" not in text
