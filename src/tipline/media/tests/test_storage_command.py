"""`tipline storage migrate` (verified, resumable) and `tipline storage verify`."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command

from tipline.audit.models import AuditEvent
from tipline.conftest import draft
from tipline.media import blobs
from tipline.media.models import StoreSwitch
from tipline.media.storage import (
    BlobStore,
    EncryptedWriter,
    FilesystemStore,
    SwitchedStore,
    active_store_url,
    configured_store_url,
    default_store,
    forget_switches,
    read_decrypted,
    remember_switches,
    store_from_url,
)
from tipline.media.tests.seaweed import BUCKET, SeaweedServer
from tipline.reports.drafts import FileDraft
from tipline.reports.models import ReportFile
from tipline.reports.services import report_submit


def _reports_with_files(count: int) -> list[str]:
    keys = []
    for number in range(count):
        writer = EncryptedWriter()
        writer.write(f"invented file {number} ".encode() * 5000)
        blob = writer.close()
        files = [FileDraft(md5=blob.md5, sha256=blob.sha256, size=blob.size, storage_key=blob.key)]
        report_submit(draft=draft(files=files))
        keys.append(blob.key)
    return keys


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("storage", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def on_disk(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_STORE = ""
    settings.MEDIA_STORE_DIR = tmp_path / "media"


@pytest.fixture
def target(s3_settings: str, settings: Any, on_disk: None) -> str:
    """An empty S3 prefix to migrate to, while media is still on the filesystem."""
    settings.MEDIA_STORE = ""
    return s3_settings


def test_migrate_copies_every_blob_verified_and_a_rerun_copies_nothing(
    target: str, geo: Any
) -> None:
    keys = _reports_with_files(3)
    said = _run("migrate", "--to", target, "--copy-only")
    assert "3 copied and verified now, 0 already copied, 0 failed" in said
    assert "not switched (--copy-only)" in said
    assert active_store_url() == configured_store_url() != target
    moved = store_from_url(target)
    for key in keys:
        with moved.open_read(key) as copy, default_store().open_read(key) as original:
            assert copy.read() == original.read()
    again = _run("migrate", "--to", target, "--copy-only")
    assert "0 copied and verified now, 3 already copied" in again
    assert not StoreSwitch.objects.exists()


def test_an_interrupted_migration_resumes_where_it_stopped(
    target: str, geo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _reports_with_files(3)
    real_copy, calls = blobs._copy, []

    def copy_then_die(source: BlobStore, to: BlobStore, key: str) -> str:
        calls.append(key)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the machine going down
        return real_copy(source, to, key)

    monkeypatch.setattr(blobs, "_copy", copy_then_die)
    with pytest.raises(KeyboardInterrupt):
        _run("migrate", "--to", target)
    assert not StoreSwitch.objects.exists()
    monkeypatch.setattr(blobs, "_copy", real_copy)
    said = _run("migrate", "--to", target, "--settle", "0")
    assert "2 copied and verified now, 1 already copied" in said
    assert "Switched" in said


def test_a_copy_that_reads_back_differently_fails_the_migration(
    target: str, geo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _reports_with_files(1)
    monkeypatch.setattr(blobs, "_ciphertext_sha256", lambda store, key: "0" * 64)
    with pytest.raises(CommandError, match="did not verify"):
        _run("migrate", "--to", target)
    assert not blobs.journal_path(store_from_url(target)).read_text()
    assert not StoreSwitch.objects.exists()
    forget_switches()
    assert active_store_url() == configured_store_url()


def test_verify_passes_after_a_migration_and_names_missing_and_damaged_blobs(
    target: str, geo: Any, settings: Any, s3_server: SeaweedServer
) -> None:
    keys = _reports_with_files(3)
    _run("migrate", "--to", target, "--settle", "0")
    settings.MEDIA_STORE = target
    assert "3 blob(s) checked" in _run("verify") and "0 problem(s)" in _run("verify")
    store = default_store()
    store.delete(keys[0])
    damaged = store.open_write(keys[1])
    damaged.write(b"TLENC1\n not what was written")
    damaged.close()
    with pytest.raises(CommandError, match="2 blob"):
        _run("verify")
    file_ids = dict(ReportFile.objects.values_list("storage_key", "pk"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("storage", "verify", stdout=out)
    assert f"reports.ReportFile {file_ids[keys[0]]} {keys[0]}: missing" in out.getvalue()
    assert f"{keys[1]}: does not decrypt" in out.getvalue()
    assert BUCKET in target


def test_migrating_a_store_onto_itself_is_refused(on_disk: None, settings: Any) -> None:
    with pytest.raises(CommandError, match="same store"):
        _run("migrate", "--to", Path(settings.MEDIA_STORE_DIR).resolve().as_uri())


def test_migrate_switches_every_process_to_the_copy_once_all_are_verified(
    target: str, geo: Any
) -> None:
    keys = _reports_with_files(2)
    on_disk = configured_store_url()
    said = _run("migrate", "--to", target, "--settle", "0")
    assert "Switched: media is in " + target in said
    assert f"Set TIPLINE_MEDIA_STORE={target}" in said
    switch = StoreSwitch.objects.get()
    assert (switch.source, switch.target, switch.blobs) == (on_disk, target, 2)
    assert AuditEvent.objects.filter(action="media.store_switched").count() == 1
    forget_switches()  # another process, still configured with the disk, reads the switch
    assert configured_store_url() == on_disk and active_store_url() == target
    written = EncryptedWriter()
    written.write(b"a file after the switch")
    new_key = written.close().key
    assert store_from_url(target).exists(new_key)
    assert not store_from_url(on_disk).exists(new_key)
    for key in keys:
        assert b"".join(read_decrypted(key, store=store_from_url(target)))


def test_a_blob_written_to_the_old_store_after_the_switch_is_read_through_then_copied(
    target: str, geo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _reports_with_files(1)
    old = FilesystemStore(Path(urlsplit(configured_store_url()).path))
    late: list[str] = []

    def a_process_not_yet_switched_writes(seconds: float) -> None:
        writer = EncryptedWriter(store=old)
        writer.write(b"written by a worker that had not seen the switch")
        late.append(writer.close().key)
        assert not store_from_url(target).exists(late[0])
        assert b"".join(read_decrypted(late[0])).startswith(b"written by a worker")

    monkeypatch.setattr(time, "sleep", a_process_not_yet_switched_writes)
    said = _run("migrate", "--to", target)
    assert "1 copied and verified now, 1 already copied" in said.split("Switched")[1]
    assert store_from_url(target).exists(late[0])


def test_a_switch_and_a_move_back_end_where_the_latest_says(on_disk: None) -> None:
    disk, bucket = configured_store_url(), "s3://tipline-media/prod"
    remember_switches([(1, disk, bucket)])
    assert active_store_url() == bucket
    assert isinstance(default_store(), SwitchedStore)
    remember_switches([(1, disk, bucket), (2, bucket, disk)])
    assert active_store_url() == disk
    assert default_store().describe() == disk
