"""Benchmark of the processing pipeline on PostgreSQL.

1. Loads `--reports` synthetic reports through `report_submit` (the reports table is the
   pipeline's queue), then times `--workers` running worker processes (`tipline worker`) draining
   it, sampling each worker's peak RSS (VmHWM). The drain is timed from the moment every worker
   is up and idle: the reports are held under a lease while they start (a worker's start-up is
   seconds of imports and checks, no part of its throughput, and more in an environment that
   writes no bytecode), then released at once. Statistics are refreshed (ANALYZE) after the load
   and every minute of the drain, as autovacuum would: the local PostgreSQL runs without it.
2. On the now idle system, with `--workers` long-running workers waiting, times each of
   `--latency-samples` single reports from the call of `report_submit` to its status reaching
   `awaiting_triage` (the target for the p95 is 2 s).
3. Loads `--identifiers` stored identifiers, then times the incremental linking (`report_link`)
   of `--link-samples` new reports that share some of them.

Creates and drops a database of its own. The last line printed is one JSON object of figures.

    .venv/bin/python bench/pipeline.py --reports 100000 --identifiers 1000000

With PIPELINE_BENCH_SRC=<another revision's src> it runs that code instead (loading, workers and
all), for a before-and-after in one sitting: run both, one after the other, in turns; code from
before the registries wants `--missing-records 0 --notices 0`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Another revision's source tree, to run this same bench on its code (`git worktree add` it, or
# `_pg.tree_of`): its tree comes first here and in the workers.
OTHER_SRC = os.environ.get("PIPELINE_BENCH_SRC", "")
sys.path.insert(0, OTHER_SRC or str(ROOT / "src"))

from _cpu import PostgresCpuSampler, cpu_seconds  # noqa: E402  # bench/ is on sys.path
from _pg import bench_env, psql, setup_django  # noqa: E402


def _env(db_name: str) -> dict[str, str]:
    env = bench_env(db_name, "bench-pipeline")
    return {**env, "PYTHONPATH": OTHER_SRC} if OTHER_SRC else env


def _draft(rng: random.Random, i: int) -> object:
    from tipline.reports.choices import Channel, PersonRole
    from tipline.reports.drafts import (
        Account,
        IncidentDraft,
        IpEvent,
        PersonDraft,
        Phone,
        ReportDraft,
    )

    towns = ["Ikeja", "Kano", "Aba", "Warri", "Jos", "Ibadan", "Uyo", "Benin City", "Zaria", "Yola"]
    phone = f"080{rng.randrange(3, 10)}{rng.randrange(10**7):07d}"
    suspect = PersonDraft(
        role=PersonRole.REPORTED_PERSON,
        phones=[Phone(number=phone)],
        accounts=[Account(platform="Instagram", screen_name=f"inv_{rng.randrange(50_000)}")],
        ip_events=[
            IpEvent(
                ip=f"41.58.{rng.randrange(256)}.{rng.randrange(256)}",
                port=rng.randrange(1024, 65535),
            )
        ],
    )
    text = f"Invented report {i}: someone in {rng.choice(towns)} messages a child, call {phone}."
    people = [suspect]
    if i % 5 == 0:  # a named child and a described foreigner: the matching steps have work
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        people.append(
            PersonDraft(
                role=PersonRole.VICTIM, first_name=given, last_name=family, age=rng.randint(6, 16)
            )
        )
        suspect.notes = f"{rng.choice(SAID)} man called {rng.choice(VISITORS)}, about 55"
    return ReportDraft(
        channel=Channel.API,
        incident=IncidentDraft(type="online_enticement", description=text, state_code="LA"),
        people=people,
    )


# Invented names for the registries and the reports that may name their people.
GIVEN = ["Tope", "Chiamaka", "Musa", "Aisha", "Emeka", "Ngozi", "Bola", "Ibrahim", "Zainab", "Uche"]
FAMILY = ["Adebayo", "Okafor", "Bello", "Yusuf", "Eze", "Okon", "Lawal", "Nwosu", "Danjuma", "Ojo"]
VISITORS = ["Mike", "Peter", "Hans", "Jan", "Pierre", "Tom", "Karl", "Luc", "Dirk", "Sam"]
SAID = ["British", "Dutch", "German", "French", "American"]
NATIONS = ["GBR", "NLD", "DEU", "FRA", "USA"]


def load_registries(records: int, notices: int) -> None:
    """Open missing-child records and active travel notices, so that the missing and travel
    steps compare each report's people with real registries instead of finding them empty."""
    if not records and not notices:
        return  # code from before the registries has neither app
    from datetime import timedelta

    from tipline.accounts.choices import Role
    from tipline.accounts.services import user_create
    from tipline.common.time import utcnow
    from tipline.geo.models import RegionalCommand
    from tipline.missing.choices import Source as RecordSource
    from tipline.missing.drafts import RecordInput
    from tipline.missing.services import missing_record_create
    from tipline.travellers.choices import Source as NoticeSource
    from tipline.travellers.drafts import NoticeInput
    from tipline.travellers.services import notice_receive

    rng, now = random.Random(17), utcnow()
    lagos = RegionalCommand.objects.get(code="LAG")
    analyst = user_create(
        username="bench-analyst", password="x" * 16, role=Role.ANALYST, commands=[lagos]
    )
    national = RegionalCommand.objects.get(code="NAT")
    desk = user_create(
        username="bench-desk", password="x" * 16, role=Role.PARTNER_LIAISON, commands=[national]
    )
    for n in range(records):
        data = RecordInput.model_validate({
            "given_names": rng.choice(GIVEN), "family_name": rng.choice(FAMILY), "other_names": [],
            "sex": rng.choice("fm"), "age": rng.randint(6, 16), "circumstance": "abducted_stranger",
            "description": "Invented.", "last_seen_at": now - timedelta(days=rng.randint(1, 60)),
            "last_seen_state": "LA", "last_seen_lga": "Ikeja", "last_seen_place": "Invented market",
            "guardians": [{"name": "Invented Guardian", "relationship": "mother",
                           "phones": [f"0803{n:07d}"]}],
            "consent_public": False,
        })  # fmt: skip
        missing_record_create(data=data, source=RecordSource.CONSOLE, actor=analyst)
    for n in range(notices):
        nation = rng.randrange(len(NATIONS))
        notice = NoticeInput.model_validate({
            "id": f"BENCH-{n:05d}", "sender_agency": "Invented Agency", "channel": "interpol_green",
            "given_names": rng.choice(VISITORS), "family_name": f"Invented{n}", "sex": "m",
            "date_of_birth": "1968-04-12", "nationalities": [NATIONS[nation]],
            "passport_number": f"{100_000_000 + n}",
            "arrival": (now - timedelta(days=2)).isoformat(),
            "departure": (now + timedelta(days=8)).isoformat(), "port_of_entry": "LOS",
            "destination_state": "LA", "destination_place": "Invented Palm Hotel",
        })  # fmt: skip
        notice_receive(data=notice, source=NoticeSource.CONSOLE, actor=desk)


