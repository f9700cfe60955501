"""Streaming /ispws uploads: every byte is hashed and encrypted as it arrives, any file type."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from tipline.media.uploads import EncryptedUpload, EncryptingUploadHandler


class IspwsUploadHandler(EncryptingUploadHandler):
    """Like the public handler, but with the platform limit and no type filter.

    Platforms report whatever the abuser shared; the type is recorded (sniffed), never refused.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.limit = settings.ISPWS_MAX_FILE_BYTES

    def file_complete(self, file_size: int) -> EncryptedUpload:
        name = self.file_name or "upload"
        if self.writer is None:
            return EncryptedUpload(
                name=name, blob=None, sniffed=None, error="too_large", size=self.received
            )
        blob = self.writer.close()
        return EncryptedUpload(
            name=name, blob=blob, sniffed=self.sniff(blob.head), error="", size=blob.size
        )
