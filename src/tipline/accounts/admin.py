"""Administration of users and API clients (administrators only).

Every change goes through `accounts.services`, so it is validated and audited like any other: the
admin only collects the form. Nothing is deleted here; a user or client is switched off instead.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.http import HttpRequest

from tipline.accounts.auth import acting_user
from tipline.accounts.choices import Scope
from tipline.accounts.models import ApiClient, User
from tipline.accounts.services import (
    api_client_create,
    api_client_update,
    user_create,
    user_set_password,
    user_update,
)


class ServicePasswordForm(AdminPasswordChangeForm):  # type: ignore[type-arg]
    """Validates the new password; `log_change` below stores it through the service, where the
    admin's view has the request (and so the actor) that this form never sees."""

    def save(self, commit: bool = True) -> Any:
        usable = self.cleaned_data.get("set_usable_password", True)
        self.user._pending_password = self.cleaned_data["password1"] if usable else None
        return self.user


class UserAddForm(forms.ModelForm):  # type: ignore[type-arg]  # ModelForm is generic in stubs only
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ["username", "email", "role", "is_national", "commands"]


class NoDeleteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switch off instead: the audit trail and reports keep naming them


@admin.register(User)
class TiplineUserAdmin(NoDeleteAdmin, UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "role", "is_national", "mfa_enabled", "is_active"]
    add_form = UserAddForm
    add_fieldsets = (
        (None, {"fields": ("username", "password", "email", "role", "is_national", "commands")}),
    )
    change_password_form = ServicePasswordForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("Scope", {"fields": ("role", "is_national", "commands", "is_active", "mfa_enabled")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["username", "mfa_enabled", "last_login", "date_joined"]
    filter_horizontal = ["commands"]
    list_filter = ["role", "is_national", "is_active"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        commands = list(data.get("commands") or [])
        if not change:
            created = user_create(
                username=data["username"],
                password=data["password"],
                role=data["role"],
                commands=commands,
                is_national=data["is_national"],
                email=data.get("email", ""),
                actor=acting_user(request),
            )
            obj.pk = created.pk  # the admin redirects to the object it thinks it saved
            return
        user_update(
            user=obj,
            actor=acting_user(request),
            role=data["role"],
            commands=commands,
            is_national=data["is_national"],
            is_active=data["is_active"],
            email=data.get("email", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # the commands were set by the service, in its transaction

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if hasattr(obj, "_pending_password"):  # the password view: see ServicePasswordForm
            user_set_password(user=obj, actor=acting_user(request), password=obj._pending_password)
            del obj._pending_password
        return super().log_change(request, obj, message)


class ApiClientForm(forms.ModelForm):  # type: ignore[type-arg]
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiClient
        fields = ["name", "kind", "scopes", "is_active"]


@admin.register(ApiClient)
class ApiClientAdmin(NoDeleteAdmin):
    form = ApiClientForm
    list_display = ["name", "kind", "is_active", "key_prefix", "ispws_username"]
    readonly_fields = ["key_prefix", "ispws_username", "created_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            api_client_update(
                client=obj,
                actor=acting_user(request),
                name=data["name"],
                kind=data["kind"],
                scopes=list(data["scopes"]),
                active=data["is_active"],
            )
            return
        new = api_client_create(
            name=data["name"],
            kind=data["kind"],
            scopes=list(data["scopes"]),
            actor=acting_user(request),
        )
        obj.pk = new.client.pk
        # The key exists in clear only now; it is shown once and never stored.
        messages.warning(request, f"The new client's API key, shown only this once: {new.api_key}")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # no related objects: nothing for the admin to write itself
