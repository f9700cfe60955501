"""Streaming /ispws uploads: every byte is hashed and encrypted as it arrives, any file type."""

from __future__ import annotations

from django.conf import settings

from tipline.media.uploads import EncryptedUpload, EncryptingUploadHandler


class IspwsUploadHandler(EncryptingUploadHandler):
    """Like the public handler, but with the platform limit and no type filter.

    Platforms report whatever the abuser shared; the type is recorded (sniffed), never refused.
    """

    def file_limit(self) -> int:
        return settings.ISPWS_MAX_FILE_BYTES

    def count_limit(self) -> int:
        return 1  # one `file` part per call, as the wire format has it

    def total_limit(self) -> int:
        return settings.ISPWS_MAX_FILE_BYTES

    def file_complete(self, file_size: int) -> EncryptedUpload:
        name = self.file_name or "upload"
        if self.writer is None:
            return self._refused(name)
        blob = self.writer.close()
        return EncryptedUpload(
            name=name, blob=blob, sniffed=self.sniff(blob.head), error="", size=blob.size
        )
