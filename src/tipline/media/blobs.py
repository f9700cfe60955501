"""Moving and checking the whole store: `tipline storage migrate` and `tipline storage verify`.

A migration copies ciphertext as it is (no key is needed, nothing is decrypted), reads every copy
back and compares its SHA-256 with the original's, and notes each verified key in a journal file,
so an interrupted run resumes where it stopped. Verification decrypts every blob a record refers
to (the models in `MEDIA_BLOB_OWNERS`) and, where the record keeps the plain SH-256, compares it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist

from tipline.media.storage import BlobMissing, BlobStore, StorageError, read_decrypted

COPY_PIECE = 1024 * 1024


@dataclass
class MigrateResult:
    """How many blobs were copied now, found already copied (journal), and failed (keys)."""

    copied: int = 0
    already: int = 0
    failed: list[str] = field(default_factory=list)


def journal_path(target: BlobStore) -> Path:
    """Where a migration to `target` notes the keys it has verified (one a line)."""
    name = hashlib.sha256(target.describe().encode()).hexdigest()[:16]
    return Path(settings.VAR_DIR) / f"storage-migrate-{name}.done"


def _ciphertext_sha256(store: BlobStore, key: str) -> str:
    digest = hashlib.sha256()
    with store.open_read(key) as handle:
        while piece := handle.read(COPY_PIECE):
            digest.update(piece)
    return digest.hexdigest()


def _copy(source: BlobStore, target: BlobStore, key: str) -> str:
    """Stream one blob across; return its ciphertext SHA-256 as read from the source."""
    digest = hashlib.sha256()
    target.delete(key)  # a copy cut short by an interruption is replaced, never appended to
    out = target.open_write(key)
    try:
        with source.open_read(key) as handle:
            while piece := handle.read(COPY_PIECE):
                digest.update(piece)
                out.write(piece)
    except BaseException:
        out.abort()
        raise
    out.close()
    return digest.hexdigest()


def storage_migrate(
    *, source: BlobStore, target: BlobStore, progress: Callable[[MigrateResult], None] | None = None
) -> MigrateResult:
    """Copy every blob of `source` to `target`, verifying each; resumable (see module)."""
    journal = journal_path(target)
    done = set(journal.read_text(encoding="ascii").split()) if journal.exists() else set()
    result = MigrateResult()
    with journal.open("a", encoding="ascii") as notes:
        for key in source.keys_older_than(float("inf")):
            if key in done:
                result.already += 1
                continue
            try:
                verified = _copy(source, target, key) == _ciphertext_sha256(target, key)
            except BlobMissing:
                continue  # deleted since it was listed (an orphan swept meanwhile)
            if not verified:
                result.failed.append(key)
                continue
            notes.write(key + "\n")
            notes.flush()
            result.copied += 1
            if progress is not None and result.copied % 1000 == 0:
                progress(result)
    return result


@dataclass
class VerifyResult:
    """Blobs checked, and the problems found (`owner pk key: reason`, no personal data)."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)


def _owned_blobs() -> Iterator[tuple[str, object, str, str]]:
    """(owner, pk, storage key, plain SHA-256 or "") for every record that names a blob."""
    for owner in settings.MEDIA_BLOB_OWNERS:
        model_path, key_field = owner.rsplit(".", 1)
        model = apps.get_model(model_path)
        try:
            model._meta.get_field("sha256")
            fields = ["pk", key_field, "sha256"]
        except FieldDoesNotExist:
            fields = ["pk", key_field]
        rows = model._default_manager.exclude(**{key_field: ""}).exclude(**{key_field: None})
        for row in rows.values_list(*fields).iterator(chunk_size=2000):
            yield model_path, row[0], row[1], (row[2] or "") if len(row) > 2 else ""


def _check(store: BlobStore, key: str, sha256: str) -> str:
    """Why the blob fails, or "" when it decrypts (and matches its recorded digest)."""
    digest = hashlib.sha256()
    try:
        for piece in read_decrypted(key, store=store):
            digest.update(piece)
    except BlobMissing:
        return "missing"
    except StorageError as exc:
        return f"does not decrypt ({exc})"
    if sha256 and digest.hexdigest() != sha256:
        return "decrypts, but not to the SHA-256 on record"
    return ""


def storage_verify(*, store: BlobStore) -> VerifyResult:
    """Check every blob a record refers to exists and decrypts."""
    result = VerifyResult()
    for owner, pk, key, sha256 in _owned_blobs():
        result.checked += 1
        if reason := _check(store, key, sha256):
            result.problems.append(f"{owner} {pk} {key}: {reason}")
    return result
