"""Importing NCMEC referral packages: every section kept, files encrypted and hashed, the same
package twice stores nothing twice, a later one is an addendum, and every broken package is
refused with its reason, leaving nothing behind."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tipline.audit.models import AuditEvent
from tipline.intake.ncmec.samples import (
    PLACES,
    SampleFile,
    SampleReferral,
    sample_png,
    with_pictures,
    write_folder,
    zip_bytes,
)
from tipline.intake.ncmec.services import (
    ADDENDUM,
    ALREADY,
    FAILED,
    IMPORTED,
    ImportOutcome,
    ncmec_import_source,
)
from tipline.intake.ncmec.sources import FolderSource, ZipSource, open_source
from tipline.media.index import reset_for_tests
from tipline.media.models import FileMatch, HashListEntry
from tipline.media.services import hashlist_create
from tipline.media.storage import read_decrypted
from tipline.pipeline.services import pipeline_process_reruns, pipeline_run
from tipline.reports.choices import Channel
from tipline.reports.models import Addendum, Report, ReportFile


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> Path:
    """A media store of the test's own, so what a refused package leaves behind can be counted."""
    settings.MEDIA_STORE_DIR = tmp_path / "media"
    return settings.MEDIA_STORE_DIR  # type: ignore[no-any-return]


def blobs(store: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(store)) if store.exists() else 0


def from_zip(data: bytes) -> list[ImportOutcome]:
    return ncmec_import_source(source=ZipSource(io.BytesIO(data), "upload.zip"))


def lagos(number: str, count: int = 2, priority: str = "2") -> SampleReferral:
    referral = with_pictures(number, count=count, priority=priority)
    referral.place = PLACES[0]
    return referral


def test_a_folder_package_becomes_one_report_with_every_section_kept(
    geo: Any, store: Path, tmp_path: Path
) -> None:
    referral = lagos("123456789")
    outcomes = ncmec_import_source(source=open_source(write_folder(tmp_path / "p", referral)))
    assert [o.status for o in outcomes] == [IMPORTED]
    report = Report.objects.get(reference=outcomes[0].reference)
    assert report.channel == Channel.NCMEC_REFERRAL
    assert report.external_id == "NCMEC-123456789"
    assert report.raw_record == referral.xml().decode()
    kept = report.extra["ncmec"]
    assert kept["priority"] == "2"
    assert kept["geolocation"][0]["city"] == "Ikeja"
    assert kept["analyst"]["relatedReport"] == "123456790"
    assert "NCMEC analyst: Invented analyst note" in report.description
    assert "Ikeja, Lagos, Nigeria (NCMEC geolocation of 102.89." in report.location_text
    assert report.extra["ispws_report"]["incidentSummary"]["platform"] == "Invented Chat"


def test_files_are_stored_encrypted_and_hashed_with_the_esps_details(
    geo: Any, store: Path, tmp_path: Path
) -> None:
    referral = lagos("123456780")
    referral.files[1].viewed_by_esp = False
    outcome = ncmec_import_source(source=open_source(write_folder(tmp_path / "p", referral)))[0]
    files = list(
        ReportFile.objects.filter(report__reference=outcome.reference).order_by("position")
    )
    assert len(files) == 2
    for file, sample in zip(files, referral.files, strict=True):
        assert file.sha256 == hashlib.sha256(sample.content).hexdigest()
        assert b"".join(read_decrypted(file.storage_key)) == sample.content
        assert file.sniffed_type == "image/png"
        assert file.classification == "B2"
    assert [f.viewed_by_platform for f in files] == [True, False]
    on_disk = b"".join(p.read_bytes() for p in store.rglob("*") if p.is_file())
    assert referral.files[0].content[:64] not in on_disk  # never plain on disk


def test_the_pipeline_routes_it_to_the_command_of_ncmecs_geolocation(
    geo: Any, store: Path, tmp_path: Path
) -> None:
    referral = lagos("223456789", priority="1")
    outcome = ncmec_import_source(source=open_source(write_folder(tmp_path / "p", referral)))[0]
    report = Report.objects.get(reference=outcome.reference)
    pipeline_run(report_id=report.pk)
    report.refresh_from_db()
    assert report.routed_command is not None and report.routed_command.code == "LAG"
    assert report.escalation_note.startswith("NCMEC priority level 1")
    # The platform's own rules read NCMEC's level 1 as an escalation; NCMEC's level stays beside.
    assert report.priority == "P2"
    assert report.extra["ncmec"]["priority"] == "1"


