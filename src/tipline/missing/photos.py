"""A child's photo as shown (console, public alert, poster): decoded in memory from the
encrypted store, size-capped and re-encoded from pixels only, so no EXIF (location, device)
leaves with it. Nothing is written to disk."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from tipline.media.hashing import open_image
from tipline.media.storage import StorageError, read_decrypted
from tipline.missing.models import MissingPhoto

SIDE = 800
PLACEHOLDER_GREY = 200


def photo_image(photo: MissingPhoto, side: int = SIDE) -> Image.Image:
    """The photo at most `side` px, RGB; a plain grey square when it cannot be decoded."""
    try:
        image = open_image(io.BytesIO(b"".join(read_decrypted(photo.storage_key))), side)
        image.load()
        image = ImageOps.exif_transpose(image) or image
    # What Pillow raises for damaged files (ImageRefused is a ValueError), or a lost blob.
    except (OSError, ValueError, EOFError, SyntaxError, StorageError):
        image = Image.new("RGB", (side, side), (PLACEHOLDER_GREY,) * 3)
    image.thumbnail((side, side))
    return Image.frombytes(image.mode, image.size, image.tobytes()).convert("RGB")


def photo_jpeg(photo: MissingPhoto, side: int = SIDE) -> bytes:
    """The photo as JPEG bytes (see `photo_image`)."""
    out = io.BytesIO()
    photo_image(photo, side).save(out, "JPEG", quality=82)
    return out.getvalue()
