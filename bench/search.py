"""Benchmark of the console's search on PostgreSQL.

1. Loads `--reports` synthetic reports fast: rows are generated in Python and COPYed into a
   staging table, then moved into `reports_report` with one INSERT ... SELECT. Descriptions mix
   English, Pidgin, Hausa, Yoruba (with tone marks) and Igbo words on a Zipf curve, plus a long
   tail of invented words; every report has an invented phone (some shared), some an email or
   an Instagram account, stored as the identifiers app stores them (keyed hashes and links).
2. Builds the search index with the real service (`search_reindex`), then the GIN index.
3. Times `search_results` (what the search page calls) for a mix of word and identifier
   queries, as a national supervisor and as an analyst of one command, and prints p50 and p95
   per query kind and overall.

Creates and drops a database of its own. The last line printed is one JSON object of figures.

    .venv/bin/python bench/search.py --reports 1000000
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _pg import bench_env, psql, setup_django  # noqa: E402  # bench/ is on sys.path


def _listed(words: str) -> list[str]:
    return words.split()


# Words of reports, most frequent first within each list (the Zipf curve follows this order).
ENGLISH = _listed(
    "the child girl boy said was she he they met online phone chat sent pictures money asked "
    "for video call school house market road night photos threatened send again told mother "
    "father uncle aunt friend stranger offered job abroad travel taken bus park hotel lodge "
    "missing since week days ago saw man woman car paid naira account transfer pay delete "
    "share group live stream camera bedroom forced work farm kitchen hawking street begging "
    "church mosque village city border passport agent sponsor promise visa europe italy libya "
    "mali ghana benin dubai beaten locked hungry crying scared help police report urgent"
)
PIDGIN = _listed(
    "pikin dey wahala oga abeg wetin dem una sabi chop palava waka comot yarn gist carry "
    "don wan make go come sey wey na ehn shey abi sha sef dis dat naim kpatakpata"
)
HAUSA = _listed(
    "yarinya yaro mota kasuwa gida kuɗi aiki mutum sace ɓace ɗan ƙasa hanya makaranta "
    "mahaifiya uba yara mata namiji dare rana waya hoto barazana taimako"
)
YORUBA = _listed(
    "ọmọ ọjà owó ilé ọkọ̀ ìyá bàbá ọ̀rẹ́ ilé-ìwé òru fọ́tò ẹ̀rù ìrànlọ́wọ́ àjèjì iṣẹ́ òkè-òkun"
)
IGBO = _listed("nwa ụlọ ahịa ego nne nna ọrụ abalị foto egwu enyemaka onye ọbịa mba ọzọ")
PLACES = _listed(
    "lagos ikeja lekki yaba kano aba onitsha warri jos ibadan uyo benin zaria yola abuja "
    "kaduna sokoto maiduguri makurdi enugu owerri calabar ilorin akure oshogbo"
)
PLATFORMS = ["Instagram", "Facebook", "TikTok", "Snapchat", "Telegram", "WhatsApp", "X", ""]
INCIDENT_TYPES = [
    "online_enticement",
    "child_pornography",
    "child_sex_trafficking",
    "labour_exploitation",
    "domestic_servitude",
    "forced_begging",
    "financial_sextortion",
    "deceptive_recruitment",
]
CHANNELS = ["web", "api", "sms", "ussd", "whatsapp", "partner"]
STATUSES = ["awaiting_triage", "assigned", "case_opened", "referred", "closed"]
PRIORITIES = ["P1", "P2", "P3", "P4"]
MOBILE_PREFIXES = ["803", "806", "813", "816", "703", "706", "805", "807", "815", "905"]
SYLLABLES = "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni"
IDENTIFIER_KINDS = ("phone", "phone_unknown", "email", "account")
TAIL_WORDS = 20_000
RARE_WORDS = 200_000


def _env(db_name: str) -> dict[str, str]:
    return bench_env(db_name, "bench-search")


class Vocabulary:
    """Head words on a Zipf curve, a tail of invented words, and a rarer tail still."""

    def __init__(self, rng: random.Random) -> None:
        lists = [ENGLISH, PIDGIN, HAUSA, YORUBA, IGBO, PLACES]
        # Interleave the languages so every one has frequent and infrequent words.
        rows = itertools.zip_longest(*lists)
        self.head = list(dict.fromkeys(w for row in rows for w in row if w is not None))
        weights = [1 / (rank + 1) for rank in range(len(self.head))]
        self.cum = list(_accumulate(weights))
        syllables = SYLLABLES.split()
        self.tail = list(
            dict.fromkeys(
                "".join(rng.choice(syllables) for _ in range(4)) for _ in range(TAIL_WORDS * 2)
            )
        )[:TAIL_WORDS]
        self.rng = rng

    def words(self, count: int) -> list[str]:
        picked = self.rng.choices(self.head, cum_weights=self.cum, k=count)
        for i in range(count):
            roll = self.rng.random()
            if roll < 0.12:
                picked[i] = self.tail[self.rng.randrange(TAIL_WORDS)]
            elif roll < 0.13:
                picked[i] = f"zq{self.rng.randrange(RARE_WORDS)}"
        return picked


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def _phone(i: int) -> tuple[str, str]:
    """An invented Nigerian mobile: (E.164, local form)."""
    prefix = MOBILE_PREFIXES[i % len(MOBILE_PREFIXES)]
    subscriber = f"{(i * 7919) % 10_000_000:07d}"
    return f"+234{prefix}{subscriber}", f"0{prefix}{subscriber}"


def _stage_rows(
    n: int, vocab: Vocabulary, states: list[tuple[int, int, str]]
) -> Iterator[tuple[Any, ...]]:
    """One report a row; a fifth of them in Lagos, the rest spread over every state."""
    rng = vocab.rng
    start = datetime.now(tz=UTC) - timedelta(days=730)
    step = timedelta(days=730) / n
    lagos = [s for s in states if s[2] == "LAG"]
    for i in range(1, n + 1):
        state = rng.choice(lagos) if rng.random() < 0.2 else rng.choice(states)
        received = start + step * i
        description = " ".join(vocab.words(rng.randrange(12, 40)))
        yield (
            i,
            f"TL-{received.year}-{i:07d}",
            received,
            rng.choice(CHANNELS),
            rng.choice(INCIDENT_TYPES),
            rng.choice(STATUSES),
            rng.choice(PRIORITIES),
            state[0],
            state[1],
            description,
            " ".join(vocab.words(3)) if rng.random() < 0.5 else "",
            rng.choice(PLATFORMS),
            " ".join(vocab.words(8)) if rng.random() < 0.05 else "",
        )


STAGE = (
    "CREATE UNLOGGED TABLE bench_stage (id bigint, reference text, received_at timestamptz,"
    " channel text, incident_type text, status text, priority text, state_id bigint,"
    " routed_command_id bigint, description text, location_text text, platform text,"
    " escalation_note text)"
)
MOVE = """
INSERT INTO reports_report (id, reference, receipt_hash, channel, external_id, language,
  received_at, status, closed_reason, incident_type, annotations, incident_time_zone_given,
  incident_time_text, description, location_text, platform, escalation_note,
  reporter_anonymous, priority, priority_reasons, state_id, country, location_source,
  location_lga, location_detail, routed_command_id, sharing_level, pipeline_lease_owner,
  needs_attention, raw_record, raw_content_type, created_at, updated_at)
