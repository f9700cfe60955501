"""Screening levels, and the API scope and public session keys it shares with other apps."""

from django.db import models


class Level(models.TextChoices):
    NONE = "none", "None"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


LEVELS: tuple[str, ...] = tuple(Level.values)
# The session key under which the public check page leaves an offer for the report form to
# prefill, only when the person chooses to report it (intake reads it; screening sets it).
PREFILL_SESSION_KEY = "tipline_report_prefill"
