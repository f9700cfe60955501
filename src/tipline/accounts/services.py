"""Writes to accounts: creating staff and API clients, the login state machine, MFA enrolment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from tipline.accounts.models import ApiClient, User
from tipline.audit.services import audit_record
from tipline.common import ids
from tipline.common.time import utcnow


def user_create(
    *,
    username: str,
    password: str,
    role: str,
    commands: list[Any] | None = None,
    is_national: bool = False,
    actor: Any | None = None,
    email: str = "",
) -> User:
    """Create a staff user in one or more commands (or national, for supervisors/admins)."""
    with transaction.atomic():
        user = User(
            username=username,
            role=role,
            is_national=is_national,
            email=email,
            is_staff=role == "administrator",
            is_superuser=role == "administrator",
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        user.commands.set(commands or [])
        audit_record(
            actor=actor,
            action="user.created",
            object_type="user",
            object_id=user.pk,
            after={
                "username": username,
                "role": role,
                "national": is_national,
                "commands": [c.code for c in commands or []],
            },
        )
    return user


@dataclass(frozen=True)
class NewClient:
    """A created API client and its key, which exists in clear only here."""

    client: ApiClient
    api_key: str


def api_key_hash(key: str) -> str:
    """API keys are long random secrets, so a plain SHA-256 is enough and keeps auth fast."""
    return ids.sha256_hex(key.encode("utf-8"))


def api_client_create(
    *,
    name: str,
    kind: str,
    scopes: list[str],
    api_key: str | None = None,
    ispws_username: str | None = None,
    ispws_password: str | None = None,
    actor: Any | None = None,
) -> NewClient:
    """Register a platform or partner. Pass `api_key` only for fixed demo keys."""
    key = api_key or ids.new_api_key()
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name,
            kind=kind,
            scopes=scopes,
            key_prefix=key[:12],
            key_hash=api_key_hash(key),
            ispws_username=ispws_username,
            ispws_password_hash=make_password(ispws_password) if ispws_password else "",
        )
        audit_record(
            actor=actor,
            action="api_client.created",
            object_type="api_client",
            object_id=client.pk,
            after={"name": name, "kind": kind, "scopes": scopes},
        )
    return NewClient(client=client, api_key=key)


def user_is_locked(user: User) -> bool:
    """Whether the account is inside a lock-out window."""
    return user.locked_until is not None and user.locked_until > utcnow()


def user_login_failed(*, user: User, ip: str | None) -> None:
    """Count a failed password or code; lock the account after too many."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.failed_logins += 1
        if locked.failed_logins >= settings.LOGIN_MAX_FAILURES:
            locked.locked_until = utcnow() + timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
            locked.failed_logins = 0
        locked.save(update_fields=["failed_logins", "locked_until"])
        audit_record(
            actor=None,
            actor_label=f"login:{user.username}",
            action="auth.login_failed",
            object_type="user",
            object_id=user.pk,
            ip=ip,
            after={"locked_until": locked.locked_until},
        )


def user_login_succeeded(*, user: User, ip: str | None) -> None:
    """Reset the failure count and record the login."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            failed_logins=0, locked_until=None, last_login=utcnow()
        )
        audit_record(actor=user, action="auth.login", object_type="user", object_id=user.pk, ip=ip)


def user_mfa_begin(*, user: User) -> str:
    """Give the user a new (not yet active) TOTP secret and return it."""
    secret = pyotp.random_base32()
    with transaction.atomic():
        user.totp_secret = secret
        user.mfa_enabled = False
        user.save(update_fields=["totp_secret", "mfa_enabled"])
        audit_record(
            actor=user, action="auth.mfa_enrolment_started", object_type="user", object_id=user.pk
        )
    return secret


def totp_matches(user: User, code: str) -> bool:
    """Check a 6-digit code, allowing one step of clock drift either way."""
    if not user.totp_secret:
        return False
    return pyotp.TOTP(user.totp_secret).verify(code.strip().replace(" ", ""), valid_window=1)


def user_mfa_confirm(*, user: User, code: str) -> bool:
    """Activate the second factor once the user proves their authenticator works."""
    if not totp_matches(user, code):
        return False
    with transaction.atomic():
        user.mfa_enabled = True
        user.save(update_fields=["mfa_enabled"])
        audit_record(actor=user, action="auth.mfa_enabled", object_type="user", object_id=user.pk)
    return True


def hash_password_for_storage(raw: str) -> str:
    """Argon2 hash of a secret a person chose (used for /ispws passwords)."""
    return make_password(raw)
