"""What both matcher indexes share: locks, the disabled set, and versioned saves and merges.

Each index keeps a memory-mapped base and a side segment of recent additions; `save` writes
base + side + disabled ids as a new version and switches to it. Only how the arrays are merged
differs, in each subclass's `_save_locked`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy.typing as npt

from tipline.media.matcher import store
from tipline.media.matcher.disabled import DisabledIds


def read_current(
    directory: str | Path, kind: str, *, mmap: bool
) -> tuple[store.StoredVersion, dict[str, Any]]:
    """The current version in `directory`, for a `load`, with the keyword arguments every index
    takes from it: where it lives, which version it is, its disabled ids and the caller's meta."""
    path = Path(directory)
    stored = store.read_version(path, kind, mmap=mmap)
    persisted = {
        "directory": path,
        "version": stored.name,
        "disabled": stored.arrays["disabled"],
        "meta": stored.meta.get("caller", {}),
        "mmap": mmap,
    }
    return stored, persisted


class VersionedIndex:
    """Base of `DigestIndex` and `PDQIndex`: persistence and disabling, the same for both."""

    def __init__(
        self,
        *,
        directory: Path | None,
        version: str | None,
        disabled: Sequence[int] | npt.NDArray[Any],
        meta: dict[str, Any] | None,
        mmap: bool,
    ) -> None:
        self._lock = threading.Lock()
        self._merge_lock = threading.Lock()
        self._disabled = DisabledIds(int(i) for i in disabled)
        self.directory = directory
        self.version = version
        self.meta: dict[str, Any] = dict(meta or {})
        self._mmap = mmap

    def save(
        self, directory: str | Path | None = None, *, meta: dict[str, Any] | None = None
    ) -> str:
        """Write base + side + disabled ids as a new version, make it current, switch to it.

        Safe to run in a background thread while queries and adds go on: entries added during
        the save stay in the side segment. `meta` (JSON-safe, e.g. the highest database id
        folded in) is stored in the manifest and comes back as `.meta` after load().
        """
        target = Path(directory) if directory is not None else self.directory
        if target is None:
            raise ValueError("no directory: pass one, or load() the index from one")
        with self._merge_lock:
            return self._save_locked(target, meta if meta is not None else self.meta)

    def merge(self, *, meta: dict[str, Any] | None = None) -> str:
        """Fold the side segment into a new base version of this index's directory."""
        return self.save(None, meta=meta)

    def _save_locked(self, directory: Path, meta: dict[str, Any]) -> str:
        raise NotImplementedError

    def disable(self, entry_id: int) -> None:
        """Stop an id matching, at once (e.g. a hash-list entry withdrawn as a false positive)."""
        self._disabled.set(entry_id, True)

    def enable(self, entry_id: int) -> None:
        """Let a disabled id match again."""
        self._disabled.set(entry_id, False)

    def is_disabled(self, entry_id: int) -> bool:
        """Whether an id is currently kept from matching."""
        return int(entry_id) in self._disabled
