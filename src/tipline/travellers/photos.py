"""A notice's photo as the console shows it: decoded in memory from the encrypted store,
size-capped and re-encoded from pixels only, so no EXIF leaves with it. Nothing touches disk."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from tipline.media.hashing import open_image
from tipline.media.storage import StorageError, read_decrypted

SIDE = 600
PLACEHOLDER_GREY = 200


def photo_jpeg(key: str, side: int = SIDE) -> bytes:
    """The stored photo as JPEG bytes at most `side` px; a grey square when it cannot be read."""
    try:
        image = open_image(io.BytesIO(b"".join(read_decrypted(key))), side)
        image.load()
        image = ImageOps.exif_transpose(image) or image
    # What Pillow raises for damaged files (ImageRefused is a ValueError), or a lost blob.
    except (OSError, ValueError, EOFError, SyntaxError, StorageError):
        image = Image.new("RGB", (side, side), (PLACEHOLDER_GREY,) * 3)
    image.thumbnail((side, side))
    out = io.BytesIO()
    Image.frombytes(image.mode, image.size, image.tobytes()).convert("RGB").save(
        out, "JPEG", quality=82
    )
    return out.getvalue()
