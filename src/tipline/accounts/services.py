"""Writes to accounts: creating staff and API clients, the login state machine, MFA enrolment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.db import transaction

from tipline.accounts.models import ApiClient, User
from tipline.accounts.types import Actor
from tipline.audit.services import audit_record
from tipline.common import ids
from tipline.common.ratelimit import strike, strikes, strikes_clear
from tipline.common.time import utcnow


def user_create(
    *,
    username: str,
    password: str,
    role: str,
    commands: list[Any] | None = None,
    is_national: bool = False,
    actor: Actor = None,
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
    actor: Actor = None,
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


def user_update(
    *,
    user: User,
    actor: Actor,
    role: str,
    commands: list[Any],
    is_national: bool,
    is_active: bool,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Change a staff user's role, scope, details or whether they may sign in.

    The admin's staff and superuser flags follow the role, as at creation, so an administrator
    is made or unmade only by the role, and the audit row says so.
    """
    with transaction.atomic():
        # From the row, not `user`: a form may already have written its values onto the instance.
        before = _user_state(User.objects.select_for_update().get(pk=user.pk))
        user.role, user.is_national, user.is_active = role, is_national, is_active
        user.email, user.first_name, user.last_name = email, first_name, last_name
        user.is_staff = user.is_superuser = role == "administrator"
        user.full_clean(exclude=["password"])
        user.save()
        user.commands.set(commands)
        audit_record(
            actor=actor,
            action="user.updated",
            object_type="user",
            object_id=user.pk,
            before=before,
            after=_user_state(user),
        )
    return user


def _user_state(user: User) -> dict[str, Any]:
    commands = sorted(user.commands.values_list("code", flat=True)) if user.pk else []
    return {
        "role": user.role,
        "national": user.is_national,
        "active": user.is_active,
        "email": user.email,
        "name": f"{user.first_name} {user.last_name}".strip(),
        "commands": commands,
    }


def user_set_password(*, user: User, actor: Actor, password: str | None) -> User:
    """Set a user's password (None: password sign-in disabled). The audit row holds no secret."""
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action="user.password_set",
            object_type="user",
            object_id=user.pk,
            after={"usable": password is not None},
        )
    return user


def api_client_update(
    *, client: ApiClient, actor: Actor, name: str, kind: str, scopes: list[str], active: bool
) -> ApiClient:
    """Rename a client, change its kind or scopes, or switch it off (its key stops working)."""
    with transaction.atomic():
        row = ApiClient.objects.select_for_update().get(pk=client.pk)  # the instance may be edited
        before = {"name": row.name, "kind": row.kind, "scopes": row.scopes, "active": row.is_active}
        client.name, client.kind, client.scopes, client.is_active = name, kind, scopes, active
        client.full_clean()
        client.save(update_fields=["name", "kind", "scopes", "is_active"])
        audit_record(
            actor=actor,
            action="api_client.updated",
            object_type="api_client",
            object_id=client.pk,
            before=before,
            after={"name": name, "kind": kind, "scopes": scopes, "active": active},
        )
    return client


def user_is_locked(user: User) -> bool:
    """Whether the account as a whole is inside a lock-out window (failures from many places)."""
    return user.locked_until is not None and user.locked_until > utcnow()


