"""Travel notices against reports: the platform's matcher beside the exact search of today.

Builds a labelled set of invented notices (foreign travellers: Faker's en_GB, en_US, nl_NL,
de_DE, fr_FR, it_IT and en_AU names, passports, phones, a hotel, a stay) and reports about them
as witnesses give them: a nickname or a given name only ("Mike"), a family name only ("Mr
Turner"), misspellings, the nationality in words ("British", "from Holland", "oyinbo"), an age
guessed wrong by years, the hotel named loosely ("the Palmview"), now and then a phone or a
passport. Beside them: reports about the subject made outside the stay (he was not here), reports
about a namesake in the same city during a stay (another "Mike", another hotel, another age),
and a third of the reports about someone nobody notified. The truth of every report is known.

Both methods read the evaluation format of `tipline travellers match` and see only the notices
active at the report's time:
- exact search (what an analyst does today): a notice sharing a strong identifier (phone,
  email, username, passport) or the same first and family name; every hit is "likely";
- the platform's matcher (travellers/evaluation.py: the blind-index terms and points of
  `people_candidates`, the travel-notice profile, its calibration).

Prints precision, recall and F1 at each one's likely threshold (the top candidate of a report is
its answer), recall at 5, the expected calibration error over every scored pair, then times on
PostgreSQL: one report's people against 10,000 active notices (find by blind index, load and
decrypt the notices, score: the pipeline step's read path) and one new notice against the
indexed people of `--report-people` reports (find, decrypt, score). Last line one JSON object.

`--before REV` times the report path of revision REV beside this tree's, on the same database:
two worker processes take turns, ten reports at a time, so both see the machine's same load;
the ratio of their p50 and p95 is printed with the load average. Before the notice timing, the
people index is bulk-loaded both ways in turns on 20,000 people (`people_index_many` deleting
each batch's old entries, and `fresh`: no delete, COPY) and the rates printed.

    .venv/bin/python bench/travellers_match.py --timing-only --before 583556f \
        --active-notices 10000 --report-people 0

`--fit` instead fits the travel profile on a separate labelled set (another seed): m and u from
the labelled pairs (`fit_profile`, as `tipline people_fit` does from reviewers' decisions),
Platt scaling of the weights, and the likely threshold that maximises F1 on that set; written to
src/tipline/people/data/travel_notice_fit.json, which the profile loads.

    .venv/bin/python bench/travellers_match.py --fit
    .venv/bin/python bench/travellers_match.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# A timing worker may run another revision's code (--before): its source tree comes first.
sys.path.insert(0, os.environ.get("TRAVELLERS_BENCH_SRC") or str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _pg import (  # noqa: E402  # bench/ is on sys.path
    bench_env,
    psql,
    setup_django,
    take_turns,
    tree_of,
)

FIT_FILE = ROOT / "src/tipline/people/data/travel_notice_fit.json"
START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
LOCALES = {
    "en_GB": ("GBR", ["British", "English", "from the UK", "from England", "a Brit"]),
    "en_US": ("USA", ["American", "from America", "from the US"]),
    "nl_NL": ("NLD", ["Dutch", "from Holland", "a Dutchman"]),
    "de_DE": ("DEU", ["German", "from Germany"]),
    "fr_FR": ("FRA", ["French", "from France", "a Frenchman"]),
    "it_IT": ("ITA", ["Italian", "from Italy"]),
    "en_AU": ("AUS", ["Australian", "an Aussie"]),
}
FOREIGN_WORDS = ["oyinbo", "an oyinbo man", "a white man", "a foreigner", "bature"]
STATES = {"LA": "LOS", "FC": "ABV", "RI": "PHC", "CR": "CBQ", "ED": "BNI", "OY": "IBA"}
HOTEL_WORDS = [
    "Palmview", "Lagoon Crest", "Sapphire", "Harbour Point", "Emerald Gate", "Coral Bay",
    "Golden Tulip", "Bluewater", "Ivory Court", "Savannah Rise", "Crescent", "Oakridge",
    "Silverbird", "Marina Pearl", "Kingsway", "Royal Orchid", "Amberley", "Zenith Park",
]  # fmt: skip
HOTEL_KINDS = ["Hotel", "Hotel and Suites", "Guest House", "Apartments", "Resort"]
DESCRIPTIONS = [
    "{who} brings young girls to {place} at night.",
    "{who} is staying at {place} and asks the staff to find him schoolgirls.",
    "{who} pays boys from the beach to come to his room at {place}.",
    "I work at {place}. {who} came in with a child who is not his.",
]


# Invented people -------------------------------------------------------------------------------


@dataclass
class Traveller:
    """A notice's subject, as the notice gives him, with his stay."""

    notice: dict[str, Any]
    locale: str
    given: str
    family: str
    born: date
    hotel: str
    state: str
    arrival: datetime
    departure: datetime


