"""Releases: computed and approved by supervisors, every move audited, the page shows the last
approved one with its date, and the downloads carry no cell under 11."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.conftest import draft
from tipline.publicstats.choices import ALLOWED_TRANSITIONS, ReleaseStatus
from tipline.publicstats.models import StatsRelease
from tipline.publicstats.services import release_compute, release_transition
from tipline.reports.drafts import IncidentDraft
from tipline.reports.services import report_submit


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    return make_user(Role.SUPERVISOR, (), national=True)


@pytest.fixture
def reports(geo: Any) -> None:
    """49 invented reports: labour exploitation in Lagos (30), Ogun (12) and Kano (3); forced
    begging (4) and domestic servitude (12) in Lagos."""
    made = [("LA", "labour_exploitation", 30), ("OG", "labour_exploitation", 12)]
    made += [("KN", "labour_exploitation", 3), ("LA", "forced_begging", 4)]
    made += [("LA", "domestic_servitude", 12)]
    for state, kind, count in made:
        for _ in range(count):
            report_submit(draft=draft(incident=IncidentDraft(type=kind, state_code=state)))


def _approved(supervisor: User) -> StatsRelease:
    release = release_compute(actor=supervisor)
    return release_transition(release=release, to_status="approved", actor=supervisor)


def test_a_release_keeps_only_protected_figures(reports: None, supervisor: User) -> None:
    release = release_compute(actor=supervisor)
    by_type = release.tables["reports_by_type"]["rows"]
    [year] = by_type
    assert year["total"] == 61
    assert year["cells"] == {"Labour exploitation": 45, "__other__": 16}
    assert all(count >= 11 for row in by_type for count in row["cells"].values())
    assert release.status == "draft" and release.k == 11


def test_an_analyst_may_not_compute_or_approve(
    reports: None, supervisor: User, lagos_analyst: User
) -> None:
    with pytest.raises(PermissionDenied):
        release_compute(actor=lagos_analyst)
    release = release_compute(actor=supervisor)
    with pytest.raises(PermissionDenied):
        release_transition(release=release, to_status="approved", actor=lagos_analyst)


@pytest.mark.parametrize(
    ("start", "to"),
    [(s, t) for s in ReleaseStatus.values for t in ReleaseStatus.values if s != t],
)
def test_every_move_of_the_transition_table_is_allowed_or_refused(
    geo: Any, supervisor: User, start: str, to: str
) -> None:
    release = release_compute(actor=supervisor)
    StatsRelease.objects.filter(pk=release.pk).update(status=start, approved_at=release.computed_at)
    release.refresh_from_db()
    if to in ALLOWED_TRANSITIONS[start]:
        assert release_transition(release=release, to_status=to, actor=supervisor).status == to
        event = AuditEvent.objects.filter(action="stats.release_transition").last()
        assert event is not None and event.after == {"status": to}
    else:
        with pytest.raises(ValidationError):
            release_transition(release=release, to_status=to, actor=supervisor)


def test_the_page_shows_the_last_approved_release_with_its_date(
    reports: None, supervisor: User
) -> None:
    assert (
        "No statistics have been published yet" in Client().get("/en/statistics/").content.decode()
    )
    approved = _approved(supervisor)
    release_compute(actor=supervisor)  # a newer draft is not shown
    page = Client().get("/en/statistics/").content.decode()
    assert f"Release {approved.pk}, approved on" in page
    assert "Labour exploitation" in page and "Lagos" in page and "fewer than 11" in page
    assert "Kano" not in page


def test_the_downloads_publish_no_cell_under_11_and_name_the_merged_rest(
    reports: None, supervisor: User
) -> None:
    assert Client().get("/en/statistics/data.csv").status_code == 404  # nothing approved yet
    _approved(supervisor)
    rows = list(
        csv.DictReader(io.StringIO(Client().get("/en/statistics/data.csv").content.decode()))
    )
    assert rows and all(int(row["count"]) >= 11 for row in rows)
    states = {
        row["category"]: int(row["count"]) for row in rows if row["table"] == "reports_by_state"
    }
    assert "Kano" not in states  # 3 reports: merged, never shown on its own
    body = Client().get("/yo/statistics/data.json").json()
    assert body["k"] == 11 and {t["id"] for t in body["tables"]} >= {"reports_by_state"}


def test_the_command_computes_and_a_supervisor_approves(reports: None, supervisor: User) -> None:
    out = io.StringIO()
    call_command("stats", "publish", "--as", supervisor.username, stdout=out)
    release = StatsRelease.objects.get()
    assert f"tipline stats approve {release.pk}" in out.getvalue()
    call_command("stats", "approve", str(release.pk), "--as", supervisor.username, stdout=out)
    release.refresh_from_db()
    assert release.status == "approved" and release.approved_by == supervisor
    assert AuditEvent.objects.filter(action="stats.release_computed").count() == 1


def test_the_public_pages_open_in_every_language(db: Any) -> None:
    for lang in ("en", "ha", "yo", "ig", "pcm"):
        assert Client().get(f"/{lang}/statistics/").status_code == 200


def test_the_page_speaks_pidgin_hausa_yoruba_and_igbo(reports: None, supervisor: User) -> None:
    _approved(supervisor)
    expected = {
        "pcm": ("Wetin people don report", "Reports for every state", "we join dem"),
        "ha": ("Abin da aka kai rahoto", "Rahotanni bisa jiha", "an haɗa su"),
        "yo": ("Ohun tí a ti fi ìròyìn rẹ̀ ránṣẹ́", "Ìròyìn ní ìpínlẹ̀", "tí a dà pọ̀"),
        "ig": ("Ihe a kọọrọ", "Akụkọ site na steeti", "ejikọtara"),
    }
    for lang, phrases in expected.items():
        page = Client().get(f"/{lang}/statistics/").content.decode()
        assert all(phrase in page for phrase in phrases), lang
        assert "How these figures protect people" not in page, lang


def test_each_catalogue_of_the_page_is_marked_for_native_speaker_review() -> None:
    from pathlib import Path

    locale = Path(__file__).resolve().parents[1] / "locale"
    for lang in ("ha", "yo", "ig", "pcm"):
        text = (locale / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        entries = text.count('msgid "') - 1
        assert text.count("# Needs review by a native speaker") == entries > 30, lang
        assert (locale / lang / "LC_MESSAGES" / "django.mo").exists(), lang
