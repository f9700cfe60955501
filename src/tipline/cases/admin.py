"""Cases are read-only in the admin: every change goes through the services (and the audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tipline.cases.models import Case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    list_display = ("reference", "title", "command", "status", "lead", "opened_at")
    list_filter = ("status", "command")
    search_fields = ("reference",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
