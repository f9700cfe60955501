"""Staff users, their commands and second factor; API clients with hashed keys."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models

from tipline.accounts.choices import ClientKind, Role
from tipline.common.fields import EncryptedTextField


class User(AbstractUser):
    """A staff member. Scope comes from `commands` unless `is_national` is set."""

    role = models.CharField(max_length=32, choices=Role.choices, default=Role.ANALYST)
    commands = models.ManyToManyField("geo.RegionalCommand", blank=True, related_name="members")
    is_national = models.BooleanField(
        default=False, help_text="Sees every command. Only supervisors and administrators."
    )
    totp_secret = EncryptedTextField(blank=True, default="")
    mfa_enabled = models.BooleanField(default=False)
    media_reveal_default = models.BooleanField(
        default=False, help_text="Show media unblurred by default. Off unless the user chooses."
    )
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_national=True)
                | models.Q(role__in=["supervisor", "administrator"]),
                name="national_scope_only_for_supervisors_and_admins",
                violation_error_message="Only supervisors and administrators can be national.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.username} ({self.get_role_display()})"


class ApiClient(models.Model):
    """A platform or partner that submits by API. Only hashes of its secrets are stored."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=ClientKind.choices)
    scopes: models.JSONField[Any, Any] = models.JSONField(default=list)
    key_prefix = models.CharField(max_length=32, unique=True, null=True, blank=True)
    key_hash = models.CharField(max_length=128, blank=True, default="")
    ispws_username = models.CharField(max_length=150, unique=True, null=True, blank=True)
    ispws_password_hash = models.CharField(max_length=256, blank=True, default="")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        """Whether this client may use `scope`."""
        return self.is_active and scope in self.scopes
