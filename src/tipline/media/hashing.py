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
# Frames decoded per video, sampled or not: a file whose timestamps never advance (or that holds
# far more frames than its header says) would otherwise be decoded to its end, however long.
VIDEO_MAX_DECODED_FRAMES = 60 * 300
# Pixels decoded per image. Past this, an image keeps its digests only: a small PNG can declare
# billions of pixels (a decompression bomb), and the worker must not try to hold them.
MAX_DECODE_PIXELS = 64 * 1024 * 1024

__all__ = [
    "CHUNK_SIZE",
    "MAX_PDQ_SIDE",
    "MIN_MATCH_QUALITY",
    "Digests",
    "FramePDQ",
    "ImageRefused",
    "PDQResult",
    "VideoSample",
    "StreamHasher",
    "hash_file",
    "is_matchable",
    "main_hash",
    "open_image",
    "pdq_from_file",
    "pdq_from_image",
    "video_frame_pdqs",
    "video_sample",
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


@dataclass(frozen=True)
class VideoSample:
    """The sampled frames' PDQ, how many frames were decoded, and whether decoding reached the
    end of the video (False when `VIDEO_MAX_DECODED_FRAMES` stopped it)."""

    frames: list[FramePDQ]
    decoded: int
    complete: bool


class ImageRefused(ValueError):
    """An image whose pixels will not be decoded (too many of them)."""


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


def open_image(source: str | Path | BinaryIO, side: int = MAX_PDQ_SIDE) -> Image.Image:
    """Open an image to be shown at most `side` px, refusing one with too many pixels to decode.

    Only the header is read here. JPEG is then decoded at a reduced scale where `side` allows.
    """
    with warnings.catch_warnings():
        # Pillow warns past 89 megapixels and refuses past 179: our own limit below decides.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(source)
        except Image.DecompressionBombError as exc:
            raise ImageRefused(str(exc)) from exc
    image.draft(None, (side, side))
    width, height = image.size
    if width * height > MAX_DECODE_PIXELS:
        image.close()
        raise ImageRefused(f"{width}x{height} pixels, over the {MAX_DECODE_PIXELS} decoded")
    return image


def pdq_from_file(source: str | Path | BinaryIO) -> PDQResult:
    """PDQ of an image file (first frame of an animation); raises if Pillow cannot read it."""
    with open_image(source) as image:
        # thumbnail() before load() lets the JPEG decoder scale down by 2-8x as it decodes.
        image.thumbnail((MAX_PDQ_SIDE, MAX_PDQ_SIDE), Image.Resampling.BICUBIC)
        return pdq_from_image(image)


def video_frame_pdqs(
    path: str | Path | BinaryIO,
    interval: float = VIDEO_FRAME_INTERVAL,
    max_frames: int = VIDEO_MAX_FRAMES,
) -> list[FramePDQ] | None:
    """PDQ of one frame every `interval` seconds, or None when PyAV is not installed."""
    sample = video_sample(path, interval, max_frames)
    return None if sample is None else sample.frames


def video_sample(
    path: str | Path | BinaryIO,
    interval: float = VIDEO_FRAME_INTERVAL,
    max_frames: int = VIDEO_MAX_FRAMES,
) -> VideoSample | None:
    """Like `video_frame_pdqs`, also saying how far decoding went; None without PyAV."""
    try:
        import av  # optional dependency: its wheel bundles FFmpeg
    except ImportError:
        return None
    frames: list[FramePDQ] = []
    progress = _Decoding()
    source = path if hasattr(path, "read") else str(path)  # a decrypted stream never touches disk
    with av.open(source) as container:
        for time, image in _sampled_frames(container, interval, progress):
            result = pdq_from_image(image)
            frames.append(FramePDQ(round(time, 3), result.hash, result.quality))
            if len(frames) >= max_frames:
                return VideoSample(frames, progress.decoded, complete=False)
    return VideoSample(frames, progress.decoded, complete=not progress.stopped)


@dataclass
class _Decoding:
    decoded: int = 0
    stopped: bool = False


def _sampled_frames(
    container: Any, interval: float, progress: _Decoding
) -> Iterator[tuple[float, Image.Image]]:
    """Decoded frames of the first video stream, at least `interval` seconds apart, counted in
    `progress`; decoding stops after `VIDEO_MAX_DECODED_FRAMES`, whatever the timestamps say."""
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    next_time = 0.0
    for frame in container.decode(stream):
        if progress.decoded >= VIDEO_MAX_DECODED_FRAMES:
            progress.stopped = True
            return
        progress.decoded += 1
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
        result = pdq_from_file(path)
    except (OSError, ValueError, EOFError, SyntaxError) as exc:  # ImageRefused is a ValueError
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
