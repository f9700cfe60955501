"""An upload handler that encrypts and hashes every chunk as it arrives.

Django's default handlers spool large uploads to a plain temporary file; abuse material must never
touch the disk unencrypted, so this handler replaces them for every request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from tipline.media.sniff import is_allowed, sniff
from tipline.media.storage import EncryptedWriter, StoredBlob, default_store


class EncryptedUpload(UploadedFile):
    """An upload already in encrypted storage; `blob` is None when it was refused."""

    def __init__(
        self, *, name: str, blob: StoredBlob | None, sniffed: str | None, error: str, size: int
    ) -> None:
        super().__init__(file=None, name=name, content_type=sniffed, size=size)
        self.blob = blob
        self.sniffed = sniffed
        self.error = error


class EncryptingUploadHandler(FileUploadHandler):
    """Streams each uploaded file into encrypted storage and enforces the size limit per file."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.writer: EncryptedWriter | None = EncryptedWriter()
        self.received = 0
        self.limit = settings.PUBLIC_ATTACHMENT_MAX_BYTES

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.writer is None:
            return  # already refused: keep reading the body so the rest of the form survives
        if self.received > self.limit:
            self.writer.abort()
            self.writer = None
            return
        self.writer.write(raw_data)
        return

    @staticmethod
    def sniff(head: bytes) -> str | None:
        """The type the first bytes show."""
        return sniff(head)

    def file_complete(self, file_size: int) -> EncryptedUpload:
        name = self.file_name or "upload"
        if self.writer is None:
            return EncryptedUpload(
                name=name, blob=None, sniffed=None, error="too_large", size=self.received
            )
        blob = self.writer.close()
        sniffed = self.sniff(blob.head)
        if not is_allowed(sniffed):
            default_store().delete(blob.key)
            return EncryptedUpload(
                name=name, blob=None, sniffed=sniffed, error="bad_type", size=blob.size
            )
        return EncryptedUpload(name=name, blob=blob, sniffed=sniffed, error="", size=blob.size)
