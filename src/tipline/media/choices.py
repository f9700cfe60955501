"""Vocabularies of media and hash lists."""

from django.db import models


class MatchKind(models.TextChoices):
    MD5 = "md5", "MD5 (exact)"
    SHA1 = "sha1", "SHA-1 (exact)"
    PDQ = "pdq", "PDQ (perceptual)"
