"""`tipline matcher build`: write the memory-mapped hash indexes from the hash-list tables.

Workers load the newest version at start and add later database changes on top, so rebuilding
now and then (e.g. nightly) only keeps their side segments small.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand

from tipline.media.matcher import DigestIndex, PDQIndex
from tipline.media.models import HashListEntry


def _column(field: str) -> tuple[list[str], list[int]]:
    rows = HashListEntry.objects.exclude(**{field: ""}).values_list(field, "pk")
    values, ids = [], []
    for value, pk in rows.iterator(chunk_size=50_000):
        values.append(value)
        ids.append(pk)
    return values, ids


class Command(BaseCommand):
    help = "Build the memory-mapped MD5, SHA-1 and PDQ indexes from the hash lists."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["build"])

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.MATCHER_DIR)
        top = HashListEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        meta = {"max_entry_id": top}
        for field, width in (("md5", 16), ("sha1", 20)):
            values, ids = _column(field)
            matrix = np.array([list(bytes.fromhex(v)) for v in values], dtype=np.uint8).reshape(
                -1, width
            )
            DigestIndex.build(matrix, np.array(ids, dtype=np.int64), width=width).save(
                root / field, meta=meta
            )
        values, ids = _column("pdq")
        PDQIndex.build(values, np.array(ids, dtype=np.int64)).save(root / "pdq", meta=meta)
        self.stdout.write(f"matcher built up to entry {top} in {root}")
