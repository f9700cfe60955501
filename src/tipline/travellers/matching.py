"""What of a report the people matcher compares with travel notices, and the thresholds.

A report names its people in roles; any but the reporter and the victims may be the traveller.
A public form's reporter writes the suspect in words ("a British man called Mike, about 50, at
the Eko Hotel"), so a person without a name is read from their notes and the report's text: the
name after "called", "named" or "Mr", an age, the nationality as said. The report's state,
place and words are where, its incident time (else its receipt) when.

The same functions read the evaluation format of `tipline travellers match` and the bench, so the
offline figures are the platform's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tipline.people import travel
from tipline.people.person import PersonFields, Place
from tipline.reports.choices import PersonRole
from tipline.reports.models import Person as ReportPerson
from tipline.reports.models import Report

# Candidates below this probability are neither stored nor shown.
CANDIDATE_FLOOR = 0.02
CANDIDATES_PER_PERSON = 10
# The probability from which the platform calls a match "likely" (priority rule, notification,
# the queue's mark): fitted with the profile (people/travel.py, its data file);
# `tipline travellers match --threshold` prints it.
LIKELY = travel.LIKELY
# How many blind-index candidates are read for one person (a given name alone is common: a
# "Mike" shares terms with hundreds of notices among 10,000), by id only, nothing decrypted.
LOOKUP_LIMIT = 300
# How many of those, once the inactive are dropped, are decrypted and scored: the most shared
# terms first, a notice bound for the person's state counting as a name that sounds alike more
# (state is a plain column, read without decrypting). Decrypting and scoring are the step's
# cost (~0.5 ms a notice); 50 keep all but about 1% of the subjects a cut at 300 keeps, at
# 10,000 active notices (bench/travellers_match.py).
SCORE_LIMIT = 50
STATE_POINTS = 2
_NEVER_THE_TRAVELLER = frozenset({PersonRole.REPORTER, PersonRole.VICTIM})
_CALLED = re.compile(
    r"\b(?:called|named|name is|calls himself|calls herself|known as|goes by|introduced himself as)"
    r"\s+((?:Mr\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)"
)
_MISTER = re.compile(r"\b(?:Mr|Mister|Mrs|Ms)\.?\s+([A-Z][\w'’-]+)")
_AGE = re.compile(
    r"\b(?:about|around|aged?|maybe|roughly)\s+(\d{2})\b|\b(\d{2})[- ](?:years?[- ]old|yrs?)\b"
    r"|\bin (?:his|her) (\d)0s\b",
    re.IGNORECASE,
)
_SEX = {"m": re.compile(r"\b(man|he|him|his|mr|male|gentleman)\b", re.IGNORECASE),
        "f": re.compile(r"\b(woman|she|her|mrs|ms|female|lady)\b", re.IGNORECASE)}  # fmt: skip


@dataclass(frozen=True)
class Said:
    """A person as a reporter's words give them."""

    given: str = ""
    family: str = ""
    age: int | None = None
    sex: str = ""


def read_words(text: str) -> Said:
    """A name, an age and a sex from a reporter's words, when they say them."""
    given, family = "", ""
    called = _CALLED.search(text)
    if called:
        name = called.group(1)
        if name.lower().startswith("mr"):
            family = name.split()[-1]
        else:
            given, _, family = name.partition(" ")
    elif mister := _MISTER.search(text):
        family = mister.group(1)
    age_match = _AGE.search(text)
    age = None
    if age_match:
        groups = [g for g in age_match.groups() if g]
        age = int(groups[0]) * (10 if len(groups[0]) == 1 else 1) + (
            5 if len(groups[0]) == 1 else 0
        )
    sexes = [s for s, pattern in _SEX.items() if pattern.search(text)]
    return Said(given, family, age, sexes[0] if len(sexes) == 1 else "")


def username_of(value: str) -> str:
    """A username as written ("site.com/handle", "site:handle", "@handle") as the matcher's
    "site:handle" ("" for a bare handle, which names nobody)."""
    value = value.strip()
    if "/" in value:
        host, _, handle = value.removeprefix("https://").removeprefix("http://").partition("/")
        site = host.removeprefix("www.").split(".")[0]
        return f"{site}:{handle.strip('/').lstrip('@')}" if site and handle else ""
    return value if ":" in value else ""


