"""The admin collects forms; every change it makes goes through the accounts services, audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from tipline.accounts import admin as accounts_admin
from tipline.accounts.choices import ClientKind, Role, Scope
from tipline.accounts.models import ApiClient, User
from tipline.audit.models import AuditEvent
from tipline.conftest import login
from tipline.geo.models import RegionalCommand

NEW_PASSWORD = "another invented passphrase"  # noqa: S105  # a test's own


def _spy(monkeypatch: pytest.MonkeyPatch, name: str) -> list[dict[str, Any]]:
    """Record each call of the admin's service `name` and let it run."""
    calls: list[dict[str, Any]] = []
    real = getattr(accounts_admin, name)

    def spy(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(accounts_admin, name, spy)
    return calls


@pytest.fixture
def administrator(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMINISTRATOR, (), national=True)


def _change_form(user: User, **changes: Any) -> dict[str, Any]:
    values = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "commands": [c.pk for c in user.commands.all()],
        "is_active": "on" if user.is_active else "",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v not in ("", None)}


def test_changing_a_users_scope_goes_through_the_service_and_is_audited(
    monkeypatch: pytest.MonkeyPatch,
    administrator: User,
    lagos_analyst: User,
    geo: dict[str, RegionalCommand],
) -> None:
    calls = _spy(monkeypatch, "user_update")
    url = reverse("admin:accounts_user_change", args=[lagos_analyst.pk])
    form = _change_form(lagos_analyst, commands=[geo["KAN"].pk], role=Role.INVESTIGATOR)
    response = login(administrator).post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(calls) == 1 and calls[0]["actor"] == administrator
    lagos_analyst.refresh_from_db()
    assert lagos_analyst.role == Role.INVESTIGATOR
    assert [c.code for c in lagos_analyst.commands.all()] == ["KAN"]
    event = AuditEvent.objects.get(action="user.updated", object_id=str(lagos_analyst.pk))
    assert event.actor_id == administrator.pk
    assert event.before["commands"] == ["LAG"] and event.after["commands"] == ["KAN"]
    assert event.before["role"] == Role.ANALYST and event.after["role"] == Role.INVESTIGATOR


def test_switching_a_user_off_is_audited_and_deleting_is_not_offered(
    administrator: User, lagos_analyst: User
) -> None:
    client = login(administrator)
    url = reverse("admin:accounts_user_change", args=[lagos_analyst.pk])
    assert client.post(url, _change_form(lagos_analyst, is_active="")).status_code == 302
    lagos_analyst.refresh_from_db()
    assert not lagos_analyst.is_active
    event = AuditEvent.objects.get(action="user.updated", object_id=str(lagos_analyst.pk))
    assert event.before["active"] and not event.after["active"]
    delete = reverse("admin:accounts_user_delete", args=[lagos_analyst.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=lagos_analyst.pk).exists()


def test_adding_a_user_goes_through_user_create(
    monkeypatch: pytest.MonkeyPatch, administrator: User, geo: dict[str, RegionalCommand]
) -> None:
    calls = _spy(monkeypatch, "user_create")
    form = {
        "username": "newanalyst",
        "password": NEW_PASSWORD,
        "role": Role.ANALYST,
        "commands": [geo["LAG"].pk],
    }
    response = login(administrator).post(reverse("admin:accounts_user_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="newanalyst")
    assert len(calls) == 1 and created.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.created", object_id=str(created.pk))
    assert event.actor_id == administrator.pk and event.after["commands"] == ["LAG"]


def test_a_password_set_in_the_admin_goes_through_the_service_and_hides_the_secret(
    monkeypatch: pytest.MonkeyPatch, administrator: User, lagos_analyst: User
) -> None:
    calls = _spy(monkeypatch, "user_set_password")
    url = reverse("admin:auth_user_password_change", args=[lagos_analyst.pk])
    form = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "set_usable_password": "true"}
    assert login(administrator).post(url, form).status_code == 302
    lagos_analyst.refresh_from_db()
    assert len(calls) == 1 and lagos_analyst.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.password_set")
    assert event.actor_id == administrator.pk and event.after == {"usable": True}
    assert NEW_PASSWORD not in str(event.before) + str(event.after)


def test_a_client_change_goes_through_the_service(
    monkeypatch: pytest.MonkeyPatch, administrator: User, platform: tuple[ApiClient, str]
) -> None:
    calls = _spy(monkeypatch, "api_client_update")
    client_row, _ = platform
    url = reverse("admin:accounts_apiclient_change", args=[client_row.pk])
    form = {"name": "Renamed Platform", "kind": ClientKind.PLATFORM, "scopes": [Scope.ISPWS]}
    assert login(administrator).post(url, form).status_code == 302
    client_row.refresh_from_db()
    assert len(calls) == 1
    assert client_row.name == "Renamed Platform" and not client_row.is_active
    assert client_row.scopes == [Scope.ISPWS]
    event = AuditEvent.objects.get(action="api_client.updated")
    assert event.before["active"] and event.after == {
        "name": "Renamed Platform",
        "kind": ClientKind.PLATFORM,
        "scopes": [Scope.ISPWS],
        "active": False,
    }


def test_an_analyst_cannot_open_the_user_admin(lagos_analyst: User, kano_analyst: User) -> None:
    url = reverse("admin:accounts_user_change", args=[lagos_analyst.pk])
    response = login(kano_analyst).get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