def load_reports(n: int) -> float:
    from tipline.reports.services import report_submit

    rng, started = random.Random(7), time.perf_counter()
    for i in range(n):
        report_submit(draft=_draft(rng, i))  # type: ignore[arg-type]  # a ReportDraft
    return time.perf_counter() - started


# How often the drain refreshes the planner's statistics: autovacuum's default naptime.
ANALYZE_EVERY_S = 60.0


def analyze() -> None:
    """Refresh the planner's statistics, as autovacuum does in production.

    The PostgreSQL of these machines runs with autovacuum off, so without this the planner would
    plan for the tables as they were: after the bulk load, the task queue's claim query for an
    empty table (sorting every queued task on every claim); during the drain, the pipeline's
    reads for empty identifier and step tables (hash-joining whole tables for 50 reports)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


# The most a drain may take before the bench gives up on it.
DRAIN_TIMEOUT_S = 1800.0


def _worker_cmd(*extra: str) -> list[str]:
    return [str(ROOT / ".venv/bin/tipline"), "worker", "-v0", *extra]


def _hold(held: bool) -> None:
    """Lease every report for an hour (no worker may claim one), or release them all at once and
    wake the idle workers (NOTIFY, as `report_submit` does on its commit)."""
    from django.db import connection

    from tipline.reports.services import SUBMITTED_CHANNEL

    with connection.cursor() as cursor:
        if held:
            cursor.execute(
                "UPDATE reports_report SET pipeline_lease_until = now() + interval '1 hour'"
            )
        else:
            cursor.execute("UPDATE reports_report SET pipeline_lease_until = NULL")
            cursor.execute(f"NOTIFY {SUBMITTED_CHANNEL}")


def _settled(procs: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    """Wait until every worker has started (its first log line) and gone idle (its CPU time no
    longer grows: the imports, checks and first periodic jobs are done)."""
    deadline = time.perf_counter() + 120
    while not all("worker started" in log.read_text() for log in logs):
        if time.perf_counter() > deadline or any(p.poll() is not None for p in procs):
            raise RuntimeError("a worker did not start")
        time.sleep(0.1)
    before = [cpu_seconds(p.pid) for p in procs]
    while time.perf_counter() < deadline:
        time.sleep(0.5)
        now = [cpu_seconds(p.pid) for p in procs]
        if all(b - a < 0.02 for a, b in zip(before, now, strict=True)):
            return
        before = now


def _due() -> int:
    """Reports a worker may still claim: fresh, not given up on."""
    from tipline.reports.choices import ReportStatus
    from tipline.reports.models import Report

    due = [ReportStatus.RECEIVED, ReportStatus.PROCESSING]
    return Report.objects.filter(status__in=due, needs_attention=False).count()


def drain(workers: int, db_name: str) -> tuple[float, float, dict[str, float]]:
    """Seconds for `workers` running workers to empty the queue, their peak RSS, and the CPU
    seconds of the workers and of PostgreSQL meanwhile. Timed from the moment every worker is up
    and idle, as a deployed worker is when reports come: the reports are held under a lease while
    the workers start (seconds of imports and checks, which are no part of the throughput), then
    released at once."""
    _hold(True)
    logs = [ROOT / "var" / f"bench-pipeline-worker-{n}.log" for n in range(workers)]
    procs = []
    for log in logs:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as out:
            procs.append(subprocess.Popen(_worker_cmd("--interval", "1"), env=_env(db_name),
                                          stderr=out))  # fmt: skip
    try:
        _settled(procs, logs)
        workers_cpu, db_cpu = [cpu_seconds(p.pid) for p in procs], PostgresCpuSampler()
        started = time.perf_counter()
        _hold(False)
        peak, analyzed = 0.0, time.perf_counter()
        while _due():
            if any(p.poll() is not None for p in procs):
                raise RuntimeError("a worker failed")
            if time.perf_counter() - started > DRAIN_TIMEOUT_S:
                raise RuntimeError("the drain took too long")
            peak = max([peak, *(_peak_rss_mb(p.pid) for p in procs)])
            db_cpu.sample()
            if time.perf_counter() - analyzed > ANALYZE_EVERY_S:
                analyze()  # its CPU is PostgreSQL's, and counted
                analyzed = time.perf_counter()
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        used = sum(cpu_seconds(p.pid) - c for p, c in zip(procs, workers_cpu, strict=True))
        db_cpu.sample()
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=60)
    return elapsed, peak, {"workers": used, "postgres": db_cpu.total()}


def count_unprocessed() -> int:
    """Reports the drained queue left short of triage: must be 0 for the throughput to count."""
    from tipline.reports.choices import ReportStatus
    from tipline.reports.models import Report

    return Report.objects.exclude(status=ReportStatus.AWAITING_TRIAGE).count()


def _status_of(report_id: int) -> str:
    from tipline.reports.models import Report

    return str(Report.objects.values_list("status", flat=True).get(pk=report_id))


def _time_one_report(rng: random.Random, i: int) -> float:
    """Seconds from submitting one report to seeing it await triage (polled every 5 ms)."""
    from tipline.reports.choices import ReportStatus
    from tipline.reports.services import report_submit

    started = time.perf_counter()
    report = report_submit(draft=_draft(rng, 2 * 10**6 + i)).report  # type: ignore[arg-type]  # a ReportDraft
    while _status_of(report.pk) != ReportStatus.AWAITING_TRIAGE:
        if time.perf_counter() - started > 60:
            raise RuntimeError(f"report {report.pk} was not processed within a minute")
        time.sleep(0.005)
    return time.perf_counter() - started


def time_latency(workers: int, samples: int, db_name: str) -> list[float]:
    """Submit-to-awaiting_triage seconds of single reports, one at a time, with idle workers."""
    procs = [subprocess.Popen(_worker_cmd(), env=_env(db_name)) for _ in range(workers)]
    rng, timings = random.Random(13), []
    try:
        time.sleep(3)  # started and idle: waiting for work
        for i in range(samples):
            timings.append(_time_one_report(rng, i))
            time.sleep(rng.uniform(0.2, 0.6))  # idle again between reports
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=60)
    return timings


def _percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(int(len(sorted_values) * fraction), len(sorted_values) - 1)]


def load_identifiers(n: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM reports_report")
        low, high = cursor.fetchone()
        cursor.execute(
            "INSERT INTO identifiers_identifier (kind, value_hash, display, strong, first_seen,"
            " last_seen) SELECT 'phone', md5('bench' || g) || md5('x' || g), 'v1:bench', true,"
            " now(), now() FROM generate_series(1, %s) g",
            [n],
        )
        cursor.execute(
            "INSERT INTO identifiers_reportidentifier (report_id, identifier_id, source,"
            " as_written, details) SELECT %s + (i.id %% (%s - %s + 1)), i.id, 'bench', '', '{}'"
            " FROM identifiers_identifier i WHERE i.display = 'v1:bench'",
            [low, high, low],
        )
        cursor.execute("ANALYZE")


def time_linking(samples: int) -> list[float]:
    from tipline.identifiers.services import report_link, report_record_identifiers
    from tipline.reports.services import report_submit

    rng, timings = random.Random(11), []
    for i in range(samples):
        report = report_submit(draft=_draft(rng, 10**6 + i)).report  # type: ignore[arg-type]  # a ReportDraft
        report_record_identifiers(report=report)
        started = time.perf_counter()
        report_link(report=report)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--identifiers", type=int, default=1_000_000)
    parser.add_argument("--link-samples", type=int, default=300)
    parser.add_argument("--latency-samples", type=int, default=60)
    parser.add_argument(
        "--missing-records",
        type=int,
        default=300,
        help="open records (0 before the registry existed)",
    )
    parser.add_argument(
        "--notices", type=int, default=100, help="active travel notices (0 before they existed)"
    )
    parser.add_argument("--db-name", default="tipline_bench_pipeline")
    args = parser.parse_args(argv)
    psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    psql(f"CREATE DATABASE {args.db_name}")
    env = _env(args.db_name)
    subprocess.run([str(ROOT / ".venv/bin/tipline"), "migrate", "-v0"], env=env, check=True)
    try:
        setup_django(_env(args.db_name))
        from tipline.geo.services import geo_seed_defaults

        geo_seed_defaults()
        load_registries(args.missing_records, args.notices)
        load_s = load_reports(args.reports)
        analyze()
        drain_s, peak_mb, cpu = drain(args.workers, args.db_name)
        unprocessed = count_unprocessed()
        latency = sorted(time_latency(args.workers, args.latency_samples, args.db_name))
        load_identifiers(args.identifiers)
        timings = sorted(time_linking(args.link_samples))
    finally:
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    figures = {
        "reports": args.reports,
        "workers": args.workers,
        "open_missing_records": args.missing_records,
        "active_notices": args.notices,
        "load_reports_per_s": round(args.reports / load_s, 1),
        "pipeline_reports_per_s": round(args.reports / drain_s, 1),
        "unprocessed_reports": unprocessed,
        "worker_peak_rss_mb": round(peak_mb, 1),
        "cpu_ms_per_report_workers": round(cpu["workers"] * 1000 / args.reports, 1),
        "cpu_ms_per_report_postgres": round(cpu["postgres"] * 1000 / args.reports, 1),
        "submit_to_triage_p50_s": round(_percentile(latency, 0.5), 3),
        "submit_to_triage_p95_s": round(_percentile(latency, 0.95), 3),
        "submit_to_triage_max_s": round(latency[-1], 3),
        "stored_identifiers": args.identifiers,
        "link_p50_ms": round(timings[len(timings) // 2], 2),
        "link_p95_ms": round(timings[int(len(timings) * 0.95)], 2),
    }
    for key, value in figures.items():
        print(f"{key:>24}: {value}")
    print(json.dumps(figures))
    return 1 if unprocessed else 0  # a drain that left reports behind is a failure


if __name__ == "__main__":
    sys.exit(main())
