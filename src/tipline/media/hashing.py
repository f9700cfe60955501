"""File hashing: MD5/SHA-1/SHA-256 while streaming, PDQ for images and sampled video frames.

* ``StreamHasher`` takes a file chunk by chunk, so the upload handler can hash each chunk and
  encrypt it in the same pass; plain text never has to touch the disk.
* ``pdq_from_image`` computes Meta's PDQ perceptual hash (``pdqhash``, the reference C++ code)
  after downscaling to at most 512 px, as Meta recommends: it is faster and PDQ itself works on
  a 64x64 reduction. The hex form is the one ThreatExchange, HMA and NCMEC lists use (the first
  bit of ``pdqhash``'s vector is the most significant bit of the first hex digit). EXIF
  orientation is not applied, again as HMA does, so our hashes agree with theirs.
* A hash of quality < 50 is kept on the file but never matched (see ``is_matchable``).
* Videos get their digests, plus PDQ of one frame every ``VIDEO_FRAME_INTERVAL`` seconds when
  PyAV (the optional ``av`` wheel, which bundles FFmpeg: nothing to install natively) is
  importable; without it ``frames`` is None and ``frames_error`` says why.
* ``hash_file`` / ``main_hash`` are the core of the ``tipline hash FILE...`` command, which
  prints one JSON object per file.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

import filetype
import numpy as np
import pdqhash
from PIL import Image

from tipline.media.matcher.codec import MIN_MATCH_QUALITY

CHUNK_SIZE = 1 << 20
MAX_PDQ_SIDE = 512
VIDEO_FRAME_INTERVAL = 1.0  # seconds between sampled frames
VIDEO_MAX_FRAMES = 300  # a long video is sampled over its first five minutes at most

__all__ = [
    "CHUNK_SIZE",
    "MAX_PDQ_SIDE",
    "MIN_MATCH_QUALITY",
    "Digests",
    "FramePDQ",
    "PDQResult",
    "StreamHasher",
    "hash_file",
    "is_matchable",
    "main_hash",
    "pdq_from_file",
    "pdq_from_image",
    "video_frame_pdqs",
]


@dataclass(frozen=True)
class Digests:
    """The cryptographic digests of one file, as lowercase hex, and its size in bytes."""

    md5: str
    sha1: str
    sha256: str
    size: int


class StreamHasher:
    """Computes MD5, SHA-1 and SHA-256 of a stream fed chunk by chunk."""

    def __init__(self) -> None:
        # MD5 and SHA-1 identify files in partner hash lists; they are not used for security.
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha1 = hashlib.sha1(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self._size = 0

    def update(self, chunk: bytes | bytearray | memoryview) -> None:
        """Feed the next chunk of the file."""
        self._md5.update(chunk)
        self._sha1.update(chunk)
        self._sha256.update(chunk)
        self._size += len(chunk)

    def digests(self) -> Digests:
        """The digests of everything fed so far."""
        return Digests(
            md5=self._md5.hexdigest(),
            sha1=self._sha1.hexdigest(),
            sha256=self._sha256.hexdigest(),
            size=self._size,
        )


@dataclass(frozen=True)
class PDQResult:
    """A PDQ hash (64 hex characters) and its quality (0-100)."""

    hash: str
    quality: int

    @property
    def matchable(self) -> bool:
        """Whether the hash may be matched (quality >= 50)."""
        return is_matchable(self.quality)


@dataclass(frozen=True)
class FramePDQ:
    """The PDQ hash of one video frame, with its time in seconds from the start."""

    time: float
    hash: str
    quality: int


def is_matchable(quality: int | None) -> bool:
    """Whether a PDQ hash of this quality may be matched: low-quality hashes never are."""
    return quality is not None and quality >= MIN_MATCH_QUALITY


def pdq_from_image(image: Image.Image) -> PDQResult:
    """PDQ of a decoded image, after downscaling it to at most 512 px on its longer side."""
    if max(image.size) > MAX_PDQ_SIDE:
        image = image.copy()
        image.thumbnail((MAX_PDQ_SIDE, MAX_PDQ_SIDE), Image.Resampling.BICUBIC)
    bits, quality = pdqhash.compute(np.asarray(image.convert("RGB")))
    return PDQResult(np.packbits(bits.astype(np.uint8)).tobytes().hex(), int(quality))


def pdq_from_file(source: str | Path | BinaryIO) -> PDQResult:
    """PDQ of an image file (first frame of an animation); raises if Pillow cannot read it."""
    with Image.open(source) as image:
        # thumbnail() before load() lets the JPEG decoder scale down by 2-8x as it decodes.
        image.thumbnail((MAX_PDQ_SIDE, MAX_PDQ_SIDE), Image.Resampling.BICUBIC)
        return pdq_from_image(image)


def video_frame_pdqs(
    path: str | Path | BinaryIO,
    interval: float = VIDEO_FRAME_INTERVAL,
    max_frames: int = VIDEO_MAX_FRAMES,
) -> list[FramePDQ] | None:
    """PDQ of one frame every `interval` seconds, or None when PyAV is not installed."""
    try:
        import av  # optional dependency: its wheel bundles FFmpeg
    except ImportError:
        return None
    frames: list[FramePDQ] = []
    source = path if hasattr(path, "read") else str(path)  # a decrypted stream never touches disk
    with av.open(source) as container:
        for time, image in _sampled_frames(container, interval):
            result = pdq_from_image(image)
            frames.append(FramePDQ(round(time, 3), result.hash, result.quality))
            if len(frames) >= max_frames:
                break
    return frames


def _sampled_frames(container: Any, interval: float) -> Iterator[tuple[float, Image.Image]]:
    """Decoded frames of the first video stream, at least `interval` seconds apart."""
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    next_time = 0.0
    for frame in container.decode(stream):
        time = float(frame.time) if frame.time is not None else next_time
        if time + 1e-6 >= next_time:
            next_time = time + interval
            yield time, frame.to_image()


def hash_file(path: str | Path) -> dict[str, Any]:
    """Digests of any file, plus PDQ for images (and video frames when PyAV is present).

    Keys: path, size, mime, kind ("image", "video" or "other"), md5, sha1, sha256, pdq (64 hex
    or None), quality (int or None), matchable (bool); for videos also frames (a list of
    {time, hash, quality} or None) and, when frames is None, frames_error; pdq_error when an
    image could not be decoded.
    """
    path = Path(path)
    digests, head = _digest_file(path)
    mime = _sniff_mime(head)
    kind = mime.split("/")[0] if mime and mime.split("/")[0] in ("image", "video") else "other"
    out: dict[str, Any] = {"path": str(path), "size": digests.size, "mime": mime, "kind": kind}
    out.update(md5=digests.md5, sha1=digests.sha1, sha256=digests.sha256, pdq=None, quality=None)
    if kind == "image":
        out.update(_image_fields(path))
    elif kind == "video":
        out.update(_video_fields(path))
    out["matchable"] = out["pdq"] is not None and is_matchable(out["quality"])
    return out


def _digest_file(path: Path) -> tuple[Digests, bytes]:
    """Stream the file through StreamHasher; also return its first chunk for type sniffing."""
    hasher, head = StreamHasher(), b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            head = head or chunk
            hasher.update(chunk)
    return hasher.digests(), head


def _sniff_mime(head: bytes) -> str | None:
    kind = filetype.guess(head) if head else None
    return str(kind.mime) if kind is not None else None


def _image_fields(path: Path) -> dict[str, Any]:
    try:
        with warnings.catch_warnings():
            # A very large image is still evidence: hash it rather than warn about it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            result = pdq_from_file(path)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        return {"pdq_error": f"{type(exc).__name__}: {exc}"}
    return {"pdq": result.hash, "quality": result.quality}


def _video_fields(path: Path) -> dict[str, Any]:
    try:
        frames = video_frame_pdqs(path)
    except (OSError, ValueError, IndexError) as exc:  # PyAV's errors subclass these
        return {"frames": None, "frames_error": f"{type(exc).__name__}: {exc}"}
    if frames is None:
        return {"frames": None, "frames_error": "no frame decoder: install the 'av' package"}
    return {"frames": [asdict(f) for f in frames]}


def main_hash(paths: list[str], stdout: IO[str]) -> int:
    """`tipline hash FILE...`: print one JSON object per file; exit status 1 if any failed."""
    status = 0
    for name in paths:
        try:
            record = hash_file(name)
        except OSError as exc:
            record, status = {"path": name, "error": f"{type(exc).__name__}: {exc}"}, 1
        stdout.write(json.dumps(record, sort_keys=True) + "\n")
    return status
