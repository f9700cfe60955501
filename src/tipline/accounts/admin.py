"""Administration of users and API clients (administrators only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tipline.accounts.models import ApiClient, User


@admin.register(User)
class TiplineUserAdmin(UserAdmin):  # type: ignore[type-arg]  # UserAdmin is generic only in stubs
    list_display = ["username", "role", "is_national", "mfa_enabled", "is_active"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Scope", {"fields": ("role", "is_national", "commands", "mfa_enabled")}),
    )
    readonly_fields = ["mfa_enabled"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    list_display = ["name", "kind", "is_active", "key_prefix", "ispws_username"]
    readonly_fields = ["key_prefix", "key_hash", "ispws_password_hash"]
