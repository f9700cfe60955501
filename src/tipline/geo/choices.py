"""Kinds of command."""

from django.db import models


class CommandKind(models.TextChoices):
    NATIONAL = "national", "National desk"
    ZONAL = "zonal", "Zonal command"
    STATE = "state", "State command"
    LIAISON = "liaison", "Liaison office"
    PARTNER = "partner", "Partner queue"
