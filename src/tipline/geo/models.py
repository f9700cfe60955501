"""States and regional commands. The state-to-command mapping is data an administrator edits."""

from __future__ import annotations

from django.db import models

from tipline.geo.choices import CommandKind


class RegionalCommand(models.Model):
    """A command (or the national desk) that owns a queue of reports."""

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=CommandKind.choices)
    hq_state = models.ForeignKey(
        "geo.State", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class State(models.Model):
    """One of the 36 states or the FCT (ISO 3166-2:NG code without the prefix)."""

    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=80, unique=True)
    capital = models.CharField(max_length=80)
    command = models.ForeignKey(
        RegionalCommand,
        on_delete=models.PROTECT,
        related_name="states",
        help_text="The command whose queue receives reports located in this state.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