SELECT id, reference, md5(reference), channel, '', 'en', received_at, status,
  CASE WHEN status = 'closed' THEN 'informational' ELSE '' END, incident_type, '[]', false, '',
  description, location_text, platform, escalation_note, true, priority, '[]', state_id, 'NG',
  'text', '', '', routed_command_id, 'TLP:AMBER', '', false, '', '', received_at, received_at
FROM bench_stage
"""


def load_reports(n: int, vocab: Vocabulary) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.command_id, c.code FROM geo_state s"
            " JOIN geo_regionalcommand c ON c.id = s.command_id"
        )
        states = cursor.fetchall()
        cursor.execute(STAGE)
        with cursor.copy("COPY bench_stage FROM STDIN") as copy:
            for row in _stage_rows(n, vocab, states):
                copy.write_row(row)
        cursor.execute(MOVE)
        cursor.execute("DROP TABLE bench_stage")
        cursor.execute("SELECT setval('reports_report_id_seq', %s)", [n])
    return time.perf_counter() - started


def load_identifiers(n: int, rng: random.Random) -> tuple[float, dict[str, list[str]]]:
    """Phones for every report (a fifth shared), emails and accounts for some; as stored."""
    from django.db import connection

    from tipline.identifiers.services import identifier_hash

    started, now = time.perf_counter(), datetime.now(tz=UTC)
    values: dict[tuple[str, str], int] = {}
    links: list[tuple[int, int, str]] = []

    def link(report_id: int, kind: str, value: str, source: str) -> None:
        identifier_id = values.setdefault((kind, value), len(values) + 1)
        links.append((report_id, identifier_id, source))

    for report_id in range(1, n + 1):
        shared = rng.random() < 0.2
        link(report_id, "phone", _phone(rng.randrange(n // 50) if shared else report_id)[0], "rp")
        if rng.random() < 0.2:
            link(report_id, "email", f"inv.person{rng.randrange(n // 5)}@example.com", "rp")
        if rng.random() < 0.2:
            link(report_id, "handle", f"instagram:inv_{rng.randrange(n // 5)}", "rp")
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY identifiers_identifier (id, kind, value_hash, display, strong, first_seen,"
            " last_seen) FROM STDIN"
        ) as copy:
            for (kind, value), pk in values.items():
                copy.write_row((pk, kind, identifier_hash(kind, value), "bench", True, now, now))
        with cursor.copy(
            "COPY identifiers_reportidentifier (report_id, identifier_id, source, as_written,"
            " details) FROM STDIN"
        ) as copy:
            for report_id, identifier_id, source in dict.fromkeys(links):
                copy.write_row((report_id, identifier_id, source, "", "{}"))
        cursor.execute("SELECT setval('identifiers_identifier_id_seq', %s)", [len(values)])
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, value in values:
        by_kind[kind].append(value)
    return time.perf_counter() - started, by_kind


def _every(step: int, what: str) -> Callable[[int], None]:
    def progress(done: int) -> None:
        if done % step < 5000:
            print(f"  {done} {what}", flush=True)

    return progress


def build_index() -> tuple[float, float]:
    """The search documents through the real service, then the GIN index over them."""
    from django.db import connection

    from tipline.search.models import GIN_INDEX
    from tipline.search.services import search_reindex

    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {GIN_INDEX}")  # rebuilt below: faster than row by row
    started = time.perf_counter()
    search_reindex(batch_size=5000, progress=_every(100_000, "documents"))
    documents_s = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(
            f"CREATE INDEX {GIN_INDEX} ON search_reportsearchdocument USING gin (vector)"
        )
        cursor.execute("VACUUM ANALYZE")
    return documents_s, time.perf_counter() - started


def _typed_phone(e164: str, rng: random.Random) -> str:
    local = "0" + e164[4:]
    return rng.choice(
        [
            e164,
            local,
            f"{local[:4]} {local[4:7]} {local[7:]}",
            f"+234 ({e164[4:7]}) {e164[7:10]}-{e164[10:]}",
            f"234{e164[4:]}",
        ]
    )


def _typed_account(handle: str, rng: random.Random) -> str:
    name = handle.removeprefix("instagram:")
    return rng.choice([f"https://www.instagram.com/{name}/", f"instagram: @{name}", f"@{name}"])


def query_mix(
    vocab: Vocabulary, ids: dict[str, list[str]], rng: random.Random, per_kind: int
) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Queries by kind: (text typed, filters)."""
    head = vocab.head
    kinds: dict[str, Callable[[], tuple[str, dict[str, Any]]]] = {
        "word_common": lambda: (rng.choice(head[:15]), {}),
        "word_medium": lambda: (rng.choice(head[40:200]), {}),
        "word_tail": lambda: (rng.choice(vocab.tail), {}),
        "word_rare": lambda: (f"zq{rng.randrange(RARE_WORDS)}", {}),
        "word_none": lambda: (f"nothingsuch{rng.randrange(10**6)}", {}),
        "prefix": lambda: (rng.choice([w for w in head[:200] if len(w) >= 5])[:4], {}),
        "words_two": lambda: (f"{rng.choice(head[:40])} {rng.choice(head[40:200])}", {}),
        "words_tone_marks": lambda: (rng.choice(YORUBA + IGBO + HAUSA).upper(), {}),
        "words_filtered": lambda: (
            rng.choice(head[:60]),
            {"priority": rng.choice(PRIORITIES), "incident_type": rng.choice(INCIDENT_TYPES)},
        ),
        "phone": lambda: (_typed_phone(rng.choice(ids["phone"]), rng), {}),
        "phone_unknown": lambda: (_typed_phone(_phone(10**7 - rng.randrange(999))[0], rng), {}),
        "email": lambda: (rng.choice(ids["email"]).replace("example.com", "Example.COM"), {}),
        "account": lambda: (_typed_account(rng.choice(ids["handle"]), rng), {}),
    }
    return {kind: [make() for _ in range(per_kind)] for kind, make in kinds.items()}