@dataclass
class World:
    """A labelled set: notice lines, report lines and each report's true notice (or None)."""

    notices: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    truth: dict[str, str | None] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)


class Inventor:
    """A seeded source of invented travellers and of what witnesses say about them."""

    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.rng = random.Random(seed)  # noqa: S311  # invented data, reproducible by seed
        self.fakers = {}
        for offset, locale in enumerate([*LOCALES, "en_NG"]):
            faker = Faker(locale)
            faker.seed_instance(seed * 10 + offset)
            self.fakers[locale] = faker

    def traveller(self, number: int, days: int) -> Traveller:
        rng = self.rng
        locale = rng.choice(list(LOCALES))
        faker = self.fakers[locale]
        given, family = faker.first_name_male(), faker.last_name()
        born = date(1945, 1, 1) + timedelta(days=rng.randint(0, 16_000))
        state = rng.choice(list(STATES))
        hotel = f"{rng.choice(HOTEL_WORDS)} {rng.choice(HOTEL_KINDS)}"
        arrival = START + timedelta(days=rng.uniform(0, days), hours=rng.uniform(0, 24))
        departure = arrival + timedelta(days=rng.randint(3, 21))
        code = LOCALES[locale][0]
        notice = {
            "id": f"N{number:05d}",
            "given_names": given,
            "family_name": family,
            "other_names": [],
            "sex": "m",
            "date_of_birth": born.isoformat() if rng.random() < 0.8 else str(born.year),
            "nationalities": [code],
            "passport_number": f"{rng.randint(100_000_000, 999_999_999)}",
            "phones": [f"+44 7700 {rng.randint(900_000, 900_999)}"] if rng.random() < 0.5 else [],
            "emails": [f"{given}.{family}{number}@example.com".lower()]
            if rng.random() < 0.3
            else [],
            "usernames": [f"instagram:{given.lower()}_{number}"] if rng.random() < 0.2 else [],
            "arrival": arrival.isoformat(),
            "departure": departure.isoformat(),
            "port_of_entry": STATES[state],
            "destination_state": state,
            "destination_place": f"{hotel}, {faker.street_name()}",
            "description": "",
        }
        return Traveller(notice, locale, given, family, born, hotel, state, arrival, departure)

    # What a witness says -------------------------------------------------------------------

    def _typo(self, word: str) -> str:
        if len(word) < 5:
            return word
        i = self.rng.randrange(1, len(word) - 1)
        return (
            word[:i] + word[i + 1 :] if self.rng.random() < 0.5 else word[:i] + word[i] + word[i:]
        )

    def _nickname(self, given: str) -> str:
        from tipline.people.names import nicknames_of

        found = sorted(n for n in nicknames_of(given.lower()) if 2 < len(n) < len(given))
        return self.rng.choice(found).title() if found else given

    def said_name(self, t: Traveller) -> tuple[str, str, str]:
        """(given, family, how) as the witness gives them."""
        roll = self.rng.random()
        if roll < 0.20:
            return t.given, t.family, "full"
        if roll < 0.45:
            return self._nickname(t.given), "", "nickname"
        if roll < 0.62:
            return t.given, "", "given only"
        if roll < 0.77:
            return "", t.family, "family only"
        return self._typo(t.given), self._typo(t.family), "misspelt"

    def said_nationality(self, locale: str) -> str:
        roll = self.rng.random()
        if roll < 0.65:
            return self.rng.choice(LOCALES[locale][1])
        if roll < 0.9:
            return self.rng.choice(FOREIGN_WORDS)
        return ""

    def said_place(self, hotel: str) -> str:
        roll = self.rng.random()
        word = hotel.split(" ")[0]
        if roll < 0.55:
            return f"the {hotel.split(' Hotel')[0]}"
        if roll < 0.75:
            return f"{self._typo(word)} hotel"
        return ""

    def age(self, born: date, when: datetime) -> int | None:
        if self.rng.random() < 0.3:
            return None
        true = (when.date() - born).days // 365
        return max(18, true + round(self.rng.gauss(0, 5)))

    def person(self, given: str, family: str, **extra: Any) -> dict[str, Any]:
        values = {"role": "reported_person", "given_names": given, "family_name": family,
                  "other_names": [], "sex": "m", "age": "", "nationality": "", "phones": [],
                  "emails": [], "usernames": [], "passport_number": ""}  # fmt: skip
        values.update(extra)
        return values

    def report(
        self, number: int, who: dict[str, Any], when: datetime, state: str, place: str
    ) -> dict[str, Any]:
        name = " ".join(n for n in (who["given_names"], who["family_name"]) if n)
        words = f"A {who['nationality'] or 'man'} man called {name}" if name else "A man"
        text = self.rng.choice(DESCRIPTIONS).format(who=words, place=place or "a hotel")
        return {
            "id": f"R{number:05d}",
            "received_at": (when + timedelta(hours=self.rng.uniform(1, 48))).isoformat(),
            "incident_at": when.isoformat(),
            "state": state if self.rng.random() < 0.9 else "",
            "place": place,
            "description": text,
            "people": [who],
        }


