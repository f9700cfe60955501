"""The evidence upload's handler. It takes what the media handler takes and, for a legal request's
answer, the files holders return: call records and statements as CSV, subscriber details as plain
text, platform exports as JSON or ZIP, bank statements as spreadsheets.

The type is decided by the bytes. Text has no magic number, so a file is text only when none of
its bytes (every chunk, not only the head) is a control character text never holds; the name then
says which text it is. A name that claims one of the answers' types must agree with the bytes: a
binary, an image or an archive named `.csv` is refused, not stored.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from tipline.media.sniff import ALLOWED_TYPES
from tipline.media.storage import default_store
from tipline.media.uploads import EncryptedUpload, EncryptingUploadHandler

CSV = "text/csv"
TEXT = "text/plain"
JSON = "application/json"
ZIP = "application/zip"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

# What a holder's answer may be, besides the PDFs and documents every evidence upload takes.
ANSWER_TYPES = frozenset({CSV, TEXT, JSON, ZIP, XLSX, XLS, ODS})
EVIDENCE_TYPES = ALLOWED_TYPES | ANSWER_TYPES
ANSWER_ONLY_TYPES = ANSWER_TYPES - ALLOWED_TYPES

# The type a name's ending claims, for the answers' types (an image's ending is not checked:
# evidence photos are often misnamed, and their type is read from the bytes anyway).
CLAIMS = {
    ".csv": CSV,
    ".tsv": CSV,
    ".txt": TEXT,
    ".json": JSON,
    ".zip": ZIP,
    ".xlsx": XLSX,
    ".xls": XLS,
    ".ods": ODS,
}
TEXT_ENDINGS = {".csv": CSV, ".tsv": CSV, ".json": JSON}

# C0 controls and DEL, less tab, line feed, form feed and carriage return: a byte text never has.
NOT_TEXT = bytes([*range(0, 9), 11, *range(14, 32), 127])


def text_type(name: str, head: bytes) -> str:
    """Which text a file of text bytes is: by its name's ending, and JSON only when it opens like
    JSON (an object or an array)."""
    claimed = TEXT_ENDINGS.get(PurePath(name).suffix.lower(), TEXT)
    if claimed == JSON and head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        return TEXT
    return claimed


def claim_refused(name: str, sniffed: str | None) -> str:
    """Why the name's claim and the bytes disagree, or "" when they do not."""
    suffix = PurePath(name).suffix.lower()
    claimed = CLAIMS.get(suffix)
    if claimed is None or claimed == sniffed:
        return ""
    return f"named {suffix} but its bytes are {sniffed or 'not text'}"


class EvidenceUploadHandler(EncryptingUploadHandler):
    """The media handler, with the answers' types: text is recognised over the whole stream,
    and a name that lies about an answer's type is refused (its blob deleted)."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.is_text = True

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.is_text and len(raw_data.translate(None, NOT_TEXT)) != len(raw_data):
            self.is_text = False
        super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> EncryptedUpload:
        name = self.file_name or "upload"
        if self.writer is None:
            return self._refused(name)
        with self._unavailable_aborts():
            blob = self.writer.close()
        sniffed = self.sniff(blob.head)
        if sniffed is None and self.is_text and blob.size:
            sniffed = text_type(name, blob.head)
        lie = claim_refused(name, sniffed)
        if lie or sniffed not in EVIDENCE_TYPES:
            default_store().delete(blob.key)
            self.error = lie or "bad_type"
            return self._refused(name, sniffed)
        return EncryptedUpload(name=name, blob=blob, sniffed=sniffed, error="", size=blob.size)