def person_fields(
    *,
    given: str,
    family: str,
    others: tuple[str, ...] = (),
    sex: str = "",
    age: int | None = None,
    born: date | None = None,
    nationality: str = "",
    phones: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
    usernames: tuple[str, ...] = (),
    passport: str = "",
    seen: datetime | None,
    state: str = "",
    texts: tuple[str, ...] = (),
) -> PersonFields:
    """A reported person as the matcher sees them; the words fill what the fields lack."""
    said = read_words(" ".join(texts)) if not (given or family) or age is None else Said()
    return PersonFields(
        given_names=given or said.given,
        family_name=family or said.family,
        other_names=others,
        sex=sex or said.sex,
        date_of_birth=born,
        age=age if age is not None else said.age,
        age_given_on=seen.date() if seen and (age is not None or said.age is not None) else None,
        phones=phones,
        emails=emails,
        usernames=tuple(u for u in map(username_of, usernames) if u),
        documents=(f"passport:{passport}",) if passport else (),
        nationality=nationality or " ".join(texts),
        places=(Place(state=state),) if state else (),
        seen_at=seen,
        venues=tuple(t for t in texts if t),
    )


def may_be_the_traveller(person: ReportPerson) -> bool:
    """Whether a person of a report is worth comparing with the notices."""
    return person.role not in _NEVER_THE_TRAVELLER


def _details(person: ReportPerson) -> dict[str, Any]:
    return person.details or {}


def report_seen_at(report: Report) -> datetime:
    return report.incident_time or report.incident_time_read or report.received_at


def report_person_fields(report: Report, person: ReportPerson) -> PersonFields:
    """A report's person (see the module's docstring)."""
    details = _details(person)
    accounts = details.get("accounts", [])
    other = details.get("other") or {}
    notes = details.get("notes") or ""
    texts = (notes, report.location_text, report.location_detail, report.description)
    return person_fields(
        given=person.first_name,
        family=person.last_name,
        age=person.age,
        born=date.fromisoformat(person.date_of_birth) if person.date_of_birth else None,
        nationality=str(other.get("nationality") or ""),
        phones=tuple(p["number"] for p in details.get("phones", []) if p.get("number")),
        emails=tuple(e["address"] for e in details.get("emails", []) if e.get("address")),
        usernames=tuple(
            f"{a['platform']}:{a['screen_name']}"
            for a in accounts
            if a.get("platform") and a.get("screen_name")
        ),
        passport=str(other.get("passport_number") or ""),
        seen=report_seen_at(report),
        state=report.state.code if report.state else "",
        texts=tuple(t for t in texts if t),
    )


def people_to_match(report: Report) -> list[tuple[ReportPerson, PersonFields]]:
    """The report's people who may be a traveller, each as matcher fields."""
    return [
        (p, report_person_fields(report, p)) for p in report.people.all() if may_be_the_traveller(p)
    ]


def eval_person_fields(line: dict[str, Any], person: dict[str, Any]) -> PersonFields:
    """A person of a report line of the evaluation format."""
    seen = datetime.fromisoformat(line.get("incident_at") or line["received_at"])
    age: Any = person.get("age")
    return person_fields(
        given=person.get("given_names") or "",
        family=person.get("family_name") or "",
        others=tuple(person.get("other_names") or ()),
        sex=person.get("sex") or "",
        age=int(str(age)) if age not in (None, "") else None,
        nationality=person.get("nationality") or "",
        phones=tuple(person.get("phones") or ()),
        emails=tuple(person.get("emails") or ()),
        usernames=tuple(person.get("usernames") or ()),
        passport=person.get("passport_number") or "",
        seen=seen,
        state=line.get("state") or "",
        texts=tuple(t for t in (line.get("place"), line.get("description")) if t),
    )


def shortlist(
    found: list[tuple[Any, int]], states: dict[Any, str], state: str, limit: int | None = None
) -> list[Any]:
    """Of the candidates `found` as (id, points), those in `states` (id -> the notice's state
    code: the active ones), best first by their points with the state's (then by points, then
    id), at most `limit` (else SCORE_LIMIT): the ones worth decrypting and scoring. The rule of
    `match.active_notices`, which applies it in SQL."""

    def rank(item: tuple[Any, int]) -> tuple[int, int, Any]:
        notice_id, points = item
        bonus = STATE_POINTS if state and states[notice_id] == state else 0
        return -(points + bonus), -points, notice_id

    kept = sorted((c for c in found if c[0] in states), key=rank)
    return [notice_id for notice_id, _ in kept[: limit or SCORE_LIMIT]]
