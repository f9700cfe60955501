"""Hostile files through the real paths: uploaded over /ispws (which stores any type, as platforms
report whatever was shared), then processed by the pipeline's batch entry point.

Every file is made here: a decompression-bomb PNG, a truncated JPEG, a video whose timestamps lie
about its length, a zip bomb, an empty file and an HTML page named `.jpg`. Each must end stored as
an opaque file (digests, no pixels) or hashed within its limits; the report keeps everything
else, its media step is recorded as done, and the worker goes on to the next report.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

import av
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tipline.accounts.choices import ClientKind, Scope
from tipline.accounts.services import api_client_create
from tipline.media import hashing, previews
from tipline.pipeline.choices import StepStatus
from tipline.pipeline.models import StepRun
from tipline.pipeline.services import pipeline_process_due
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report, ReportFile

PASSWORD = "an-invented-esp-password"
REPORT_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><report><incidentSummary>'
    b"<incidentType>Child Pornography (possession, manufacture, and distribution)</incidentType>"
    b"<incidentDateTime>2024-05-01T12:00:00Z</incidentDateTime></incidentSummary>"
    b"<reporter><reportingPerson><firstName>Invented</firstName><lastName>Reporter</lastName>"
    b"<email>invented@example.test</email></reportingPerson></reporter></report>"
)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int = 20_000) -> bytes:
    """A valid 1-bit PNG of side x side pixels (400 megapixels by default) in a few dozen KB:
    its rows of zeros are compressed as they are made, never held whole."""
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte, then the packed pixels
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    """A real photo-sized JPEG of noise, cut off halfway through its scan."""
    pixels = np.random.default_rng(5).integers(0, 255, (600, 800, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=90)
    data = out.getvalue()
    return data[: len(data) // 2]


def lying_video(frames: int = 120) -> bytes:
    """An MP4 whose frames are all stamped within a few milliseconds: it claims almost no length
    while holding `frames` frames, so a sampler that trusts timestamps decodes them all."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        # 60,000 frames a second (MPEG-4's finest clock): 120 frames last two milliseconds.
        stream = container.add_stream("mpeg4", rate=60_000)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        rng = np.random.default_rng(9)
        for _ in range(frames):
            pixels = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(stream.encode(None))
    return out.getvalue()


def zip_bomb(megabytes: int = 64) -> bytes:
    """A zip whose one member inflates to `megabytes` MB of zeros, written chunk by chunk."""
    out = io.BytesIO()
    archive = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9)
    with archive, archive.open("payload.bin", "w", force_zip64=True) as member:
        for _ in range(megabytes):
            member.write(b"\x00" * (1 << 20))
    return out.getvalue()


HOSTILE: dict[str, Callable[[], bytes]] = {
    "bomb.png": bomb_png,
    "truncated.jpg": truncated_jpeg,
    "lying.mp4": lying_video,
    "bomb.zip": zip_bomb,
    "empty.jpg": lambda: b"",
    "page.jpg": lambda: b"<!doctype html><html><script>alert(1)</script><p>hi</p></html>",
}


class Esp:
    """A CyberTipline client: Basic auth, XML documents, one multipart file per upload."""

    def __init__(self) -> None:
        token = base64.b64encode(f"esp:{PASSWORD}".encode()).decode()
        self.http = Client(HTTP_AUTHORIZATION=f"Basic {token}")

    def report(self, files: dict[str, bytes]) -> Report:
        opened = self.http.post("/ispws/submit", data=REPORT_XML, content_type="text/xml")
        report_id = _tag(opened, "reportId")
        for name, content in files.items():
            upload = SimpleUploadedFile(name, content)
            answer = self.http.post("/ispws/upload", {"id": report_id, "file": upload})
            assert _tag(answer, "responseCode") == "0", answer.content
            assert _tag(answer, "hash") == hashlib.md5(content, usedforsecurity=False).hexdigest()
        finished = self.http.post("/ispws/finish", {"id": report_id})
        assert _tag(finished, "responseCode") == "0", finished.content
        return Report.objects.get(external_id=report_id)


def _tag(response: Any, tag: str) -> str:
    match = re.search(rf"<{tag}>([^<]*)</{tag}>".encode(), response.content)
    assert match, response.content
    return match.group(1).decode()


@pytest.fixture
def esp(geo: Any) -> Esp:
    api_client_create(
        name="Invented Platform",
        kind=ClientKind.PLATFORM,
        scopes=[Scope.ISPWS],
        ispws_username="esp",
        ispws_password=PASSWORD,
    )
    return Esp()


