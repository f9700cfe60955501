"""The supervisors' review of a release: the cells, the suppression and the differencing check;
approve or reject through the service, audited; anyone else gets 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.conftest import draft, login
from tipline.publicstats.models import StatsRelease
from tipline.publicstats.services import release_compute, release_transition
from tipline.reports.drafts import IncidentDraft
from tipline.reports.services import report_submit


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    return make_user(Role.SUPERVISOR, (), national=True)


def _reports(state: str, count: int, kind: str = "labour_exploitation") -> None:
    for _ in range(count):
        report_submit(draft=draft(incident=IncidentDraft(type=kind, state_code=state)))


@pytest.fixture
def release(geo: Any, supervisor: User) -> StatsRelease:
    """A draft over 30 reports from Lagos and 4 from Kano (merged, with Lagos, into nothing: the
    lone small category takes the smallest other with it)."""
    _reports("LA", 30)
    _reports("OG", 12)
    _reports("KN", 4)
    return release_compute(actor=supervisor)


def _urls(pk: int) -> list[tuple[str, str]]:
    base = f"/console/statistics/{pk}/"
    return [("get", "/console/statistics/"), ("get", base)] + [
        ("post", base + "approve/"),
        ("post", base + "reject/"),
    ]


def test_the_review_shows_the_cells_the_suppression_and_the_differencing_check(
    release: StatsRelease, supervisor: User
) -> None:
    page = login(supervisor).get(f"/console/statistics/{release.pk}/").content.decode()
    assert f"Release {release.pk}: Draft" in page
    assert "Passed: the smallest published cell counts 16; no cell is under 11." in page
    assert "Kano, Ogun" in page  # what "Other" merges, named for the reviewer
    assert "No release had been published when it was computed." in page
    assert "Checked again now, against every release published so far: passed." in page
    listing = login(supervisor).get("/console/statistics/").content.decode()
    assert f"Release {release.pk}</a>" in listing


def test_a_supervisor_approves_and_the_public_page_shows_it(
    release: StatsRelease, supervisor: User
) -> None:
    response = login(supervisor).post(f"/console/statistics/{release.pk}/approve/", follow=True)
    assert "Release approved and published." in response.content.decode()
    release.refresh_from_db()
    assert release.status == "approved" and release.approved_by == supervisor
    event = AuditEvent.objects.filter(action="stats.release_transition").get()
    assert event.after == {"status": "approved"} and event.actor == supervisor
    assert f"Release {release.pk}, approved on" in Client().get("/en/statistics/").content.decode()


def test_a_supervisor_rejects_with_a_reason_kept_on_the_audit_row(
    release: StatsRelease, supervisor: User
) -> None:
    client = login(supervisor)
    empty = client.post(f"/console/statistics/{release.pk}/reject/", {"reason": ""}, follow=True)
    assert "Give the reason" in empty.content.decode()
    client.post(f"/console/statistics/{release.pk}/reject/", {"reason": "Kano counted twice."})
    release.refresh_from_db()
    assert release.status == "withdrawn"
    event = AuditEvent.objects.filter(action="stats.release_transition").get()
    assert event.after == {"status": "withdrawn", "reason": "Kano counted twice."}
    assert (
        "No statistics have been published yet" in Client().get("/en/statistics/").content.decode()
    )


def test_a_draft_that_leaks_against_a_later_release_is_shown_blocked_and_cannot_be_approved(
    release: StatsRelease, supervisor: User
) -> None:
    _reports("LA", 3)
    later = release_compute(actor=supervisor)
    release_transition(release=later, to_status="approved", actor=supervisor)
    client = login(supervisor)
    page = client.get(f"/console/statistics/{release.pk}/").content.decode()
    assert "Approval is blocked" in page and "Lagos would change by -3" in page
    response = client.post(f"/console/statistics/{release.pk}/approve/", follow=True)
    assert "would reveal counts under 11" in response.content.decode()
    release.refresh_from_db()
    assert release.status == "draft"


@pytest.mark.parametrize("role", [Role.ANALYST, Role.INVESTIGATOR])
def test_outsiders_get_404_everywhere_and_change_nothing(
    release: StatsRelease, make_user: Callable[..., User], role: str
) -> None:
    outsider = login(make_user(role, ("LAG",)))
    for method, url in _urls(release.pk):
        assert getattr(outsider, method)(url, {"reason": "x"}).status_code == 404, url
    release.refresh_from_db()
    assert release.status == "draft"
    assert not AuditEvent.objects.filter(action="stats.release_transition").exists()


def test_anonymous_visitors_are_sent_to_log_in(release: StatsRelease) -> None:
    for method, url in _urls(release.pk):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_a_missing_release_is_404_for_a_supervisor(geo: Any, supervisor: User) -> None:
    assert login(supervisor).get("/console/statistics/999/").status_code == 404
