"""Searching reports: by identifier, by reference, or by words, always within the user's scope.

What the analyst typed decides the kind of search. Something that normalises to a valid
identifier (a phone, email, account, URL, wallet, bank account or IP, in any format) is matched
exactly against the identifiers the pipeline extracted; a report reference finds that report;
anything else is matched word by word against the full-text index. Results start from
`reports_visible_to(user)`, so nothing outside the user's commands can ever come back.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from tipline.accounts.models import User
from tipline.common.time import WAT
from tipline.identifiers.extraction import normalize, normalize_any
from tipline.identifiers.extraction.model import HANDLE
from tipline.identifiers.models import Identifier, ReportIdentifier
from tipline.identifiers.services import identifier_hash
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to
from tipline.search import terms
from tipline.search.models import FTS_TABLE, TS_CONFIG, ReportSearchDocument
from tipline.search.services import INDEXED_FIELDS
from tipline.triage.selectors import QueueFilters, reports_filtered

PER_PAGE = 50
# Twenty pages: past a thousand results the analyst needs a narrower search, not more pages.
MAX_PAGES = 20
COUNT_CAP = 1000
MAX_QUERY_CHARS = 500
# Up to this many matches of the words, PostgreSQL fetches results by id (see below).
FEW_MATCHES = 2000
REFERENCE = re.compile(r"TL-\d{4}-\d{6}")
# "@name" alone names no platform, so it is looked up as an account on each of these.
HANDLE_PLATFORMS = ("instagram", "facebook", "tiktok", "snapchat", "telegram", "x")
KIND_LABELS = {
    "phone": "phone number",
    "email": "email address",
    "url": "web address",
    "handle": "platform account",
    "ip": "IP address",
    "wallet": "crypto wallet",
    "bank_account": "bank account",
}
# What a result row shows; the encrypted columns (raw record, extra) are never loaded.
_ROW_FIELDS = (
    "reference",
    "received_at",
    "incident_type",
    "priority",
    "status",
    "channel",
    *INDEXED_FIELDS,
    "state__name",
    "routed_command__code",
)
SNIPPET_CHARS = 200
_SNIPPET_SCAN = 20_000


@dataclass(frozen=True)
class ParsedQuery:
    """What a query was read as. `identifiers` holds (kind, normalised value) pairs."""

    text: str = ""
    words: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()
    kind: str = ""
    reference: str = ""
    note: str = ""

    @property
    def mode(self) -> str:
        """ "identifier", "reference", "words", or "" when there is nothing to search for."""
        if self.identifiers:
            return "identifier"
        if self.reference:
            return "reference"
        return "words" if self.words else ""

    @property
    def kind_label(self) -> str:
        """The identifier kind in words, e.g. "phone number"."""
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class SearchRow:
    """One result: the report and a snippet as (text, is_match) parts, escaped when rendered."""

    report: Report
    snippet: list[tuple[str, bool]]


@dataclass(frozen=True)
class SearchPage:
    """One page of results, newest first.

    `total` is known when it is cheap: on the last page, and for identifier and reference
    searches (counted up to `COUNT_CAP`, then `capped`). For words it is None past the last
    page seen: counting every report that holds a common word would cost more than the page.
    """

    query: ParsedQuery
    rows: list[SearchRow] = field(default_factory=list)
    number: int = 1
    has_next: bool = False
    total: int | None = None
    capped: bool = False
    limited: bool = False  # more results than `MAX_PAGES` pages show

    @property
    def has_previous(self) -> bool:
        """Whether there is a page before this one."""
        return self.number > 1

    @property
    def num_pages(self) -> int | None:
        """How many pages, when the total is known."""
        return None if self.total is None else max(1, -(-self.total // PER_PAGE))

    @property
    def start_index(self) -> int:
        """1-based position of the first row on this page."""
        return (self.number - 1) * PER_PAGE + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        """1-based position of the last row on this page."""
        return self.start_index + len(self.rows) - 1 if self.rows else 0


def parse_query(text: str) -> ParsedQuery:
    """Read what the analyst typed: identifier, reference, or words (see the module docstring)."""
    text = text.strip()[:MAX_QUERY_CHARS]
    words = tuple(terms.query_words(text))
    if not text:
        return ParsedQuery()
    if REFERENCE.fullmatch(text.upper()):
        return ParsedQuery(text=text, words=words, reference=text.upper())
    found = normalize_any(text)
    if found is not None and found.valid:
        pair = (found.kind, found.normalized)
        return ParsedQuery(text=text, words=words, identifiers=(pair,), kind=found.kind)
    handles = _handle_on_any_platform(text)
    if handles:
        return ParsedQuery(text=text, words=words, identifiers=handles, kind=HANDLE)
    note = ""
    if found is not None:
        label = KIND_LABELS.get(found.kind, found.kind)
        note = f"This looks like a {label} but is not a valid one, so it was searched as words."
    return ParsedQuery(text=text, words=words, note=note)


def _handle_on_any_platform(text: str) -> tuple[tuple[str, str], ...]:
    if not text.startswith("@") or any(c.isspace() for c in text):
        return ()
    found = (normalize(HANDLE, f"{platform}:{text[1:]}") for platform in HANDLE_PLATFORMS)
    return tuple((HANDLE, f.normalized) for f in found if f is not None and f.valid)


def _matching_identifier(
    qs: QuerySet[Report], pairs: tuple[tuple[str, str], ...]
) -> QuerySet[Report]:
    wanted = Q()
    for kind, normalized in pairs:
        wanted |= Q(kind=kind, value_hash=identifier_hash(kind, normalized))
    links = ReportIdentifier.objects.filter(identifier__in=Identifier.objects.filter(wanted))
    return qs.filter(pk__in=links.values("report_id"))


def _matching_words(qs: QuerySet[Report], words: tuple[str, ...]) -> QuerySet[Report]:
    if connection.vendor == "postgresql":
        return _matching_words_postgres(qs, words)
    # Django has no FTS5 expression. The SQL is constant; the query words travel as a parameter.
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    matched = RawSQL(sql, [terms.fts5_query(list(words))])  # noqa: S611
    return qs.filter(pk__in=matched)


def _matching_words_postgres(qs: QuerySet[Report], words: tuple[str, ...]) -> QuerySet[Report]:
    """Ask the GIN index first how many reports match, then pick the plan ourselves.

    PostgreSQL cannot estimate a rare or prefix word well (it assumes 0.5% of the table), and
    then walks every report newest first looking for matches that hardly exist: seconds at a
    million reports. So when the index finds few matches, the page is built from their ids;
    only for common words, where walking newest first finds fifty quickly, is the join left
    to the planner.
    """
    query = SearchQuery(terms.tsquery(list(words)), search_type="raw", config=TS_CONFIG)
    found = ReportSearchDocument.objects.filter(vector=query).values_list("report_id", flat=True)
    few = list(found[: FEW_MATCHES + 1])
    if len(few) <= FEW_MATCHES:
        return qs.filter(pk__in=few)
    return qs.filter(search_document__vector=query)


@dataclass(frozen=True)
class Period:
    """Whole days in WAT, both ends included, as the dashboards count them; either end open."""

    start: date | None = None
    end: date | None = None

    def __bool__(self) -> bool:
        return self.start is not None or self.end is not None


def _received_in(qs: QuerySet[Report], period: Period) -> QuerySet[Report]:
    if period.start is not None:
        qs = qs.filter(received_at__gte=datetime.combine(period.start, time.min, tzinfo=WAT))
    if period.end is not None:
        until = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=WAT)
        qs = qs.filter(received_at__lt=until)
    return qs


def reports_matching(
    *, user: User, query: ParsedQuery, filters: QueueFilters, period: Period | None = None
) -> QuerySet[Report]:
    """Reports in the user's scope that match the query, the filters and the period, newest first.

    An empty query with filters or a period lists those reports; with neither, nothing.
    On PostgreSQL a search by words asks the index first, so that query runs here.
    """
    period = period or Period()
    qs = reports_visible_to(user)
    if query.mode == "identifier":
        qs = _matching_identifier(qs, query.identifiers)
    elif query.mode == "reference":
        qs = qs.filter(reference=query.reference)
    elif query.mode == "words":
        qs = _matching_words(qs, query.words)
    elif filters == QueueFilters() and not period:
        qs = qs.none()
    qs = reports_filtered(_received_in(qs, period), filters, user)
    qs = qs.select_related("state", "routed_command")
    return qs.only(*_ROW_FIELDS).order_by("-received_at", "-pk")


def search_results(
    *,
    user: User,
    query: str,
    filters: QueueFilters | None = None,
    period: Period | None = None,
    page: int = 1,
) -> SearchPage:
    """One page of search results with snippets, in one to three queries whatever the page."""
    parsed = parse_query(query)
    qs = reports_matching(user=user, query=parsed, filters=filters or QueueFilters(), period=period)
    number = min(max(page, 1), MAX_PAGES)
    offset = (number - 1) * PER_PAGE
    reports = list(qs[offset : offset + PER_PAGE + 1])  # one more says whether there is a next
    more = len(reports) > PER_PAGE
    rows = [SearchRow(r, snippet(r, list(parsed.words))) for r in reports[:PER_PAGE]]
    if not more and (rows or number == 1):
        total: int | None = offset + len(rows)  # the last page: the total is known
    else:
        total = _count(qs) if parsed.mode in ("identifier", "reference") else None
    capped = total is not None and total > COUNT_CAP
    total = min(total, COUNT_CAP) if total is not None else None
    limited = more and number == MAX_PAGES
    return SearchPage(parsed, rows, number, more and not limited, total, capped, limited)


def _count(qs: QuerySet[Report]) -> int:
    """How many, counting no further than one past `COUNT_CAP`."""
    return qs.order_by().values("pk")[: COUNT_CAP + 1].count()


def snippet(report: Report, words: list[str]) -> list[tuple[str, bool]]:
    """A short stretch of the report's text around the first matching word, matches marked.

    Searches by identifier or filter have no words to show: the description's start is shown.
    """
    texts = [getattr(report, name) or "" for name in INDEXED_FIELDS]
    for text in texts if words else []:
        spans = _match_spans(text[:_SNIPPET_SCAN], words)
        if spans:
            return _window(text, spans)
    head = texts[0][:SNIPPET_CHARS]
    return [(head + ("…" if len(texts[0]) > SNIPPET_CHARS else ""), False)] if head else []


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return terms.fold(ch)


def _match_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where in `text` the words of the report that match the query are, as original offsets.

    Text is folded a character at a time so that each folded character maps back to the
    original one, whatever accents and tone marks folding removed.
    """
    if text.isascii():
        folded, origin = text.lower(), list(range(len(text)))
    else:
        parts = [(i, _fold_char(ch)) for i, ch in enumerate(text)]
        folded = "".join(f for _, f in parts)
        origin = [i for i, f in parts for _ in f]
    return [
        (origin[m.start()], origin[m.end() - 1] + 1)
        for m in terms.WORD.finditer(folded)
        if terms.matches(m.group(), words)
    ]