def _about(inv: Inventor, t: Traveller, when: datetime) -> dict[str, Any]:
    given, family, _ = inv.said_name(t)
    extra: dict[str, Any] = {"nationality": inv.said_nationality(t.locale)}
    age = inv.age(t.born, when)
    extra["age"] = age if age is not None else ""
    roll = inv.rng.random()
    if roll < 0.12 and t.notice["phones"]:
        extra["phones"] = [t.notice["phones"][0].replace(" ", "")]
    elif roll < 0.17:
        extra["passport_number"] = t.notice["passport_number"]
    elif roll < 0.21 and t.notice["usernames"]:
        extra["usernames"] = ["instagram.com/" + t.notice["usernames"][0].split(":")[1]]
    return inv.person(given, family, **extra)


def _inside(inv: Inventor, t: Traveller) -> datetime:
    return t.arrival + (t.departure - t.arrival) * inv.rng.uniform(0.05, 0.95)


def build_world(seed: int, notices: int, reports: int, days: int = 120) -> World:
    """`notices` travellers and `reports` reports: 8% outside a stay, 10% namesakes, a third
    about nobody notified, the rest about a subject during the stay."""
    inv, world = Inventor(seed), World()
    travellers = [inv.traveller(n, days) for n in range(notices)]
    world.notices = [t.notice for t in travellers]
    for n in range(reports):
        roll, t = inv.rng.random(), inv.rng.choice(travellers)
        rid = f"R{n:05d}"
        if roll < 1 / 3:
            line, truth, kind = _nobody(inv, n, days), None, "nobody notified"
        elif roll < 1 / 3 + 0.08:
            when = t.departure + timedelta(days=inv.rng.uniform(20, 90))
            line = inv.report(n, _about(inv, t, when), when, t.state, inv.said_place(t.hotel))
            truth, kind = None, "outside the stay"
        elif roll < 1 / 3 + 0.18:
            line, truth, kind = _namesake(inv, n, t), None, "namesake"
        else:
            when = _inside(inv, t)
            line = inv.report(n, _about(inv, t, when), when, t.state, inv.said_place(t.hotel))
            truth, kind = t.notice["id"], "subject"
        world.reports.append(line)
        world.truth[rid], world.kinds[rid] = truth, kind
    return world


def _nobody(inv: Inventor, n: int, days: int) -> dict[str, Any]:
    local = inv.rng.random() < 0.6
    faker = inv.fakers["en_NG" if local else inv.rng.choice(list(LOCALES))]
    when = START + timedelta(days=inv.rng.uniform(0, days))
    who = inv.person(
        faker.first_name_male(),
        faker.last_name() if inv.rng.random() < 0.5 else "",
        nationality="" if local else inv.rng.choice(FOREIGN_WORDS),
        age=inv.rng.randint(25, 70),
    )
    state = inv.rng.choice(list(STATES))
    place = f"the {inv.rng.choice(HOTEL_WORDS)}" if inv.rng.random() < 0.5 else ""
    return inv.report(n, who, when, state, place)


