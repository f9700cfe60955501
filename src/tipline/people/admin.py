"""Reviewers' decisions, read-only: they change only through `people_decide`."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tipline.people.models import MatchDecision


@admin.register(MatchDecision)
class MatchDecisionAdmin(admin.ModelAdmin[MatchDecision]):
    list_display = ["owner_kind", "left_id", "right_id", "decision", "by", "at", "probability_then"]
    list_filter = ["owner_kind", "decision"]
    readonly_fields = [f.name for f in MatchDecision._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
