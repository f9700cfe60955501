"""Matching report files against hash lists, through the services and the pipeline step."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tipline.conftest import draft
from tipline.media.hashing import pdq_from_image
from tipline.media.index import reset_for_tests
from tipline.media.models import FileMatch, HashListEntry
from tipline.media.services import (
    file_compute_pdq,
    file_match,
    hashlist_create,
    hashlist_entry_set_enabled,
    hashlist_set_active,
)
from tipline.media.storage import EncryptedWriter
from tipline.reports.drafts import FileDraft
from tipline.reports.models import ReportFile
from tipline.reports.services import report_submit


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    reset_for_tests()


def _pattern(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 255, size=(8, 8, 3), dtype=np.uint8)
    return Image.fromarray(blocks).resize((320, 240), Image.Resampling.NEAREST)


def _flip(hex_hash: str, bits: int) -> str:
    value = int(hex_hash, 16) ^ ((1 << bits) - 1)
    return f"{value:064x}"


def _stored_image_file(image: Image.Image) -> ReportFile:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    writer = EncryptedWriter()
    writer.write(buffer.getvalue())
    blob = writer.close()
    files = [
        FileDraft(
            md5=blob.md5,
            sha1=blob.sha1,
            sha256=blob.sha256,
            size=blob.size,
            content_type="image/png",
            storage_key=blob.key,
        )
    ]
    return report_submit(draft=draft(files=files)).report.files.get()


def _entry(list_name: str = "Known", **hashes: str) -> HashListEntry:
    hash_list = hashlist_create(
        name=list_name,
        source="invented",
        actor=None,
        unidentified_victim=list_name == "Unidentified",
    )
    return HashListEntry.objects.create(hash_list=hash_list, label="invented label", **hashes)


def test_stored_image_gets_pdq_and_matches_a_near_duplicate(geo: Any) -> None:
    file = _stored_image_file(_pattern(1))
    known = pdq_from_image(_pattern(1)).hash
    entry = _entry(pdq=_flip(known, 5))
    file = file_compute_pdq(file=file)
    assert file.pdq == known and file.pdq_quality is not None and file.pdq_quality >= 50
    matches = file_match(file=file)
    assert [(m.entry_id, m.kind, m.distance) for m in matches] == [(entry.pk, "pdq", 5)]


def test_distance_31_matches_and_32_does_not(geo: Any) -> None:
    base = "f" * 64
    at_31, at_32 = _entry("A", pdq=_flip(base, 31)), _entry("B", pdq=_flip(base, 32))
    file = report_submit(
        draft=draft(files=[FileDraft(pdq=base, pdq_quality=90)])
    ).report.files.get()
    found = {m.entry_id: m.distance for m in file_match(file=file)}
    assert found == {at_31.pk: 31}
    assert at_32.pk not in found


def test_low_quality_pdq_is_kept_but_never_matched(geo: Any) -> None:
    _entry(pdq="a" * 64)
    file = report_submit(
        draft=draft(files=[FileDraft(pdq="a" * 64, pdq_quality=30)])
    ).report.files.get()
    assert file.pdq == "a" * 64
    assert file_match(file=file) == []


def test_exact_digest_with_trailing_zero_bytes_matches(geo: Any) -> None:
    md5 = "0123456789abcdef0123456789ab0000"
    entry = _entry(md5=md5)
    file = report_submit(draft=draft(files=[FileDraft(md5=md5)])).report.files.get()
    assert [(m.entry_id, m.kind) for m in file_match(file=file)] == [(entry.pk, "md5")]


def test_disabled_entry_stops_matching_at_once(geo: Any) -> None:
    sha1 = "ab" * 20
    entry = _entry(sha1=sha1)
    file = report_submit(draft=draft(files=[FileDraft(sha1=sha1)])).report.files.get()
    assert len(file_match(file=file)) == 1
    hashlist_entry_set_enabled(entry=entry, enabled=False, actor=None, reason="false positive")
    assert file_match(file=file) == []
    assert not FileMatch.objects.exists()
    hashlist_entry_set_enabled(entry=entry, enabled=True, actor=None)
    assert len(file_match(file=file)) == 1


def test_inactive_list_stops_matching(geo: Any) -> None:
    entry = _entry(md5="c" * 32)
    file = report_submit(draft=draft(files=[FileDraft(md5="c" * 32)])).report.files.get()
    hashlist_set_active(hash_list=entry.hash_list, active=False, actor=None)
    assert file_match(file=file) == []


def test_new_entry_is_searchable_without_a_rebuild(geo: Any) -> None:
    file = report_submit(draft=draft(files=[FileDraft(md5="d" * 32)])).report.files.get()
    assert file_match(file=file) == []
    _entry(md5="d" * 32)
    assert len(file_match(file=file)) == 1


def test_a_stored_video_is_matched_frame_by_frame(geo: Any, tmp_path: Any) -> None:
    from tipline.media.hashing import video_frame_pdqs
    from tipline.media.tests.test_hashing import write_video

    path = tmp_path / "clip.mp4"
    write_video(path)
    frames = video_frame_pdqs(path)
    assert frames is not None and len(frames) == 3
    writer = EncryptedWriter()
    writer.write(path.read_bytes())
    blob = writer.close()
    file = report_submit(
        draft=draft(files=[FileDraft(md5=blob.md5, content_type="video/mp4", storage_key=blob.key)])
    ).report.files.get()
    # A list holds a near-duplicate of the last sampled frame only: the video still matches.
    entry = _entry(pdq=_flip(frames[-1].hash, 3))
    file = file_compute_pdq(file=file)
    assert [f["hash"] for f in file.details["frames"]] == [f.hash for f in frames]
    matches = file_match(file=file)
    assert [(m.entry_id, m.kind, m.distance) for m in matches] == [(entry.pk, "pdq", 3)]
