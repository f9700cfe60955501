"""The pipeline's `missing` step on PostgreSQL: one tip matched against `--records` open records.

Loads `--records` invented children (the people app's synthetic population, Faker's Nigerian
locales, dates of birth of children) as verified `MissingRecord` rows, their fields encrypted as
the registry keeps them, into a database of its own, and indexes them through
`people_index_many` under the registry's owner kind. Then files `--tips` missing-child sighting
reports through `report_submit` (corrupted copies of registered children, and a share of children
who are not registered) and times `missing_match_report` on each, as the step runs it: index the
report's child, find candidates in the blind index, load and decrypt those records, score them,
store the candidates, in a transaction framed as the pipeline's (its commit, timed, does not
wait for the WAL flush). Filing the report, and loading it as the pipeline does (its people and
files prefetched), are not timed.

Prints the p50, p95 and slowest milliseconds per tip and how often the true record is the top
candidate and among the candidates; the last line is one JSON object.

`--before REV` times revision REV's code beside this tree's on the same database and tips: two
worker processes take turns, ten tips at a time, so both see the machine's same load; both sets
of figures are printed with the load average. `--keep` keeps the database for the next run with
`--keep`, which then skips storing and indexing the same registry (for trying changes quickly).

    .venv/bin/python bench/missing_match_pg.py --records 100000 --tips 300
    .venv/bin/python bench/missing_match_pg.py --records 100000 --tips 300 --before b2b007e
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# A timing worker may run another revision's code (--before): its source tree comes first.
sys.path.insert(0, os.environ.get("MISSING_BENCH_SRC") or str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _pg import (  # noqa: E402  # bench/ is on sys.path
    bench_env,
    psql,
    setup_django,
    take_turns,
    tree_of,
)

SEEN_FROM = datetime(2026, 1, 1, tzinfo=UTC)


def _children(count: int, seed: int) -> list[Any]:
    """Invented children: the synthetic people, born 2009-2021, last seen in 2026."""
    from tipline.people.synthetic import Population

    population, rng = Population(seed), random.Random(seed)
    return [
        replace(
            population.person(),
            emails=(),
            date_of_birth=date(2009, 1, 1) + timedelta(days=rng.randint(0, 4700)),
            seen_at=SEEN_FROM + timedelta(days=rng.randint(0, 150)),
        )
        for _ in range(count)
    ]


def _row(number: int, child: Any, states: dict[str, Any], now: datetime) -> Any:
    from tipline.missing.choices import Circumstance, RecordStatus, Source
    from tipline.missing.models import MissingRecord
    from tipline.missing.services import format_record_reference

    state = states[child.places[0].state]
    return MissingRecord(
        reference=format_record_reference(2026, number),
        given_names=child.given_names,
        family_name=child.family_name,
        other_names=list(child.other_names),
        sex=child.sex,
        date_of_birth=child.date_of_birth.isoformat(),
        circumstance=Circumstance.LOST,
        last_seen_at=child.seen_at,
        last_seen_state=state,
        last_seen_lga=child.places[0].lga,
        guardians=[],
        child_phones=list(child.phones),
        status=RecordStatus.VERIFIED,
        source=Source.CONSOLE,
        command=state.command,
        created_at=now,
        updated_at=now,
    )


def _load(children: list[Any]) -> tuple[float, float]:
    """Store and index the registry; seconds for each."""
    from django.db import connection

    from tipline.common.time import utcnow
    from tipline.geo.models import State
    from tipline.geo.services import geo_seed_defaults
    from tipline.missing.models import MissingRecord
    from tipline.people.choices import OwnerKind
    from tipline.people.services import people_index_many

    geo_seed_defaults()
    states = {s.code: s for s in State.objects.select_related("command")}
    started, now = time.perf_counter(), utcnow()
    for start in range(0, len(children), 2000):
        rows = [
            _row(start + i + 1, c, states, now)
            for i, c in enumerate(children[start : start + 2000])
        ]
        MissingRecord.objects.bulk_create(rows, batch_size=2000)
    stored = time.perf_counter() - started
    pks = list(MissingRecord.objects.order_by("pk").values_list("pk", flat=True))
    people_index_many(
        owner_kind=OwnerKind.MISSING_RECORD, people=zip(pks, children, strict=True), batch_size=2000
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE people_blindindexentry")
        cursor.execute("VACUUM ANALYZE missing_missingrecord")
    return stored, time.perf_counter() - started - stored


def _file(person: Any, seen: datetime) -> int:
    """A public sighting of `person`, as a report; its id."""
    from tipline.reports.choices import Channel, IncidentType, PersonRole
    from tipline.reports.drafts import IncidentDraft, PersonDraft, Phone, ReportDraft
    from tipline.reports.services import report_submit

    child = PersonDraft(
        role=PersonRole.VICTIM,
        first_name=person.given_names or None,
        last_name=person.family_name or None,
        age=person.age,
        date_of_birth=person.date_of_birth if person.age is None else None,
        phones=[Phone(number=p) for p in person.phones],
    )
    place = person.places[0] if person.places else None
    incident = IncidentDraft(
        type=IncidentType.MISSING_CHILD_SIGHTING,
        description="Invented: a child seen near the motor park.",
        state_code=place.state if place else None,
        occurred_at=seen,
    )
    draft = ReportDraft(channel=Channel.WEB, language="en", incident=incident, people=[child])
    return report_submit(draft=draft).report.pk


def _tips(children: list[Any], count: int, seed: int) -> list[tuple[int, str | None]]:
    """File the sightings; (report id, the true record's reference or None) for each."""
    from tipline.missing.services import format_record_reference
    from tipline.people.synthetic import Population

    queries = Population(seed + 1).queries(children, count, absent_share=0.2)
    filed = []
    for query in queries:
        truth = None if query.truth is None else children[query.truth]
        seen = (truth.seen_at if truth else SEEN_FROM) + timedelta(days=3)
        reference = None if query.truth is None else format_record_reference(2026, query.truth + 1)
        filed.append((_file(query.person, seen), reference))
    return filed


def _time(filed: list[tuple[int, str | None]]) -> list[tuple[float, bool, bool]]:
    """(seconds, the true record first, the true record among the candidates) for each tip."""
    from django.db import connection, transaction

    from tipline.missing.services import missing_match_report
    from tipline.reports.models import Report

    timed = []
    for report_id, truth in filed:
        loaded = Report.objects.select_related("state__command").prefetch_related("people", "files")
        report = loaded.get(pk=report_id)
        started = time.perf_counter()
        # Framed as the pipeline runs a report (`pipeline.services._run`): one transaction, its
        # commit not waiting for the WAL flush; the commit is timed.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            candidates = missing_match_report(report=report)
        took = time.perf_counter() - started
        ranked = [c.record.reference for c in candidates]
        timed.append((took, bool(ranked) and ranked[0] == truth, truth in ranked))
    return timed


def _figures(
    timed: list[tuple[float, bool, bool]], filed: list[tuple[int, str | None]]
) -> dict[str, Any]:
    seconds = sorted(t for t, _, _ in timed)
    present = sum(1 for _, truth in filed if truth is not None)

    def ms(q: float) -> float:
        return round(1000 * seconds[min(len(seconds) - 1, int(q * len(seconds)))], 1)

    return {
        "p50_ms": ms(0.5),
        "p95_ms": ms(0.95),
        "max_ms": round(1000 * seconds[-1], 1),
        "truth_top": round(sum(1 for _, top, _ in timed if top) / max(1, present), 4),
        "truth_among_candidates": round(
            sum(1 for _, _, among in timed if among) / max(1, present), 4
        ),
    }


CHUNK = 10


def _alternate(trees: dict[str, str], filed: list[Any]) -> dict[str, list[Any]]:
    """Each tree's worker times the tips CHUNK at a time, the trees taking turns (each warmed
    first on five tips, not counted)."""
    envs = {name: {"MISSING_BENCH_SRC": tree} for name, tree in trees.items()}
    chunks = [filed[i : i + CHUNK] for i in range(0, len(filed), CHUNK)]
    return take_turns(__file__, envs, chunks, warm_up=filed[:5])


def worker() -> int:
    """A timing worker: reads chunks of [report id, true reference] (one JSON list a line) and
    answers each with [seconds, first, among] per tip."""
    setup_django(dict(os.environ))
    import tipline

    print(f"worker runs {Path(tipline.__file__).parent}", file=sys.stderr)
    for text in sys.stdin:
        print(json.dumps(_time([tuple(tip) for tip in json.loads(text)])), flush=True)
    return 0


def _registry_kept(records: int) -> bool:
    from tipline.missing.models import MissingRecord

    return MissingRecord.objects.count() == records


def _run(args: argparse.Namespace) -> dict[str, Any]:
    children = _children(args.records, args.seed)
    stored = indexed = 0.0
    if not (args.keep and _registry_kept(args.records)):
        stored, indexed = _load(children)
        print(f"stored {args.records} records in {stored:.1f} s, indexed in {indexed:.1f} s")
    filed = _tips(children, args.tips, args.seed)
    trees = {"after": str(ROOT / "src")}
    if args.before:
        trees["before"] = tree_of(args.before, "missing")
    samples = _alternate(trees, filed)
    out = {
        "records": args.records,
        "tips": args.tips,
        "store_seconds": round(stored, 1),
        "index_seconds": round(indexed, 1),
        **_figures(samples["after"], filed),
    }
    if args.before:
        out |= {f"before_{k}": v for k, v in _figures(samples["before"], filed).items()}
        out["before_revision"] = args.before
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return out


def _create(db_name: str) -> None:
    with contextlib.suppress(subprocess.CalledProcessError):  # kept from a run with --keep
        psql(f"CREATE DATABASE {db_name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--tips", type=int, default=300)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--db-name", default="h_missing_bench")
    parser.add_argument("--before", default="", help="A revision timed beside this tree.")
    parser.add_argument("--keep", action="store_true", help="Keep (and reuse) the database.")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker()
    if not args.keep:
        psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    _create(args.db_name)
    env = bench_env(args.db_name, "bench-missing")
    subprocess.run([str(ROOT / ".venv/bin/tipline"), "migrate", "-v0"], env=env, check=True)
    try:
        setup_django(env)
        figures = _run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    if args.before:
        print(
            f"before ({args.before}): p50 {figures['before_p50_ms']} ms  p95"
            f" {figures['before_p95_ms']} ms  max {figures['before_max_ms']} ms; true record top"
            f" {figures['before_truth_top']:.3f}, among the candidates"
            f" {figures['before_truth_among_candidates']:.3f}"
        )
    print(
        f"missing step per tip at {args.records} records on PostgreSQL: p50 {figures['p50_ms']} ms"
        f"  p95 {figures['p95_ms']} ms  max {figures['max_ms']} ms; true record top"
        f" {figures['truth_top']:.3f}, among the candidates {figures['truth_among_candidates']:.3f}"
    )
    print(f"load average {figures['load_average']}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
