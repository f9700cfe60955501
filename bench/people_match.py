"""The person matcher on PostgreSQL: invented people indexed, corrupted sightings looked up.

Builds `--people` invented people (Faker's en_NG, yo_NG, ig_NG and ha_NG names, random dates of
birth, phones, emails, states), keeps each one encrypted as a caller's registry would, and
indexes them through `people_index_many` into a database of its own. Then looks up `--queries`
corrupted copies (names swapped, shortened or misspelt, an age guessed instead of the date of
birth, the phone written another way or unknown), a share of them of people who are not in the
registry, as a caller does: candidates from the blind index, decrypt those only, score.

Prints precision, recall and F1 of "the top candidate is the person" at the threshold, recall at
1 and 5, the expected calibration error over every scored pair, and the p95 time to find and
score one query; the last line is one JSON object.

    .venv/bin/python bench/people_match.py --people 100000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _pg import bench_env, psql, setup_django  # noqa: E402  # bench/ is on sys.path

KIND = "bench_people"


def _encrypt(person: Any) -> str:
    """The person as the caller's table holds it: one encrypted JSON value."""
    from dataclasses import asdict

    from tipline.common import crypto

    return crypto.encrypt_text(json.dumps(asdict(person), default=str))


def _decrypt(blob: str) -> Any:
    from tipline.common import crypto
    from tipline.people.person import PersonFields, Place

    data: dict[str, Any] = json.loads(crypto.decrypt_text(blob))
    born = data["date_of_birth"]
    return PersonFields(
        given_names=data["given_names"],
        family_name=data["family_name"],
        other_names=tuple(data["other_names"]),
        sex=data["sex"],
        date_of_birth=date.fromisoformat(born) if born else None,
        phones=tuple(data["phones"]),
        emails=tuple(data["emails"]),
        places=tuple(Place(**p) for p in data["places"]),
    )


def _load(count: int, seed: int) -> tuple[list[Any], dict[str, str], float]:
    from tipline.people.services import people_index_many
    from tipline.people.synthetic import Population

    population = Population(seed)
    registry = [population.person() for _ in range(count)]
    stored = {str(i): _encrypt(person) for i, person in enumerate(registry)}
    started = time.perf_counter()
    terms = people_index_many(owner_kind=KIND, people=enumerate(registry), batch_size=2000)
    _analyze()
    seconds = time.perf_counter() - started
    print(f"indexed {count} people, {terms} terms, in {seconds:.1f} s")
    return registry, stored, seconds


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE people_blindindexentry")


def _run(args: argparse.Namespace) -> dict[str, Any]:
    from tipline.people.profiles import default_profile
    from tipline.people.scoring import fit_profile
    from tipline.people.synthetic import Population, evaluate, summary

    registry, stored, load_seconds = _load(args.people, args.seed)
    queries = Population(args.seed + 1).queries(registry, args.queries, absent_share=args.absent)
    profile = default_profile("case_person")

    def run(profile: Any, queries: list[Any]) -> Any:
        return evaluate(
            owner_kind=KIND,
            profile=profile,
            queries=queries,
            load=lambda ids: {i: _decrypt(stored[i]) for i in ids},
            limit=args.limit,
        )

    run(profile, queries[:5])  # warm the caches (nicknames, short forms, the connection)
    outcome = run(profile, queries)
    # Reviewers' labels, as people_fit would read them: the truth of the first half's pairs;
    # the fitted profile is then judged on the second half only.
    half = len(queries) // 2
    fit_pairs = sum(outcome.counts[:half])
    fitted = fit_profile(profile, outcome.vectors[:fit_pairs])
    refit = run(fitted, queries[half:])
    default = summary(outcome, threshold=args.threshold)
    held_out = summary(refit, threshold=args.threshold)
    candidates = [r for r in outcome.ranks if r is not None]
    return {
        "people": args.people,
        "queries": args.queries,
        "absent_share": args.absent,
        "threshold": args.threshold,
        "limit": args.limit,
        "index_seconds": round(load_seconds, 1),
        **{k: round(v, 4) for k, v in default.items()},
        "truth_among_candidates": round(len(candidates) / max(1, _present(queries)), 4),
        "fitted_labelled_pairs": fit_pairs,
        **{f"fitted_{k}": round(v, 4) for k, v in held_out.items()},
    }


def _present(queries: list[Any]) -> int:
    return sum(1 for q in queries if q.truth is not None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--absent", type=float, default=0.2, help="Share of absent people.")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--limit", type=int, default=50, help="Candidates scored per query.")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db-name", default="tipline_bench_people")
    args = parser.parse_args(argv)
    psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    psql(f"CREATE DATABASE {args.db_name}")
    env = bench_env(args.db_name, "bench-people")
    subprocess.run([str(ROOT / ".venv/bin/tipline"), "migrate", "-v0"], env=env, check=True)
    try:
        setup_django(env)
        figures = _run(args)
    finally:
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    print(
        f"precision {figures['precision']:.3f}  recall {figures['recall']:.3f}  "
        f"F1 {figures['f1']:.3f} at p >= {args.threshold}; recall@1 {figures['recall_at_1']:.3f}"
        f"  recall@5 {figures['recall_at_5']:.3f}  ECE {figures['ece']:.4f}"
        f"  p95 {figures['p95_ms']:.1f} ms per query (find + decrypt + score)"
    )
    print(
        f"re-fitted on the first half's labels ({figures['fitted_labelled_pairs']} pairs), on the"
        f" second half: precision {figures['fitted_precision']:.3f}"
        f"  recall {figures['fitted_recall']:.3f}  F1 {figures['fitted_f1']:.3f}"
        f"  recall@1 {figures['fitted_recall_at_1']:.3f}  ECE {figures['fitted_ece']:.4f}"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
