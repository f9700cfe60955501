"""What recording look-ups costs the console's search page, on PostgreSQL.

Loads `--reports` synthetic reports with bench/search.py's loaders (same vocabulary, phones,
emails and accounts, same index), then times the same query mix three ways, one query at a time
in shuffled order:

- `selector`: `search_results` alone, what bench/search.py measures;
- `view_off`: the search page through Django's test client (sessions, auth, every middleware,
  the template), with the look-up write turned off (`lookups_record` does nothing);
- `view_on`: the same page with recording on: the look-up noted, encrypted and written in the
  request's one INSERT by `LookupMiddleware`, as in production.

`view_on - view_off` is the price of the audit. Creates and drops a database of its own; the last
line printed is one JSON object of figures.

    .venv/bin/python bench/lookups.py --reports 200000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _pg import bench_env, psql, setup_django  # noqa: E402  # bench/ is on sys.path

WAYS = ("selector", "view_off", "view_on")


def _users() -> dict[str, Any]:
    from tipline.accounts.services import user_create
    from tipline.geo.models import RegionalCommand

    kano = RegionalCommand.objects.get(code="KAN")
    return {
        "national": user_create(
            username="bench-national", password="x" * 16, role="supervisor", is_national=True
        ),
        "scoped": user_create(
            username="bench-kano", password="x" * 16, role="analyst", commands=[kano]
        ),
    }


def _record_nothing(*, events: Any) -> None:
    """Stands in for `lookups_record` while recording is off."""


def _timers(users: dict[str, Any]) -> dict[str, Callable[[str, str, dict[str, Any]], None]]:
    """One function per way of running a query: (user key, text, filters) -> None."""
    from django.conf import settings
    from django.test import Client, override_settings
    from django.urls import reverse

    from tipline.audit import lookups
    from tipline.search.selectors import search_results
    from tipline.triage.selectors import QueueFilters

    # Production serves collected static files; this process has not collected any, so the
    # templates name them unhashed (the same dictionary look-up's worth of work).
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    real_record = lookups.lookups_record
    url = reverse("search:search")
    clients = {who: Client() for who in users}
    for who, client in clients.items():
        client.force_login(users[who])

    def selector(who: str, text: str, filters: dict[str, Any]) -> None:
        search_results(user=users[who], query=text, filters=QueueFilters(**filters))

    def view(recording: bool) -> Callable[[str, str, dict[str, Any]], None]:
        def run(who: str, text: str, filters: dict[str, Any]) -> None:
            lookups.lookups_record = real_record if recording else _record_nothing
            try:
                response = clients[who].get(url, {"q": text, **filters})
            finally:
                lookups.lookups_record = real_record
            assert response.status_code == 200, (response.status_code, text)

        return run

    return {"selector": selector, "view_off": view(False), "view_on": view(True)}


def time_ways(
    mix: dict[str, list[tuple[str, dict[str, Any]]]], users: dict[str, Any]
) -> tuple[dict[str, dict[str, list[float]]], int]:
    """Timings in ms by way, then by query kind and "overall"; and the look-ups recorded."""
    timers = _timers(users)
    runs = [
        (kind, who, q, way) for kind, qs in mix.items() for q in qs for who in users for way in WAYS
    ]
    random.Random(5).shuffle(runs)
    for _kind, who, (text, filters), way in runs[:60]:  # warm the caches; not counted
        timers[way](who, text, filters)
    timings: dict[str, dict[str, list[float]]] = {way: defaultdict(list) for way in WAYS}
    before = _lookups_stored()
    for kind, who, (text, filters), way in runs:
        started = time.perf_counter()
        timers[way](who, text, filters)
        elapsed = (time.perf_counter() - started) * 1000
        timings[way][kind].append(elapsed)
        timings[way]["overall"].append(elapsed)
    return timings, _lookups_stored() - before


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 2)


def _lookups_stored() -> int:
    from tipline.audit.models import LookupEvent

    return LookupEvent.objects.count()


def _load(reports: int, per_kind: int) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The reports, identifiers and index of bench/search.py; its query mix over them."""
    import search as search_bench

    from tipline.geo.services import geo_seed_defaults

    geo_seed_defaults()
    rng = random.Random(7)
    vocab = search_bench.Vocabulary(rng)
    print(f"loaded {reports} reports in {search_bench.load_reports(reports, vocab):.1f} s")
    ids_s, ids = search_bench.load_identifiers(reports, rng)
    print(f"loaded {sum(map(len, ids.values()))} identifiers in {ids_s:.1f} s", flush=True)
    search_bench.build_index()
    mix: dict[str, list[tuple[str, dict[str, Any]]]] = search_bench.query_mix(
        vocab, ids, rng, per_kind
    )
    return mix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--per-kind", type=int, default=20, help="Queries per kind and user.")
    parser.add_argument("--db-name", default="tipline_bench_lookups")
    args = parser.parse_args(argv)
    psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    psql(f"CREATE DATABASE {args.db_name}")
    env = bench_env(args.db_name, "bench-lookups")
    subprocess.run([str(ROOT / ".venv/bin/tipline"), "migrate", "-v0"], env=env, check=True)
    try:
        setup_django(env)
        mix = _load(args.reports, args.per_kind)
        timings, recorded = time_ways(mix, _users())
    finally:
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    figures: dict[str, Any] = {"reports": args.reports, "lookups_recorded": recorded}
    assert recorded == len(timings["view_on"]["overall"]), "one look-up per recorded search"
    for way in WAYS:
        for kind in ("overall", "phone", "word_common", "word_rare"):
            values = timings[way][kind]
            figures[f"{way}_{kind}_p50_ms"] = _pct(values, 0.5)
            figures[f"{way}_{kind}_p95_ms"] = _pct(values, 0.95)
        values = timings[way]["overall"]
        print(
            f"{way:>9}: p50 {_pct(values, 0.5):7.2f} ms  p95 {_pct(values, 0.95):7.2f} ms"
            f"  mean {statistics.fmean(values):7.2f} ms  ({len(values)} queries)"
        )
    on, off = timings["view_on"]["overall"], timings["view_off"]["overall"]
    figures["recording_cost_mean_ms"] = round(statistics.fmean(on) - statistics.fmean(off), 2)
    figures["recording_cost_p50_ms"] = round(_pct(on, 0.5) - _pct(off, 0.5), 2)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
