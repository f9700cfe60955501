"""Demo media: abstract images drawn with Pillow, stored encrypted, and a demo hash list of some.

The images are random coloured shapes on a textured ground, never people. Each is stored through
`EncryptedWriter`, as an upload is, and attached to reports as a file. A demo hash list, created
and filled through the hash-list services, holds the MD5 and PDQ of some of them; variants that
are slightly changed (cropped, recompressed) match by PDQ only. So matches, blurred previews and
the P1 rule for lists of unidentified victims all have something to show.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from tipline.media.hashing import pdq_from_image
from tipline.media.models import HashList
from tipline.media.services import hashlist_create, hashlist_import
from tipline.media.storage import EncryptedWriter
from tipline.reports.choices import SharingLevel
from tipline.reports.drafts import FileDraft

SIDE = 320
PALETTE = ["#0b5d4b", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#1f78b4", "#a6761d"]
UNIDENTIFIED_LIST = "Demo: unidentified-victim series (invented shapes)"
KNOWN_LIST = "Demo: known series (invented shapes)"


@dataclass(frozen=True)
class DemoImage:
    """One generated picture: its encoded bytes, name and type."""

    name: str
    data: bytes
    content_type: str


def _shape(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    x, y = rng.randrange(-40, SIDE), rng.randrange(-40, SIDE)
    w, h = rng.randrange(30, 180), rng.randrange(30, 180)
    colour = rng.choice(PALETTE)
    kind = rng.randrange(3)
    if kind == 0:
        draw.ellipse((x, y, x + w, y + h), fill=colour)
    elif kind == 1:
        draw.rectangle((x, y, x + w, y + h), fill=colour)
    else:
        points = [(x + rng.randrange(w), y + rng.randrange(h)) for _ in range(3)]
        draw.polygon(points, fill=colour)


def draw_image(rng: random.Random) -> Image.Image:
    """Random shapes over stripes: detailed enough for a PDQ quality well above 50."""
    image = Image.new("RGB", (SIDE, SIDE), rng.choice(["#f4f1e8", "#e8eef4", "#f4e8ee"]))
    draw = ImageDraw.Draw(image)
    for stripe in range(0, SIDE, rng.randrange(8, 20)):
        draw.line((stripe, 0, SIDE - stripe, SIDE), fill="#c8c8c8", width=2)
    for _ in range(rng.randrange(8, 16)):
        _shape(draw, rng)
    return image.filter(ImageFilter.SMOOTH)


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, quality=85) if fmt == "JPEG" else image.save(out, format=fmt)
    return out.getvalue()


def variant(image: Image.Image) -> Image.Image:
    """The same picture smaller and a little brighter (saved as a JPEG): another MD5, a PDQ a
    few bits away, as a re-shared copy would be."""
    smaller = image.resize((SIDE - 40, SIDE - 40), Image.Resampling.BICUBIC)
    return ImageEnhance.Brightness(smaller).enhance(1.08)


def make_images(rng: random.Random, count: int) -> list[Image.Image]:
    """`count` distinct abstract pictures."""
    return [draw_image(rng) for _ in range(count)]


def encoded(image: Image.Image, name: str) -> DemoImage:
    """A PNG, or a JPEG when the name says so (a recompressed copy)."""
    fmt = "JPEG" if name.endswith(".jpg") else "PNG"
    return DemoImage(name, _encode(image, fmt), "image/jpeg" if fmt == "JPEG" else "image/png")


def store(image: DemoImage) -> FileDraft:
    """Encrypt the bytes into the media store, as an upload is, and describe the file."""
    writer = EncryptedWriter()
    writer.write(image.data)
    blob = writer.close()
    return FileDraft(
        original_name=image.name,
        size=blob.size,
        content_type=image.content_type,
        md5=blob.md5,
        sha1=blob.sha1,
        sha256=blob.sha256,
        storage_key=blob.key,
    )


def _csv(rows: list[tuple[str, str, str]]) -> io.BytesIO:
    lines = ["md5,pdq,label"] + [",".join(row) for row in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def seed_hash_lists(
    unidentified: list[DemoImage], known: list[DemoImage]
) -> tuple[HashList, HashList]:
    """Two demo lists through the services: a match to the first makes a report P1."""
    lists = []
    for name, images, flag in ((UNIDENTIFIED_LIST, unidentified, True), (KNOWN_LIST, known, False)):
        hash_list = hashlist_create(
            name=name,
            source="tipline demo generator",
            actor=None,
            sharing_level=SharingLevel.AMBER,
            unidentified_victim=flag,
        )
        rows = [(_md5(i.data), _pdq(i.data), i.name) for i in images]
        hashlist_import(hash_list=hash_list, stream=_csv(rows), actor=None, fmt="csv")
        lists.append(hash_list)
    return lists[0], lists[1]


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _pdq(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as image:
        return pdq_from_image(image).hash
