"""The pipeline surviving the database going away, and a worker killed, during a load (PostgreSQL).

`--workers` workers (`tipline worker`, default lease) reach PostgreSQL through a TCP proxy on
loopback (bench/_proxy.py); this process submits reports directly, at `--rate` a second for
`--load-seconds`. Meanwhile:

- at `--outage-at` seconds the proxy is cut for `--outage-seconds`: every worker connection is
  dropped and new ones are refused, as if the database were down (the shared server itself is
  never stopped: others run tests on it);
- from `--kill-at` seconds, as soon as PostgreSQL shows the first worker inside a transaction (in
  the middle of a batch), that worker is killed with SIGKILL and not restarted: the others must
  take over the reports it had leased once their lease lapses.

It then waits up to `--settle-seconds` (a minute) for every report to await triage, and checks
that the surviving workers still run, that no report is left short of triage, and that none was
processed twice (each has one status change into processing and one out of it). Creates and drops
a database of its own; the last line printed is one JSON object of figures.

    .venv/bin/python bench/pipeline_outage.py
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _pg import bench_env, psql, setup_django  # noqa: E402  # bench/ is on sys.path
from _proxy import Proxy  # noqa: E402
from pipeline import _draft  # noqa: E402


def start_workers(count: int, env: dict[str, str], logs: Path) -> list[subprocess.Popen[bytes]]:
    """Workers each named in PostgreSQL (application_name), to see which is in a transaction."""
    cmd = [str(ROOT / ".venv/bin/tipline"), "worker", "-v1"]
    procs = []
    for i in range(count):
        log: IO[bytes] = (logs / f"worker-{i}.log").open("wb")
        named = {**env, "DATABASE_URL": f"{env['DATABASE_URL']}?application_name=worker-{i}"}
        procs.append(subprocess.Popen(cmd, env=named, stdout=log, stderr=subprocess.STDOUT))  # noqa: S603  # fixed argv
    return procs


class Killer:
    """Kills a worker with SIGKILL once it is inside a transaction, and notes what it held."""

    def __init__(self, worker: subprocess.Popen[bytes], name: str) -> None:
        self.worker, self.name = worker, name
        self.orphans: list[int] = []
        self.killed_at: Any = None
        self.mid_batch = False

    def __call__(self) -> None:
        deadline = time.monotonic() + 15
        while not self._in_transaction() and time.monotonic() < deadline:
            time.sleep(0.002)
        self.mid_batch = self._in_transaction()
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait()
        from tipline.common.time import utcnow
        from tipline.reports.models import Report

        self.killed_at = utcnow()
        time.sleep(1.0)  # the live workers' own leases come and go within it; the dead one's stay
        held = Report.objects.exclude(pipeline_lease_owner="").filter(
            pipeline_lease_until__gt=utcnow()
        )
        self.orphans = list(held.values_list("pk", flat=True))

    def _in_transaction(self) -> bool:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                # Between two statements of an open transaction: Python is in the middle of
                # its batch (or of a one-by-one run), with writes the kill must roll back.
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
                " AND state = 'idle in transaction'",
                [self.name],
            )
            return bool(cursor.fetchone()[0])

    def seconds_to_take_over(self) -> float | None:
        """From the kill to the last of its reports finishing its steps elsewhere."""
        from django.db.models import Max

        from tipline.pipeline.models import StepRun

        last = StepRun.objects.filter(report_id__in=self.orphans).aggregate(Max("finished_at"))
        done = last["finished_at__max"]
        return None if done is None else round((done - self.killed_at).total_seconds(), 1)


class Load:
    """Submits reports at a steady rate, and does each timed event once when its time comes."""

    def __init__(self, rate: float, seconds: float) -> None:
        self.rate, self.seconds = rate, seconds
        self.submitted = 0
        self.events: list[tuple[float, str, object]] = []

    def at(self, when: float, name: str, action: object) -> None:
        self.events.append((when, name, action))

    def run(self) -> dict[str, float]:
        from tipline.reports.services import report_submit

        rng, started, happened = random.Random(17), time.monotonic(), {}
        while (elapsed := time.monotonic() - started) < self.seconds:
            for when, name, action in self.events:
                if name not in happened and elapsed >= when:
                    action()  # type: ignore[operator]  # a callable
                    happened[name] = round(elapsed, 2)
            report_submit(draft=_draft(rng, self.submitted))  # type: ignore[arg-type]  # a ReportDraft
            self.submitted += 1
            time.sleep(max(0.0, self.submitted / self.rate - (time.monotonic() - started)))
        return happened


def unprocessed() -> int:
    from tipline.reports.choices import ReportStatus
    from tipline.reports.models import Report

    return Report.objects.exclude(status=ReportStatus.AWAITING_TRIAGE).count()


def processed_twice() -> int:
    """Reports whose status changed more than the twice one run changes it."""
    from tipline.audit.models import AuditEvent

    changes = Counter(
        AuditEvent.objects.filter(action="report.status_changed").values_list(
            "object_id", flat=True
        )
    )
    return sum(1 for count in changes.values() if count > 2)


def settle(limit: float) -> float:
    """Seconds until no report is short of triage (or `limit`, if it never happens)."""
    started = time.monotonic()
    while unprocessed() and time.monotonic() - started < limit:
        time.sleep(0.5)
    return time.monotonic() - started


def _database_errors_logged(logs: Path) -> int:
    return sum(
        log.read_text(errors="replace").count("database unavailable")
        for log in logs.glob("worker-*.log")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=60.0)
    parser.add_argument("--load-seconds", type=float, default=45.0)
    parser.add_argument("--outage-at", type=float, default=8.0)
    parser.add_argument("--outage-seconds", type=float, default=10.0)
    parser.add_argument("--kill-at", type=float, default=25.0)
    parser.add_argument("--settle-seconds", type=float, default=60.0)
    parser.add_argument("--db-name", default="tipline_bench_outage")
    args = parser.parse_args(argv)
    psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    psql(f"CREATE DATABASE {args.db_name}")
    env = bench_env(args.db_name, "bench-outage")
    subprocess.run([str(ROOT / ".venv/bin/tipline"), "migrate", "-v0"], env=env, check=True)  # noqa: S603  # fixed argv
    logs = ROOT / "var" / "bench-outage"
    logs.mkdir(parents=True, exist_ok=True)
    proxy = Proxy()
    proxy.open()
    via_proxy = {
        **env,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{proxy.port}/{args.db_name}",
    }
    workers: list[subprocess.Popen[bytes]] = []
    try:
        setup_django(env)
        from tipline.geo.services import geo_seed_defaults

        geo_seed_defaults()
        workers = start_workers(args.workers, via_proxy, logs)
        time.sleep(3)  # started and idle
        load = Load(args.rate, args.load_seconds)
        load.at(args.outage_at, "outage_started_s", proxy.cut)
        load.at(args.outage_at + args.outage_seconds, "outage_ended_s", proxy.open)
        killer = Killer(workers[0], "worker-0")
        load.at(args.kill_at, "worker_killed_s", killer)
        happened = load.run()
        settle_s = settle(args.settle_seconds)
        survivors_running = all(w.poll() is None for w in workers[1:])
        left, twice = unprocessed(), processed_twice()
        take_over = killer.seconds_to_take_over()
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        stopped_cleanly = all(w.wait(timeout=60) == 0 for w in workers[1:])
        proxy.cut()
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    figures = {
        "workers": args.workers,
        "reports": load.submitted,
        **happened,
        "outage_seconds": args.outage_seconds,
        "killed_mid_batch": killer.mid_batch,
        "reports_leased_by_killed_worker": len(killer.orphans),
        "seconds_from_kill_to_taken_over": take_over,
        "seconds_to_drain_after_load": round(settle_s, 1),
        "unprocessed_reports": left,
        "reports_processed_twice": twice,
        "surviving_workers_running": survivors_running,
        "surviving_workers_stopped_cleanly": stopped_cleanly,
        "database_errors_logged": _database_errors_logged(logs),
    }
    for key, value in figures.items():
        print(f"{key:>34}: {value}")
    print(json.dumps(figures))
    ok = not left and not twice and survivors_running and stopped_cleanly
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
