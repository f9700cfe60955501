"""Pipeline step names and outcomes."""

from django.db import models


class StepStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    NEEDS_ATTENTION = "needs_attention", "Needs manual attention"


class Step(models.TextChoices):
    INTAKE = "intake", "Intake check"
    EXTRACT = "extract", "Extract identifiers"
    MEDIA = "media", "Hash and match media"
    LOCATE = "locate", "Geolocate"
    LINK = "link", "Link reports"
    SCREEN = "screen", "Screen for trafficking indicators"
    INDEX = "index", "Index for search"
    TRAVEL = "travel", "Match travel notices"
    PRIORITISE = "prioritise", "Prioritise"
    ROUTE = "route", "Route"
    MISSING = "missing", "Match missing children"