class LoginStatus(StrEnum):
    """What a password attempt leads to. Wrong, unknown and paused are all `REFUSED`."""

    REFUSED = "refused"
    TOO_MANY_FROM_HERE = "too_many_from_here"
    PASSED = "passed"


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of a password step; `needs_code` asks for the second factor before login."""

    status: LoginStatus
    user: User | None = None
    needs_code: bool = False


def _pair_key(username: str, ip: str | None) -> str:
    return "login-pair:" + ids.sha256_hex(f"{username}\0{ip}".encode())


def _ip_key(ip: str | None) -> str:
    return f"login-ip:{ip}"


def login_attempt(*, username: str, password: str, ip: str | None) -> LoginAttempt:
    """Check a password under the lock-out policy, giving nothing away about the account.

    - Every attempt that reaches a password costs one password hash, whether the name exists,
      is paused or is wrong (Django's backend hashes once for unknown names), so timing says
      nothing about which accounts exist.
    - Failures pause one username *from one address* (`LOGIN_MAX_FAILURES`), so a guesser is
      slowed without being able to lock staff out from elsewhere; one address is also limited
      across all usernames (`LOGIN_IP_MAX_FAILURES`).
    - Failures from many addresses lock the account as a whole (`LOGIN_ACCOUNT_MAX_FAILURES`),
      but an account with a second factor enrolled is then asked for its code, not refused.
    """
    if strikes(key=_ip_key(ip)) >= settings.LOGIN_IP_MAX_FAILURES:
        return LoginAttempt(status=LoginStatus.TOO_MANY_FROM_HERE)
    user = authenticate(None, username=username, password=password)
    paused = strikes(key=_pair_key(username, ip)) >= settings.LOGIN_MAX_FAILURES
    if not isinstance(user, User):
        login_failure_record(username=username, ip=ip)
        return LoginAttempt(status=LoginStatus.REFUSED)
    if paused or (user_is_locked(user) and not user.mfa_enabled):
        return LoginAttempt(status=LoginStatus.REFUSED)
    needs_code = settings.MFA_REQUIRED or user_is_locked(user)
    return LoginAttempt(status=LoginStatus.PASSED, user=user, needs_code=needs_code)


def login_code_paused(*, user: User, ip: str | None) -> bool:
    """Whether second-factor codes for `user` from `ip` are refused for now.

    Codes are guessed only by someone who has the password, so failures across all addresses
    also pause the account's code step (`LOGIN_ACCOUNT_MAX_FAILURES`).
    """
    return (
        strikes(key=_pair_key(user.username, ip)) >= settings.LOGIN_MAX_FAILURES
        or strikes(key=_ip_key(ip)) >= settings.LOGIN_IP_MAX_FAILURES
        or strikes(key=f"login-code:{user.pk}") >= settings.LOGIN_ACCOUNT_MAX_FAILURES
    )


def login_failure_record(
    *, username: str, ip: str | None, step: str = "password", user: User | None = None
) -> None:
    """Count a failed password or code against the name and address, and the account if known."""
    ttl = settings.LOGIN_LOCK_SECONDS
    strike(key=_pair_key(username, ip), ttl_seconds=ttl)
    strike(key=_ip_key(ip), ttl_seconds=ttl)
    if step == "code" and user is not None:
        strike(key=f"login-code:{user.pk}", ttl_seconds=ttl)
    known = user or User.objects.filter(username=username).first()
    if known is not None:
        user_login_failed(user=known, ip=ip, step=step)
        return
    with transaction.atomic():
        audit_record(
            actor=None,
            actor_label=f"login:{username[:150]}",
            action="auth.login_failed",
            object_type="user",
            object_id="",
            ip=ip,
            after={"step": step, "known": False},
        )


def user_login_failed(*, user: User, ip: str | None, step: str = "password") -> None:
    """Count a failure on the account as a whole; lock it after too many from anywhere."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.failed_logins += 1
        if locked.failed_logins >= settings.LOGIN_ACCOUNT_MAX_FAILURES:
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
            after={"step": step, "known": True, "locked_until": locked.locked_until},
        )


def user_login_succeeded(*, user: User, ip: str | None) -> None:
    """Reset the failure counts and record the login."""
    strikes_clear(key=_pair_key(user.username, ip))
    strikes_clear(key=f"login-code:{user.pk}")
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


def user_set_media_preference(*, user: User, reveal_by_default: bool) -> None:
    """Record an analyst's own choice of how media first appear."""
    with transaction.atomic():
        before = user.media_reveal_default
        user.media_reveal_default = reveal_by_default
        user.save(update_fields=["media_reveal_default"])
        audit_record(
            actor=user,
            action="media.preference_changed",
            object_type="user",
            object_id=user.pk,
            before={"reveal_by_default": before},
            after={"reveal_by_default": reveal_by_default},
        )