def _namesake(inv: Inventor, n: int, t: Traveller) -> dict[str, Any]:
    """Another man of the same given name and country, in the same city during the stay."""
    faker = inv.fakers[t.locale]
    when = _inside(inv, t)
    other_hotel = inv.rng.choice([w for w in HOTEL_WORDS if not t.hotel.startswith(w)])
    family = faker.last_name() if inv.rng.random() < 0.5 else ""
    who = inv.person(t.given, family, nationality=inv.rng.choice(LOCALES[t.locale][1]),
                     age=inv.rng.randint(22, 80))  # fmt: skip
    return inv.report(n, who, when, t.state, f"the {other_hotel}")


# The two methods -------------------------------------------------------------------------------


def _folded(text: str) -> str:
    from tipline.people.names import fold

    return " ".join(fold(text).split())


def _strong(values: list[str]) -> set[str]:
    from tipline.travellers.matching import username_of

    out = set()
    for v in values:
        name = username_of(v) or v
        out.add(_folded(name.replace(" ", "").replace("+", "")))
    return out


def exact_search(world: World) -> dict[str, list[tuple[str, float]]]:
    """Today's search: a shared strong identifier or the same first and family name, among the
    notices active at the report's time."""
    from tipline.people.travel import stay_window

    notices = [(n, _window(n, stay_window)) for n in world.notices]
    found: dict[str, list[tuple[str, float]]] = {}
    for line in world.reports:
        seen = datetime.fromisoformat(line["incident_at"] or line["received_at"])
        hits = []
        for notice, (start, end) in notices:
            if start <= seen <= end and any(_same(notice, p) for p in line["people"]):
                hits.append((notice["id"], 1.0))
        found[line["id"]] = hits
    return found


def _window(notice: dict[str, Any], stay_window: Callable[..., Any]) -> tuple[datetime, datetime]:
    departure = notice["departure"]
    stay = (datetime.fromisoformat(notice["arrival"]),
            datetime.fromisoformat(departure) if departure else None)  # fmt: skip
    window: tuple[datetime, datetime] = stay_window(stay)
    return window


def _same(notice: dict[str, Any], person: dict[str, Any]) -> bool:
    theirs = _strong(notice["phones"] + notice["emails"] + notice["usernames"])
    theirs |= _strong([notice["passport_number"]])
    mine = _strong(person["phones"] + person["emails"] + person["usernames"])
    mine |= _strong([person["passport_number"]] if person["passport_number"] else [])
    if theirs & mine:
        return True
    given, family = _folded(person["given_names"]), _folded(person["family_name"])
    return bool(given and family) and (given, family) == (
        _folded(notice["given_names"]),
        _folded(notice["family_name"]),
    )


def matcher(world: World, profile: Any) -> tuple[dict[str, list[tuple[str, float]]], list[Any]]:
    """The platform's ranked candidates per report, and every scored pair's (vector, label)."""
    from tipline.travellers.evaluation import build_index, score_report

    index = build_index(world.notices)
    found: dict[str, list[tuple[str, float]]] = {}
    pairs = []
    for line in world.reports:
        scored = score_report(index, line, profile)
        found[line["id"]] = [(n, s.probability) for n, s in scored]
        truth = world.truth[line["id"]]
        pairs += [(s.comparison, n == truth) for n, s in scored]
    return found, pairs


# Figures ---------------------------------------------------------------------------------------


def figures(
    world: World, found: dict[str, list[tuple[str, float]]], likely: float
) -> dict[str, float]:
    """Precision, recall and F1 of each report's top candidate at `likely`, recall at 5, and
    the expected calibration error over every scored pair."""
    from tipline.people.scoring import expected_calibration_error

    tp = fp = 0
    present = sum(1 for t in world.truth.values() if t is not None)
    at5 = 0
    probs, labels = [], []
    for rid, ranked in found.items():
        truth = world.truth[rid]
        if ranked and ranked[0][1] >= likely:
            tp, fp = (tp + 1, fp) if ranked[0][0] == truth else (tp, fp + 1)
        at5 += truth is not None and truth in [n for n, _ in ranked[:5]]
        probs += [p for _, p in ranked]
        labels += [n == truth for n, _ in ranked]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / present if present else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "recall_at_5": round(at5 / present, 4) if present else 0.0,
        "ece": round(expected_calibration_error(probs, labels), 4),
        "threshold": likely,
    }


