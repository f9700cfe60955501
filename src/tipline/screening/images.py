"""Images sent with a text to screen: checked and hashed in memory, never stored.

An image is refused, with the status the API answers, when its bytes are not base64, exceed
`IMAGE_MAX_BYTES`, are not an image by their content (the media app's sniffer, never the type the
sender declares), contradict the declared type, or cannot be decoded. A kept image is reduced to
its MD5 and its PDQ (the media app's `pdq_from_image`); the bytes are dropped at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from dataclasses import dataclass

from tipline.media.hashing import ImageRefused, open_image, pdq_from_image
from tipline.media.sniff import IMAGE_TYPES, sniff

IMAGE_MAX_BYTES = 1024 * 1024
IMAGES_PER_TEXT = 4


@dataclass(frozen=True)
class ImageHashes:
    """What screening keeps of an image while it answers: its MD5, PDQ and PDQ quality."""

    md5: str
    pdq: str
    quality: int


class ImageProblem(ValueError):
    """An image refused: the HTTP status to answer and why, in words for the partner."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _decode(data: str) -> bytes:
    # A base64 string longer than 4/3 of the limit cannot hold an image under it: refuse unread.
    if len(data) > (IMAGE_MAX_BYTES + 2) // 3 * 4 + 4:
        raise ImageProblem(413, f"The image exceeds {IMAGE_MAX_BYTES} bytes.")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageProblem(400, "The image is not valid base64.") from exc
    if len(raw) > IMAGE_MAX_BYTES:
        raise ImageProblem(413, f"The image exceeds {IMAGE_MAX_BYTES} bytes.")
    return raw


def _checked_type(raw: bytes, declared: str) -> str:
    found = sniff(raw[:8192]) if raw else None
    if found not in IMAGE_TYPES:
        raise ImageProblem(415, f"The content is not an image (it reads as {found or 'unknown'}).")
    if declared and declared.lower() != found:
        raise ImageProblem(415, f"The image is declared {declared} but its content is {found}.")
    return found


def image_hashes(data: str, declared: str = "") -> ImageHashes:
    """MD5 and PDQ of a base64 image; `ImageProblem` when it is refused (see the module)."""
    raw = _decode(data)
    _checked_type(raw, declared)
    try:
        with open_image(io.BytesIO(raw)) as image:
            image.load()
            result = pdq_from_image(image)
    except ImageRefused as exc:
        raise ImageProblem(413, f"The image has too many pixels ({exc}).") from exc
    # Damaged or hostile files raise all of these from Pillow's decoders.
    except (OSError, ValueError, EOFError, SyntaxError) as exc:
        raise ImageProblem(422, "The image cannot be decoded.") from exc
    md5 = hashlib.md5(raw, usedforsecurity=False).hexdigest()  # hash lists name files by MD5
    return ImageHashes(md5=md5, pdq=result.hash, quality=result.quality)
