"""What a partner receives: `exchange_package_for` is the one way report data leaves.

It refuses a report above the partner's TLP level (and TLP:RED always), and lets through only the
sections of the partner's redaction profile. Everything is built from an allow-list, field by
field, so a field added to the report later stays at home until a section names it. File content,
file names, the raw record and the receipt never leave.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from tipline.exchange.choices import Section, tlp_rank
from tipline.exchange.models import Partner
from tipline.reports.choices import PersonRole, SharingLevel
from tipline.reports.models import Person, Report

SCHEMA = "tipline.exchange/1"
IDENTIFIER_KEYS = ("phones", "emails", "accounts", "ip_events", "devices")
DETAIL_KEYS = (*IDENTIFIER_KEYS, "addresses", "notes", "other")
FULL_PERSON = ("first_name", "last_name", "age", "date_of_birth", *DETAIL_KEYS)
FILE_KEYS = ("md5", "sha1", "sha256", "pdq", "pdq_quality", "classification", "sniffed_type")


class SharingRefused(ValidationError):
    """The report may not go to this partner at all."""


def reporter_consented(report: Report) -> bool:
    """Whether the reporter agreed to their identity going to partners. No channel records such
    a consent today (`reporter_anonymous` only says whether they left contact details for the
    agency), so none is assumed: the reporter never leaves."""
    return False


def exchange_package_for(*, partner: Partner, report: Report) -> dict[str, Any]:
    """The package `partner` may receive of `report`, after its level and profile.

    Raises `SharingRefused` when the partner is inactive or the report's level is above the
    partner's (TLP:RED: always)."""
    _check_level(partner, report)
    sections = set(partner.sections) & set(Section.values)
    package: dict[str, Any] = {
        "schema": SCHEMA,
        "reference": report.reference,
        "tlp": report.sharing_level,
        "sections": sorted(sections),
    }
    for key, build in _BUILDERS:
        part = build(report, sections)
        if part:
            package[key] = part
    return package


def _check_level(partner: Partner, report: Report) -> None:
    if not partner.is_active:
        raise SharingRefused(f"{partner.name} is not an active partner.")
    if report.sharing_level == SharingLevel.RED:
        raise SharingRefused("A TLP:RED report is not shared outside the agency.")
    if tlp_rank(report.sharing_level) > tlp_rank(partner.max_level):
        raise SharingRefused(
            f"{report.reference} is {report.sharing_level}; {partner.name} may receive"
            f" {partner.max_level} at most."
        )


def _incident(report: Report, sections: set[str]) -> dict[str, Any]:
    if Section.INCIDENT not in sections:
        return {}
    return _non_empty(
        {
            "type": report.incident_type,
            "annotations": list(report.annotations or []),
            "time": report.incident_time.isoformat() if report.incident_time else None,
            "state": report.state.code if report.state_id and report.state else None,
            "country": report.country,
            "platform": report.platform,
        }
    )


def _narrative(report: Report, sections: set[str]) -> dict[str, Any]:
    if Section.NARRATIVE not in sections:
        return {}
    return _non_empty(
        {
            "description": report.description,
            "time_text": report.incident_time_text,
            "location_text": report.location_text,
            "latitude": report.latitude,
            "longitude": report.longitude,
            "lga": report.location_lga,
            "escalation_note": report.escalation_note,
        }
    )


def _priority(report: Report, sections: set[str]) -> dict[str, Any]:
    if Section.PRIORITY not in sections:
        return {}
    return _non_empty({"level": report.priority, "reasons": list(report.priority_reasons or [])})


def _allowed_person_keys(role: str, sections: set[str], report: Report) -> tuple[str, ...]:
    """The fields of a person in `role` that the profile lets through."""
    if role == PersonRole.VICTIM:
        if Section.VICTIM_DETAILS in sections:
            return FULL_PERSON
        pairs = [
            (Section.VICTIM_FIRST_NAME, "first_name"),
            (Section.VICTIM_AGE, "age"),
            (Section.VICTIM_NEEDS, "notes"),
        ]
        return tuple(key for section, key in pairs if section in sections)
    if role == PersonRole.REPORTED_PERSON:
        if Section.SUSPECTS in sections:
            return FULL_PERSON
        return IDENTIFIER_KEYS if Section.SUSPECT_IDENTIFIERS in sections else ()
    if role in (PersonRole.WITNESS, PersonRole.INTENDED_RECIPIENT):
        return FULL_PERSON if Section.WITNESSES in sections else ()
    # The reporter, and any role added later: only with the reporter's consent, and only then.
    return FULL_PERSON if role == PersonRole.REPORTER and reporter_consented(report) else ()


def _person(person: Person, keys: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "age": person.age,
        "date_of_birth": person.date_of_birth,
        **(person.details or {}),
    }
    return _non_empty({key: values.get(key) for key in keys})


def _people(report: Report, sections: set[str]) -> list[dict[str, Any]]:
    out = []
    for person in report.people.all():
        keys = _allowed_person_keys(person.role, sections, report)
        fields = _person(person, keys) if keys else {}
        if fields:
            out.append({"role": person.role, **fields})
    return out


def _internet_details(report: Report, sections: set[str]) -> list[dict[str, Any]]:
    if Section.INTERNET_DETAILS not in sections:
        return []
    return [{"kind": d.kind, **(d.data or {})} for d in report.internet_details.all()]


def _files(report: Report, sections: set[str]) -> list[dict[str, Any]]:
    if Section.FILE_HASHES not in sections:
        return []
    files = [_non_empty({k: getattr(f, k) for k in FILE_KEYS}) for f in report.files.all()]
    return [f for f in files if f]


def _non_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


_BUILDERS = (
    ("incident", _incident),
    ("narrative", _narrative),
    ("priority", _priority),
    ("people", _people),
    ("internet_details", _internet_details),
    ("files", _files),
)


def package_fields(package: dict[str, Any]) -> list[str]:
    """Every field path in a package (`people[victim].first_name`), for the audit of a share."""
    paths: set[str] = set()
    _walk(package, "", paths)
    return sorted(paths)


def _walk(value: Any, path: str, paths: set[str]) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _walk(child, f"{path}.{key}" if path else str(key), paths)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for item in value:
            label = item.get("role") or item.get("kind") or ""
            _walk(
                {k: v for k, v in item.items() if k not in ("role", "kind")},
                f"{path}[{label}]",
                paths,
            )
    else:
        paths.add(path)