def best_threshold(world: World, found: dict[str, list[tuple[str, float]]]) -> float:
    """The likely threshold that maximises F1 on a labelled set (ties: the higher one), from
    0.5 up: "likely" raises a report to P1, so it must mean more probable than not."""
    grid = [round(0.05 * k, 2) for k in range(10, 20)]
    return max(grid, key=lambda t: (figures(world, found, t)["f1"], t))


def hand_set_profile() -> Any:
    """The travel-notice profile before any fit: the hand-set m and u, no calibration."""
    from tipline.people import travel
    from tipline.people.profiles import DEFAULT_PROFILES
    from tipline.people.scoring import DEFAULT_M, DEFAULT_U

    fitted = DEFAULT_PROFILES["travel_notice"]
    m, u = {**DEFAULT_M, **travel.START_M}, {**DEFAULT_U, **travel.START_U}
    return fitted.with_parameters(m=m, u=u, calibration=None)


def fit(args: argparse.Namespace) -> dict[str, Any]:
    """Fit m, u and the Platt scaling on a calibration set, choose the likely threshold on it,
    write the data file."""
    from tipline.people.scoring import fit_profile

    world = build_world(args.seed + 1000, args.notices, args.reports)
    base = hand_set_profile()
    _, pairs = matcher(world, base)
    fitted = fit_profile(base, pairs)
    found, _ = matcher(world, fitted)
    likely = best_threshold(world, found)
    fields = fitted.fields
    data = {
        "about": "The travel-notice profile fitted by bench/travellers_match.py --fit on an "
        "invented labelled calibration set (not the evaluation set): m and u per level "
        "(fit_profile), Platt scaling (a, b) of the weights, and the likely threshold that "
        "maximises F1 on that set. Rewrite with the same command; reviewers' decisions refit "
        "over it (tipline people_fit --kind travel_notice).",
        "seed": args.seed + 1000,
        "notices": args.notices,
        "reports": args.reports,
        "labelled_pairs": len(pairs),
        "m": {f: {k: round(v, 6) for k, v in fitted.m[f].items()} for f in fields},
        "u": {f: {k: round(v, 6) for k, v in fitted.u[f].items()} for f in fields},
        "calibration": [round(c, 6) for c in fitted.calibration or (1.0, 0.0)],
        "likely": likely,
    }
    FIT_FILE.write_text(json.dumps(data, indent=2) + "\n")
    print(f"fitted on {len(pairs)} labelled pairs; likely threshold {likely}; wrote {FIT_FILE}")
    return {"fitted_pairs": len(pairs), "likely": likely, **figures(world, found, likely)}


# Timing on PostgreSQL --------------------------------------------------------------------------


def _p95(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=20)[-1] * 1000, 2) if len(samples) > 1 else 0.0


