"""Writes of the media app: hash lists and their entries, and matching report files."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from PIL import ExifTags, Image

from tipline.accounts.models import User
from tipline.accounts.types import Actor
from tipline.audit.services import audit_record
from tipline.common.time import utcnow
from tipline.media.choices import MatchKind
from tipline.media.hashing import is_matchable, open_image, pdq_from_image, video_sample
from tipline.media.index import current_indexes
from tipline.media.models import (
    FileMatch,
    FileOpening,
    HashList,
    HashListEntry,
    HashListVersion,
    StoreSwitch,
)
from tipline.media.sniff import IMAGE_TYPES, VIDEO_TYPES
from tipline.media.storage import BlobMissing, read_decrypted, remember_switches
from tipline.reports.models import ReportFile

MAX_IMAGE_BYTES = 50 * 1024 * 1024
# Videos are decoded from memory (plain text never touches a disk); larger ones keep digests only.
MAX_VIDEO_BYTES = 256 * 1024 * 1024
IMPORT_BATCH = 2000


def hashlist_create(
    *,
    name: str,
    source: str,
    actor: Actor,
    category_scheme: str = "",
    sharing_level: str = "TLP:AMBER",
    unidentified_victim: bool = False,
) -> HashList:
    """A new, active hash list."""
    with transaction.atomic():
        hash_list = HashList.objects.create(
            name=name,
            source=source,
            category_scheme=category_scheme,
            sharing_level=sharing_level,
            unidentified_victim=unidentified_victim,
        )
        audit_record(
            actor=actor,
            action="hashlist.created",
            object_type="hash_list",
            object_id=hash_list.pk,
            after={"name": name, "source": source, "unidentified_victim": unidentified_victim},
        )
        HashListVersion.bump()
    return hash_list


@dataclass
class ImportResult:
    """What an import added, skipped as already present, and refused (with line numbers)."""

    added: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    seen: int = 0


def _store_batch(batch: list[HashListEntry], result: ImportResult) -> None:
    # Duplicates are skipped by the unique constraint; what was added is counted once at the
    # end (counting per batch would make a 10-million-entry import quadratic).
    HashListEntry.objects.bulk_create(batch, ignore_conflicts=True)
    result.seen += len(batch)
    batch.clear()


def hashlist_import(
    *,
    hash_list: HashList,
    stream: BinaryIO,
    actor: Actor,
    fmt: str | None = None,
) -> ImportResult:
    """Import entries from CSV, VICS JSON (1.3 or 2.0) or our own export, in one transaction."""
    from tipline.media.hashlists import HashRecord, parse  # noqa: PLC0415  # format parsers

    result, batch = ImportResult(), []
    with transaction.atomic():
        before = HashListEntry.objects.filter(hash_list=hash_list).count()
        for item in parse(stream, fmt=fmt):
            if not isinstance(item, HashRecord):
                result.errors.append(f"line {item.line}: {item.message}")
                continue
            batch.append(
                HashListEntry(
                    hash_list=hash_list,
                    md5=item.md5 or "",
                    sha1=item.sha1 or "",
                    pdq=item.pdq or "",
                    label=item.label[:200],
                    category=(item.category or "")[:50],
                    victim_identified=item.victim_identified,
                    enabled=item.enabled,
                    extra=dict(item.extra),
                )
            )
            if len(batch) >= IMPORT_BATCH:
                _store_batch(batch, result)
        _store_batch(batch, result)
        result.added = HashListEntry.objects.filter(hash_list=hash_list).count() - before
        result.duplicates = result.seen - result.added
        audit_record(
            actor=actor,
            action="hashlist.imported",
            object_type="hash_list",
            object_id=hash_list.pk,
            after={
                "added": result.added,
                "duplicates": result.duplicates,
                "errors": len(result.errors),
            },
        )
        HashListVersion.bump()
    return result


def hashlist_entry_set_enabled(
    *, entry: HashListEntry, enabled: bool, actor: Actor, reason: str = ""
) -> HashListEntry:
    """Disable an entry (it stops matching at once) or enable it again."""
    with transaction.atomic():
        before = entry.enabled
        entry.enabled = enabled
        entry.save(update_fields=["enabled"])
        audit_record(
            actor=actor,
            action="hashlist.entry_enabled" if enabled else "hashlist.entry_disabled",
            object_type="hash_list_entry",
            object_id=entry.pk,
            before={"enabled": before},
            after={"enabled": enabled, "reason": reason},
        )
        HashListVersion.bump()
    return entry


def hashlist_set_active(*, hash_list: HashList, active: bool, actor: Actor) -> HashList:
    """Switch a whole list on or off."""
    with transaction.atomic():
        hash_list.active = active
        hash_list.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action="hashlist.activated" if active else "hashlist.deactivated",
            object_type="hash_list",
            object_id=hash_list.pk,
        )
        HashListVersion.bump()
    return hash_list


def _image(file: ReportFile) -> Image.Image | str:
    """The decoded image, or why it keeps its digests only (the file is then opaque)."""
    if file.size is not None and file.size > MAX_IMAGE_BYTES:
        return f"over {MAX_IMAGE_BYTES} bytes"
    try:
        data = b"".join(read_decrypted(file.storage_key))
    except BlobMissing as exc:  # recorded on the file; the store being down fails the step
        return f"blob missing: {exc}"
    try:
        image = open_image(io.BytesIO(data))
        image.load()
    # Damaged or hostile files raise all of these from Pillow's decoders (ImageRefused is a
    # ValueError, UnidentifiedImageError an OSError); the digests still identify the file.
    except (OSError, ValueError, EOFError, SyntaxError) as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    return image


def _exif(image: Image.Image) -> dict[str, str]:
    return {
        str(ExifTags.TAGS.get(tag, tag)): str(value)[:200] for tag, value in image.getexif().items()
    }


def _video_details(file: ReportFile) -> dict[str, Any] | None:
    """Sampled frames and how far decoding went, or None when the video cannot be sampled."""
    if not file.storage_key or file.sniffed_type not in VIDEO_TYPES:
        return None
    if file.size is not None and file.size > MAX_VIDEO_BYTES:
        return None
    try:
        data = io.BytesIO(b"".join(read_decrypted(file.storage_key)))
    except BlobMissing:
        return None
    try:
        sample = video_sample(data)
    except Exception:  # noqa: BLE001  # FFmpeg refuses many damaged files; digests still match
        return None
    if sample is None or not sample.frames:
        return None
    frames = [{"time": f.time, "hash": f.hash, "quality": f.quality} for f in sample.frames]
    return {"frames": frames, "frames_decoded": sample.decoded, "frames_complete": sample.complete}


def _compute_video_pdq(file: ReportFile) -> ReportFile:
    details = _video_details(file)
    if details is None:
        return file
    best = max(details["frames"], key=lambda f: f["quality"])
    file.pdq, file.pdq_quality = best["hash"], best["quality"]
    file.details = {**(file.details or {}), **details}
    file.save(update_fields=["pdq", "pdq_quality", "details"])
    return file


def file_compute_pdq(*, file: ReportFile) -> ReportFile:
    """PDQ and quality of a stored image (EXIF kept as details), or of a video's sampled frames.

    For a video, every sampled frame's PDQ is kept in `details["frames"]` and each is matched;
    the file's own PDQ is its best-quality frame's.
    """
    if file.sniffed_type in VIDEO_TYPES:
        return _compute_video_pdq(file)
    if not file.storage_key or file.sniffed_type not in IMAGE_TYPES:
        return file
    image = _image(file)
    if isinstance(image, str):
        file.details = {**(file.details or {}), "pdq_error": image}
        file.save(update_fields=["details"])
        return file
    result = pdq_from_image(image)
    file.pdq, file.pdq_quality = result.hash, result.quality
    exif = _exif(image)
    if exif:
        file.details = {**(file.details or {}), "exif": exif}
    file.save(update_fields=["pdq", "pdq_quality", "details"])
    return file


def _digest_matches(file: ReportFile) -> list[tuple[int, str, int]]:
    return hashes_match(md5=file.md5, sha1=file.sha1, pdqs=_pdqs(file))


def hashes_match(
    *, md5: str = "", sha1: str = "", pdqs: set[tuple[str, int]] | None = None
) -> list[tuple[int, str, int]]:
    """(entry id, kind, distance) of the hash-list entries these hashes match, closest per
    entry and kind: what `file_match` stores, for hashes of a file that is not stored (the
    screening API's images). Low-quality PDQ hashes are never matched."""
    indexes, found = current_indexes(), list[tuple[int, str, int]]()
    if md5:
        found += [(entry_id, MatchKind.MD5, 0) for entry_id in indexes.md5.lookup(md5)]
    if sha1:
        found += [(entry_id, MatchKind.SHA1, 0) for entry_id in indexes.sha1.lookup(sha1)]
    for pdq, quality in pdqs or set():
        if is_matchable(quality):
            found += [(entry_id, MatchKind.PDQ, dist) for entry_id, dist in indexes.pdq.query(pdq)]
    return _closest(found)


def _pdqs(file: ReportFile) -> set[tuple[str, int]]:
    """The file's PDQ hashes with their quality: its own, and each sampled video frame's."""
    hashes = set()
    if file.pdq:
        hashes.add((file.pdq, file.pdq_quality if file.pdq_quality is not None else 100))
    for frame in (file.details or {}).get("frames") or []:
        hashes.add((str(frame["hash"]), int(frame["quality"])))
    return hashes


def _closest(found: list[tuple[int, str, int]]) -> list[tuple[int, str, int]]:
    """One match per entry and kind, at its smallest distance (several frames may match)."""
    best: dict[tuple[int, str], int] = {}
    for entry_id, kind, distance in found:
        key = (entry_id, kind)
        best[key] = min(distance, best.get(key, distance))
    return [(entry_id, kind, distance) for (entry_id, kind), distance in best.items()]


def file_match(*, file: ReportFile) -> list[FileMatch]:
    """Replace the file's matches with what the current hash lists say."""
    found = _digest_matches(file)
    entries = HashListEntry.objects.in_bulk([entry_id for entry_id, _, _ in found])
    now = utcnow()
    rows = [
        FileMatch(
            file=file,
            entry=entries[eid],
            hash_list_id=entries[eid].hash_list_id,
            kind=kind,
            distance=dist,
            label=entries[eid].label,
            matched_at=now,
        )
        for eid, kind, dist in found
        if eid in entries and entries[eid].enabled
    ]
    with transaction.atomic():
        FileMatch.objects.filter(file=file).delete()
        FileMatch.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def file_open_held_back(
    *, file: ReportFile, legal_basis: str, actor: User, ip: str | None = None
) -> FileOpening:
    """Record the legal basis for opening a file the reporting company did not view (a warrant,
    consent, exigency...). Audited with the basis; afterwards the file shows like any other."""
    basis = legal_basis.strip()
    if len(basis) < 10:
        raise ValidationError({"legal_basis": "Say the legal basis for opening this file."})
    with transaction.atomic():
        opening = FileOpening.objects.create(
            file=file, legal_basis=basis[:4000], opened_by=actor, opened_at=utcnow()
        )
        audit_record(
            actor=actor,
            action="media.held_back_opened",
            object_type="report_file",
            object_id=file.file_id,
            after={"report": file.report.reference, "legal_basis": basis[:4000]},
            ip=ip,
        )
    return opening


def store_switch_record(*, source: str, target: str, blobs: int, actor: Actor) -> StoreSwitch:
    """Switch the platform's media from `source` to `target` (store URLs), every blob of which
    was copied and verified: every process configured with `source` uses `target` within
    MEDIA_STORE_RECHECK_SECONDS, this one at once."""
    with transaction.atomic():
        switch = StoreSwitch.objects.create(
            source=source, target=target, blobs=blobs, switched_at=utcnow()
        )
        audit_record(
            actor=actor,
            action="media.store_switched",
            object_type="store_switch",
            object_id=switch.pk,
            after={"source": source, "target": target, "blobs": blobs},
        )
    switches = StoreSwitch.objects.order_by("pk").values_list("pk", "source", "target")
    remember_switches(list(switches))
    return switch
