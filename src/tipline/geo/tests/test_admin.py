"""The state-to-command mapping in the admin: changed through `state_assign_command`, audited,
and read by routing for the reports routed afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.conftest import draft, login
from tipline.geo import admin as geo_admin
from tipline.geo.models import RegionalCommand, State
from tipline.geo.services import state_assign_command
from tipline.pipeline.services import pipeline_run
from tipline.reports.drafts import IncidentDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit


@pytest.fixture
def administrator(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMINISTRATOR, (), national=True)


def _routed_command(state: str) -> str:
    incident = IncidentDraft(
        type="forced_begging", description="An invented incident.", state_code=state
    )
    report = report_submit(draft=draft(incident=incident)).report
    pipeline_run(report_id=report.pk)
    routed = Report.objects.select_related("routed_command").get(pk=report.pk).routed_command
    assert routed is not None
    return routed.code


def test_moving_a_state_to_another_command_is_audited_and_routes_new_reports(
    monkeypatch: pytest.MonkeyPatch, administrator: User, geo: dict[str, RegionalCommand]
) -> None:
    calls: list[dict[str, Any]] = []

    def spy(**kwargs: Any) -> State:
        calls.append(kwargs)
        return state_assign_command(**kwargs)

    monkeypatch.setattr(geo_admin, "state_assign_command", spy)
    ogun = State.objects.get(code="OG")
    before = ogun.command.code
    assert _routed_command("OG") == before != "KAN"
    url = reverse("admin:geo_state_change", args=[ogun.pk])
    assert login(administrator).post(url, {"command": geo["KAN"].pk}).status_code == 302
    assert len(calls) == 1 and calls[0]["actor"] == administrator
    event = AuditEvent.objects.get(action="geo.state_command_changed", object_id="OG")
    assert event.actor_id == administrator.pk
    assert event.before == {"command": before} and event.after == {"command": "KAN"}
    assert _routed_command("OG") == "KAN"


def test_states_are_neither_added_nor_deleted_and_commands_are_read_only(
    administrator: User, geo: dict[str, RegionalCommand]
) -> None:
    client = login(administrator)
    ogun = State.objects.get(code="OG")
    assert client.get(reverse("admin:geo_state_changelist")).status_code == 200
    assert client.get(reverse("admin:geo_state_add")).status_code == 403
    assert client.post(reverse("admin:geo_state_delete", args=[ogun.pk])).status_code == 403
    url = reverse("admin:geo_regionalcommand_change", args=[geo["KAN"].pk])
    assert client.post(url, {"name": "Renamed", "code": "KAN"}).status_code == 403
    assert RegionalCommand.objects.get(code="KAN").name != "Renamed"


def test_an_analyst_cannot_open_the_mapping(kano_analyst: User) -> None:
    response = login(kano_analyst).get(reverse("admin:geo_state_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not AuditEvent.objects.filter(action="geo.state_command_changed").exists()
