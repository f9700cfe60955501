"""The set of entry ids that must stop matching at once (e.g. a hash withdrawn as wrong)."""

from __future__ import annotations

import threading
from collections.abc import Iterable

import numpy as np

from tipline.media.matcher.codec import I64Array


class DisabledIds:
    """A thread-safe id set with a sorted array copy for vectorised filtering of results."""

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self._lock = threading.Lock()
        self._ids = {int(i) for i in ids}
        self._sorted = self._as_array()

    def set(self, entry_id: int, disabled: bool) -> None:
        """Disable (True) or re-enable (False) one id."""
        with self._lock:
            (self._ids.add if disabled else self._ids.discard)(int(entry_id))
            self._sorted = self._as_array()

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def array(self) -> I64Array:
        """The disabled ids as a sorted int64 array (what gets saved with a version)."""
        return self._sorted

    def keep_mask(self, ids: I64Array) -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
        """True where an id in `ids` is not disabled."""
        current = self._sorted  # read once: a concurrent set() swaps it, never mutates it
        if current.size == 0 or ids.size == 0:
            return np.ones(ids.shape[0], dtype=bool)
        return ~np.isin(ids, current)

    def _as_array(self) -> I64Array:
        return np.array(sorted(self._ids), dtype=np.int64)
