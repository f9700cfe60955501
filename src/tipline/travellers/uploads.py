"""The manifest upload: a hotel's CSV names foreign guests and their passports, so it is kept in
memory only (never Django's temporary file) and refused past `places.MANIFEST_MAX_BYTES`; the
service keeps the rows encrypted."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from tipline.travellers.places import MANIFEST_MAX_BYTES


class ManifestUploadHandler(FileUploadHandler):
    """Holds one file in memory; a second file, or one over the ceiling, sets `error`."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.buffer = bytearray()
        self.files_seen = 0
        self.error = ""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        if self.files_seen > 1:
            self.error = "Upload one manifest at a time."

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.error:
            return
        if len(self.buffer) + len(raw_data) > MANIFEST_MAX_BYTES:
            self.error = f"A manifest is at most {MANIFEST_MAX_BYTES // 1024} KB."
            self.buffer.clear()
            return
        self.buffer += raw_data

    def file_complete(self, file_size: int) -> SimpleUploadedFile | None:
        if self.error or self.files_seen > 1:
            return None
        return SimpleUploadedFile(self.file_name or "manifest.csv", bytes(self.buffer))
