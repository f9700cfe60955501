"""Claims and batches of fresh reports: what one at a time decides, in far fewer statements."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from tipline.audit.models import AuditEvent
from tipline.audit.selectors import audit_verify
from tipline.common.time import utcnow
from tipline.conftest import draft
from tipline.identifiers.models import ClusterMerge, ReportIdentifier
from tipline.pipeline import services, steps
from tipline.pipeline.facts import BatchFacts
from tipline.pipeline.models import StepRun
from tipline.pipeline.services import _claim, pipeline_process_due, pipeline_run
from tipline.reports.choices import Annotation, PersonRole, ReportStatus
from tipline.reports.drafts import Account, FileDraft, IncidentDraft, IpEvent, PersonDraft, Phone
from tipline.reports.models import Report
from tipline.reports.services import report_submit
from tipline.screening.models import ReportScreening


def _variety(group: int) -> list[Report]:
    """Six invented reports of different kinds; `group` changes their identifiers only, so two
    groups decide the same but never link to each other. Reports 0, 1 and 3 share a phone;
    5 and 6 the same IP, port and minute (and 3 the same IP and port an hour later: no link)."""
    phone = f"0803555{group}000"
    at = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

    def suspect(number: str, handle: str, ip: str | None = None, minutes: int = 0) -> PersonDraft:
        event = (
            IpEvent(ip=ip, port=40000 + group, at=at + timedelta(minutes=minutes)) if ip else None
        )
        return PersonDraft(
            role=PersonRole.REPORTED_PERSON,
            phones=[Phone(number=number)],
            accounts=[Account(platform="Instagram", screen_name=f"g{group}_{handle}")],
            ip_events=[event] if event else [],
        )

    cases: list[tuple[dict[str, Any], PersonDraft]] = [
        ({"description": "He messages a girl in Kano.", "state_code": "KN"}, suspect(phone, "a")),
        ({"description": "Same man, seen in Ikeja market."}, suspect(phone, "b")),
        (
            {
                "description": "They meet at the hotel tonight.",
                "annotations": [Annotation.MEETING_ARRANGED],
            },
            suspect(f"0803555{group}001", "c"),
        ),
        ({"description": "Somewhere online."}, suspect(phone, "d", ip="41.58.1.1", minutes=60)),
        (
            {"description": "A child in Aba is asked for photos."},
            suspect(f"0803555{group}002", "e"),
        ),
        ({"description": "Nothing to place."}, suspect(f"0803555{group}003", "f", ip="41.58.1.1")),
        (
            {"description": "Seen in the US."},
            suspect(f"0803555{group}004", "g", ip="41.58.1.1", minutes=1),
        ),
    ]
    return [
        report_submit(
            draft=draft(
                incident=IncidentDraft(type="online_enticement", **incident), people=[person]
            )
        ).report
        for incident, person in cases
    ]


def _outcome(report: Report) -> tuple[Any, ...]:
    stored = Report.objects.select_related("state", "routed_command").get(pk=report.pk)
    runs = sorted(StepRun.objects.filter(report=report).values_list("step", "status", "attempts"))
    # Status changes differ on purpose (see _status_path); every other audit event is the same.
    events = Counter(
        AuditEvent.objects.filter(object_type="report", object_id=str(report.pk))
        .exclude(action="report.status_changed")
        .values_list("action", flat=True)
    )
    return (
        stored.status,
        stored.priority,
        tuple(stored.priority_reasons),
        stored.state.code if stored.state else None,
        stored.country,
        stored.location_source,
        stored.location_lga,
        stored.routed_command.code if stored.routed_command else None,
        ReportIdentifier.objects.filter(report=report).count(),
        tuple(ReportScreening.objects.filter(report=report).values_list("level", "score")),
        tuple(runs),
        tuple(sorted(events.items())),
    )


def _status_path(report: Report) -> list[tuple[str, str]]:
    changes = AuditEvent.objects.filter(
        object_type="report", object_id=str(report.pk), action="report.status_changed"
    ).order_by("seq")
    return [(e.before["status"], e.after["status"]) for e in changes]


def _partition(reports: list[Report]) -> list[frozenset[int]]:
    """Which reports (by position) share a cluster."""
    cluster_of = dict(
        Report.objects.filter(pk__in=[r.pk for r in reports]).values_list("pk", "cluster_id")
    )
    groups: dict[Any, set[int]] = {}
    for position, report in enumerate(reports):
        key = cluster_of[report.pk] or f"alone-{position}"
        groups.setdefault(key, set()).add(position)
    return sorted((frozenset(g) for g in groups.values()), key=min)


def test_a_batch_decides_exactly_what_one_report_at_a_time_does(geo: Any) -> None:
    singles, batched = _variety(1), _variety(2)
    for report in singles:
        assert pipeline_run(report_id=report.pk).done
    outcomes = pipeline_process_due(size=50)
    assert set(outcomes) == {r.pk for r in batched} and all(o.done for o in outcomes.values())
    assert [_outcome(r) for r in batched] == [_outcome(r) for r in singles]
    # One transaction per batch: its reports go straight to triage, with one write and one audit
    # row each; a report run alone passes through "processing" (kept if a step fails).
    assert {tuple(_status_path(r)) for r in batched} == {(("received", "awaiting_triage"),)}
    assert {tuple(_status_path(r)) for r in singles} == {
        (("received", "processing"), ("processing", "awaiting_triage"))
    }
    assert (
        _partition(batched)
        == _partition(singles)
        == [
            frozenset({0, 1, 3}),
            frozenset({2}),
            frozenset({4}),
            frozenset({5, 6}),
        ]
    )
    assert audit_verify() == []


def _repeat(group: int) -> list[Report]:
    """Seven invented reports about one phone: the cluster grows past the repeat-offender size."""
    person = PersonDraft(
        role=PersonRole.REPORTED_PERSON, phones=[Phone(number=f"0803556{group}000")]
    )
    return [
        report_submit(
            draft=draft(
                incident=IncidentDraft(type="online_enticement", description=f"Invented {i}."),
                people=[person],
            )
        ).report
        for i in range(7)
    ]


def _merges(reports: list[Report]) -> list[tuple[int, str, bool]]:
    """Which report (by position) recorded each merge, by what, and whether it absorbed one."""
    position = {report.pk: i for i, report in enumerate(reports)}
    rows = ClusterMerge.objects.filter(report_id__in=position).order_by("pk")
    return [(position[m.report_id], m.via, m.absorbed_id is not None) for m in rows]


def test_a_growing_cluster_is_judged_at_each_reports_turn_as_one_at_a_time(geo: Any) -> None:
    singles, batched = _repeat(1), _repeat(2)
    for report in singles:
        pipeline_run(report_id=report.pk)
    pipeline_process_due(size=50)
    assert [_outcome(r) for r in batched] == [_outcome(r) for r in singles]
    assert _merges(batched) == _merges(singles) != []
    reasons = [tuple(Report.objects.get(pk=r.pk).priority_reasons) for r in batched]
    assert reasons[0] != reasons[-1]  # the cluster size the rules saw grew report by report


def test_a_batch_costs_far_fewer_statements_than_its_reports_one_by_one(geo: Any) -> None:
    singles = _variety(1)
    _variety(2)  # the batch: due once the singles are done
    with CaptureQueriesContext(connection) as one_by_one:
        for report in singles:
            pipeline_run(report_id=report.pk)
    with CaptureQueriesContext(connection) as together:
        pipeline_process_due(size=50)
    assert len(together) * 2 < len(one_by_one)


def test_a_claim_takes_the_oldest_due_reports(geo: Any) -> None:
    reports = _variety(1)
    outcomes = pipeline_process_due(size=3)
    assert list(outcomes) == [reports[0].pk, reports[1].pk, reports[2].pk]
    assert all(outcome.done for outcome in outcomes.values())
    assert Report.objects.filter(status=ReportStatus.RECEIVED).count() == len(reports) - 3
    assert not Report.objects.exclude(pipeline_lease_owner="").exists()  # all released


def _batches_run() -> tuple[list[list[int]], Any]:
    """What `_run_batch` is given, call by call, while it still does its work."""
    seen: list[list[int]] = []

    def spy(report_ids: list[int]) -> None:
        seen.append(list(report_ids))
        real(report_ids)

    real = services._run_batch
    return seen, mock.patch("tipline.pipeline.services._run_batch", spy)


def test_a_leased_report_is_left_out_and_a_started_one_runs_alone(geo: Any) -> None:
    reports = _variety(1)
    assert _claim(reports[1].pk, "another-worker")
    StepRun.objects.create(report=reports[2], step="intake", status="failed", attempts=1)
    seen, spying = _batches_run()
    with spying:
        outcomes = pipeline_process_due(size=50)
    assert reports[1].pk not in outcomes and outcomes[reports[2].pk].done
    assert reports[2].pk not in seen[0]  # run alone: the step records it has are taken up
    assert Report.objects.get(pk=reports[1].pk).status == ReportStatus.RECEIVED
    assert StepRun.objects.get(report=reports[2], step="intake").attempts == 2


def test_a_report_with_files_is_run_alone_not_in_a_batch(geo: Any) -> None:
    reports = _variety(1)
    hashed = report_submit(draft=draft(files=[FileDraft(pdq="f" * 64, pdq_quality=90)])).report
    seen, spying = _batches_run()
    with spying:
        outcomes = pipeline_process_due(size=50)
    assert seen == [[r.pk for r in reports]]  # its media work must not hold a whole batch up
    assert outcomes[hashed.pk].done
    assert Report.objects.get(pk=hashed.pk).status == ReportStatus.AWAITING_TRIAGE


def test_a_claim_with_nothing_due_costs_one_statement(geo: Any) -> None:
    _variety(1)
    pipeline_process_due(size=50)
    with CaptureQueriesContext(connection) as queries:
        assert pipeline_process_due(size=50) == {}
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]


def _boom_on_second(reports: list[Report], facts: BatchFacts) -> None:
    raise RuntimeError("invented batch failure")


def test_a_failing_batch_is_rolled_back_and_its_reports_run_one_by_one(geo: Any) -> None:
    reports = _variety(1)
    batch_steps = [
        (name, _boom_on_second if name == "locate" else fn) for name, fn in steps.BATCH_STEPS
    ]
    single_steps = [(n, _boom if n == "locate" else fn) for n, fn in steps.STEPS]
    with (
        mock.patch("tipline.pipeline.services.BATCH_STEPS", batch_steps),
        mock.patch("tipline.pipeline.services.STEPS", single_steps),
    ):
        outcomes = pipeline_process_due(size=50)
    assert set(outcomes) == {r.pk for r in reports}
    assert all(o.retry_in == 30.0 and not o.done for o in outcomes.values())
    for report in reports:  # each ran alone: the steps before the failure kept, the failure kept
        runs = dict(StepRun.objects.filter(report=report).values_list("step", "status"))
        assert runs == {"intake": "done", "extract": "done", "media": "done", "locate": "failed"}
        assert Report.objects.get(pk=report.pk).status == ReportStatus.PROCESSING
        assert Report.objects.get(pk=report.pk).pipeline_lease_owner == ""
    assert audit_verify() == []


def _boom(report: Report) -> None:
    raise RuntimeError("invented failure")


def test_every_report_of_a_failed_batch_is_held_back_until_its_retry(geo: Any) -> None:
    reports = _variety(1)
    single_steps = [(n, _boom if n == "extract" else fn) for n, fn in steps.STEPS]
    batch_steps = [
        (name, _boom_on_second if name == "extract" else fn) for name, fn in steps.BATCH_STEPS
    ]
    with (
        mock.patch("tipline.pipeline.services.BATCH_STEPS", batch_steps),
        mock.patch("tipline.pipeline.services.STEPS", single_steps),
    ):
        pipeline_process_due(size=50)
        assert pipeline_process_due(size=50) == {}  # none due before its backoff
    leases = Report.objects.filter(pk__in=[r.pk for r in reports])
    until = leases.values_list("pipeline_lease_until", flat=True)
    assert all(u is not None and u > utcnow() + timedelta(seconds=20) for u in until)
    leases.update(pipeline_lease_until=utcnow() - timedelta(seconds=1))  # the backoff is over
    outcomes = pipeline_process_due(size=50)
    assert sorted(outcomes) == sorted(r.pk for r in reports) and all(
        o.done for o in outcomes.values()
    )
    assert set(StepRun.objects.filter(step="extract").values_list("attempts", flat=True)) == {2}


class _BatchWatch:
    """Records, per report, whether a batch step ever ran while another batch was running it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight: Counter[int] = Counter()
        self.overlaps: list[int] = []

    def wrap(self, fn: Callable[[list[Report], BatchFacts], None]) -> Callable[..., None]:
        def watched(reports: list[Report], facts: BatchFacts) -> None:
            with self.lock:
                for report in reports:
                    if self.in_flight[report.pk]:
                        self.overlaps.append(report.pk)
                    self.in_flight[report.pk] += 1
            try:
                fn(reports, facts)
            finally:
                with self.lock:
                    self.in_flight.subtract(r.pk for r in reports)

        return watched


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real concurrent connections (CI runs PG too)"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_take_disjoint_batches(geo: Any) -> None:
    ids = [r.pk for r in _variety(1) + _variety(2) + _variety(3) + _variety(4)]
    watch = _BatchWatch()
    watched = [(name, watch.wrap(fn)) for name, fn in steps.BATCH_STEPS]
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while pipeline_process_due(size=4):  # claim until nothing is due, as a worker
                pass
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    with mock.patch("tipline.pipeline.services.BATCH_STEPS", watched):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert errors == [] and watch.overlaps == []
    assert Report.objects.filter(pk__in=ids, status=ReportStatus.AWAITING_TRIAGE).count() == len(
        ids
    )
    counts = StepRun.objects.filter(report_id__in=ids).values_list("report_id", flat=True)
    assert set(Counter(counts).values()) == {len(steps.STEPS)}  # each step once per report
    assert not StepRun.objects.filter(report_id__in=ids).exclude(attempts=1).exists()
    assert audit_verify() == []
