"""The national desk's package upload: ZIPs only, each encrypted as it arrives."""

from __future__ import annotations

from django.conf import settings

from tipline.media.uploads import EncryptedUpload, EncryptingUploadHandler

ZIP_TYPE = "application/zip"


class PackageUploadHandler(EncryptingUploadHandler):
    """Like the evidence upload, with the package limits and only ZIP content (by its bytes)."""

    def file_limit(self) -> int:
        return settings.NCMEC_UPLOAD_MAX_BYTES

    def count_limit(self) -> int:
        return settings.NCMEC_UPLOAD_MAX_COUNT

    def total_limit(self) -> int:
        return settings.NCMEC_UPLOAD_MAX_BYTES

    def file_complete(self, file_size: int) -> EncryptedUpload:
        name = self.file_name or "upload"
        if self.writer is None:
            return self._refused(name)
        blob = self.writer.close()
        sniffed = self.sniff(blob.head)
        if sniffed != ZIP_TYPE:
            self.error = "not_zip"
            return EncryptedUpload(name=name, blob=None, sniffed=sniffed, error=self.error, size=0)
        return EncryptedUpload(name=name, blob=blob, sniffed=sniffed, error="", size=blob.size)
