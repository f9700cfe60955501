"""What /readyz checks: the database, the media store and the matcher index can be reached.

Cheap enough for a load balancer to ask every second: one `SELECT 1`, one request to the store
(HEAD of the bucket) and one read of the published index version, and the answer is kept for
`READY_CACHE_SECONDS` per process. It names no host, bucket or error: only ok or unreachable.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.db import connection

from tipline.media.index import index_status
from tipline.media.published import index_home
from tipline.media.storage import StorageError, default_store

logger = logging.getLogger(__name__)
READY_CACHE_SECONDS = 1.0
OK, UNREACHABLE = "ok", "unreachable"


@dataclass(frozen=True)
class Readiness:
    """Each dependency's state, and the matcher index version published and in use here."""

    checks: dict[str, str]
    published_index: str
    loaded_index: str

    @property
    def ready(self) -> bool:
        """Whether every dependency answered."""
        return all(state == OK for state in self.checks.values())


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001  # any failure means not ready; the log says which
        logger.warning("readyz: database: %s", exc)
        return UNREACHABLE
    return OK


def _store() -> str:
    try:
        default_store().ping()
    except (StorageError, OSError) as exc:
        logger.warning("readyz: media store: %s", exc)
        return UNREACHABLE
    return OK


def _index() -> tuple[str, str]:
    try:
        return OK, index_home().current() or ""
    except (StorageError, OSError) as exc:
        logger.warning("readyz: matcher index: %s", exc)
        return UNREACHABLE, ""


def _check() -> Readiness:
    index_state, published = _index()
    checks = {"database": _database(), "store": _store(), "index": index_state}
    return Readiness(checks, published, index_status().published)


_cache_lock = threading.Lock()
_cached: tuple[float, Readiness] | None = None


def readiness() -> Readiness:
    """The dependencies' state, checked at most once per `READY_CACHE_SECONDS` per process."""
    global _cached
    with _cache_lock:
        if _cached is not None and time.monotonic() - _cached[0] < READY_CACHE_SECONDS:
            return _cached[1]
        result = _check()
        _cached = (time.monotonic(), result)
        return result


def forget_for_tests() -> None:
    """Drop the kept answer."""
    global _cached
    with _cache_lock:
        _cached = None