def time_reports(count: int, queries: int, seed: int, before: str) -> dict[str, Any]:
    """p95 of one report person against `count` active notices: the pipeline step's read path
    (`_notices_for`: blind-index candidates, the active ones loaded and decrypted; then scored).

    Timed in two worker processes on the same database, this tree's code and the code of
    revision `before` (empty: this tree only), in alternating chunks, so both see the same load.
    """
    from tipline.geo.services import geo_seed_defaults
    from tipline.people.choices import OwnerKind
    from tipline.people.services import people_index_many

    geo_seed_defaults()
    world = build_world(seed + 2000, count, queries * 3, days=5)
    now = datetime.now(UTC)
    shift = now - START - timedelta(days=3)  # every stay runs now
    rows = _store_notices(world.notices, shift)
    started = time.perf_counter()
    people_index_many(owner_kind=OwnerKind.TRAVEL_NOTICE, people=[(n.pk, n.fields()) for n in rows],
                      fresh=True, batch_size=2000)  # fmt: skip
    _analyze()
    print(f"{count} active notices stored and indexed in {time.perf_counter() - started:.1f} s")
    subjects = [
        {**line, "incident_at": (datetime.fromisoformat(line["incident_at"]) + shift).isoformat()}
        for line in world.reports
        if world.truth[line["id"]]
    ][:queries]
    # This tree twice: with the cache of decrypted notices emptied before each report (the
    # figure that counts: every notice decrypted) and kept across reports (a busy worker).
    trees = {"after": (str(ROOT / "src"), True), "after_warm": (str(ROOT / "src"), False)}
    trees |= {"before": (tree_of(before, "travellers"), True)} if before else {}
    samples = _alternate(trees, subjects)
    out: dict[str, Any] = {"notices_active": count, "report_queries": len(subjects)}
    names = {"after": "report", "after_warm": "report_warm", "before": "report_before"}
    for name, timed in samples.items():
        key = names[name]
        out |= {f"{key}_p95_ms": _p95([t for t, _, _ in timed]),
                f"{key}_p50_ms": round(statistics.median(t for t, _, _ in timed) * 1000, 2),
                f"{key}_scored_p95": _p95([n / 1000 for _, n, _ in timed]),  # shown x1000
                f"{key}_likely_found": sum(1 for _, _, hit in timed if hit)}  # fmt: skip
    if before:
        out["report_p95_ratio"] = round(out["report_before_p95_ms"] / out["report_p95_ms"], 2)
        out["report_p50_ratio"] = round(out["report_before_p50_ms"] / out["report_p50_ms"], 2)
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return out


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE people_blindindexentry")
        cursor.execute("ANALYZE travellers_notice")


CHUNK = 10


def _alternate(
    trees: dict[str, tuple[str, bool]], subjects: list[dict[str, Any]]
) -> dict[str, list[Any]]:
    """Each tree's worker (its source, whether its cache is emptied before each report) times
    the subjects CHUNK at a time, the trees taking turns."""
    envs = {
        name: {"TRAVELLERS_BENCH_SRC": tree, "TRAVELLERS_BENCH_COLD": "1" if cold else ""}
        for name, (tree, cold) in trees.items()
    }
    chunks = [subjects[i : i + CHUNK] for i in range(0, len(subjects), CHUNK)]
    return take_turns(__file__, envs, chunks)


def worker() -> int:
    """A timing worker: reads chunks of report lines (one JSON list a line) and answers each
    with [seconds, notices scored, a likely one found] per line, warmed up on the first."""
    setup_django(dict(os.environ))
    from tipline.travellers import match, matching

    scoring = match.profile()
    warm, cold = True, os.environ.get("TRAVELLERS_BENCH_COLD") == "1"
    for text in sys.stdin:
        answer = []
        for line in json.loads(text):
            fields = matching.eval_person_fields(line, line["people"][0])
            when = fields.seen_at or datetime.now(UTC)
            if warm:  # the first statement of a connection and the caches' first fill
                _scored(match, fields, when, scoring)
                warm = False
            if cold and hasattr(match, "cache_clear"):
                match.cache_clear()  # every notice decrypted again, as if none had been seen
            began = time.perf_counter()
            notices, scores = _scored(match, fields, when, scoring)
            took = time.perf_counter() - began
            answer.append(
                [took, len(notices), any(s.probability >= matching.LIKELY for s in scores)]
            )
        print(json.dumps(answer), flush=True)
    return 0


def _scored(match: Any, fields: Any, when: datetime, scoring: Any) -> tuple[list[Any], list[Any]]:
    """(the notices found, the scores kept) of a report person, as the tree's pipeline step
    finds, decrypts and scores them: since `shortlist_for`, one statement, the cache of decrypted
    rows and `scored_shortlist` (no score for a notice that cannot reach the floor); before,
    `_notices_for`'s statements, each notice's `fields()` and `people_score` for every one."""
    from tipline.people.selectors import people_score

    if hasattr(match, "shortlist_for"):
        found = match.shortlist_for(fields, when)
        return found, [score for _, score in match.scored_shortlist(fields, found, scoring)]
    notices = match._notices_for(fields, when)
    return notices, [people_score(profile=scoring, left=fields, right=n.fields()) for n in notices]


