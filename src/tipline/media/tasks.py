"""Background work of media, run by `tipline worker` (settings.PERIODIC_JOBS)."""

from __future__ import annotations

from django.conf import settings

from tipline.media.index import current_indexes
from tipline.media.orphans import media_sweep_orphans
from tipline.media.published import matcher_publish


def media_sweep() -> int:
    """Delete encrypted blobs that nothing has referred to for an hour. Idempotent."""
    return media_sweep_orphans(older_than_seconds=3600)


def matcher_rebuild() -> str | None:
    """Publish a new matcher index once enough entries wait in this process's side segments
    (they cost memory in every process, and each process replays them at start). One worker
    builds; the others find the lock taken and skip. The new version's name, or None."""
    state = current_indexes()
    waiting = state.pdq.side_count + state.md5.side_count + state.sha1.side_count
    if waiting < settings.MATCHER_REBUILD_AFTER:
        return None
    return matcher_publish()