def test_a_zip_of_bundled_referrals_imports_each(geo: Any, store: Path) -> None:
    outcomes = from_zip(zip_bytes([lagos("300000001"), lagos("300000002", count=1)]))
    assert sorted(o.status for o in outcomes) == [IMPORTED, IMPORTED]
    counts = [Report.objects.get(reference=o.reference).files.count() for o in outcomes]
    assert sorted(counts) == [1, 2]


def test_a_file_in_the_referrals_folder_that_it_does_not_list_is_kept_too(
    geo: Any, store: Path, tmp_path: Path
) -> None:
    folder = write_folder(tmp_path / "p", lagos("300000003", count=1))
    (folder / "CyberTip_300000003.pdf").write_bytes(b"%PDF-1.4\n% invented\n")
    outcome = ncmec_import_source(source=open_source(folder))[0]
    assert Report.objects.get(reference=outcome.reference).files.count() == 2


def test_the_same_package_twice_stores_nothing_twice(geo: Any, store: Path) -> None:
    data = zip_bytes([lagos("400000001")])
    first = from_zip(data)[0]
    stored = blobs(store)
    again = from_zip(data)[0]
    assert (again.status, again.reference) == (ALREADY, first.reference)
    assert Report.objects.filter(external_id="NCMEC-400000001").count() == 1
    assert blobs(store) == stored


def test_a_later_package_for_the_same_number_becomes_one_addendum(geo: Any, store: Path) -> None:
    first = from_zip(zip_bytes([lagos("400000002")]))[0]
    later = lagos("400000002")
    later.analyst_notes = ("Invented later note: a second account was found.",)
    outcome = from_zip(zip_bytes([later]))[0]
    assert (outcome.status, outcome.reference) == (ADDENDUM, first.reference)
    assert from_zip(zip_bytes([later]))[0].status == ALREADY
    addenda = Addendum.objects.filter(report__reference=first.reference)
    assert addenda.count() == 1
    assert "a second account was found" in addenda[0].body
    assert Report.objects.filter(external_id="NCMEC-400000002").count() == 1


def test_what_the_platform_has_no_field_for_is_kept(geo: Any, store: Path) -> None:
    referral = lagos("400000003")
    referral.extra_xml = "<lawEnforcementContact><agency>Invented</agency></lawEnforcementContact>"
    outcome = from_zip(zip_bytes([referral]))[0]
    report = Report.objects.get(reference=outcome.reference)
    assert report.extra["ncmec"]["other"] == {"lawEnforcementContact": {"agency": "Invented"}}


# Broken packages: each refused with its reason, nothing stored --------------------------------


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _refused(data: bytes, store: Path) -> str:
    outcomes = from_zip(data)
    assert [o.status for o in outcomes] == [FAILED]
    assert Report.objects.count() == 0
    assert blobs(store) == 0
    return outcomes[0].error


def test_a_file_that_is_not_a_zip_is_refused(geo: Any, store: Path) -> None:
    with pytest.raises(Exception, match="not a readable ZIP"):
        ZipSource(io.BytesIO(b"just text"), "x.zip")


def test_a_member_that_climbs_out_of_the_package_is_refused(geo: Any, store: Path) -> None:
    with pytest.raises(Exception, match="climbs"):
        ZipSource(io.BytesIO(_zip({"../../etc/evil.xml": b"<x/>"})), "x.zip")
    with pytest.raises(Exception, match="absolute"):
        ZipSource(io.BytesIO(_zip({"/etc/evil.xml": b"<x/>"})), "x.zip")