def _store_notices(lines: list[dict[str, Any]], shift: timedelta) -> list[Any]:
    from django.db import transaction

    from tipline.geo.models import RegionalCommand, State
    from tipline.travellers.models import Notice

    states = {s.code: s for s in State.objects.select_related("command")}
    desk = RegionalCommand.objects.get(code="NAT")
    rows = []
    with transaction.atomic():  # the reference counter is taken under a row lock
        for number, line in enumerate(lines):
            rows.append(_bench_row(line, number, shift, states, desk))
    return Notice.objects.bulk_create(rows, batch_size=1000)


def _bench_row(line: dict[str, Any], number: int, shift: timedelta, states: Any, desk: Any) -> Any:
    """A notice row as `notice_receive` builds it, its stay moved to now."""
    from tipline.travellers.drafts import NoticeInput
    from tipline.travellers.evaluation import notice_line
    from tipline.travellers.services import _notice_row

    moved = {
        **line,
        "arrival": (datetime.fromisoformat(line["arrival"]) + shift).isoformat(),
        "departure": (datetime.fromisoformat(line["departure"]) + shift).isoformat(),
    }
    data = NoticeInput.model_validate(notice_line(moved))
    state = states[data.destination_state]
    row = _notice_row(data, state, state.command or desk, source="import")
    row.reference = f"TN-BENCH-{number:06d}"  # one counter row, not 10,000 increments
    return row