def _users() -> dict[str, Any]:
    from tipline.accounts.services import user_create
    from tipline.geo.models import RegionalCommand

    return {
        "national": user_create(
            username="bench-national", password="x" * 16, role="supervisor", is_national=True
        ),
        "scoped": user_create(
            username="bench-kano",
            password="x" * 16,
            role="analyst",
            commands=[RegionalCommand.objects.get(code="KAN")],
        ),
    }


def time_queries(
    mix: dict[str, list[tuple[str, dict[str, Any]]]], users: dict[str, Any]
) -> dict[str, list[float]]:
    from tipline.identifiers.extraction import normalize_any
    from tipline.search.selectors import search_results
    from tipline.triage.selectors import QueueFilters

    timings: dict[str, list[float]] = defaultdict(list)
    runs = [(kind, who, q) for kind, qs in mix.items() for q in qs for who in users]
    random.Random(3).shuffle(runs)
    for _kind, who, (text, filters) in runs[:30]:  # warm the caches; not counted
        search_results(user=users[who], query=text, filters=QueueFilters(**filters))
    for kind, who, (text, filters) in runs:
        started = time.perf_counter()
        page = search_results(user=users[who], query=text, filters=QueueFilters(**filters))
        elapsed = (time.perf_counter() - started) * 1000
        timings[kind].append(elapsed)
        timings[f"user_{who}"].append(elapsed)
        timings["overall"].append(elapsed)
        expected = "identifier" if kind in IDENTIFIER_KINDS else "words"
        assert page.query.mode == expected, (kind, text, page.query)
        if kind in ("phone", "email", "account") and who == "national":
            assert page.rows, (kind, text, normalize_any(text))
    return timings


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 1)


