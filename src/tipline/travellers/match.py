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

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q

from tipline.accounts.models import User
from tipline.audit.services import audit_record
from tipline.cases.models import CasePerson
from tipline.common.time import utcnow
from tipline.people.choices import Decision, OwnerKind
from tipline.people.person import PersonFields
from tipline.people.scoring import MatchProfile, Score
from tipline.people.selectors import people_candidates, people_profile, people_score
from tipline.people.services import people_decide, people_index_many
from tipline.reports.models import Person as ReportPerson
from tipline.reports.models import Report
from tipline.travellers import matching
from tipline.travellers.choices import ACTIVE_STATUSES, CandidateState, EventKind, FoundBy
from tipline.travellers.models import Notice, NoticeCandidate, NoticeEvent
from tipline.triage.choices import NotificationKind
from tipline.triage.services import notification_create

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


# `active_at` for the pipeline's path, in SQL written here: the ORM's compilation of a filter
# with an IN list of hundreds of ids cost more than running it.
_ACTIVE_SQL = (
    "SELECT n.id, s.code FROM travellers_notice n "
    "LEFT JOIN geo_state s ON s.id = n.destination_state_id "
    "WHERE n.id IN ({ids}) AND n.status IN ({statuses}) AND n.purged_at IS NULL "
    "AND n.arrival_at <= %s AND (n.departure_at >= %s "
    "OR (n.departure_at IS NULL AND n.arrival_at >= %s))"
)


def _active_states(ids: list[int], when: datetime) -> dict[int, str]:
    """id -> state code of those of `ids` active at `when` (as `active_at`)."""
    sql = _ACTIVE_SQL.format(
        ids=", ".join(["%s"] * len(ids)), statuses=", ".join(["%s"] * len(ACTIVE_STATUSES))
    )
    bounds = [connection.ops.adapt_datetimefield_value(b) for b in _bounds(when)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *sorted(str(s) for s in ACTIVE_STATUSES), *bounds])
        return {int(pk): code or "" for pk, code in cursor.fetchall()}


def _reasons(score: Score) -> list[dict[str, object]]:
    return [
        {"field": r.field, "level": r.level, "bits": round(r.bits, 2), "text": r.text}
        for r in score.reasons
    ]


def _row(notice: Notice, score: Score, found_by: str, **other: Any) -> NoticeCandidate:
    return NoticeCandidate(
        notice=notice,
        found_by=found_by,
        probability=score.probability,
        weight=score.weight,
        reasons=_reasons(score),
        comparison=score.comparison,
        created_at=utcnow(),
        **other,  # report, report_person, case_person or manifest_row
    )


def _notices_for(person: PersonFields, when: datetime) -> list[Notice]:
    return active_notices(notice_ids_for(person), when, state=matching.state_of(person))


def notice_ids_for(person: PersonFields) -> list[tuple[int, int]]:
    """The notices sharing the most blind-index terms with a person, as (id, points), best
    first (none decrypted)."""
    found = people_candidates(
        owner_kind=OwnerKind.TRAVEL_NOTICE,
        person=person,
        limit=matching.LOOKUP_LIMIT,
        with_evidence=False,
    )
    return [(int(c.owner_id), c.points) for c in found]


def active_notices(found: list[tuple[int, int]], when: datetime, *, state: str) -> list[Notice]:
    """The best of `found` active at `when` (`matching.shortlist`: shared terms and the state,
    a plain column), loaded and decrypted for scoring: two statements."""
    if not found:
        return []
    ids = matching.shortlist(found, _active_states([i for i, _ in found], when), state)
    rows = Notice.objects.filter(pk__in=ids).select_related("destination_state", "command")
    # Only what `Notice.fields` reads: each field left out is a decryption saved per candidate.
    by_id = {n.pk: n for n in rows.only(*MATCHED_FIELDS)}
    return [by_id[i] for i in ids]


MATCHED_FIELDS = (
    "reference", "status", "given_names", "family_name", "aliases", "date_of_birth", "sex",
    "nationalities", "identifiers", "document_number", "first_night_address", "other_addresses",
    "photo_pdq", "arrival_at", "departure_at", "purged_at", "destination_state", "command",
)  # fmt: skip


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
        earlier = NoticeCandidate.objects.filter(report__in=reports)
        pairs = list(earlier.values_list("notice_id", "report_person_id", "state"))
        known = {(n, p) for n, p, _ in pairs}
        decided = {(n, p) for n, p, state in pairs if state != CandidateState.OPEN}
        earlier.filter(state=CandidateState.OPEN).delete()
        if not people or not _any_notice_active():
            return []  # nothing to compare with: the people are indexed for later notices
        decrypted: dict[int, PersonFields] = {}
        rows: list[NoticeCandidate] = []
        for report, person, fields in people:
            scored = []
            for notice in _notices_for(fields, matching.report_seen_at(report)):
                if (notice.pk, person.pk) in decided:
                    continue
                if notice.pk not in decrypted:
                    decrypted[notice.pk] = notice.fields()
                score = people_score(profile=scoring, left=fields, right=decrypted[notice.pk])
                scored.append(
                    _row(notice, score, FoundBy.REPORT, report=report, report_person=person)
                )
            rows += _best(scored)
        made = NoticeCandidate.objects.bulk_create(rows)
        for report in reports:
            fresh = [r for r in made if r.report_id == report.pk]
            _notify_new_likely(
                report, [r for r in fresh if (r.notice_id, r.report_person_id) not in known]
            )
    return made


def _any_notice_active() -> bool:
    """Whether any notice may be matched at all (its window is checked per person)."""
    return Notice.objects.filter(status__in=ACTIVE_STATUSES, purged_at__isnull=True).exists()


def _notify_new_likely(report: Report, rows: list[NoticeCandidate]) -> None:
    for row in rows:
        if row.probability < matching.LIKELY:
            continue
        notification_create(
            command=row.notice.command,
            report=report,
            kind=NotificationKind.LINKED,
            text=(
                f"{report.reference}: a reported person matches travel notice "
                f"{row.notice.reference} during the stay (probability {row.probability:.2f})."
            ),
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
        earlier = notice.candidates.filter(manifest_row__isnull=True)
        closed = earlier.exclude(state=CandidateState.OPEN)
        decided_reports = set(closed.values_list("report_person_id", flat=True))
        decided_cases = set(closed.values_list("case_person_id", flat=True))
        earlier.filter(state=CandidateState.OPEN).delete()
        rows: list[NoticeCandidate] = []
        for person in _recent_people(notice, fields):
            if person.pk not in decided_reports:
                left = matching.report_person_fields(person.report, person)
                score = people_score(profile=scoring, left=left, right=fields)
                rows.append(
                    _row(notice, score, FoundBy.NOTICE, report=person.report, report_person=person)
                )
        for case_person in _case_people(fields):
            if case_person.pk not in decided_cases:
                score = people_score(profile=scoring, left=case_person.fields(), right=fields)
                rows.append(_row(notice, score, FoundBy.NOTICE, case_person=case_person))
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
