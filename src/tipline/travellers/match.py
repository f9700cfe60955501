"""Matching of notices with reports and case people, through the people app: blind-index
candidates, decrypted and scored in memory by the travel-notice profile (Fellegi-Sunter with
the reasons field by field), kept as `NoticeCandidate` rows until a reviewer decides.

- A report (the pipeline's step): each person who may be a traveller is indexed (owner kind
  travel_report_person) and compared with the notices active at the report's time: from
  TRAVEL_MATCH_DAYS_BEFORE before arrival to TRAVEL_MATCH_DAYS_AFTER after departure.
- A new notice: compared with the indexed people of the reports of the past years whose time
  falls in its window, and with the people of cases.
A likely match tells the destination command in the console; the priority rule reads
`likely_notices_for_report`.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from tipline.accounts.models import User
from tipline.audit.services import audit_record
from tipline.cases.models import CasePerson
from tipline.common.db import rows_table
from tipline.common.time import utcnow
from tipline.people import blind
from tipline.people.batch import (
    TERMS_PER_STATEMENT,
    WANTED_TYPES,
    lookup_terms,
    ranked_owners_sql,
)
from tipline.people.choices import Decision, OwnerKind
from tipline.people.models import BlindIndexEntry
from tipline.people.person import PersonFields
from tipline.people.scoring import MatchProfile, Score, people_score_from
from tipline.people.selectors import (
    MIN_POINTS,
    people_candidates,
    people_profile,
    query_digests,
    terms_table,
)
from tipline.people.services import candidates_clear_open, people_decide, people_index_many
from tipline.reports.models import Person as ReportPerson
from tipline.reports.models import Report
from tipline.travellers import matching
from tipline.travellers.choices import ACTIVE_STATUSES, CandidateState, EventKind, FoundBy
from tipline.travellers.models import (
    SUBJECT_READ,
    Notice,
    NoticeCandidate,
    NoticeEvent,
    subject_fields,
)
from tipline.triage.choices import NotificationKind
from tipline.triage.services import CommandNotice, notifications_create

# A new notice looks at the reports of this many days before it.
REPORT_YEARS_DAYS = 3 * 365


def profile() -> MatchProfile:
    """The travel-notice profile in force (the newest fit on reviewers' labels, else the
    default of people/profiles.py)."""
    return people_profile(owner_kind=OwnerKind.TRAVEL_NOTICE)


def window_of(notice: Notice) -> tuple[datetime, datetime]:
    """When a report may be about the notice's subject."""
    end = notice.departure_at or notice.arrival_at + timedelta(days=30)
    return (
        notice.arrival_at - timedelta(days=settings.TRAVEL_MATCH_DAYS_BEFORE),
        end + timedelta(days=settings.TRAVEL_MATCH_DAYS_AFTER),
    )


def _bounds(when: datetime) -> tuple[datetime, datetime, datetime]:
    """(arrived by, departed no earlier than, an open stay arrived no earlier than) for the
    notices active at `when`."""
    return (
        when + timedelta(days=settings.TRAVEL_MATCH_DAYS_BEFORE),
        when - timedelta(days=settings.TRAVEL_MATCH_DAYS_AFTER),
        when - timedelta(days=30 + settings.TRAVEL_MATCH_DAYS_AFTER),
    )


def active_at(when: datetime) -> Q:
    """Notices whose window holds `when` (an open stay counts 30 days)."""
    before, after, open_until = _bounds(when)
    return Q(status__in=ACTIVE_STATUSES, purged_at__isnull=True, arrival_at__lte=before) & (
        Q(departure_at__gte=after) | Q(departure_at__isnull=True, arrival_at__gte=open_until)
    )


def _reasons(score: Score) -> list[dict[str, object]]:
    return [
        {"field": r.field, "level": r.level, "bits": round(r.bits, 2), "text": r.text}
        for r in score.reasons
    ]


