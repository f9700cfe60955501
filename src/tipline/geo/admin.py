"""The state-to-command mapping, editable by administrators (DESIGN: routing is data).

A change goes through `state_assign_command`, which audits it; routing reads `State.command` for
every report it routes afterwards. States and commands themselves are seeded data: no adding or
deleting here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tipline.common.http import client_ip
from tipline.geo.models import RegionalCommand, State
from tipline.geo.services import state_assign_command


@admin.register(State)
class StateAdmin(admin.ModelAdmin[State]):
    list_display = ["name", "code", "capital", "command"]
    list_filter = ["command"]
    search_fields = ["name", "code", "capital"]
    fields = ["name", "code", "capital", "command"]
    readonly_fields = ["name", "code", "capital"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: State, form: Any, change: bool) -> None:
        if "command" in form.changed_data:
            state_assign_command(
                state=obj,
                command=form.cleaned_data["command"],
                actor=request.user,
                ip=client_ip(request),
            )


@admin.register(RegionalCommand)
class RegionalCommandAdmin(admin.ModelAdmin[RegionalCommand]):
    """Read-only: the commands are seeded; which states each receives is edited on the states."""

    list_display = ["name", "code", "kind", "hq_state"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
