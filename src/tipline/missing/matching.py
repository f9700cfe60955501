"""What of a report the matcher compares with the registry, and the thresholds it works to.

A report names people in roles. The ones who may be a missing child are its victims, and in a
missing-child sighting anyone but the reporter and the reported person. The reporter's phones
ride along with each (a guardian who reports from their own phone names their child's record),
the report's located place and time are where and when the person was seen, and its images'
PDQ hashes (quality checked) are compared with the record's photos.
"""

from __future__ import annotations

from datetime import date

from tipline.media.hashing import is_matchable
from tipline.people.person import PersonFields, Place
from tipline.reports.choices import IncidentType, PersonRole
from tipline.reports.models import Person as ReportPerson
from tipline.reports.models import Report

# Candidates below this probability are not shown (nor stored): a reviewer's list stays short.
CANDIDATE_FLOOR = 0.02
# At most this many records per person named in a report, best first.
CANDIDATES_PER_PERSON = 10
# The records sharing the most blind-index terms with a person named in a report are looked
# up (BLIND_LIMIT, none decrypted), ranked again with STATE_POINTS for a record last seen in
# the state of the report (their state is plain), and the best SCORE_LIMIT of the open ones
# decrypted and scored (`shortlist`): decrypting and scoring is most of the step's time.
BLIND_LIMIT = 50
SCORE_LIMIT = 20
STATE_POINTS = 2
# The probability from which the platform calls a match "likely" (the review page marks it).
LIKELY = 0.5
# A new record is matched against the reports of this many days before it.
RECENT_DAYS = 365
# Nobody older than this is looked for among the children (a witness's guess may be generous).
MAX_AGE = 25
_NEVER_THE_CHILD = frozenset({PersonRole.REPORTER, PersonRole.REPORTED_PERSON})


def shortlist(
    found: list[tuple[str, int]], states: dict[str, str], state: str, limit: int = SCORE_LIMIT
) -> list[str]:
    """Of the records `found` as (id, blind-index points), best first, those in `states` (id ->
    the record's last-seen state code: the open ones), best first by their points with
    STATE_POINTS when the record was last seen in `state` (then by points, then as found), at
    most `limit`: the ones worth decrypting and scoring."""

    def rank(item: tuple[int, tuple[str, int]]) -> tuple[int, int, int]:
        position, (record_id, points) = item
        bonus = STATE_POINTS if state and states[record_id] == state else 0
        return -(points + bonus), -points, position

    kept = sorted((c for c in enumerate(found) if c[1][0] in states), key=rank)
    return [record_id for _, (record_id, _) in kept[:limit]]


def may_be_the_child(report: Report, person: ReportPerson) -> bool:
    """Whether a person of the report is worth comparing with the registry."""
    if person.age is not None and person.age > MAX_AGE:
        return False
    if not (person.first_name or person.last_name):
        return False
    if person.role == PersonRole.VICTIM:
        return True
    sighting = report.incident_type == IncidentType.MISSING_CHILD_SIGHTING
    return sighting and person.role not in _NEVER_THE_CHILD


def _phones(person: ReportPerson) -> list[str]:
    details = person.details or {}
    return [p["number"] for p in details.get("phones", []) if p.get("number")]


def report_place(report: Report) -> tuple[Place, ...]:
    """Where the report locates the incident (state, LGA, point), or nothing."""
    if report.state is None:
        return ()
    return (
        Place(
            state=report.state.code,
            lga=report.location_lga,
            lat=report.latitude,
            lon=report.longitude,
        ),
    )


def report_photos(report: Report) -> tuple[str, ...]:
    """PDQ hashes of the report's images that are good enough to compare."""
    return tuple(f.pdq for f in report.files.all() if f.pdq and is_matchable(f.pdq_quality))


def person_fields(report: Report, person: ReportPerson) -> PersonFields:
    """A report's person as the matcher sees them (see the module's docstring)."""
    reporters = [p for p in report.people.all() if p.role == PersonRole.REPORTER]
    phones = _phones(person) + [n for r in reporters for n in _phones(r)]
    seen = report.incident_time or report.incident_time_read or report.received_at
    born = person.date_of_birth
    return PersonFields(
        given_names=person.first_name,
        family_name=person.last_name,
        date_of_birth=date.fromisoformat(born) if born else None,
        age=person.age,
        age_given_on=seen.date() if person.age is not None else None,
        phones=tuple(dict.fromkeys(phones)),
        places=report_place(report),
        seen_at=seen,
        photo_pdqs=report_photos(report),
    )


def people_to_match(report: Report) -> list[tuple[ReportPerson, PersonFields]]:
    """The report's people who may be a missing child, each as matcher fields."""
    return [
        (person, person_fields(report, person))
        for person in report.people.all()
        if may_be_the_child(report, person)
    ]
