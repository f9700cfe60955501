"""A ``<fileDetails>`` as a ``FileDraft``: ``file_details_dict_to_file_draft``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from tipline.intake.ispws.convert.fields import (
    _HEX,
    ISPWS_FILE_ANNOTATIONS,
    SHORT,
    _as_list,
    _build,
    _Fields,
)
from tipline.reports.choices import FileClassification
from tipline.reports.drafts import FileDraft


def _measured(value: str | None, length: int) -> str | None:
    return value.lower() if value and len(value) == length and _HEX.match(value) else None


_HASH_LENGTHS: Final = {"MD5": 32, "SHA1": 40, "SHA256": 64}


def _claimed_hashes(raw: Any, measured: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """The hashes the ESP says the original file had, and whether ours agree."""
    claimed = []
    for item in _as_list(raw):
        fields = _Fields(item)
        kind = str(fields.peek("@hashType") or "").strip()
        value = str(fields.peek("#text") or "").strip()
        ours = measured.get(kind.upper().replace("-", ""))
        matches = None if ours is None else ours == value.lower()
        claimed.append({"type": kind, "value": value, "matches_upload": matches})
    return claimed


def _claimed_fallback(claimed: list[dict[str, Any]], kind: str) -> str | None:
    # Used only where the server measured nothing: the ESP's word is better than no hash.
    for item in claimed:
        value = _measured(item["value"], _HASH_LENGTHS[kind])
        if value and item["type"].upper().replace("-", "") == kind:
            return value
    return None


def _file_annotations(fields: _Fields) -> list[str]:
    flags = fields.peek("fileAnnotations")
    names = [name for name in ISPWS_FILE_ANNOTATIONS if isinstance(flags, dict) and name in flags]
    if fields.flag("potentialMeme"):  # the schema's alternative to the annotations element
        names.append("potentialMeme")
    return [ISPWS_FILE_ANNOTATIONS[name] for name in dict.fromkeys(names)]


def _file_kept(
    details: dict[str, Any] | None, claimed: list[dict[str, Any]], uploaded_name: str | None
) -> dict[str, Any]:
    """What ``FileDraft.details`` keeps: the ESP's whole document and its claims."""
    kept: dict[str, Any] = {}
    if details is not None:
        kept["ispws_file_details"] = details
    if claimed:
        kept["claimed_hashes"] = claimed
    if uploaded_name:
        kept["uploaded_name"] = uploaded_name
    return kept


def file_details_dict_to_file_draft(
    details: dict[str, Any] | None,
    *,
    file_id: str,
    original_name: str,
    size: int | None,
    md5: str,
    sha1: str,
    sha256: str,
    content_type: str | None,
    storage_key: str,
) -> FileDraft:
    """A ``FileDraft`` from what the upload measured and the optional ``<fileDetails>`` dict.

    The measured hashes, size and type win; the ESP's claimed ``originalFileHash`` values are kept
    in ``details["claimed_hashes"]`` with whether each matches. The ESP's original file name,
    "viewed by ESP", "publicly available", file annotations (snake case) and industry
    classification go to their fields; the whole dict is ``details["ispws_file_details"]``.
    """
    fields = _Fields(details)
    given = {"MD5": md5, "SHA1": sha1, "SHA256": sha256}
    measured = {kind: _measured(given[kind], length) for kind, length in _HASH_LENGTHS.items()}
    claimed = _claimed_hashes(fields.peek("originalFileHash"), measured)
    name = fields.text("originalFileName", clip=False) or original_name.strip()[:SHORT] or None
    kept = _file_kept(details, claimed, original_name if original_name != name else None)
    classification = fields.text("industryClassification")
    values = {
        "file_id": file_id,
        "original_name": name,
        "size": size if size is not None and size >= 0 else None,
        "content_type": (content_type or "").strip()[:SHORT] or None,
        "viewed_by_platform": fields.flag("fileViewedByEsp"),
        "publicly_available": fields.flag("publiclyAvailable"),
        "classification": classification if classification in FileClassification.values else None,
        "annotations": _file_annotations(fields)[:20],
        "details": kept,
        "storage_key": storage_key or None,
    }
    hashes = {
        key.lower(): measured[key] or _claimed_fallback(claimed, key) for key in _HASH_LENGTHS
    }
    draft = _build(FileDraft, **values, **hashes)
    # Our own measurements are always valid; only the ESP's part can be refused.
    return draft or FileDraft(
        file_id=file_id, storage_key=storage_key or None, details=kept, **hashes
    )
