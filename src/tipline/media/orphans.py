"""Blobs that no record refers to: discarded after a refused request, and swept up by the worker.

Which models hold storage keys is configuration (`MEDIA_BLOB_OWNERS`), so that media, low in the
layers, never imports the apps above it that keep files.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings

from tipline.media.storage import StorageError, default_store

logger = logging.getLogger(__name__)


def _referenced(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for owner in settings.MEDIA_BLOB_OWNERS:
        model_path, field = owner.rsplit(".", 1)
        model = apps.get_model(model_path)
        rows = model._default_manager.filter(**{f"{field}__in": keys})
        found.update(rows.values_list(field, flat=True))
    return found


def media_discard_unreferenced(*, keys: Iterable[str]) -> int:
    """Delete those of `keys` that no record refers to; return how many were deleted."""
    deleted = 0
    store = default_store()
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), 500):  # bounded IN lists
        batch = unique[start : start + 500]
        for key in set(batch) - _referenced(batch):
            try:
                store.delete(key)
            except StorageError as exc:  # the store is down: the hourly sweep tries again
                logger.warning("Blob %s not deleted now: %s", key, exc)
                continue
            deleted += 1
    return deleted


def media_sweep_orphans(*, older_than_seconds: int = 3600) -> int:
    """Delete blobs older than `older_than_seconds` that no record refers to.

    The age keeps a blob whose request is still being handled (written, not yet committed) safe;
    anything an hour old and unreferenced was left behind by a request that died.
    """
    cutoff = time.time() - older_than_seconds
    return media_discard_unreferenced(keys=default_store().keys_older_than(cutoff))
