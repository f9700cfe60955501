"""Reading a package, a ZIP or a folder, without trusting it.

Every refusal is a `PackageRefused` with a sentence a national-desk user can act on. Checked
before anything is read: member names (no absolute path, drive letter, `..` or NUL, so nothing
resolves outside the package), symbolic links (never followed), encrypted members, the number of
members, each member's size and the package's total, and each member's compression ratio (a ZIP
bomb declares its true size or lies about it; a lie is caught while reading, as the bytes that
come out never exceed the declared size and a short or altered member fails its CRC).
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Protocol

from django.conf import settings

READ_CHUNK = 64 * 1024
# Below this a high ratio is harmless (a small text compresses well); above it, it is a bomb.
RATIO_FLOOR_BYTES = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


class PackageRefused(Exception):
    """A package, or one report in it, that is not imported; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Member:
    """One file of a package: its normalised path inside it and its (declared) size."""

    name: str
    size: int


class Source(Protocol):
    """A package to read: its label (what the user gave), its members, and their bytes."""

    label: str

    def members(self) -> list[Member]: ...

    def chunks(self, name: str) -> Generator[bytes, None, None]: ...


def safe_name(raw: str) -> str:
    """`raw` as a relative POSIX path inside the package, or `PackageRefused`."""
    name = raw.replace("\\", "/")
    if "\x00" in name or name.startswith("/") or _DRIVE.match(name):
        raise PackageRefused(f"{raw!r} points outside the package (an absolute path).")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise PackageRefused(f"{raw!r} points outside the package (it climbs with '..').")
    if not parts:
        raise PackageRefused(f"{raw!r} is not a file name.")
    return "/".join(parts)


def read_all(source: Source, name: str, limit: int) -> bytes:
    """A small member's bytes (a report XML), refused beyond `limit`."""
    out = bytearray()
    for chunk in source.chunks(name):
        out += chunk
        if len(out) > limit:
            raise PackageRefused(f"{name} is larger than {limit} bytes.")
    return bytes(out)


def _check_totals(members: list[Member], label: str) -> list[Member]:
    if len(members) > settings.NCMEC_MAX_MEMBERS:
        raise PackageRefused(
            f"{label} holds {len(members)} files; at most {settings.NCMEC_MAX_MEMBERS} are taken."
        )
    for member in members:
        if member.size > settings.NCMEC_MAX_FILE_BYTES:
            raise PackageRefused(
                f"{member.name} is {member.size} bytes; a file may be at most"
                f" {settings.NCMEC_MAX_FILE_BYTES}."
            )
    total = sum(m.size for m in members)
    if total > settings.NCMEC_MAX_PACKAGE_BYTES:
        raise PackageRefused(
            f"{label} unpacks to {total} bytes; a package may be at most"
            f" {settings.NCMEC_MAX_PACKAGE_BYTES}."
        )
    return members


class ZipSource:
    """A ZIP package, from a path (the command) or a file object (the upload, in memory)."""

    def __init__(self, file: Path | BinaryIO, label: str) -> None:
        self.label = label
        try:
            self._zip = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise PackageRefused(f"{label} is not a readable ZIP file ({exc}).") from None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._members = _check_totals([self._member(i) for i in self._files()], label)

    def _files(self) -> list[zipfile.ZipInfo]:
        infos = self._zip.infolist()
        if len(infos) > settings.NCMEC_MAX_MEMBERS:
            raise PackageRefused(f"{self.label} holds {len(infos)} entries; too many to take.")
        return [info for info in infos if not info.is_dir()]

    def _member(self, info: zipfile.ZipInfo) -> Member:
        name = safe_name(info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageRefused(f"{name} is a symbolic link; links are never followed.")
        if info.flag_bits & 0x1:
            raise PackageRefused(f"{name} is encrypted; send the package without a password.")
        if name in self._infos:
            raise PackageRefused(f"{name} occurs twice in {self.label}.")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > settings.NCMEC_MAX_RATIO:
            raise PackageRefused(
                f"{name} expands {ratio:.0f} times (a ZIP bomb?); at most"
                f" {settings.NCMEC_MAX_RATIO} is taken."
            )
        self._infos[name] = info
        return Member(name=name, size=info.file_size)

    def members(self) -> list[Member]:
        return self._members

    def chunks(self, name: str) -> Generator[bytes, None, None]:
        info = self._infos[name]
        try:
            with self._zip.open(info) as handle:
                yield from _capped(handle, info.file_size, name)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise PackageRefused(
                f"{name} is damaged or is not what its ZIP header says ({exc})."
            ) from None


class FolderSource:
    """A package unpacked into a folder. A symbolic link anywhere in it refuses the package.
    `skip` names top-level entries that are not part of it (the command's ZIPs beside it)."""

    def __init__(self, root: Path, label: str, skip: frozenset[str] = frozenset()) -> None:
        self.label, self.root, self._skip = label, root, skip
        self._members = _check_totals(list(self._walk()), label)
        self._names = {m.name: m for m in self._members}

    def _walk(self) -> Iterator[Member]:
        for directory, subdirs, files in os.walk(self.root, followlinks=False):
            for entry in [*subdirs, *files]:
                path = Path(directory) / entry
                relative = safe_name(path.relative_to(self.root).as_posix())
                if relative in self._skip:
                    continue
                info = path.lstat()
                if stat.S_ISLNK(info.st_mode):
                    raise PackageRefused(
                        f"{relative} is a symbolic link; links are never followed."
                    )
                if stat.S_ISREG(info.st_mode):
                    yield Member(name=relative, size=info.st_size)

    def members(self) -> list[Member]:
        return self._members

    def chunks(self, name: str) -> Generator[bytes, None, None]:
        member = self._names[name]
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        try:
            descriptor = os.open(self.root / name, flags)
        except OSError as exc:
            raise PackageRefused(f"{name} cannot be read ({exc.strerror}).") from None
        with os.fdopen(descriptor, "rb") as handle:
            yield from _capped(handle, member.size, name)


def _capped(handle: IO[bytes], size: int, name: str) -> Iterator[bytes]:
    """The member's bytes, refusing any beyond the size declared before reading began."""
    seen = 0
    while chunk := handle.read(READ_CHUNK):
        seen += len(chunk)
        if seen > size:
            raise PackageRefused(f"{name} is larger than it said ({size} bytes).")
        yield chunk
    if seen != size:
        raise PackageRefused(f"{name} is shorter than it said ({seen} of {size} bytes).")


def open_source(path: Path) -> Source:
    """A ZIP file or a folder given on the command line."""
    if path.is_symlink():
        raise PackageRefused(f"{path} is a symbolic link; give the package itself.")
    if path.is_dir():
        return FolderSource(path, str(path))
    if path.is_file():
        return ZipSource(path, str(path))
    raise PackageRefused(f"{path} is neither a ZIP file nor a folder.")
