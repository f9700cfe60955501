"""Property-based tests of `exchange_package_for`: for any report and any partner profile,
nothing above the partner's level or outside its profile is in the package, and the reporter
never leaves. Every field of every person carries its own marker, so a leak is seen in the JSON."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tipline.conftest import draft
from tipline.exchange.choices import PARTNER_LEVELS, TLP_ORDER, PartnerKind, Section
from tipline.exchange.models import Partner
from tipline.exchange.packages import SharingRefused, exchange_package_for, package_fields
from tipline.reports.choices import PersonRole, SharingLevel
from tipline.reports.drafts import Account, FileDraft, IncidentDraft, PersonDraft
from tipline.reports.services import report_submit

_serial = count()

# The oracle, written out independently of the code: which sections let each field of each
# role through. The reporter has no entry: nothing of theirs may ever leave.
V, S = Section, PersonRole
ALLOWED_BY: dict[tuple[str, str], set[str]] = {
    (S.VICTIM, "first_name"): {V.VICTIM_FIRST_NAME, V.VICTIM_DETAILS},
    (S.VICTIM, "last_name"): {V.VICTIM_DETAILS},
    (S.VICTIM, "notes"): {V.VICTIM_NEEDS, V.VICTIM_DETAILS},
    (S.VICTIM, "screen_name"): {V.VICTIM_DETAILS},
    (S.REPORTED_PERSON, "first_name"): {V.SUSPECTS},
    (S.REPORTED_PERSON, "last_name"): {V.SUSPECTS},
    (S.REPORTED_PERSON, "notes"): {V.SUSPECTS},
    (S.REPORTED_PERSON, "screen_name"): {V.SUSPECTS, V.SUSPECT_IDENTIFIERS},
    **{
        (r, f): {V.WITNESSES}
        for r in (S.WITNESS, S.INTENDED_RECIPIENT)
        for f in ("first_name", "last_name", "notes", "screen_name")
    },
}
PERSON_FIELDS = ("first_name", "last_name", "notes", "screen_name")


def _marker(role: str, field: str) -> str:
    return f"M{next(_serial)}x{role[:3]}{field[:3]}".upper()


@st.composite
def people(draw: Any) -> list[tuple[PersonDraft, dict[str, str]]]:
    """People in any roles, each field with its own marker (the markers by field beside them)."""
    out = []
    for role in draw(st.lists(st.sampled_from(list(PersonRole)), max_size=5)):
        marks = {f: _marker(role, f) for f in PERSON_FIELDS}
        person = PersonDraft(
            role=role,
            first_name=marks["first_name"],
            last_name=marks["last_name"],
            notes=marks["notes"],
            age=draw(st.none() | st.integers(0, 90)),
            accounts=[Account(screen_name=marks["screen_name"])],
        )
        out.append((person, marks))
    return out


partners = st.builds(
    lambda kind, level, sections, active: Partner(
        code="p",
        name="Invented partner",
        kind=kind,
        max_level=level,
        sections=sorted(sections),
        is_active=active,
    ),
    st.sampled_from(PartnerKind.values),
    st.sampled_from([level for level, _ in PARTNER_LEVELS]),
    st.sets(st.sampled_from(Section.values)),
    st.booleans(),
)
levels = st.sampled_from(list(SharingLevel))

QUICK = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _submit(
    level: str, persons: list[tuple[PersonDraft, dict[str, str]]], marks: dict[str, str]
) -> Any:
    incident = IncidentDraft(type="online_enticement", description=marks["description"])
    files = [FileDraft(md5=marks["md5"], original_name=marks["file_name"])]
    d = draft(
        incident=incident,
        people=[p for p, _ in persons],
        files=files,
        sharing_level=level,
        raw_record=marks["raw"],
    )
    return report_submit(draft=d).report


@pytest.mark.django_db
@QUICK
@given(partner=partners, level=levels, persons=people())
def test_no_package_holds_anything_above_the_level_or_outside_the_profile(
    partner: Partner, level: str, persons: list[tuple[PersonDraft, dict[str, str]]]
) -> None:
    n = next(_serial)
    marks = {
        "description": f"NARRATIVE{n}",
        "md5": f"{n:032x}",
        "file_name": f"FILENAME{n}",
        "raw": f"RAWRECORD{n}",
    }
    report = _submit(level, persons, marks)
    refused = (
        not partner.is_active
        or level == SharingLevel.RED
        or TLP_ORDER.index(level) > TLP_ORDER.index(partner.max_level)
    )
    if refused:
        with pytest.raises(SharingRefused):
            exchange_package_for(partner=partner, report=report)
        return
    package = exchange_package_for(partner=partner, report=report)
    text = json.dumps(package)
    sections = set(partner.sections)
    assert TLP_ORDER.index(package["tlp"]) <= TLP_ORDER.index(partner.max_level)
    for person, person_marks in persons:
        for field, mark in person_marks.items():
            allowed = ALLOWED_BY.get((person.role, field), set()) & sections
            assert (mark in text) == bool(allowed), (person.role, field, sections)
    assert (marks["description"] in text) == (Section.NARRATIVE in sections)
    assert (marks["md5"] in text) == (Section.FILE_HASHES in sections)
    assert marks["file_name"] not in text and marks["raw"] not in text
    assert set(package) - {"schema", "reference", "tlp", "sections"} <= _keys_for(sections)


def _keys_for(sections: set[str]) -> set[str]:
    keys = {"people"}
    pairs = [
        (Section.INCIDENT, "incident"),
        (Section.NARRATIVE, "narrative"),
        (Section.PRIORITY, "priority"),
        (Section.INTERNET_DETAILS, "internet_details"),
        (Section.FILE_HASHES, "files"),
    ]
    return keys | {key for section, key in pairs if section in sections}


@pytest.mark.django_db
def test_reporter_never_leaves_even_with_every_section(geo: Any) -> None:
    reporter = PersonDraft(role=PersonRole.REPORTER, first_name="Chiamaka", last_name="Reporter")
    report = report_submit(
        draft=draft(people=[reporter], reporter_anonymous=False, sharing_level=SharingLevel.CLEAR)
    ).report
    police = Partner(
        code="np",
        name="Police",
        kind=PartnerKind.LAW_ENFORCEMENT,
        max_level=SharingLevel.AMBER_STRICT,
        sections=Section.values,
        is_active=True,
    )
    text = json.dumps(exchange_package_for(partner=police, report=report))
    assert "Chiamaka" not in text and "Reporter" not in text


@pytest.mark.django_db
def test_shelter_package_holds_only_the_victims_first_name_age_and_needs(geo: Any) -> None:
    victim = PersonDraft(
        role=PersonRole.VICTIM,
        first_name="Ngozi",
        last_name="Invented",
        age=14,
        notes="needs shelter",
    )
    suspect = PersonDraft(
        role=PersonRole.REPORTED_PERSON,
        first_name="Bad",
        accounts=[Account(screen_name="bad_actor")],
    )
    report = report_submit(
        draft=draft(people=[victim, suspect], sharing_level=SharingLevel.GREEN)
    ).report
    shelter = Partner(
        code="sh",
        name="Shelter",
        kind=PartnerKind.NGO,
        max_level=SharingLevel.AMBER,
        sections=[Section.VICTIM_FIRST_NAME, Section.VICTIM_AGE, Section.VICTIM_NEEDS],
        is_active=True,
    )
    package = exchange_package_for(partner=shelter, report=report)
    assert package["people"] == [
        {"role": "victim", "first_name": "Ngozi", "age": 14, "notes": "needs shelter"}
    ]
    assert package_fields(package) == [
        "people[victim].age",
        "people[victim].first_name",
        "people[victim].notes",
        "reference",
        "schema",
        "sections",
        "tlp",
    ]
