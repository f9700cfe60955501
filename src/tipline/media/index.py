"""The process-wide matcher: the newest published base (`tipline.media.published`), memory-mapped,
plus what changed in the database since, applied as side-segment additions and disabled ids.

Every query checks one cheap counter (`HashListVersion`), so a new entry is searchable, and a
disabled one stops matching, within one pipeline step of the change. Every
`MATCHER_RELOAD_SECONDS` a query also looks for a newer published version; a newer one is
fetched, mapped and brought up to date beside the one in use, then swapped in as one reference:
a query holds the state it started with, so none sees half of a swap, and the old version's
arrays are released (unmapped) when the last query using them returns.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

from tipline.media.matcher import DigestIndex, PDQIndex
from tipline.media.matcher.store import IndexFormatError
from tipline.media.models import HashListEntry, HashListVersion
from tipline.media.published import IndexHome, index_home
from tipline.media.storage import StorageError, remember_switches

logger = logging.getLogger(__name__)


@dataclass
class _Indexes:
    md5: DigestIndex
    sha1: DigestIndex
    pdq: PDQIndex
    max_entry_id: int = 0
    version: int = -1
    disabled: set[int] = field(default_factory=set)
    published: str = ""  # the published version this state was loaded from ("" if none)


@dataclass(frozen=True)
class IndexStatus:
    """What /readyz and /metrics say of this process's index."""

    published: str
    hashes: dict[str, int]


_lock = threading.Lock()  # guards applying database changes to the state in use
_swap_lock = threading.Lock()  # one reload at a time per process
_state: _Indexes | None = None
_checked_at = 0.0


def _empty() -> _Indexes:
    none = np.zeros(0, dtype=np.int64)
    return _Indexes(
        md5=DigestIndex.build(np.zeros((0, 16), dtype=np.uint8), none, width=16),
        sha1=DigestIndex.build(np.zeros((0, 20), dtype=np.uint8), none, width=20),
        pdq=PDQIndex.build(np.zeros((0, 32), dtype=np.uint8), none),
    )


def _load_from(root: Path, published: str) -> _Indexes:
    md5, sha1 = DigestIndex.load(root / "md5"), DigestIndex.load(root / "sha1")
    pdq = PDQIndex.load(root / "pdq")
    top = int(pdq.meta.get("max_entry_id", 0))
    return _Indexes(md5=md5, sha1=sha1, pdq=pdq, max_entry_id=top, published=published)


def _load(home: IndexHome, name: str | None) -> _Indexes:
    if name is None:
        return _empty()
    try:
        return _load_from(home.local(name), name)
    except (FileNotFoundError, IndexFormatError, StorageError, OSError) as exc:
        logger.warning(
            "Matcher index %s cannot be loaded (%s); matching from the database", name, exc
        )
        return _empty()


def _published_now(home: IndexHome) -> str | None:
    try:
        return home.current()
    except (StorageError, OSError) as exc:  # keep serving what is loaded; try again later
        logger.warning("Cannot read the published matcher version: %s", exc)
        return None


def _add_entries(state: _Indexes) -> None:
    new = HashListEntry.objects.filter(pk__gt=state.max_entry_id).order_by("pk")
    for entry in new.values("pk", "md5", "sha1", "pdq").iterator(chunk_size=5000):
        if entry["md5"]:
            state.md5.add(entry["pk"], entry["md5"])
        if entry["sha1"]:
            state.sha1.add(entry["pk"], entry["sha1"])
        if entry["pdq"]:
            state.pdq.add(entry["pk"], entry["pdq"])
        state.max_entry_id = entry["pk"]


def _apply_disabled(state: _Indexes) -> None:
    off = set(HashListEntry.objects.filter_unmatchable().values_list("pk", flat=True))
    for entry_id in off - state.disabled:
        for index in (state.md5, state.sha1, state.pdq):
            index.disable(entry_id)
    for entry_id in state.disabled - off:
        for index in (state.md5, state.sha1, state.pdq):
            index.enable(entry_id)
    state.disabled = off


def _bring_up_to_date(state: _Indexes, version: int) -> None:
    if state.version != version:
        _add_entries(state)
        _apply_disabled(state)
        state.version = version


def reload_now(*, wait: bool = True) -> str:
    """Swap to the newest published version if it is not the one in use; its name ("" if none).

    The new state is loaded and brought up to date outside `_lock`, so queries go on against the
    old one meanwhile; the swap itself is one assignment. With `wait=False` a query does not
    wait for another thread's reload: it uses the state in use.
    """
    if not _swap_lock.acquire(blocking=wait):
        return _state.published if _state is not None else ""
    try:
        return _reload()
    finally:
        _swap_lock.release()


def _reload() -> str:
    global _state, _checked_at
    _checked_at = time.monotonic()
    home = index_home()
    name = _published_now(home)
    if name is None or (_state is not None and _state.published == name):
        return _state.published if _state is not None else ""
    fresh = _load(home, name)
    _bring_up_to_date(fresh, HashListVersion.current())
    with _lock:
        _state = fresh
    home.tidy({name})
    return fresh.published


def _reload_due() -> bool:
    return time.monotonic() - _checked_at >= settings.MATCHER_RELOAD_SECONDS


def current_indexes() -> _Indexes:
    """The indexes, swapped to a newer published version when one is due, and brought up to
    date with the database if anything changed."""
    global _state
    if _state is None or _reload_due():
        reload_now(wait=_state is None)
    version = HashListVersion.current()
    with _lock:
        if _state is None:
            _state = _empty()
        _bring_up_to_date(_state, version)
        return _state


def index_status() -> IndexStatus:
    """The published version this process uses and how many hashes of each kind it holds."""
    state = _state
    if state is None:
        return IndexStatus(published="", hashes={"md5": 0, "sha1": 0, "pdq": 0})
    hashes = {"md5": len(state.md5), "sha1": len(state.sha1), "pdq": len(state.pdq)}
    return IndexStatus(published=state.published, hashes=hashes)


def reset_for_tests() -> None:
    """Forget the process's indexes (tests create and drop entries between cases), and know of
    no store switch: a test's rollback removes any it recorded, and a test that needs another
    process's view of them reads them (`storage.forget_switches`)."""
    global _state, _checked_at
    remember_switches([])
    with _lock:
        _state = None
        _checked_at = 0.0