def test_a_symbolic_link_is_refused_in_a_zip_and_in_a_folder(
    geo: Any, store: Path, tmp_path: Path
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo("files/link.png")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(Exception, match="symbolic link"):
        ZipSource(io.BytesIO(out.getvalue()), "x.zip")
    folder = write_folder(tmp_path / "p", lagos("500000001", count=0))
    (folder / "files").mkdir()
    (folder / "files" / "link.png").symlink_to("/etc/passwd")
    with pytest.raises(Exception, match="symbolic link"):
        FolderSource(folder, "p")


def test_a_zip_bomb_is_refused_before_it_is_read(geo: Any, store: Path) -> None:
    bomb = _zip({"files/zeros.png": bytes(20 * 1024 * 1024)})
    with pytest.raises(Exception, match="ZIP bomb"):
        ZipSource(io.BytesIO(bomb), "bomb.zip")


def test_a_member_that_lies_about_its_size_is_refused(geo: Any, store: Path) -> None:
    referral = lagos("500000002", count=1)
    data = bytearray(zip_bytes([referral]))
    # Make the central directory say the picture is 10 bytes long: its bytes then fail the CRC.
    at = data.find(b"PK\x01\x02", data.find(b"files/image0.png") + 1)
    while at != -1:
        name_length = struct.unpack("<H", data[at + 28 : at + 30])[0]
        if data[at + 46 : at + 46 + name_length] == b"files/image0.png":
            data[at + 24 : at + 28] = struct.pack("<I", 10)
        at = data.find(b"PK\x01\x02", at + 4)
    assert "is damaged or is not what its ZIP header says" in _refused(bytes(data), store)


def test_an_oversized_file_is_refused(geo: Any, store: Path, settings: Any) -> None:
    settings.NCMEC_MAX_FILE_BYTES = 1024
    with pytest.raises(Exception, match="a file may be at most 1024"):
        ZipSource(io.BytesIO(zip_bytes([lagos("500000003", count=1)])), "x.zip")


def test_a_file_whose_name_lies_about_its_content_is_refused(geo: Any, store: Path) -> None:
    referral = SampleReferral(
        number="500000004", files=[SampleFile(path="files/a.png", content=b"MZ not a picture")]
    )
    assert "files/a.png is named as an image" in _refused(zip_bytes([referral]), store)


def test_a_listed_file_missing_from_the_package_is_refused(geo: Any, store: Path) -> None:
    referral = lagos("500000005", count=1)
    data = _zip({"CyberTip.xml": referral.xml()})
    assert "lists files/image0.png, which is not in the package" in _refused(data, store)


def test_an_invalid_esp_section_is_refused_with_the_schemas_words(geo: Any, store: Path) -> None:
    referral = lagos("500000006", count=1)
    referral.report_xml = "<report><incidentSummary><incidentType>Nope</incidentType>"
    referral.report_xml += "<incidentDateTime>2024-05-01T12:00:00Z</incidentDateTime>"
    referral.report_xml += "</incidentSummary><reporter><reportingPerson/></reporter></report>"
    assert "Section A (<report>): Validation failed" in _refused(zip_bytes([referral]), store)


def test_a_broken_second_file_leaves_no_blob_of_the_first(geo: Any, store: Path) -> None:
    referral = lagos("500000007", count=1)
    referral.files.append(SampleFile(path="files/b.jpg", content=b"not a jpeg"))
    assert "files/b.jpg is named as an image" in _refused(zip_bytes([referral]), store)


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (b"<ncmecReferral><reportNumber>12", "Malformed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
            b"<ncmecReferral><reportNumber>&lol;</reportNumber></ncmecReferral>",
            "DOCTYPE",
        ),
        (b"<ncmecReferral><reportNumber>TL-1</reportNumber></ncmecReferral>", "digits"),
        (b"<ncmecReferral><reportNumber>12</reportNumber></ncmecReferral>", "exactly one"),
    ],
)
def test_a_broken_referral_xml_is_refused_with_its_reason(
    geo: Any, store: Path, xml: bytes, reason: str
) -> None:
    error = _refused(_zip({"CyberTip.xml": xml}), store)
    assert reason.lower() in error.lower()


def test_a_package_without_a_referral_says_so(geo: Any, store: Path) -> None:
    assert "No <ncmecReferral> XML" in _refused(_zip({"a.png": sample_png(1)}), store)


def test_one_broken_referral_does_not_stop_the_others(geo: Any, store: Path) -> None:
    broken = lagos("600000002", count=1)
    broken.files[0].content = b"not a png"
    outcomes = from_zip(zip_bytes([lagos("600000001"), broken]))
    assert sorted(o.status for o in outcomes) == [FAILED, IMPORTED]
    assert Report.objects.count() == 1
    fixed = from_zip(zip_bytes([lagos("600000002", count=1)]))
    assert [o.status for o in fixed] == [IMPORTED]  # a failed package can be imported again


def _later(number: str, *seeds: int) -> SampleReferral:
    """A later package for `number` carrying new pictures (the second one not viewed by the ESP)."""
    later = lagos(number, count=0)
    later.analyst_notes = ("Invented later note: more files were found.",)
    later.files = [
        SampleFile(path=f"files/later{n}.png", content=sample_png(seed), viewed_by_esp=n == 0)
        for n, seed in enumerate(seeds)
    ]
    return later


@pytest.fixture
def fresh_index() -> Iterator[None]:
    """The hash lists' in-memory index rebuilt from this test's lists, and after it."""
    reset_for_tests()
    yield
    reset_for_tests()


