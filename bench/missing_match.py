"""Missing-child matching against a baseline that reimplements UNICEF Primero's tracing match.

Builds `--records` invented children (the people app's synthetic population: Faker's en_NG,
yo_NG, ig_NG and ha_NG names) with last-seen places and times, and `--sightings` corrupted
sightings of them (names swapped, shortened or misspelt, an age guessed a few years off, a
neighbouring place, fields missing) with a share of sightings of no registered child. Both
matchers see the same candidates' fields:

Both rank the same candidates (the blind-index blocking), so recall at 5 compares rankings only.

- ours: the people app's blind-index terms and the missing-child profile (`missing.offline`,
  as `tipline missing match` runs it), "likely" at `missing.matching.LIKELY`;
- Primero's: weighted field scores (name 15, by metaphone as the nearest jellyfish has to double
  metaphone; sex and age within two years 10; date of birth 5; language 3), normalised by the
  top hit, "likely" when a hit stands 0.7 above the mean of the normalised scores.

Prints precision, recall and F1 of "the top likely candidate is the child" for both, recall at 5
and the p95 milliseconds to score one sighting, in memory (no database: the pipeline's step per
tip at 100,000 records on PostgreSQL is bench/missing_match_pg.py); the last line is one JSON
object.

    .venv/bin/python bench/missing_match.py --records 5000 --sightings 500
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("TIPLINE_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tipline.config.settings")

LANGUAGES = ("Yoruba", "Igbo", "Hausa", "English", "Pidgin")


def _population(records: int, sightings: int, seed: int) -> tuple[list[Any], list[Any], list[str]]:
    from tipline.people.person import Place
    from tipline.people.synthetic import Population

    population = Population(seed)
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    registry = []
    for _ in range(records):
        person = population.person()
        seen = start + timedelta(days=rng.randint(0, 150))
        registry.append(replace(person, seen_at=seen, emails=()))
    queries = population.queries(registry, sightings, absent_share=0.2)
    languages = [rng.choice(LANGUAGES) for _ in registry]
    moved = []
    for query in queries:
        base = query.person
        later = (base.seen_at or start) + timedelta(days=rng.randint(1, 60))
        places = tuple(Place(state=p.state) for p in base.places)  # only the state is known
        moved.append(replace(query, person=replace(base, seen_at=later, places=places)))
    return registry, moved, languages


def _primero(
    query: Any, registry: list[Any], ids: list[str], languages: list[str]
) -> list[tuple[str, float]]:
    from tipline.people import names

    def codes(person: Any) -> set[str]:
        return {names.phonetic(t) for t in names.tokens(person.given_names, person.family_name)}

    mine, scores, query_language = codes(query), [], ""
    for owner in ids:
        other = registry[int(owner)]
        score = 15.0 * len(mine & codes(other)) / max(1, len(mine))
        same_sex = query.sex and query.sex == other.sex
        if same_sex and _age_close(query, other):
            score += 10
        if query.date_of_birth and query.date_of_birth == other.date_of_birth:
            score += 5
        # Language (3) counts only when both sides give one; a witness's sighting gives none.
        score += 3 if query_language and query_language == languages[int(owner)] else 0
        scores.append((owner, score))
    top = max((s for _, s in scores), default=0.0) or 1.0
    normalised = [(o, s / top) for o, s in scores]
    return sorted(normalised, key=lambda pair: -pair[1])


def _age_close(left: Any, right: Any) -> bool:
    from tipline.people.person import birth_years

    return bool(birth_years(left, spread=2) & birth_years(right))


def _likely_primero(ranked: list[tuple[str, float]]) -> str | None:
    if not ranked:
        return None
    mean = sum(s for _, s in ranked) / len(ranked)
    owner, best = ranked[0]
    return owner if best - mean >= 0.7 or (len(ranked) == 1 and best > 0) else None


def _figures(
    hits: list[tuple[str | None, str | None]], ranks: list[int | None]
) -> dict[str, float]:
    said = [(guess, truth) for guess, truth in hits if guess is not None]
    right = sum(1 for guess, truth in said if guess == truth)
    present = sum(1 for _, truth in hits if truth is not None) or 1
    precision = right / len(said) if said else 0.0
    recall = right / present
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    at5 = sum(1 for r in ranks if r is not None and r < 5) / present
    return {"precision": precision, "recall": recall, "f1": f1, "recall_at_5": at5}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--sightings", type=int, default=500)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    import django

    django.setup()
    from tipline.missing.matching import LIKELY
    from tipline.missing.offline import MemoryIndex
    from tipline.people.profiles import default_profile
    from tipline.people.scoring import people_score

    registry, queries, languages = _population(args.records, args.sightings, args.seed)
    index = MemoryIndex([(str(i), p) for i, p in enumerate(registry)])
    profile = default_profile("missing_record")
    ours_hits, ours_ranks, base_hits, base_ranks, seconds = [], [], [], [], []
    for query in queries:
        truth = None if query.truth is None else str(query.truth)
        started = time.perf_counter()
        ids = index.candidates(query.person)
        scored = sorted(
            (
                (o, people_score(profile=profile, left=query.person, right=registry[int(o)]))
                for o in ids
            ),
            key=lambda pair: -pair[1].probability,
        )
        seconds.append(time.perf_counter() - started)
        order = [o for o, _ in scored]
        likely = scored and scored[0][1].probability >= LIKELY
        ours_hits.append((scored[0][0] if likely else None, truth))
        ours_ranks.append(order.index(truth) if truth in order else None)
        ranked = _primero(query.person, registry, ids, languages)
        base_order = [o for o, _ in ranked]
        base_hits.append((_likely_primero(ranked), truth))
        base_ranks.append(base_order.index(truth) if truth in base_order else None)
    seconds.sort()
    p95 = 1000 * seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))]
    result = {
        "records": args.records,
        "sightings": args.sightings,
        "ours": _figures(ours_hits, ours_ranks),
        "primero": _figures(base_hits, base_ranks),
        "p95_ms_in_memory": round(p95, 2),
    }
    for name in ("ours", "primero"):
        f = result[name]
        print(
            f"{name:8} precision {f['precision']:.3f} recall {f['recall']:.3f} "
            f"F1 {f['f1']:.3f} recall@5 {f['recall_at_5']:.3f}"
        )
    print(f"p95 to score one sighting (in memory, {args.records} records): {p95:.1f} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
