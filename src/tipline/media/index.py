"""The process-wide matcher: a memory-mapped base built by `tipline matcher build`, plus what
changed in the database since, applied as side-segment additions and disabled ids.

Every worker checks one cheap counter (`HashListVersion`) before matching, so a new entry is
searchable, and a disabled one stops matching, within one pipeline step of the change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

from tipline.media.matcher import DigestIndex, PDQIndex
from tipline.media.matcher.store import IndexFormatError
from tipline.media.models import HashListEntry, HashListVersion


@dataclass
class _Indexes:
    md5: DigestIndex
    sha1: DigestIndex
    pdq: PDQIndex
    max_entry_id: int = 0
    version: int = -1
    disabled: set[int] = field(default_factory=set)


_lock = threading.Lock()
_state: _Indexes | None = None


def _empty() -> _Indexes:
    none = np.zeros(0, dtype=np.int64)
    return _Indexes(
        md5=DigestIndex.build(np.zeros((0, 16), dtype=np.uint8), none, width=16),
        sha1=DigestIndex.build(np.zeros((0, 20), dtype=np.uint8), none, width=20),
        pdq=PDQIndex.build(np.zeros((0, 32), dtype=np.uint8), none),
    )


def _load_base() -> _Indexes:
    root = Path(settings.MATCHER_DIR)
    try:
        md5, sha1 = DigestIndex.load(root / "md5"), DigestIndex.load(root / "sha1")
        pdq = PDQIndex.load(root / "pdq")
    except (FileNotFoundError, IndexFormatError):
        return _empty()
    return _Indexes(md5=md5, sha1=sha1, pdq=pdq, max_entry_id=int(pdq.meta.get("max_entry_id", 0)))


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


def current_indexes() -> _Indexes:
    """The indexes, brought up to date with the database if anything changed."""
    global _state
    version = HashListVersion.current()
    with _lock:
        if _state is None:
            _state = _load_base()
        if _state.version != version:
            _add_entries(_state)
            _apply_disabled(_state)
            _state.version = version
        return _state


def reset_for_tests() -> None:
    """Forget the process's indexes (tests create and drop entries between cases)."""
    global _state
    with _lock:
        _state = None
