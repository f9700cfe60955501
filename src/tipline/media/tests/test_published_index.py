"""The matcher index: built once under a lock, published under a version, swapped in by every
process between queries, with memory flat across reloads."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.db import connection

from tipline.media import index, published
from tipline.media.index import current_indexes, index_status, reload_now
from tipline.media.models import HashList, HashListEntry
from tipline.media.published import CURRENT, build_lock, index_home, matcher_publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["filesystem", "s3"])
def home(request: pytest.FixtureRequest, settings: Any, tmp_path: Path) -> str:
    """The index published beside the media: a directory, or the object store."""
    settings.MATCHER_RELOAD_SECONDS = 3600  # reloads happen when the test says
    if request.param == "s3":
        request.getfixturevalue("s3_settings")
    else:
        settings.MEDIA_STORE = ""
        settings.MATCHER_DIR = tmp_path / "matcher"
    return str(request.param)


def _entries(count: int, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    hashes = [bytes(row).hex() for row in rng.integers(0, 256, (count, 32), dtype=np.uint8)]
    hash_list, _ = HashList.objects.get_or_create(name=f"invented {seed}", source="test")
    HashListEntry.objects.bulk_create(
        [HashListEntry(hash_list=hash_list, pdq=h, label=f"e{i}") for i, h in enumerate(hashes)],
        batch_size=5000,
    )
    return hashes


def _entry_id(pdq: str) -> int:
    return int(HashListEntry.objects.get(pdq=pdq).pk)


def test_a_build_is_published_under_a_version_and_loaded(home: str) -> None:
    hashes = _entries(50)
    assert matcher_publish() == "v000001"
    assert reload_now() == "v000001"
    status = index_status()
    assert status.published == "v000001" and status.hashes["pdq"] == 50
    state = current_indexes()
    assert state.pdq.side_count == 0  # all in the published base, none replayed
    assert [m[0] for m in state.pdq.query(hashes[7])] == [_entry_id(hashes[7])]
    assert matcher_publish() == "v000002"
    assert index_home().current() == "v000002"


def test_only_the_newest_versions_are_kept(home: str) -> None:
    _entries(5)
    for _ in range(5):
        matcher_publish()
    assert index_home().versions() == ["v000003", "v000004", "v000005"]


def test_a_second_builder_finds_the_lock_taken_and_builds_nothing(home: str) -> None:
    _entries(5)
    with _lock_held_elsewhere():
        assert matcher_publish() is None
    assert index_home().current() is None
    assert matcher_publish() == "v000001"


class _LockHolder(threading.Thread):
    """Holds the build lock from another database session (PostgreSQL) or open file (SQLite)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.taken, self.release = threading.Event(), threading.Event()

    def run(self) -> None:
        try:
            with build_lock() as held:
                assert held
                self.taken.set()
                self.release.wait(10)
        finally:
            connection.close()


def _lock_held_elsewhere() -> Any:
    holder = _LockHolder()

    class _Context:
        def __enter__(self) -> None:
            holder.start()
            assert holder.taken.wait(10)

        def __exit__(self, *exc: object) -> None:
            holder.release.set()
            holder.join(10)

    return _Context()


def test_queries_are_answered_without_error_while_versions_are_swapped(home: str) -> None:
    hashes = _entries(2000)
    expected = _entry_id(hashes[42])
    matcher_publish()
    reload_now()
    answers, errors, stop = [], [], threading.Event()

    def query() -> None:
        try:
            while not stop.is_set():
                found = current_indexes().pdq.query(hashes[42])
                answers.append(bool(found) and found[0][0] == expected)
        except Exception as exc:  # noqa: BLE001  # any failure is what the test looks for
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=query)
    thread.start()
    seen = set()
    try:
        for _ in range(5):
            matcher_publish()
            seen.add(reload_now())
    finally:
        stop.set()
        thread.join(30)
    assert not errors and answers and all(answers)
    assert len(seen) == 5 and index_status().published == "v000006"


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_memory_stays_flat_across_twenty_reloads(settings: Any, tmp_path: Path) -> None:
    """Two published versions of 30,000 hashes, swapped in turn twenty times."""
    settings.MEDIA_STORE, settings.MATCHER_DIR = "", tmp_path / "matcher"
    settings.MATCHER_RELOAD_SECONDS = 3600
    hashes = _entries(30_000)
    first, second = matcher_publish(), matcher_publish()
    assert first and second
    root = Path(settings.MATCHER_DIR)
    sizes = []
    for turn in range(20):
        (root / CURRENT).write_text((first if turn % 2 else second) + "\n")
        reload_now()
        current_indexes().pdq.query(hashes[turn])  # touch the mapped pages
        gc.collect()
        sizes.append(_rss_mib())
    settled = sizes[4:]
    print("RSS after each of 20 reloads (MiB):", " ".join(f"{size:.0f}" for size in sizes))
    assert max(settled) - min(settled) < 15, sizes  # a kept version would add ~3 MiB a reload


@pytest.fixture(autouse=True)
def _forget_index() -> Iterator[None]:
    index.reset_for_tests()
    yield
    index.reset_for_tests()


def test_the_home_follows_the_media_setting(settings: Any, s3_settings: str) -> None:
    assert isinstance(index_home(), published.ObjectStoreHome)
    settings.MEDIA_STORE = ""
    assert isinstance(index_home(), published.DirectoryHome)
