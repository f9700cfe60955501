"""Decide a file's type from its bytes, never from its name."""

from __future__ import annotations

import filetype

IMAGE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/heic",
        "image/heif",
        "image/tiff",
    }
)
VIDEO_TYPES = frozenset(
    {
        "video/mp4",
        "video/quicktime",
        "video/webm",
        "video/3gpp",
        "video/x-matroska",
        "video/x-msvideo",
        "video/mpeg",
        "video/x-m4v",
    }
)
DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/msword",
        "application/vnd.oasis.opendocument.text",
        "application/rtf",
    }
)
ALLOWED_TYPES = IMAGE_TYPES | VIDEO_TYPES | DOCUMENT_TYPES


def sniff(head: bytes) -> str | None:
    """The MIME type the leading bytes show, or None when unknown."""
    kind = filetype.guess(head)
    if kind is None:
        return None
    return str(kind.mime)


def is_allowed(mime: str | None) -> bool:
    """Whether the public form and APIs accept this type as an attachment."""
    return mime in ALLOWED_TYPES
