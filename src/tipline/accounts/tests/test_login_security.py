"""One way in for staff, and a lock-out that reveals no account and locks out no one at will."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client, override_settings

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.accounts.services import user_mfa_begin, user_mfa_confirm
from tipline.conftest import PASSWORD


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting how often a password is hashed (checked or not)."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


COUNTING = ["tipline.accounts.tests.test_login_security.CountingHasher"]


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def _visible(response: Any, username: str) -> str:
    """The page without its CSRF token, which differs on every answer, and the name typed."""
    page = re.sub(r'csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    page = re.sub(r'"X-CSRFToken": "[^"]+"', "", page)
    return page.replace(f'value="{username}"', "")


def _enrolled(user: User) -> str:
    secret = user_mfa_begin(user=user)
    assert user_mfa_confirm(user=user, code=pyotp.TOTP(secret).now())
    return secret


@pytest.fixture
def admin_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMINISTRATOR, (), national=True)


def test_admin_login_page_sends_to_the_platform_login(admin_user: User) -> None:
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin_user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 302
    assert client.get("/console/").status_code == 302


def test_admin_login_cannot_bypass_a_paused_sign_in(admin_user: User) -> None:
    client = Client()
    for _ in range(5):
        _login(client, admin_user.username, "wrong")
    client.post("/admin/login/", {"username": admin_user.username, "password": PASSWORD})
    assert client.get("/admin/").status_code == 302
    assert _login(client, admin_user.username, PASSWORD).status_code == 200


def test_platform_login_returns_the_admin_to_the_admin_site(admin_user: User) -> None:
    client = Client()
    client.get("/accounts/login/?next=/admin/")
    assert _login(client, admin_user.username, PASSWORD)["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@override_settings(MFA_REQUIRED=True)
def test_admin_must_pass_the_second_factor(admin_user: User) -> None:
    secret = _enrolled(admin_user)
    client = Client()
    client.post("/admin/login/", {"username": admin_user.username, "password": PASSWORD})
    assert client.get("/admin/").status_code == 302
    assert _login(client, admin_user.username, PASSWORD)["Location"] == "/accounts/mfa/"
    assert client.get("/admin/").status_code == 302
    client.post("/accounts/mfa/", {"code": pyotp.TOTP(secret).now()})
    assert client.get("/admin/").status_code == 200


@override_settings(MFA_REQUIRED=True)
def test_a_session_made_without_the_second_factor_opens_no_staff_page(
    admin_user: User, lagos_report: Any
) -> None:
    client = Client()
    client.force_login(admin_user)  # as any view other than ours would log someone in
    for path in ("/console/", f"/console/reports/{lagos_report.reference}/", "/admin/"):
        assert client.get(path).status_code == 302, path
    assert "_auth_user_id" not in client.session


def test_without_mfa_required_a_plain_session_still_works(admin_user: User) -> None:
    client = Client()
    client.force_login(admin_user)
    assert client.get("/console/").status_code == 200


@override_settings(PASSWORD_HASHERS=COUNTING)
def test_wrong_unknown_and_paused_answer_alike_with_the_same_work(
    lagos_analyst: User, make_user: Callable[..., User]
) -> None:
    paused_user = make_user(Role.ANALYST, ("LAG",))
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        _login(client, paused_user.username, "wrong")
    answers, work = [], []
    for username, password in (
        (lagos_analyst.username, "wrong"),
        ("nobody-by-this-name", "wrong"),
        (paused_user.username, PASSWORD),
        (paused_user.username, "wrong"),
    ):
        CountingHasher.calls = 0
        response = _login(Client(REMOTE_ADDR="10.0.0.1"), username, password)
        answers.append((response.status_code, _visible(response, username)))
        work.append(CountingHasher.calls)
    assert len(set(answers)) == 1 and answers[0][0] == 200
    assert work == [1, 1, 1, 1]


def test_one_address_is_limited_across_usernames(lagos_analyst: User) -> None:
    for number in range(20):
        _login(Client(REMOTE_ADDR="10.0.0.2"), f"guess{number}", "wrong")
    limited = _login(Client(REMOTE_ADDR="10.0.0.2"), lagos_analyst.username, PASSWORD)
    assert limited.status_code == 429
    assert _login(Client(REMOTE_ADDR="10.0.0.3"), lagos_analyst.username, PASSWORD).status_code == (
        302
    )


@override_settings(MFA_REQUIRED=True)
def test_failures_from_many_addresses_cannot_lock_out_an_enrolled_user(lagos_analyst: User) -> None:
    secret = _enrolled(lagos_analyst)
    for number in range(25):
        _login(Client(REMOTE_ADDR=f"10.1.0.{number}"), lagos_analyst.username, "wrong")
    lagos_analyst.refresh_from_db()
    assert lagos_analyst.locked_until is not None
    client = Client(REMOTE_ADDR="10.2.0.1")
    assert _login(client, lagos_analyst.username, PASSWORD)["Location"] == "/accounts/mfa/"
    assert client.post("/accounts/mfa/", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/console/").status_code == 200


def test_account_locked_from_many_addresses_asks_for_a_code_once_enrolled(
    lagos_analyst: User, make_user: Callable[..., User]
) -> None:
    no_factor = make_user(Role.ANALYST, ("LAG",))
    _enrolled(lagos_analyst)
    for user in (lagos_analyst, no_factor):
        for number in range(20):
            _login(Client(REMOTE_ADDR=f"10.3.{user.pk % 250}.{number}"), user.username, "wrong")
    fresh = Client(REMOTE_ADDR="10.4.0.1")
    assert _login(fresh, lagos_analyst.username, PASSWORD)["Location"] == "/accounts/mfa/"
    refused = _login(Client(REMOTE_ADDR="10.4.0.2"), no_factor.username, PASSWORD)
    assert refused.status_code == 200 and "not right" in refused.content.decode()


@override_settings(MFA_REQUIRED=True)
def test_code_guessing_is_paused(lagos_analyst: User) -> None:
    secret = _enrolled(lagos_analyst)
    client = Client()
    _login(client, lagos_analyst.username, PASSWORD)
    for _ in range(5):
        client.post("/accounts/mfa/", {"code": "000000"})
    assert client.post("/accounts/mfa/", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert client.get("/console/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x", "http:evil"])
def test_login_never_redirects_off_site(lagos_analyst: User, target: str) -> None:
    client = Client()
    client.get("/accounts/login/", {"next": target})
    assert _login(client, lagos_analyst.username, PASSWORD)["Location"] == "/console/"