def time_notices(count: int, queries: int, seed: int) -> dict[str, Any]:
    """p95 of one new notice against the indexed people of `count` reports (blind-index
    candidates, their people decrypted and scored), as `notice_match` reads them."""
    from django.db import connection

    from tipline.common import crypto
    from tipline.people import scoring as scoring_module
    from tipline.people.choices import OwnerKind
    from tipline.people.selectors import people_candidates, people_score
    from tipline.people.services import people_index_many
    from tipline.travellers import matching
    from tipline.travellers.drafts import NoticeInput
    from tipline.travellers.evaluation import notice_fields, notice_line
    from tipline.travellers.match import profile

    world = build_world(seed + 3000, max(200, queries), count)
    people = [(n, matching.eval_person_fields(line, line["people"][0]))
              for n, line in enumerate(world.reports)]  # fmt: skip
    stored = {str(n): crypto.encrypt_text(json.dumps(line)) for n, line in enumerate(world.reports)}
    load = _time_bulk_load(people[:20_000])
    started = time.perf_counter()
    people_index_many(owner_kind=OwnerKind.TRAVEL_REPORT_PERSON, people=people, batch_size=5000,
                      fresh=True)  # fmt: skip
    indexed_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE people_blindindexentry")
    print(f"{count} reports' people indexed in {indexed_s:.1f} s")
    scoring = profile()
    # As `notice_match` scores (a pair that cannot reach the floor is left out early), or every
    # pair in full before `people_score_from` existed.
    score_from = getattr(scoring_module, "people_score_from", None) or (
        lambda *, least, **pair: people_score(**pair)
    )
    samples = []
    for line in world.notices[:queries]:
        fields = notice_fields(NoticeInput.model_validate(notice_line(line)))
        began = time.perf_counter()
        found = people_candidates(owner_kind=OwnerKind.TRAVEL_REPORT_PERSON, person=fields,
                                  limit=matching.LOOKUP_LIMIT, with_evidence=False)  # fmt: skip
        for candidate in found:
            report = json.loads(crypto.decrypt_text(stored[candidate.owner_id]))
            left = matching.eval_person_fields(report, report["people"][0])
            score_from(profile=scoring, left=left, right=fields, least=matching.CANDIDATE_FLOOR)
        samples.append(time.perf_counter() - began)
    return {"reports_indexed": count, "notice_p95_ms": _p95(samples),
            "notice_p50_ms": round(statistics.median(samples) * 1000, 2),
            "notice_queries": len(samples), "index_load_s": round(indexed_s, 1),
            **load, "load_average_notices": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip


def _time_bulk_load(people: list[tuple[int, Any]]) -> dict[str, float]:
    """people_index_many as it was (each batch's owners' entries deleted first, bulk_create)
    and `fresh` (no delete; COPY on PostgreSQL), batch by batch in turns, on kinds of their
    own: people indexed a second."""
    from tipline.people.models import BlindIndexEntry
    from tipline.people.services import people_index_many

    took = {"bench_delete": 0.0, "bench_fresh": 0.0}
    for first in range(0, len(people), 2000):
        for kind in took:
            began = time.perf_counter()
            people_index_many(owner_kind=kind, people=people[first : first + 2000],
                              batch_size=2000, fresh=kind == "bench_fresh")  # fmt: skip
            took[kind] += time.perf_counter() - began
    BlindIndexEntry.objects.filter(owner_kind__in=list(took)).delete()
    rates = {
        f"index_{k.removeprefix('bench_')}_per_s": round(len(people) / v) for k, v in took.items()
    }
    print(f"bulk index of {len(people)} people: {rates}")
    return {**rates, "index_fresh_ratio": round(took["bench_delete"] / took["bench_fresh"], 2)}


# Main ------------------------------------------------------------------------------------------


def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    from tipline.people.profiles import DEFAULT_PROFILES
    from tipline.travellers.matching import LIKELY

    world = build_world(args.seed, args.notices, args.reports)
    kinds = {k: sum(1 for v in world.kinds.values() if v == k) for k in set(world.kinds.values())}
    print(f"{len(world.notices)} notices, {len(world.reports)} reports: {kinds}")
    exact = figures(world, exact_search(world), 1.0)
    hand_set = figures(world, matcher(world, hand_set_profile())[0], 0.5)
    found, _ = matcher(world, DEFAULT_PROFILES["travel_notice"])  # with the fit of --fit
    ours = figures(world, found, LIKELY)
    print(f"{'':22}{'precision':>10}{'recall':>8}{'F1':>8}{'recall@5':>10}{'ECE':>8}  threshold")
    rows = (("exact search", exact), ("matcher, hand-set", hand_set), ("matcher, fitted", ours))
    for name, f in rows:
        print(f"{name:22}{f['precision']:>10.3f}{f['recall']:>8.3f}{f['f1']:>8.3f}"
              f"{f['recall_at_5']:>10.3f}{f['ece']:>8.3f}  {f['threshold']}")  # fmt: skip
    return {
        "exact": exact,
        "matcher_hand_set": hand_set,
        "matcher": ours,
        "f1_gain": round(ours["f1"] - exact["f1"], 4),
    }


def timed(args: argparse.Namespace) -> dict[str, Any]:
    psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    psql(f"CREATE DATABASE {args.db_name}")
    env = bench_env(args.db_name, "bench-travellers")
    subprocess.run([str(ROOT / ".venv/bin/tipline"), "migrate", "-v0"], env=env, check=True)
    try:
        setup_django(env)
        out: dict[str, Any] = {}
        if args.active_notices:
            out |= time_reports(args.active_notices, args.timing_queries, args.seed, args.before)
        if args.report_people:
            out |= time_notices(args.report_people, args.timing_queries, args.seed)
    finally:
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    if "report_p95_ms" in out:
        print(f"p95 {out['report_p95_ms']} ms per report against {out['notices_active']} active "
              f"notices (before: {out.get('report_before_p95_ms', '-')} ms; load average "
              f"{out['load_average']})")  # fmt: skip
    if "notice_p95_ms" in out:
        print(f"p95 {out['notice_p95_ms']} ms per notice against {out['reports_indexed']} "
              "reports' people")  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fit", action="store_true", help="Fit the profile; write its data.")
    parser.add_argument("--notices", type=int, default=300)
    parser.add_argument("--reports", type=int, default=1500)
    parser.add_argument("--active-notices", type=int, default=10_000)
    parser.add_argument("--report-people", type=int, default=1_000_000)
    parser.add_argument("--timing-queries", type=int, default=200)
    parser.add_argument("--no-timing", action="store_true", help="Accuracy only (no database).")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--before", default="", help="A revision timed beside this tree.")
    parser.add_argument("--timing-only", action="store_true", help="Timing only (no accuracy).")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db-name", default="tipline_bench_travellers")
    args = parser.parse_args(argv)
    if args.worker:
        return worker()
    if args.fit:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tipline.config.settings")
        os.environ.setdefault("TIPLINE_DEMO", "1")
        import django

        django.setup()
        print(json.dumps(fit(args)))
        return 0
    if args.no_timing:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tipline.config.settings")
        os.environ.setdefault("TIPLINE_DEMO", "1")
        import django

        django.setup()
        out = evaluate(args)
    else:
        timing = timed(args)  # sets Django up on the bench database
        out = timing if args.timing_only else {**evaluate(args), **timing}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