def _row(score: Score, found_by: str, **other: Any) -> NoticeCandidate:
    return NoticeCandidate(
        found_by=found_by,
        probability=score.probability,
        weight=score.weight,
        reasons=_reasons(score),
        comparison=score.comparison,
        created_at=utcnow(),
        **other,  # notice or notice_id; report, report_person, case_person or manifest_row
    )


@dataclass(frozen=True)
class Shortlisted:
    """A notice worth scoring against a person: its id, its reference and command (plain
    columns, for the notification) and its subject decrypted as the matcher sees them."""

    id: int
    reference: str
    command_id: int
    fields: PersonFields


def shortlist_for(person: PersonFields, when: datetime) -> list[Shortlisted]:
    """The notices active at `when` worth scoring against a person, best first, in one
    statement: the LOOKUP_LIMIT notices sharing the most blind-index terms (as
    `people_candidates` ranks them), of those the active ones (`active_at`), ranked by
    `matching.shortlist` (the points with the state's), at most SCORE_LIMIT, with their columns;
    the subjects decrypted (or taken from the cache of decrypted rows). A statement of its own
    for one person (`_shortlist_statement`), faster for one than the batch's (`shortlists_for`),
    which must give each person exactly this (tested side by side)."""
    by_digest = query_digests(person)
    if not by_digest:
        return []
    sql, params = _shortlist_statement(by_digest, when, person.state)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [_decrypted(row) for row in rows]


def shortlists_for(people: list[tuple[PersonFields, datetime]]) -> list[list[Shortlisted]]:
    """`shortlist_for` of each (person, time), in one statement for a whole pipeline batch (more
    only past TERMS_PER_STATEMENT terms): every person's terms, time window and state travel as
    tables, and each person's shortlist is ranked apart (a window per person), so each gets
    exactly what `shortlist_for` gives it. For one person that statement is the faster (a window
    function costs a single look-up a fifth more: bench/travellers_match.py)."""
    if len(people) == 1:
        return [shortlist_for(*people[0])]  # one person: the faster statement of its own
    found: list[list[Shortlisted]] = [[] for _ in people]
    terms: list[tuple[Any, ...]] = []
    who: list[tuple[Any, ...]] = []
    adapt = connection.ops.adapt_datetimefield_value
    for position, (person, when) in enumerate(people):
        looked_up = lookup_terms(person)
        if not looked_up:
            continue
        if terms and len(terms) + len(looked_up) > TERMS_PER_STATEMENT:
            _shortlists(terms, who, found)
            terms, who = [], []
        terms += [(position, kind, value, points) for kind, value, points in looked_up]
        who.append((position, *(adapt(b) for b in _bounds(when)), person.state or None))
    if terms:
        _shortlists(terms, who, found)
    return found


