"""Upload handlers: files are stored only where a view asks for them, encrypted as they arrive.

Django's default handlers spool large uploads to a plain temporary file; abuse material must never
touch the disk unencrypted. And Django parses a body (storing its files) whenever anything reads
`request.POST`, the CSRF check included, on any view. So the default handler for every request
stores nothing (`RefusingUploadHandler`); a view that takes files installs an encrypting handler
itself, after its own rate limit, and deletes whatever it did not attach (`written_keys`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from tipline.media.sniff import is_allowed, sniff
from tipline.media.storage import (
    EncryptedWriter,
    StorageError,
    StorageUnavailable,
    StoredBlob,
    default_store,
)


class EncryptedUpload(UploadedFile):
    """An upload already in encrypted storage; `blob` is None when it was refused."""

    def __init__(
        self, *, name: str, blob: StoredBlob | None, sniffed: str | None, error: str, size: int
    ) -> None:
        super().__init__(file=None, name=name, content_type=sniffed, size=size)
        self.blob = blob
        self.sniffed = sniffed
        self.error = error


class RefusingUploadHandler(FileUploadHandler):
    """The default for every request: files are read past and never written anywhere."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        raise SkipFile


class EncryptingUploadHandler(FileUploadHandler):
    """Streams each file into encrypted storage, within per-file, count and total limits.

    A file over any limit is read past without being written (or its partial blob is deleted),
    and comes back as a refused `EncryptedUpload` whose `error` says why.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.files_seen = 0
        self.total_received = 0
        self.written: list[str] = []
        self.writer: EncryptedWriter | None = None
        self.error = ""

    def file_limit(self) -> int:
        """The largest file accepted, in bytes."""
        return settings.PUBLIC_ATTACHMENT_MAX_BYTES

    def count_limit(self) -> int:
        """How many files one request may store."""
        return settings.PUBLIC_ATTACHMENT_MAX_COUNT

    def total_limit(self) -> int:
        """How many bytes of files one request may store."""
        return settings.PUBLIC_ATTACHMENT_MAX_TOTAL_BYTES

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        self.received, self.error, self.writer = 0, "", None
        if self.files_seen > self.count_limit():
            self.error = "too_many"
            return
        with self._unavailable_aborts():
            self.writer = EncryptedWriter()
        self.written.append(self.writer.key)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        self.total_received += len(raw_data)
        if self.writer is None:
            return  # refused: keep reading the body so the rest of the form survives
        if self.received > self.file_limit() or self.total_received > self.total_limit():
            self.error = "too_large" if self.received > self.file_limit() else "total_too_large"
            self.writer.abort()
            self.writer = None
            return
        with self._unavailable_aborts():
            self.writer.write(raw_data)

    @contextmanager
    def _unavailable_aborts(self) -> Iterator[None]:
        """The store failing mid-file fails the whole request (503, in the area's dialect):
        the partial blob is aborted here, and the view discards the request's finished ones."""
        try:
            yield
        except StorageError as exc:
            if self.writer is not None:
                with suppress(StorageError, OSError):
                    self.writer.abort()
                self.writer = None
            if isinstance(exc, StorageUnavailable):
                raise
            raise StorageUnavailable(str(exc)) from exc

    @staticmethod
    def sniff(head: bytes) -> str | None:
        """The type the first bytes show."""
        return sniff(head)

    def _refused(self, name: str, sniffed: str | None = None) -> EncryptedUpload:
        return EncryptedUpload(
            name=name, blob=None, sniffed=sniffed, error=self.error, size=self.received
        )

    def file_complete(self, file_size: int) -> EncryptedUpload:
        name = self.file_name or "upload"
        if self.writer is None:
            return self._refused(name)
        with self._unavailable_aborts():
            blob = self.writer.close()
        sniffed = self.sniff(blob.head)
        if not is_allowed(sniffed):
            default_store().delete(blob.key)
            self.error = "bad_type"
            return self._refused(name, sniffed)
        return EncryptedUpload(name=name, blob=blob, sniffed=sniffed, error="", size=blob.size)


def written_keys(request: HttpRequest) -> list[str]:
    """The storage keys this request's encrypting handlers created (some may be deleted since)."""
    return [
        key
        for handler in request.upload_handlers
        if isinstance(handler, EncryptingUploadHandler)
        for key in handler.written
    ]
