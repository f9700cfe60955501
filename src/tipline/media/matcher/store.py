"""Versioned index files on disk.

Layout of an index directory::

    CURRENT              one line: the name of the live version, e.g. "v000003"
    v000003/manifest.json
    v000003/<array>.npy  one plain .npy file per array (np.load(..., mmap_mode="r") works)

A version directory is written under a temporary name, fsynced, then renamed into place, and
only then is CURRENT replaced (write a temporary file + os.replace, which is atomic on POSIX).
A reader therefore sees either the old version or the new one, never a half-written one, and
processes that still map an old version keep reading it until they reload. Old versions are
removed with prune(). Writers in several processes are serialised with a flock on ".lock".
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FORMAT_VERSION = 1
CURRENT_FILE = "CURRENT"
MANIFEST_FILE = "manifest.json"
_VERSION_PREFIX = "v"


class IndexFormatError(ValueError):
    """The files on disk are not an index of the expected kind and format version."""


@dataclass(frozen=True)
class StoredVersion:
    """One version read back from disk: its name, manifest and (memory-mapped) arrays."""

    name: str
    manifest: dict[str, Any]
    arrays: dict[str, npt.NDArray[Any]]

    @property
    def meta(self) -> dict[str, Any]:
        """The caller's metadata saved with this version (e.g. a database watermark)."""
        meta: dict[str, Any] = self.manifest.get("meta", {})
        return meta


def current_version(directory: Path) -> str | None:
    """Return the name of the live version in directory, or None when nothing was saved."""
    try:
        return (directory / CURRENT_FILE).read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        return None


def write_version(
    directory: Path, kind: str, arrays: Mapping[str, npt.NDArray[Any]], meta: Mapping[str, Any]
) -> str:
    """Write arrays as a new version of directory, make it current, return its name."""
    directory.mkdir(parents=True, exist_ok=True)
    with _writer_lock(directory):
        name = _next_name(directory)
        tmp = directory / f".tmp-{name}-{os.getpid()}"
        tmp.mkdir()
        for key, array in arrays.items():
            _save_array(tmp / f"{key}.npy", array)
        _write_json(tmp / MANIFEST_FILE, _manifest(kind, arrays, meta))
        tmp.rename(directory / name)
        _fsync_dir(directory)
        _point_current(directory, name)
    return name


def read_version(
    directory: Path, kind: str, *, mmap: bool = True, name: str | None = None
) -> StoredVersion:
    """Read version `name` (default: the current one); arrays are mapped read-only if mmap."""
    name = name or current_version(directory)
    if name is None:
        raise FileNotFoundError(f"no {CURRENT_FILE} file in {directory}")
    folder = directory / name
    manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    _check_manifest(manifest, kind, folder)
    arrays = {key: _load_array(folder, key, spec, mmap) for key, spec in manifest["arrays"].items()}
    return StoredVersion(name=name, manifest=manifest, arrays=arrays)


def prune(directory: Path, keep: int = 2) -> list[str]:
    """Delete all but the newest `keep` versions (never the current one); return their names.

    Processes that still map a deleted version keep working: on POSIX the pages stay valid
    until the last mapping goes away.
    """
    current = current_version(directory)
    names = sorted(p.name for p in directory.iterdir() if _is_version_name(p.name))
    doomed = [n for n in names[: max(len(names) - keep, 0)] if n != current]
    for name in doomed:
        shutil.rmtree(directory / name)
    return doomed


def _manifest(
    kind: str, arrays: Mapping[str, npt.NDArray[Any]], meta: Mapping[str, Any]
) -> dict[str, Any]:
    specs = {k: {"dtype": a.dtype.str, "shape": list(a.shape)} for k, a in arrays.items()}
    return {
        "format": kind,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "arrays": specs,
        "meta": dict(meta),
    }


def _check_manifest(manifest: dict[str, Any], kind: str, folder: Path) -> None:
    if manifest.get("format") != kind:
        raise IndexFormatError(f"{folder} holds {manifest.get('format')!r}, expected {kind!r}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexFormatError(
            f"{folder} has format version {manifest.get('format_version')!r}; "
            f"this code reads version {FORMAT_VERSION}"
        )


def _load_array(folder: Path, key: str, spec: dict[str, Any], mmap: bool) -> npt.NDArray[Any]:
    array: npt.NDArray[Any] = np.load(
        folder / f"{key}.npy", mmap_mode="r" if mmap else None, allow_pickle=False
    )
    if array.dtype.str != spec["dtype"] or list(array.shape) != spec["shape"]:
        raise IndexFormatError(f"{folder / key}.npy does not match its manifest entry")
    return array


def _save_array(path: Path, array: npt.NDArray[Any]) -> None:
    with path.open("wb") as fh:
        np.save(fh, np.ascontiguousarray(array), allow_pickle=False)
        fh.flush()
        os.fsync(fh.fileno())


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())


def _point_current(directory: Path, name: str) -> None:
    tmp = directory / f".{CURRENT_FILE}.{os.getpid()}"
    with tmp.open("w", encoding="ascii") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, directory / CURRENT_FILE)
    _fsync_dir(directory)


def _next_name(directory: Path) -> str:
    numbers = [int(p.name[1:]) for p in directory.iterdir() if _is_version_name(p.name)]
    return f"{_VERSION_PREFIX}{max(numbers, default=0) + 1:06d}"


def _is_version_name(name: str) -> bool:
    return name.startswith(_VERSION_PREFIX) and name[1:].isdigit()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _writer_lock(directory: Path) -> Iterator[None]:
    with (directory / ".lock").open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
