from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from freezegun import freeze_time

from tipline.accounts.checks import refuse_demo_credentials
from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.common.time import utcnow
from tipline.conftest import PASSWORD


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_passwords_are_hashed_with_argon2() -> None:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        assert identify_hasher(make_password("x" * 16)).algorithm == "argon2"


def test_login_without_mfa_in_relaxed_mode(lagos_analyst: User) -> None:
    client = Client()
    response = _login(client, lagos_analyst.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login").exists()


def test_sign_in_pauses_for_that_name_and_address_after_repeated_failures(
    lagos_analyst: User,
) -> None:
    client = Client()
    for _ in range(5):
        assert "not right" in _login(client, lagos_analyst.username, "wrong").content.decode()
    paused = _login(client, lagos_analyst.username, PASSWORD)
    assert paused.status_code == 200 and "not right" in paused.content.decode()
    assert client.get("/console/").status_code == 302
    other_address = Client(REMOTE_ADDR="10.9.8.7")
    assert _login(other_address, lagos_analyst.username, PASSWORD).status_code == 302


def test_pause_lapses(lagos_analyst: User) -> None:
    client = Client()
    for _ in range(5):
        _login(client, lagos_analyst.username, "wrong")
    assert _login(client, lagos_analyst.username, PASSWORD).status_code == 200
    with freeze_time(utcnow() + timedelta(minutes=16)):
        assert _login(client, lagos_analyst.username, PASSWORD).status_code == 302


@override_settings(MFA_REQUIRED=True)
def test_mfa_enrolment_then_code_required(lagos_analyst: User) -> None:
    client = Client()
    response = _login(client, lagos_analyst.username, PASSWORD)
    assert response["Location"] == "/accounts/mfa/enrol/"
    secret = client.get("/accounts/mfa/enrol/").context["secret"]
    assert client.get("/console/").status_code == 302  # password alone is not enough
    bad = client.post("/accounts/mfa/enrol/", {"code": "000000"})
    assert bad.status_code == 200
    good = client.post("/accounts/mfa/enrol/", {"code": pyotp.TOTP(secret).now()})
    assert good.status_code == 302 and client.get("/console/").status_code == 200
    second = Client()
    assert _login(second, lagos_analyst.username, PASSWORD)["Location"] == "/accounts/mfa/"
    assert "not right" in second.post("/accounts/mfa/", {"code": "123456"}).content.decode()
    assert second.post("/accounts/mfa/", {"code": pyotp.TOTP(secret).now()}).status_code == 302


@override_settings(MFA_REQUIRED=True)
def test_mfa_page_without_a_password_step_goes_back_to_login(geo: Any) -> None:
    assert Client().get("/accounts/mfa/")["Location"] == "/accounts/login/"


def test_totp_secret_is_stored_encrypted(lagos_analyst: User) -> None:
    from django.db import connection

    from tipline.accounts.services import user_mfa_begin

    user_mfa_begin(user=lagos_analyst)
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [lagos_analyst.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("v1:") and lagos_analyst.totp_secret not in stored


@override_settings(SESSION_IDLE_SECONDS=60)
def test_idle_session_expires(lagos_analyst: User) -> None:
    client = Client()
    _login(client, lagos_analyst.username, PASSWORD)
    assert client.get("/console/").status_code == 200
    with freeze_time(utcnow() + timedelta(seconds=120)):
        assert client.get("/console/").status_code == 302


def test_production_refuses_demo_credentials(make_user: Callable[..., User]) -> None:
    from tipline.accounts.services import user_create

    user_create(username="analyst", password="demo-password", role=Role.ANALYST)
    with (
        override_settings(DEMO_MODE=False, TESTING=False),
        pytest.raises(ImproperlyConfigured, match="demo password"),
    ):
        refuse_demo_credentials()
    with override_settings(DEMO_MODE=True, TESTING=False):
        refuse_demo_credentials()


def test_production_refuses_demo_api_key(db: Any) -> None:
    from tipline.accounts.services import api_client_create

    api_client_create(name="Demo", kind="platform", scopes=[], api_key="demo-platform-key")
    with (
        override_settings(DEMO_MODE=False, TESTING=False),
        pytest.raises(ImproperlyConfigured, match="demo key"),
    ):
        refuse_demo_credentials()


def test_logout_needs_post(lagos_analyst: User) -> None:
    client = Client()
    _login(client, lagos_analyst.username, PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/console/").status_code == 302