def test_an_addendums_files_are_stored_hashed_and_matched_like_the_firsts(
    geo: Any, store: Path, fresh_index: None
) -> None:
    first = from_zip(zip_bytes([lagos("410000001")]))[0]
    pipeline_run(report_id=first.report_id or 0)
    later = _later("410000001", 91, 92)
    known = hashlib.md5(later.files[1].content).hexdigest()  # noqa: S324  # a list's hash
    hash_list = hashlist_create(name="Known", source="invented", actor=None)
    HashListEntry.objects.create(hash_list=hash_list, label="invented label", md5=known)
    reset_for_tests()
    outcome = from_zip(zip_bytes([later]))[0]
    assert (outcome.status, outcome.reference) == (ADDENDUM, first.reference)
    report = Report.objects.get(reference=first.reference)
    assert report.pipeline_rerun_at is not None
    files = list(report.files.order_by("position"))
    assert [f.position for f in files] == [0, 1, 2, 3]
    for file, sample in zip(files[2:], later.files, strict=True):
        assert b"".join(read_decrypted(file.storage_key)) == sample.content
        assert file.sha256 == hashlib.sha256(sample.content).hexdigest()
        assert file.sha1 == hashlib.sha1(sample.content).hexdigest()  # noqa: S324
        assert file.original_name == sample.path.rsplit("/", 1)[-1]
    assert [f.viewed_by_platform for f in files[2:]] == [True, False]  # held back as the first's
    on_disk = b"".join(p.read_bytes() for p in store.rglob("*") if p.is_file())
    assert later.files[0].content[:64] not in on_disk
    assert "later0.png (stored), later1.png (stored)" in report.addenda.get().body
    pipeline_process_reruns()
    files = list(report.files.order_by("position"))
    assert all(f.pdq for f in files[2:])
    assert list(FileMatch.objects.filter(file__report=report).values_list("file_id", "kind")) == [
        (files[3].pk, "md5")
    ]
    assert Report.objects.get(pk=report.pk).pipeline_rerun_at is None
    audited = AuditEvent.objects.get(action="report.files_added", object_id=str(report.pk))
    assert audited.after["files"] == [files[2].file_id, files[3].file_id]


def test_an_addendum_again_or_a_file_sent_again_is_not_stored_twice(geo: Any, store: Path) -> None:
    first_package = lagos("410000002")
    first = from_zip(zip_bytes([first_package]))[0]
    later = _later("410000002", 93, 94)
    assert from_zip(zip_bytes([later]))[0].status == ADDENDUM
    stored = blobs(store)
    assert from_zip(zip_bytes([later]))[0].status == ALREADY  # the same addendum again
    assert blobs(store) == stored
    # A third package re-sends a file of the first and one of the addendum, with one new file.
    third = _later("410000002", 93, 95)
    third.files.append(SampleFile(path="files/again.png", content=first_package.files[0].content))
    third.analyst_notes = ("Invented third note.",)
    assert from_zip(zip_bytes([third]))[0].status == ADDENDUM
    report = Report.objects.get(reference=first.reference)
    assert report.files.count() == 5
    assert blobs(store) == stored + 1
    assert len(set(report.files.values_list("sha256", flat=True))) == 5
    body = report.addenda.order_by("created_at").last()
    assert body is not None
    assert "later0.png (already held, not stored again)" in body.body
    assert "later1.png (stored)" in body.body


def test_a_broken_member_in_an_addendum_stores_nothing_of_it(geo: Any, store: Path) -> None:
    first = from_zip(zip_bytes([lagos("410000003")]))[0]
    assert first.report_id is not None
    pipeline_run(report_id=first.report_id)
    before = Report.objects.get(pk=first.report_id)
    stored = blobs(store)
    later = _later("410000003", 96)
    later.files.append(SampleFile(path="files/b.jpg", content=b"not a jpeg"))
    outcome = from_zip(zip_bytes([later]))[0]
    assert outcome.status == FAILED
    assert "files/b.jpg is named as an image" in outcome.error
    assert blobs(store) == stored
    report = Report.objects.get(pk=first.report_id)
    assert report.files.count() == 2 and not report.addenda.exists()
    assert report.pipeline_rerun_at is None and report.updated_at == before.updated_at
    assert not AuditEvent.objects.filter(action="report.files_added").exists()
    later.files.pop()
    assert from_zip(zip_bytes([later]))[0].status == ADDENDUM  # fixed, it can be imported again
    assert report.files.count() == 3
