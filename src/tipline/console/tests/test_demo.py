"""The demo shows the product: every priority over the default period, media that match a demo
hash list, clusters, and a triage history that gives time-to-triage its figures."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db.models import Count
from django.test import override_settings
from PIL import Image

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.cases.models import (
    Case,
    CaseOutcome,
    CaseTask,
    LegalRequest,
    VictimContext,
    VictimMovement,
)
from tipline.cases.selectors import today_wat
from tipline.common.time import utcnow
from tipline.console.demo import DemoSummary, demo_seed
from tipline.console.demo_exchange import REFERRALS_IN
from tipline.console.demo_media import UNIDENTIFIED_LIST
from tipline.console.demo_missing import SIGHTINGS
from tipline.console.demo_travellers import HOTEL_REPORTS
from tipline.dashboards.selectors import default_filters, time_to_triage
from tipline.media.models import HashList
from tipline.media.storage import default_store, read_decrypted
from tipline.pipeline.services import pipeline_process_due
from tipline.reports.choices import Priority, ReportStatus
from tipline.reports.models import Report, ReportFile
from tipline.triage.models import Escalation, ReportNote

REPORTS = 160
pytestmark = pytest.mark.slow  # each test seeds its own demo (a few seconds)


@pytest.fixture
def seeded(db: Any) -> DemoSummary:
    return demo_seed(reports=REPORTS)


def test_every_priority_over_the_whole_default_period(seeded: DemoSummary) -> None:
    processed = Report.objects.exclude(status=ReportStatus.RECEIVED)
    priorities = set(processed.values_list("priority", flat=True))
    assert priorities == set(Priority.values)
    period = default_filters()
    received = sorted(Report.objects.values_list("received_at", flat=True))
    assert received[0] >= period.since and received[-1] <= utcnow()
    assert received[0] < period.since + timedelta(days=10)  # the start of the range is used
    assert received[-1] > utcnow() - timedelta(days=2)  # and its end


def test_files_are_stored_encrypted_and_some_match_the_unidentified_list(
    seeded: DemoSummary,
) -> None:
    stored = ReportFile.objects.exclude(storage_key="")
    assert stored.count() == seeded.files > 0
    first = stored.first()
    assert first is not None
    with default_store().open_read(first.storage_key) as raw:
        assert b"PNG" not in raw.read(64) and b"JFIF" not in raw.read(64)
    plain = b"".join(read_decrypted(first.storage_key))
    with Image.open(io.BytesIO(plain)) as image:
        assert image.size[0] >= 200
    listed = HashList.objects.get(name=UNIDENTIFIED_LIST)
    assert listed.unidentified_victim and listed.entries.count() > 0
    matched = Report.objects.filter(files__matches__entry__hash_list=listed).distinct()
    assert matched.exists()
    assert all(r.priority == Priority.P1 for r in matched.exclude(status=ReportStatus.RECEIVED))


def test_reports_are_linked_in_clusters(seeded: DemoSummary) -> None:
    sizes = Report.objects.exclude(cluster_id=None).values("cluster_id").annotate(n=Count("pk"))
    assert max(row["n"] for row in sizes) >= 5


def test_the_triage_history_went_through_the_services_and_has_figures(
    seeded: DemoSummary,
) -> None:
    history = seeded.history
    assert history is not None and history.triaged > REPORTS // 2
    triaged = Report.objects.exclude(triaged_at=None)
    assert triaged.count() == history.triaged
    assert all(r.triaged_at and r.created_at <= r.triaged_at <= utcnow() for r in triaged)
    assert AuditEvent.objects.filter(action="report.assigned").count() >= history.triaged // 2
    analyst = User.objects.get(username="analyst")
    assert AuditEvent.objects.filter(action="report.assigned", actor_id=analyst.pk).exists()
    assert ReportNote.objects.count() == history.notes > 0
    assert Escalation.objects.count() == history.escalations > 0
    assert Report.objects.filter(status=ReportStatus.CLOSED).count() == history.closed > 0
    weeks = time_to_triage(Report.objects.all(), default_filters()).rows
    with_figures = [row for row in weeks if row[4] is not None]
    assert len(with_figures) >= 10, weeks  # a median for most of the 13 weeks
    assert Report.objects.filter(status=ReportStatus.AWAITING_TRIAGE).exists()  # work to do


def test_the_newest_reports_are_left_for_the_worker(seeded: DemoSummary) -> None:
    fresh = Report.objects.filter(status=ReportStatus.RECEIVED)
    assert fresh.exists() and seeded.processed == REPORTS - fresh.count()
    assert min(fresh.values_list("received_at", flat=True)) > utcnow() - timedelta(hours=37)
    while pipeline_process_due(size=50):
        pass
    assert not Report.objects.filter(status=ReportStatus.RECEIVED).exists()


def test_seeding_again_adds_nothing(seeded: DemoSummary) -> None:
    again = demo_seed(reports=REPORTS)
    # The demo's missing-child sightings and partners' referrals are reports too, filed beside
    # the demo's own.
    total = REPORTS + SIGHTINGS + REFERRALS_IN + HOTEL_REPORTS
    assert again.reports == 0 and Report.objects.count() == total


@override_settings(DEMO_MODE=False, TESTING=False)
def test_refused_outside_demo_mode(db: Any) -> None:
    with pytest.raises(ImproperlyConfigured):
        demo_seed(reports=1)
    assert not Report.objects.exists()


def test_the_command_says_what_it_made(db: Any, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", "--reports", "40")
    out = capsys.readouterr().out
    assert "40 reports created" in out and "files" in out and "triaged" in out


def test_cases_in_many_states_with_people_evidence_and_tasks(seeded: DemoSummary) -> None:
    # About twenty with the default 300 reports; fewer of this smaller demo's are assigned.
    assert seeded.cases is not None and seeded.cases.cases == Case.objects.count() >= 10
    assert len(set(Case.objects.values_list("status", flat=True))) >= 6
    assert seeded.cases.people > 0 and seeded.cases.evidence >= seeded.cases.cases
    assert all(c.case_reports.exists() and c.events.count() >= 3 for c in Case.objects.all())
    assert CaseTask.objects.filter(due_on__lt=today_wat()).exists()


def test_casework_victim_context_referrals_outcomes_and_legal_requests(
    seeded: DemoSummary,
) -> None:
    cases = seeded.cases
    assert cases is not None and cases.referrals > 0 and cases.legal_requests == cases.cases
    assert VictimContext.objects.count() == cases.referrals  # every demo victim has context
    assert VictimMovement.objects.filter(stage="Exploitation").exists()
    kinds = set(CaseOutcome.objects.values_list("kind", flat=True))
    assert {"rescue", "arrest", "charge"} <= kinds
    assert set(LegalRequest.objects.values_list("status", flat=True)) >= {"draft", "sent"}
