"""Records read-only in the admin: every change goes through the services (audited)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tipline.missing.models import MissingRecord


@admin.register(MissingRecord)
class MissingRecordAdmin(admin.ModelAdmin[MissingRecord]):
    list_display = ["reference", "status", "command", "source", "created_at"]
    list_filter = ["status", "source", "command"]
    fields = ["reference", "status", "command", "source", "created_at", "updated_at"]
    readonly_fields = ["reference", "status", "command", "source", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