@pytest.fixture
def small_decode_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """Lower the decoded-frame limit so a test video reaches it in a fraction of a second."""
    monkeypatch.setattr(hashing, "VIDEO_MAX_DECODED_FRAMES", 40)
    return 40


def _media_run(report: Report) -> StepRun:
    return StepRun.objects.get(report=report, step="media")


def test_hostile_files_end_opaque_and_the_worker_goes_on(esp: Esp, small_decode_limit: int) -> None:
    made = {name: make() for name, make in HOSTILE.items()}
    hostile = esp.report(made)
    honest = esp.report({"honest.png": _honest_png()})

    outcomes = pipeline_process_due(size=10)

    assert set(outcomes) == {hostile.pk, honest.pk}
    assert all(outcome.done for outcome in outcomes.values()), outcomes
    for report in (hostile, honest):
        report.refresh_from_db()
        assert report.status == ReportStatus.AWAITING_TRIAGE and not report.needs_attention
        assert _media_run(report).status == StepStatus.DONE
    files = {f.original_name: f for f in ReportFile.objects.filter(report=hostile)}
    assert set(files) == set(made)  # every file kept, each with the digests of what was sent
    for name, content in made.items():
        assert files[name].sha256 == hashlib.sha256(content).hexdigest()
        assert files[name].size == len(content)
    _assert_opaque(files, "bomb.png", "pixels")
    _assert_opaque(files, "truncated.jpg", "truncated")
    for name in ("bomb.zip", "empty.jpg", "page.jpg"):  # sniffed as no image at all
        assert files[name].sniffed_type not in ("image/jpeg", "image/png"), name
        assert not files[name].pdq and not files[name].details, name
    video = files["lying.mp4"]
    assert video.details["frames_decoded"] == small_decode_limit
    assert video.details["frames_complete"] is False and video.pdq
    assert ReportFile.objects.get(report=honest).pdq_quality is not None


def _assert_opaque(files: dict[str, ReportFile], name: str, reason: str) -> None:
    file = files[name]
    assert not file.pdq and file.pdq_quality is None, name
    assert reason in file.details["pdq_error"], file.details


def _honest_png() -> bytes:
    pixels = np.random.default_rng(3).integers(0, 255, (200, 300, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


def test_an_honest_short_video_is_decoded_to_its_end(tmp_path: Any) -> None:
    path = tmp_path / "short.mp4"
    path.write_bytes(lying_video(frames=12))
    sample = hashing.video_sample(path)
    assert sample is not None and sample.complete and sample.decoded == 12


def test_decoding_stops_at_the_frame_limit_whatever_the_timestamps(
    tmp_path: Any, small_decode_limit: int
) -> None:
    path = tmp_path / "lying.mp4"
    path.write_bytes(lying_video(frames=small_decode_limit * 3))
    sample = hashing.video_sample(path)
    assert sample is not None and not sample.complete
    assert sample.decoded == small_decode_limit
    assert len(sample.frames) == 1  # all stamped in the first second: one sample


def test_the_bomb_is_refused_from_its_header_alone() -> None:
    data = bomb_png()
    assert len(data) < 200_000  # tiny on the wire
    with pytest.raises(hashing.ImageRefused):
        hashing.open_image(io.BytesIO(data))


def test_the_cli_hash_reports_an_undecodable_image_without_failing(tmp_path: Any) -> None:
    for name, make in (("bomb.png", bomb_png), ("cut.jpg", truncated_jpeg)):
        path = tmp_path / name
        path.write_bytes(make())
        record = hashing.hash_file(path)
        assert record["pdq"] is None and record["pdq_error"], record
        assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("make", [bomb_png, truncated_jpeg], ids=["bomb", "truncated"])
def test_previews_of_undecodable_images_are_a_plain_placeholder(
    make: Any, esp: Esp, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = esp.report({"x.png": make()})
    file = ReportFile.objects.get(report=report)
    for render, side in (
        (previews.blurred_thumbnail, previews.THUMB_SIDE),
        (previews.full_view, previews.FULL_SIDE),
    ):
        shown = Image.open(io.BytesIO(render(file)))
        assert shown.size == (side, side)
        assert shown.getextrema() in ((previews.PLACEHOLDER_GREY,) * 2, ((160, 160),) * 3)