def _window(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    start = max(0, spans[0][0] - SNIPPET_CHARS // 4)
    start = text.rfind(" ", 0, start) + 1 if start else 0  # begin on a word boundary
    end = min(len(text), start + SNIPPET_CHARS)
    parts: list[tuple[str, bool]] = [("…", False)] if start else []
    cursor = start
    for first, last in spans:
        if first < cursor or last > end:
            continue
        parts += [(text[cursor:first], False), (text[first:last], True)]
        cursor = last
    parts.append((text[cursor:end] + ("…" if end < len(text) else ""), False))
    return [p for p in parts if p[0]]


def _any_platform_hash(normalized_handle: str) -> str:
    """One hash for an account name on whatever platform: "@name" searched every platform."""
    return identifier_hash(HANDLE, "*:" + normalized_handle.partition(":")[2])


def lookup_hash(query: ParsedQuery) -> str:
    """The keyed hash a search for an identifier is recorded under ("" for other searches).

    An "@name" search asks several platforms at once and is recorded under one any-platform hash;
    `lookup_hashes` of any spelling of the same account matches it.
    """
    if len(query.identifiers) > 1 and query.kind == HANDLE:
        return _any_platform_hash(query.identifiers[0][1])
    return identifier_hash(*query.identifiers[0]) if query.identifiers else ""


def lookup_hashes(query: ParsedQuery) -> set[str]:
    """Every hash under which a look-up of what `query` identifies may have been recorded."""
    hashes = {identifier_hash(kind, normalized) for kind, normalized in query.identifiers}
    handles = [normalized for kind, normalized in query.identifiers if kind == HANDLE]
    return hashes | {_any_platform_hash(h) for h in handles}