def _report_order(item: tuple[str, list[float]]) -> tuple[bool, bool, str]:
    """Overall first, then by user, then each query kind by name."""
    kind = item[0]
    return kind != "overall", not kind.startswith("user_"), kind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--per-kind", type=int, default=40, help="Queries per kind and user.")
    parser.add_argument("--db-name", default="tipline_bench_search")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args(argv)
    psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    psql(f"CREATE DATABASE {args.db_name}")
    env = _env(args.db_name)
    subprocess.run([str(ROOT / ".venv/bin/tipline"), "migrate", "-v0"], env=env, check=True)
    rng = random.Random(7)
    try:
        setup_django(_env(args.db_name))
        from tipline.geo.services import geo_seed_defaults

        geo_seed_defaults()
        vocab = Vocabulary(rng)
        load_s = load_reports(args.reports, vocab)
        print(f"loaded {args.reports} reports in {load_s:.1f} s", flush=True)
        ids_s, ids = load_identifiers(args.reports, rng)
        print(f"loaded {sum(map(len, ids.values()))} identifiers in {ids_s:.1f} s", flush=True)
        documents_s, gin_s = build_index()
        print(f"indexed in {documents_s:.1f} s, GIN index built in {gin_s:.1f} s", flush=True)
        load_total_s = load_s + ids_s + documents_s + gin_s
        print(f"load total (rows, identifiers, index) {load_total_s:.1f} s", flush=True)
        users = _users()
        started = time.perf_counter()
        timings = time_queries(query_mix(vocab, ids, rng, args.per_kind), users)
        queries_s = time.perf_counter() - started
        print(f"ran {len(timings['overall'])} queries in {queries_s:.1f} s", flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    figures: dict[str, Any] = {
        "reports": args.reports,
        # Loading is reported apart from the queries: it is the bench's set-up, not search.
        "load_total_s": round(load_total_s, 1),
        "queries_s": round(queries_s, 1),
        "load_reports_s": round(load_s, 1),
        "load_identifiers_s": round(ids_s, 1),
        "index_reports_per_s": round(args.reports / documents_s),
        "gin_build_s": round(gin_s, 1),
        "queries": len(timings["overall"]),
    }
    for kind, values in sorted(timings.items(), key=_report_order):
        figures[f"{kind}_p50_ms"] = _pct(values, 0.5)
        figures[f"{kind}_p95_ms"] = _pct(values, 0.95)
        print(
            f"{kind:>22}: p50 {_pct(values, 0.5):7.1f} ms  p95 {_pct(values, 0.95):7.1f} ms"
            f"  max {max(values):7.1f} ms  mean {statistics.fmean(values):7.1f} ms"
        )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