def _shortlists(
    terms: list[tuple[Any, ...]], who: list[tuple[Any, ...]], found: list[list[Shortlisted]]
) -> None:
    wanted, wanted_params = rows_table(connection, terms, WANTED_TYPES)
    persons, persons_params = rows_table(connection, who, ("integer", *["timestamptz"] * 3, "text"))
    statuses = sorted(str(s) for s in ACTIVE_STATUSES)
    sql = _SHORTLISTS.format(
        wanted=wanted,
        who=persons,
        ranked_owners=ranked_owners_sql(),
        columns=", ".join(f"n.{name}" for name in SUBJECT_READ),  # plain fields: column = name
        names=", ".join(SUBJECT_READ),
        statuses=", ".join(["%s"] * len(statuses)),
    )
    params = [
        *wanted_params, *persons_params, OwnerKind.TRAVEL_NOTICE, MIN_POINTS,
        matching.STATE_POINTS, matching.LOOKUP_LIMIT, *statuses, matching.SCORE_LIMIT,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for person, *row in cursor.fetchall():
            found[person].append(_decrypted(tuple(row)))


# The statement of `shortlists_for`, in SQL written here (as `people_candidates`'s: the ORM's
# compilation cost more than running it). The looked-up terms join the blind index as
# `people_candidates_many`'s do (`ranked_owners_sql`, the same rule); the notices are read by
# primary key. Per person: the LOOKUP_LIMIT owners with the most points, of those the notices
# active at the person's time, ranked with the state's points, the first SCORE_LIMIT. A person
# without a state gets no state points.
_SHORTLISTS = """
WITH wanted (person, term_kind, digest, points) AS ({wanted}),
who (person, arrived_by, departed_from, open_from, state) AS ({who}),{ranked_owners},
ranked AS (
    SELECT f.person, n.id, n.reference, n.command_id, COALESCE(s.code, '') AS state_code,
           {columns},
           ROW_NUMBER() OVER (
               PARTITION BY f.person
               ORDER BY f.points + CASE WHEN s.code = who.state THEN %s ELSE 0 END DESC,
                        f.points DESC, n.id
           ) AS place
    FROM ranked_owners f
    JOIN who ON who.person = f.person
    JOIN travellers_notice n ON n.id = CAST(f.owner_id AS BIGINT)
    LEFT JOIN geo_state s ON s.id = n.destination_state_id
    WHERE f.place <= %s AND n.status IN ({statuses}) AND n.purged_at IS NULL
      AND n.arrival_at <= who.arrived_by
      AND (n.departure_at >= who.departed_from
           OR (n.departure_at IS NULL AND n.arrival_at >= who.open_from))
)
SELECT person, id, reference, command_id, state_code, {names}
FROM ranked WHERE place <= %s ORDER BY person, place
"""


# Decrypted by its model field, as the ORM would (no model instance built: its cost was a third
# of the step's decrypting).
_SEALED: Any = Notice._meta.get_field("subject_sealed")


def _shortlist_statement(
    by_digest: dict[tuple[str, str], blind.Term], when: datetime, state: str
) -> tuple[str, list[Any]]:
    """The statement of `shortlist_for`, in SQL written here (as `people_candidates`'s: the
    ORM's compilation cost more than running it). The looked-up terms are a list of (term kind,
    digest, weight) rows joined to the blind index, as `people_candidates` sends them: each term
    one index-only read of its (owner_kind, term_kind, digest, owner_id) index (an OR of IN
    lists made PostgreSQL visit the table's pages for every shared term); the notices are read
    by primary key."""
    terms, params = terms_table(by_digest)
    columns = ", ".join(f"n.{name}" for name in SUBJECT_READ)  # plain fields: column = name
    statuses = sorted(str(s) for s in ACTIVE_STATUSES)
    sql = (
        f"WITH q (term_kind, digest, weight) AS (VALUES {terms}), "  # noqa: S608  # constants and placeholders only
        f"found AS (SELECT e.owner_id, SUM(q.weight) AS points FROM q "
        f"JOIN {BlindIndexEntry._meta.db_table} e ON e.owner_kind = %s "
        "AND e.term_kind = q.term_kind AND e.digest = q.digest GROUP BY e.owner_id "
        "HAVING SUM(q.weight) >= %s ORDER BY points DESC, e.owner_id LIMIT %s) "
        f"SELECT n.id, n.reference, n.command_id, COALESCE(s.code, ''), {columns} "
        "FROM found f JOIN travellers_notice n ON n.id = CAST(f.owner_id AS BIGINT) "
        "LEFT JOIN geo_state s ON s.id = n.destination_state_id "
        f"WHERE n.status IN ({', '.join(['%s'] * len(statuses))}) AND n.purged_at IS NULL "
        "AND n.arrival_at <= %s AND (n.departure_at >= %s "
        "OR (n.departure_at IS NULL AND n.arrival_at >= %s)) "
        "ORDER BY f.points + CASE WHEN s.code = %s THEN %s ELSE 0 END DESC, f.points DESC, n.id "
        "LIMIT %s"
    )
    bounds = [connection.ops.adapt_datetimefield_value(b) for b in _bounds(when)]
    return sql, [
        *params, OwnerKind.TRAVEL_NOTICE, MIN_POINTS, matching.LOOKUP_LIMIT,
        *statuses, *bounds, state or None, matching.STATE_POINTS, matching.SCORE_LIMIT,
    ]  # fmt: skip


# Decrypted subjects of notices, keyed by the row as stored (the ciphertext with its random
# nonce and the plain columns `Notice.fields` reads): any change to a notice writes new
# ciphertext or new columns, so a changed row is a new key and an entry can never be stale;
# ids reused (a rolled-back test) cannot collide either. Active notices change rarely and are
# compared again and again (a common given name shares terms with hundreds), so decrypting each
# once a few minutes is the step's saving. Safe to keep: it lives in this process's memory only,
# nothing in clear is written anywhere; it is bounded (CACHE_SIZE entries, the oldest out
# first) and no entry outlives CACHE_SECONDS, so a notice purged (`purged_at`: the statement no
# longer returns it, its row is rewritten) leaves memory within that time at most.
CACHE_SIZE = 20_000
CACHE_SECONDS = 300.0
_cache: OrderedDict[tuple[Any, ...], tuple[float, PersonFields]] = OrderedDict()
_cache_lock = threading.Lock()


def _decrypted(row: tuple[Any, ...]) -> Shortlisted:
    notice_id, reference, command_id, state, *stored = row
    key = (notice_id, state, *stored)
    now = time.monotonic()
    with _cache_lock:
        while _cache and next(iter(_cache.values()))[0] <= now:
            _cache.popitem(last=False)  # expired: the oldest come first
        cached = _cache.get(key)
    if cached is not None:
        return Shortlisted(notice_id, reference, command_id, cached[1])
    sealed, arrival, departure, pdq = stored
    values = dict(_SEALED.from_db_value(sealed, None, connection))
    values |= {"arrival_at": _aware(arrival), "departure_at": _aware(departure), "photo_pdq": pdq}
    fields = subject_fields(values, state)
    with _cache_lock:
        _cache.pop(key, None)  # another thread's: kept in order of expiry
        _cache[key] = (now + CACHE_SECONDS, fields)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return Shortlisted(notice_id, reference, command_id, fields)


def cache_clear() -> None:
    """Forget every decrypted notice (tests; a key rotation)."""
    with _cache_lock:
        _cache.clear()


def _aware(value: Any) -> Any:
    """A datetime column as read by a raw cursor (SQLite: text, naive UTC) as an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def scored_shortlist(
    person: PersonFields, found: list[Shortlisted], scoring: MatchProfile
) -> list[tuple[Shortlisted, Score]]:
    """Of the shortlisted notices, those `_best` may keep, scored: a notice is left out before
    its costly fields are compared when it cannot reach CANDIDATE_FLOOR or, once
    CANDIDATES_PER_PERSON are kept, the lowest of those (exact: `_best` keeps the same rows)."""
    out: list[tuple[Shortlisted, Score]] = []
    best: list[float] = []  # a min-heap of the CANDIDATES_PER_PERSON best probabilities
    for notice in found:
        least = best[0] if len(best) == matching.CANDIDATES_PER_PERSON else 0.0
        least = max(least, matching.CANDIDATE_FLOOR)
        score = people_score_from(profile=scoring, left=person, right=notice.fields, least=least)
        if score is None:
            continue
        out.append((notice, score))
        if len(best) < matching.CANDIDATES_PER_PERSON:
            heapq.heappush(best, score.probability)
        else:
            heapq.heappushpop(best, score.probability)
    return out


def _best(rows: list[NoticeCandidate]) -> list[NoticeCandidate]:
    kept = [r for r in rows if r.probability >= matching.CANDIDATE_FLOOR]
    return sorted(kept, key=lambda r: -r.probability)[: matching.CANDIDATES_PER_PERSON]


def report_match(*, report: Report) -> list[NoticeCandidate]:
    """Score the report's people who may be a traveller against the notices active at its time
    (the pipeline's step); replaces the report's undecided candidates and keeps decided ones;
    tells each destination command of a new likely match. Each person is indexed, so a notice
    received later finds the report."""
    return reports_match(reports=[report])


def reports_match(*, reports: list[Report]) -> list[NoticeCandidate]:
    """`report_match` for a batch of reports (the pipeline's batch step): the profile, the index
    write and the candidates kept from earlier runs are read and written once for the batch, and
    each notice is decrypted once however many people it is compared with."""
    people = [
        (report, person, fields)
        for report in reports
        for person, fields in matching.people_to_match(report)
    ]
    scoring = profile()
    with transaction.atomic():
        people_index_many(
            owner_kind=OwnerKind.TRAVEL_REPORT_PERSON,
            people=[(person.pk, fields) for _, person, fields in people],
        )
        pairs = candidates_clear_open(
            candidates=NoticeCandidate.objects.filter(report__in=reports),
            pair=("notice_id", "report_person_id"),
            open_state=CandidateState.OPEN,
        )
        known = {(n, p) for n, p, _ in pairs}
        decided = {(n, p) for n, p, state in pairs if state != CandidateState.OPEN}
        if not people or not _any_notice_active():
            return []  # nothing to compare with: the people are indexed for later notices
        rows: list[NoticeCandidate] = []
        notices: dict[int, Shortlisted] = {}
        lists = shortlists_for([(f, matching.report_seen_at(r)) for r, _, f in people])
        for (report, person, fields), shortlisted in zip(people, lists, strict=True):
            scored = []
            found = [n for n in shortlisted if (n.id, person.pk) not in decided]
            for notice, score in scored_shortlist(fields, found, scoring):
                notices[notice.id] = notice
                scored.append(_row(score, FoundBy.REPORT, notice_id=notice.id, report=report,
                                   report_person=person))  # fmt: skip
            rows += _best(scored)
        made = NoticeCandidate.objects.bulk_create(rows)
        new = [r for r in made if (r.notice_id, r.report_person_id) not in known]
        _notify_new_likely(reports, new, notices)
    return made


def _any_notice_active() -> bool:
    """Whether any notice may be matched at all (its window is checked per person)."""
    return Notice.objects.filter(status__in=ACTIVE_STATUSES, purged_at__isnull=True).exists()


def _notify_new_likely(
    reports: list[Report], rows: list[NoticeCandidate], notices: dict[int, Shortlisted]
) -> None:
    likely = [r for r in rows if r.probability >= matching.LIKELY]
    if not likely:
        return
    # The destination commands' members are read once for the batch, not once per match.
    notifications_create(
        notices=[
            CommandNotice(
                command_id=notices[row.notice_id].command_id,
                report=report,
                kind=NotificationKind.LINKED,
                text=(
                    f"{report.reference}: a reported person matches travel notice "
                    f"{notices[row.notice_id].reference} during the stay (probability "
                    f"{row.probability:.2f})."
                ),
            )
            for report in reports
            for row in likely
            if row.report_id == report.pk
        ]
    )


def likely_notices_for_report(report: Report) -> list[str]:
    """References of the notices a person of the report likely is (undecided or confirmed)."""
    return likely_notices_for_reports([report.pk]).get(report.pk, [])


def likely_notices_for_reports(report_ids: list[int]) -> dict[int, list[str]]:
    """`likely_notices_for_report` of many reports in one query (the pipeline's batch)."""
    rows = NoticeCandidate.objects.filter(
        report_id__in=report_ids, probability__gte=matching.LIKELY
    ).exclude(state=CandidateState.REJECTED)
    found: dict[int, set[str]] = {}
    for report_id, reference in rows.values_list("report_id", "notice__reference"):
        found.setdefault(report_id, set()).add(reference)
    return {report_id: sorted(references) for report_id, references in found.items()}


def _recent_people(notice: Notice, fields: PersonFields) -> list[ReportPerson]:
    found = people_candidates(
        owner_kind=OwnerKind.TRAVEL_REPORT_PERSON,
        person=fields,
        limit=matching.LOOKUP_LIMIT,
        with_evidence=False,
    )
    start, end = window_of(notice)
    since = max(start, utcnow() - timedelta(days=REPORT_YEARS_DAYS))
    rows = ReportPerson.objects.filter(
        pk__in=[int(c.owner_id) for c in found], report__received_at__gte=since
    ).select_related("report__state")
    return [p for p in rows if start <= matching.report_seen_at(p.report) <= end]


def _case_people(fields: PersonFields) -> list[CasePerson]:
    found = people_candidates(
        owner_kind=OwnerKind.CASE_PERSON, person=fields, limit=50, with_evidence=False
    )
    return list(CasePerson.objects.filter(pk__in=[int(c.owner_id) for c in found]))


def notice_match(*, notice: Notice) -> list[NoticeCandidate]:
    """Score a notice against the people of reports in its window and the people of cases;
    replaces its undecided candidates of those kinds, keeps decided ones."""
    fields = notice.fields()
    scoring = profile()
    with transaction.atomic():
        earlier = candidates_clear_open(
            candidates=notice.candidates.filter(manifest_row__isnull=True),
            pair=("report_person_id", "case_person_id"),
            open_state=CandidateState.OPEN,
        )
        closed = [(person, case) for person, case, state in earlier if state != CandidateState.OPEN]
        decided_reports = {person for person, _ in closed}
        decided_cases = {case for _, case in closed}
        rows: list[NoticeCandidate] = []
        floor = matching.CANDIDATE_FLOOR
        for person in _recent_people(notice, fields):
            if person.pk not in decided_reports:
                left = matching.report_person_fields(person.report, person)
                score = people_score_from(profile=scoring, left=left, right=fields, least=floor)
                if score is None:
                    continue  # below the floor: `_best` would drop it
                rows.append(
                    _row(
                        score,
                        FoundBy.NOTICE,
                        notice=notice,
                        report=person.report,
                        report_person=person,
                    )  # fmt: skip
                )
        for case_person in _case_people(fields):
            if case_person.pk not in decided_cases:
                left = case_person.fields()
                score = people_score_from(profile=scoring, left=left, right=fields, least=floor)
                if score is None:
                    continue
                rows.append(_row(score, FoundBy.NOTICE, notice=notice, case_person=case_person))
        return NoticeCandidate.objects.bulk_create(_best(rows))


def candidate_decide(
    *, candidate: NoticeCandidate, decision: Decision, actor: User, ip: str | None = None
) -> NoticeCandidate:
    """A reviewer's word on a candidate, kept as a label for the matcher (`people_decide`, so
    `tipline people_fit --kind travel_notice` learns from it); on the notice's timeline."""
    with transaction.atomic():
        locked = (
            NoticeCandidate.objects.select_for_update()
            .select_related("notice")
            .get(pk=candidate.pk)
        )
        if locked.state != CandidateState.OPEN:
            raise ValidationError("This candidate has already been decided.")
        people_decide(
            owner_kind=OwnerKind.TRAVEL_NOTICE,
            left_id=locked.other_id,
            right_id=locked.notice_id,
            decision=decision,
            by=actor,
            score=Score(locked.probability, locked.weight, (), dict(locked.comparison)),
        )
        confirmed = decision == Decision.CONFIRMED
        locked.state = CandidateState.CONFIRMED if confirmed else CandidateState.REJECTED
        locked.decided_by, locked.decided_at = actor, utcnow()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        notice = locked.notice
        kind = EventKind.CANDIDATE_CONFIRMED if confirmed else EventKind.CANDIDATE_REJECTED
        NoticeEvent.objects.create(
            notice=notice,
            at=utcnow(),
            actor=actor,
            kind=kind,
            data={"candidate": locked.pk, "with": locked.other_id},
        )
        audit_record(
            actor=actor,
            action=f"travellers.candidate_{locked.state}",
            object_type="travellers.notice",
            object_id=notice.pk,
            after={"reference": notice.reference, "candidate": locked.pk},
            ip=ip,
        )
    return locked
