"""Background work of media, run by `tipline worker` (settings.PERIODIC_JOBS)."""

from __future__ import annotations

from tipline.media.orphans import media_sweep_orphans


def media_sweep() -> int:
    """Delete encrypted blobs that nothing has referred to for an hour. Idempotent."""
    return media_sweep_orphans(older_than_seconds=3600)
