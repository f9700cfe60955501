"""Derived images for the console: blurred greyscale thumbnails and EXIF-free full views.

Derived images are made in memory from the decrypted content and never written to disk. They are
re-encoded from pixels only, so no EXIF (location, device) survives into them.
"""

from __future__ import annotations

import io
import logging

from PIL import Image, ImageFilter, ImageOps

from tipline.media.hashing import open_image
from tipline.media.storage import StorageError, read_decrypted
from tipline.reports.models import ReportFile

THUMB_SIDE = 256
FULL_SIDE = 1600
BLUR_RADIUS = 12
PLACEHOLDER_GREY = 160
logger = logging.getLogger(__name__)


def _open(file: ReportFile, side: int) -> Image.Image:
    """The image decoded for a view at most `side` px, or a plain grey square when it cannot
    be (damaged, truncated, or too many pixels): the page shows that, never an error."""
    try:
        image = open_image(io.BytesIO(b"".join(read_decrypted(file.storage_key))), side)
        image.load()
        return ImageOps.exif_transpose(image) or image
    # What Pillow raises for damaged files (ImageRefused is a ValueError).
    except (OSError, ValueError, EOFError, SyntaxError):
        return Image.new("L", (side, side), PLACEHOLDER_GREY)
    except StorageError as exc:  # missing, or the store is down: reported, never a 500
        logger.warning("No preview of file %s: %s", file.file_id, exc)
        return Image.new("L", (side, side), PLACEHOLDER_GREY)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB" if image.mode not in ("L", "RGB") else image.mode).save(
        out, "JPEG", quality=80
    )
    return out.getvalue()


def blurred_thumbnail(file: ReportFile) -> bytes:
    """Small, greyscale and heavily blurred: enough to tell images apart, not to see them."""
    image = _open(file, THUMB_SIDE)
    image.thumbnail((THUMB_SIDE, THUMB_SIDE))
    grey = ImageOps.grayscale(image)
    return _jpeg(grey.filter(ImageFilter.GaussianBlur(BLUR_RADIUS)))


def full_view(file: ReportFile) -> bytes:
    """The image itself, size-capped, EXIF stripped."""
    image = _open(file, FULL_SIDE)
    image.thumbnail((FULL_SIDE, FULL_SIDE))
    return _jpeg(Image.frombytes(image.mode, image.size, image.tobytes()))
