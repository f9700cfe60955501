"""Tests of streaming digests and PDQ hashing, on images and videos generated here.

No real photographs are used: every image is drawn from shapes, gradients and smooth noise.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tipline.media.hashing import (
    MIN_MATCH_QUALITY,
    StreamHasher,
    hash_file,
    is_matchable,
    main_hash,
    pdq_from_file,
    pdq_from_image,
)

MATCH = 31


def distance(a: str, b: str) -> int:
    """Hamming distance between two 64-hex PDQ hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def shapes_image(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """Random filled ellipses and rectangles on a coloured background."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", size, tuple(int(c) for c in rng.integers(0, 256, 3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = int(rng.integers(0, size[0] - 60)), int(rng.integers(0, size[1] - 60))
        box = (x0, y0, x0 + int(rng.integers(40, 300)), y0 + int(rng.integers(40, 250)))
        fill = tuple(int(c) for c in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=fill)
    return image


def gradient_image(seed: int, size: tuple[int, int] = (800, 600)) -> Image.Image:
    """A colour gradient under a few broad sine waves of random direction and phase."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float64)
    u, v = x / size[0], y / size[1]
    channels = []
    for ramp in (u, v, 1 - u):
        waves = sum(
            np.sin(2 * np.pi * rng.uniform(1.5, 6) * (u * np.cos(a) + v * np.sin(a)) + p)
            for a, p in rng.uniform(0, 2 * np.pi, (5, 2))
        )
        channels.append(np.clip(ramp * 100 + 78 + waves * 30, 0, 255))
    return Image.fromarray(np.stack(channels, axis=2).astype(np.uint8))


def noise_image(seed: int, size: tuple[int, int] = (512, 512)) -> Image.Image:
    """Smooth noise: a small random grid scaled up, so structure survives resizing."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (12, 12, 3), dtype=np.uint8)
    return Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)


GENERATORS: list[Callable[[int], Image.Image]] = [shapes_image, gradient_image, noise_image]


def jpeg_roundtrip(image: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def test_stream_hasher_matches_hashlib_over_any_chunking() -> None:
    data = np.random.default_rng(1).integers(0, 256, 300_001, dtype=np.uint8).tobytes()
    hasher = StreamHasher()
    for start in range(0, len(data), 65_537):
        hasher.update(data[start : start + 65_537])
    digests = hasher.digests()
    assert digests.md5 == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert digests.sha1 == hashlib.sha1(data, usedforsecurity=False).hexdigest()
    assert digests.sha256 == hashlib.sha256(data).hexdigest()
    assert digests.size == len(data)


def test_stream_hasher_of_nothing_gives_the_empty_digests() -> None:
    digests = StreamHasher().digests()
    assert digests.md5 == "d41d8cd98f00b204e9800998ecf8427e"
    assert digests.sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert digests.size == 0


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pdq_survives_resizing_and_jpeg_recompression(
    make: Callable[[int], Image.Image], seed: int
) -> None:
    original = make(seed)
    reference = pdq_from_image(original)
    assert reference.matchable
    half = original.resize((original.width // 2, original.height // 2), Image.Resampling.LANCZOS)
    variants = [
        jpeg_roundtrip(original, 70),
        jpeg_roundtrip(half, 50),
        original.resize((original.width * 3 // 2, original.height * 3 // 2)),
        jpeg_roundtrip(original.resize((300, 300)), 80),  # aspect ratio changed too
    ]
    for variant in variants:
        assert distance(reference.hash, pdq_from_image(variant).hash) <= MATCH


def test_distinct_generated_images_are_far_apart() -> None:
    hashes = [pdq_from_image(make(seed)).hash for make in GENERATORS for seed in range(1, 5)]
    gaps = [distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :]]
    assert min(gaps) > MATCH
    assert 100 <= float(np.mean(gaps)) <= 156  # unrelated PDQ hashes differ in ~128 bits


def test_large_image_is_downscaled_before_hashing_and_hashes_alike(tmp_path: Path) -> None:
    big = gradient_image(7, size=(750, 500)).resize((3000, 2000), Image.Resampling.BICUBIC)
    path = tmp_path / "big.jpg"
    big.save(path, "JPEG", quality=90)
    from_file = pdq_from_file(path)
    small = big.resize((512, 341), Image.Resampling.LANCZOS)
    assert distance(from_file.hash, pdq_from_image(small).hash) <= 8


def test_flat_image_hash_is_kept_but_not_matchable(tmp_path: Path) -> None:
    path = tmp_path / "flat.png"
    Image.new("RGB", (200, 200), (120, 120, 120)).save(path)
    record = hash_file(path)
    assert record["pdq"] is not None and len(record["pdq"]) == 64
    assert record["quality"] < MIN_MATCH_QUALITY
    assert record["matchable"] is False
    assert not is_matchable(record["quality"]) and is_matchable(MIN_MATCH_QUALITY)


@pytest.mark.skipif(
    importlib.util.find_spec("threatexchange") is None, reason="threatexchange not installed"
)
def test_pdq_hex_form_is_the_threatexchange_one() -> None:
    from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_bytes

    image = shapes_image(11, size=(500, 400))  # under 512 px: no downscaling on our side
    buf = io.BytesIO()
    image.save(buf, "PNG")
    theirs, their_quality = pdq_from_bytes(buf.getvalue())
    ours = pdq_from_image(image)
    assert (ours.hash, ours.quality) == (theirs, their_quality)


def test_hash_file_of_an_image_gives_every_field(tmp_path: Path) -> None:
    path = tmp_path / "shapes.png"
    shapes_image(3).save(path)
    record = hash_file(path)
    data = path.read_bytes()
    assert record["kind"] == "image" and record["mime"] == "image/png"
    assert record["md5"] == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["pdq"] == pdq_from_image(shapes_image(3)).hash
    assert isinstance(record["quality"], int) and record["matchable"] is True


def test_hash_file_of_other_data_has_digests_and_no_pdq(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("invented text, nothing else\n")
    record = hash_file(path)
    assert record["kind"] == "other"
    assert record["pdq"] is None and record["quality"] is None
    assert len(record["sha1"]) == 40


def test_hash_file_of_a_corrupt_image_reports_the_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50)
    record = hash_file(path)
    assert record["kind"] == "image"
    assert record["pdq"] is None and "pdq_error" in record
    assert len(record["md5"]) == 32


def test_main_hash_prints_one_json_object_per_file(tmp_path: Path) -> None:
    good = tmp_path / "a.png"
    noise_image(4).save(good)
    out = io.StringIO()
    status = main_hash([str(good), str(tmp_path / "missing.png")], out)
    lines = out.getvalue().splitlines()
    assert status == 1
    assert json.loads(lines[0])["pdq"] == pdq_from_image(noise_image(4)).hash
    assert "error" in json.loads(lines[1])


def write_video(path: Path, seconds: int = 3, fps: int = 10) -> None:
    """A small MPEG-4 video of a square moving across a gradient (generated, no footage)."""
    import av

    background = np.asarray(gradient_image(5, size=(160, 120)))
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for i in range(seconds * fps):
            frame = background.copy()
            frame[30:70, 5 + 3 * i : 45 + 3 * i] = (250, 20, 20)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())


@pytest.mark.skipif(importlib.util.find_spec("av") is None, reason="PyAV (av) not installed")
def test_video_gets_digests_and_a_pdq_per_sampled_second(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    write_video(path)
    record = hash_file(path)
    assert record["kind"] == "video" and len(record["md5"]) == 32
    frames = record["frames"]
    assert [round(f["time"]) for f in frames] == [0, 1, 2]
    assert all(len(f["hash"]) == 64 for f in frames)


def test_video_without_a_decoder_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "av", None)  # makes `import av` raise ImportError
    path = tmp_path / "clip.mp4"
    # The smallest MP4 header filetype recognises; no decoder will ever read it.
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)
    record = hash_file(path)
    assert record["kind"] == "video"
    assert record["frames"] is None and "install" in record["frames_error"]
    assert record["pdq"] is None
