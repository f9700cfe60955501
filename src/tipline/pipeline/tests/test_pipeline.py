"""The whole pipeline on stored reports: each step's outcome, retries, leases and reprocessing."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command

from tipline.common.time import utcnow
from tipline.conftest import draft
from tipline.identifiers.models import ReportIdentifier
from tipline.pipeline import steps
from tipline.pipeline.models import StepRun
from tipline.pipeline.services import MAX_ATTEMPTS, _claim, pipeline_process_due, pipeline_run
from tipline.reports.choices import Annotation, PersonRole, ReportStatus
from tipline.reports.drafts import IncidentDraft, PersonDraft, Phone
from tipline.reports.models import Report
from tipline.reports.services import report_submit


def _submit(description: str, **incident: Any) -> Report:
    values: dict[str, Any] = {"type": "online_enticement", "description": description, **incident}
    suspect = PersonDraft(role=PersonRole.REPORTED_PERSON, phones=[Phone(number="08035550000")])
    return report_submit(draft=draft(incident=IncidentDraft(**values), people=[suspect])).report


def _processed(report: Report) -> Report:
    assert pipeline_run(report_id=report.pk).done
    return Report.objects.get(pk=report.pk)


def test_every_step_records_its_outcome(geo: Any) -> None:
    report = _processed(_submit("An invented man messages a child.", state_code="KN"))
    runs = {r.step: r for r in StepRun.objects.filter(report=report)}
    assert set(runs) == {
        "intake",
        "extract",
        "media",
        "locate",
        "link",
        "screen",
        "index",
        "travel",
        "prioritise",
        "route",
        "missing",
    }
    assert all(
        r.status == "done" and r.attempts == 1 and r.duration_ms is not None for r in runs.values()
    )
    assert report.status == ReportStatus.AWAITING_TRIAGE
    assert report.priority and report.priority_reasons
    assert report.routed_command is not None and report.routed_command.code == "KAN"


def test_text_location_routes_to_the_command_of_that_state(geo: Any) -> None:
    report = _processed(_submit("This is happening in Ikeja, near the market."))
    assert report.state is not None and report.state.code == "LA"
    assert report.location_source == "text"
    assert report.routed_command is not None and report.routed_command.code == "LAG"


def test_unlocated_report_goes_to_the_national_desk(geo: Any) -> None:
    report = _processed(_submit("Somewhere online."))
    assert report.routed_command is not None and report.routed_command.code == "NAT"


def test_meeting_arranged_is_p1_with_reasons(geo: Any) -> None:
    report = _processed(
        _submit(
            "He says he will meet her tomorrow at the hotel.",
            annotations=[Annotation.MEETING_ARRANGED],
            state_code="LA",
        )
    )
    assert report.priority == "P1"
    assert any("meet" in reason.lower() for reason in report.priority_reasons)


def test_failing_step_is_retried_with_backoff_then_flagged(geo: Any) -> None:
    report = _submit("Invented.")
    with mock.patch("tipline.pipeline.services.STEPS", [*steps.STEPS[:1], ("extract", _boom)]):
        outcomes = [pipeline_run(report_id=report.pk) for _ in range(MAX_ATTEMPTS)]
    assert [o.retry_in for o in outcomes[:3]] == [30.0, 60.0, 120.0]
    run = StepRun.objects.get(report=report, step="extract")
    assert run.attempts == MAX_ATTEMPTS and run.status == "needs_attention"
    assert "RuntimeError: invented failure" in run.error
    report.refresh_from_db()
    assert report.needs_attention is True and report.status == ReportStatus.PROCESSING


def _boom(report: Report) -> None:
    raise RuntimeError("invented failure")


def test_a_failing_report_is_claimed_again_once_its_backoff_is_over(geo: Any) -> None:
    report = _submit("Invented.")
    with mock.patch("tipline.pipeline.services.STEPS", [("extract", _boom)]):
        assert pipeline_process_due(size=1)[report.pk].retry_in == 30.0
        assert pipeline_process_due(size=1) == {}  # held back by its lease until the retry
        Report.objects.filter(pk=report.pk).update(pipeline_lease_until=utcnow())
        assert pipeline_process_due(size=1)[report.pk].retry_in == 60.0
    assert StepRun.objects.get(report=report, step="extract").attempts == 2


def test_a_leased_report_is_not_processed_twice(geo: Any) -> None:
    report = _submit("Invented.")
    assert _claim(report.pk, "other-worker")
    outcome = pipeline_run(report_id=report.pk)
    assert outcome.busy and not outcome.done
    assert not StepRun.objects.filter(report=report).exists()


def test_rerun_after_interruption_gives_the_same_result(geo: Any) -> None:
    report = _submit("Call 0803 555 0000 or 0803 555 0001 in Kano.")
    twin = _processed(_submit("Call 0803 555 0000 or 0803 555 0001 in Kano."))
    with (
        mock.patch("tipline.pipeline.services.STEPS", [*steps.STEPS[:2], ("media", _killed)]),
        pytest.raises(Killed),
    ):
        pipeline_run(report_id=report.pk)  # "killed" in the middle of the media step
    # One run is one transaction: a killed run leaves nothing half-done behind, and no lease.
    assert not ReportIdentifier.objects.filter(report=report).exists()
    assert not StepRun.objects.filter(report=report).exists()
    assert Report.objects.get(pk=report.pk).pipeline_lease_owner == ""
    done = _processed(report)

    def identifiers(of: Report) -> list[int]:
        links = ReportIdentifier.objects.filter(report=of)
        return sorted(links.values_list("identifier_id", flat=True))

    assert identifiers(done) == identifiers(twin) != []
    assert (done.status, done.priority, done.state_id) == (
        twin.status,
        twin.priority,
        twin.state_id,
    )
    assert StepRun.objects.filter(report=report).count() == len(steps.STEPS)


class Killed(BaseException):
    """What a killed worker looks like from inside a step: nothing after it runs."""


def _killed(report: Report) -> None:
    raise Killed


def test_reprocess_gives_the_same_result_as_one_run(geo: Any) -> None:
    report = _processed(
        _submit("Meet at the hotel in Ikeja tonight.", annotations=[Annotation.MEETING_ARRANGED])
    )
    snapshot = (
        report.priority,
        report.priority_reasons,
        report.state_id,
        report.cluster_id,
        report.routed_command_id,
        ReportIdentifier.objects.filter(report=report).count(),
    )
    call_command("reprocess", "--since", "2000-01-01", verbosity=0)
    call_command("reprocess", "--since", "2000-01-01", "--step", "prioritise", verbosity=0)
    again = Report.objects.get(pk=report.pk)
    assert (
        again.priority,
        again.priority_reasons,
        again.state_id,
        again.cluster_id,
        again.routed_command_id,
        ReportIdentifier.objects.filter(report=report).count(),
    ) == snapshot


def test_reprocess_rejects_a_bad_date(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="date"):
        call_command("reprocess", "--since", "yesterday")
