"""What a partner receives: `exchange_package_for` is the one way report data leaves (and
`notice_outcome_package` the one way a travel notice's outcome goes back to its sender).

It refuses a report above the partner's TLP level (and TLP:RED always), and lets through only the
sections of the partner's redaction profile. Everything is built from an allow-list, field by
field, so a field added to the report later stays at home until a section names it. File content,
file names, the raw record and the receipt never leave.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError

from tipline.cases.choices import OUTCOME_ROLE
from tipline.cases.choices import PersonRole as CaseRole
from tipline.cases.models import Case, CaseInvolvement, CaseOutcome
from tipline.exchange.choices import TLP_ORDER, Section, tlp_rank
from tipline.exchange.models import Partner
from tipline.missing.models import AlertMessage
from tipline.reports.choices import PersonRole, SharingLevel
from tipline.reports.models import Person, Report
from tipline.travellers.choices import EventKind, Outcome
from tipline.travellers.models import Notice, NoticeEvent

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


def exchange_package_for(
    *,
    partner: Partner,
    report: Report | None = None,
    case: Case | None = None,
    alert: AlertMessage | None = None,
) -> dict[str, Any]:
    """The package `partner` may receive of a report, a case or a missing child's public alert
    (one of them), after its level and profile.

    Raises `SharingRefused` when the partner is inactive or the level is above the partner's
    (TLP:RED: always). A case's level is its most restricted report's (see `case_level`); an
    alert is TLP:CLEAR, published with the guardian's consent."""
    given = [subject for subject in (report, case, alert) if subject is not None]
    if len(given) != 1:
        raise TypeError("Give exactly one of report=, case= and alert=.")
    if report is not None:
        return _report_package(partner, report)
    if case is not None:
        return _case_package(partner, case)
    assert alert is not None  # noqa: S101  # one subject was given, and not the other two
    return _alert_package(partner, alert)


def _report_package(partner: Partner, report: Report) -> dict[str, Any]:
    _check_level(partner, report.sharing_level, report.reference)
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


def _check_level(partner: Partner, level: str, reference: str) -> None:
    if not partner.is_active:
        raise SharingRefused(f"{partner.name} is not an active partner.")
    if level == SharingLevel.RED:
        raise SharingRefused(f"{reference} is TLP:RED: it is not shared outside the agency.")
    if tlp_rank(level) > tlp_rank(partner.max_level):
        raise SharingRefused(
            f"{reference} is {level}; {partner.name} may receive {partner.max_level} at most."
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


# --------------------------------------------------------------------------- cases

CASE_FULL_PERSON = (
    "given_names",
    "family_name",
    "other_names",
    "sex",
    "date_of_birth",
    "age",
    "nationality",
    "identifiers",
)
# A case person's identifiers are phones, emails, usernames and documents: what
# `Section.SUSPECT_IDENTIFIERS` lets through of a suspect.
CASE_IDENTIFIER_KEYS = ("identifiers",)


def case_level(case: Case) -> str:
    """A case is as restricted as its most restricted report; TLP:AMBER (the reports' own
    default) when it gathers none yet."""
    levels = set(case.reports.values_list("sharing_level", flat=True))
    if not levels:
        return SharingLevel.AMBER
    return max(levels, key=tlp_rank) if levels <= set(TLP_ORDER) else SharingLevel.RED


def _case_package(partner: Partner, case: Case) -> dict[str, Any]:
    level = case_level(case)
    _check_level(partner, level, case.reference)
    sections = set(partner.sections) & set(Section.values)
    involvements = list(
        CaseInvolvement.objects.filter(case=case)
        .select_related("person", "victim_context")
        .order_by("pk")
    )
    package: dict[str, Any] = {
        "schema": SCHEMA,
        "case": case.reference,
        "tlp": level,
        "sections": sorted(sections),
    }
    parts = {
        "incident": _case_incident(case, sections),
        "narrative": _case_narrative(case, sections),
        "people": _case_people(involvements, sections),
        "outcomes": _case_outcomes(case, sections),
        "reports": _case_reports(partner, case),
    }
    package.update({key: part for key, part in parts.items() if part})
    return package


def _case_incident(case: Case, sections: set[str]) -> dict[str, Any]:
    if Section.INCIDENT not in sections:
        return {}
    return _non_empty(
        {
            "status": case.status,
            "opened_on": case.opened_at.date().isoformat(),
            "closed_on": case.closed_at.date().isoformat() if case.closed_at else None,
            "court_outcome": case.court_outcome,
        }
    )


def _case_narrative(case: Case, sections: set[str]) -> dict[str, Any]:
    if Section.NARRATIVE not in sections:
        return {}
    return _non_empty({"title": case.title, "summary": case.summary})


def _case_person_keys(role: str, sections: set[str]) -> tuple[str, ...]:
    """The fields of a case person in `role` that the profile lets through."""
    if role == CaseRole.VICTIM:
        if Section.VICTIM_DETAILS in sections:
            return (*CASE_FULL_PERSON, "needs")
        pairs = [
            (Section.VICTIM_FIRST_NAME, "given_names"),
            (Section.VICTIM_AGE, "age"),
            (Section.VICTIM_NEEDS, "needs"),
        ]
        return tuple(key for section, key in pairs if section in sections)
    if role == CaseRole.SUSPECT:
        if Section.SUSPECTS in sections:
            return CASE_FULL_PERSON
        return CASE_IDENTIFIER_KEYS if Section.SUSPECT_IDENTIFIERS in sections else ()
    if role in (CaseRole.WITNESS, CaseRole.GUARDIAN):
        return CASE_FULL_PERSON if Section.WITNESSES in sections else ()
    return ()  # a role added later stays at home until a section names it


def _case_person(involvement: CaseInvolvement, keys: tuple[str, ...]) -> dict[str, Any]:
    person = involvement.person
    context = getattr(involvement, "victim_context", None)
    needs = (
        _non_empty(
            {
                "vulnerabilities": list(context.vulnerabilities or []),
                "details": context.vulnerability_details,
            }
        )
        if context is not None
        else {}
    )
    values: dict[str, Any] = {
        "given_names": person.given_names,
        "family_name": person.family_name,
        "other_names": list(person.other_names or []),
        "sex": person.sex,
        "date_of_birth": person.date_of_birth,
        "age": person.age,
        "nationality": person.nationality,
        "identifiers": person.identifiers or {},
        "needs": needs,
    }
    return _non_empty({key: values.get(key) for key in keys})


def _case_people(involvements: list[CaseInvolvement], sections: set[str]) -> list[dict[str, Any]]:
    out = []
    for involvement in involvements:
        keys = _case_person_keys(involvement.role, sections)
        fields = _case_person(involvement, keys) if keys else {}
        if fields:
            out.append({"role": involvement.role, **fields})
    return out


def _case_outcomes(case: Case, sections: set[str]) -> list[dict[str, Any]]:
    """Outcomes of the people the partner may see: what and when; the offences, sentence and
    court only with the suspects in full. Their free-text details never leave."""
    out = []
    rows = CaseOutcome.objects.filter(case=case).order_by("occurred_on", "pk")
    for outcome in rows:
        role = OUTCOME_ROLE.get(outcome.kind, "")
        if not _case_person_keys(role, sections):
            continue
        item: dict[str, Any] = {"kind": outcome.kind, "on": outcome.occurred_on.isoformat()}
        if role == CaseRole.SUSPECT and Section.SUSPECTS in sections:
            item |= _non_empty(
                {
                    "offences": list(outcome.offences or []),
                    "sentence": outcome.sentence,
                    "court": outcome.court,
                }
            )
        out.append({"role": role, **item})
    return out


def _case_reports(partner: Partner, case: Case) -> list[dict[str, Any]]:
    """Each gathered report as the partner may receive it (the reporter never leaves)."""
    reports = case.reports.prefetch_related("people", "internet_details", "files")
    out = []
    for report in reports.select_related("state").order_by("received_at", "pk"):
        package = _report_package(partner, report)
        out.append({k: v for k, v in package.items() if k not in ("schema", "sections")})
    return out


# --------------------------------------------------------------------------- missing children

# What of an alert's public details each section lets go. The photo never does (content stays
# home), nor anything the guardian did not consent to publish (that is not in the alert at all).
ALERT_KEYS: dict[str, tuple[str, ...]] = {
    Section.VICTIM_FIRST_NAME: ("given_names",),
    Section.VICTIM_AGE: ("age", "sex"),
    Section.VICTIM_DETAILS: (
        "given_names",
        "family_name",
        "age",
        "sex",
        "height_cm",
        "description",
        "circumstance",
    ),
    Section.NARRATIVE: ("description", "circumstance", "place", "lga", "lat", "lon"),
    Section.INCIDENT: ("last_seen_at", "state_code"),
}


def _alert_package(partner: Partner, alert: AlertMessage) -> dict[str, Any]:
    _check_level(partner, SharingLevel.CLEAR, alert.identifier)
    sections = set(partner.sections) & set(Section.values)
    keys = {key for section in sections for key in ALERT_KEYS.get(section, ())}
    public = alert.public or {}
    package: dict[str, Any] = {
        "schema": SCHEMA,
        "alert": alert.identifier,
        "public_id": alert.public_id,
        "msg_type": alert.msg_type,
        "tlp": SharingLevel.CLEAR,
        "sections": sorted(sections),
    }
    child = _non_empty({key: public.get(key) for key in sorted(keys)})
    if child:
        package["child"] = child
    return package


# --------------------------------------------------------------------------- travel notices

# A travel notice is TLP:AMBER (the national desk and the destination command only).
NOTICE_LEVEL = SharingLevel.AMBER


def notice_outcome_package(
    *, partner: Partner, notice: Notice, event: NoticeEvent
) -> dict[str, Any]:
    """What the sending partner hears of its notice: the outcome of `event` (an outcome entry of
    the notice's timeline) with its date, the sender's own reference and ours, and when we
    received it. The subject's movements as our border saw them go with the incident section;
    the subject's names and birth date only with the suspects in full, the travel document with
    those or the suspects' identifiers (the sender sent them; they let it check the match). The
    offences, the victims, the addresses, contacts, notes and photo never leave.

    Raises `SharingRefused` when the partner is inactive or may not receive TLP:AMBER."""
    _check_level(partner, NOTICE_LEVEL, notice.reference)
    if event.notice_id != notice.pk or event.kind != EventKind.OUTCOME:
        raise TypeError("Give an outcome entry of this notice's timeline.")
    sections = set(partner.sections) & set(Section.values)
    kind = str((event.data or {}).get("outcome", ""))
    package: dict[str, Any] = {
        "schema": SCHEMA,
        "notice": notice.reference,
        "sender_reference": notice.sender_reference,
        "tlp": NOTICE_LEVEL,
        "sections": sorted(sections),
        "received_at": notice.received_at.isoformat(),
        "outcome": {
            "kind": kind,
            "label": Outcome(kind).label if kind in Outcome.values else kind,
            "recorded_at": event.at.isoformat(),
        },
    }
    parts = {
        "trip": _notice_trip(notice, sections),
        "subject": _notice_subject(notice, sections),
    }
    package.update({key: part for key, part in parts.items() if part})
    return package


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _notice_trip(notice: Notice, sections: set[str]) -> dict[str, Any]:
    if Section.INCIDENT not in sections:
        return {}
    return _non_empty(
        {
            "status": notice.status,
            "port_of_entry": notice.port_of_entry,
            "destination_state": notice.destination_state.code
            if notice.destination_state_id and notice.destination_state
            else None,
            "arrival_confirmed_at": _iso(notice.arrived_at),
            "departure_confirmed_at": _iso(notice.departed_at),
        }
    )


def _notice_subject(notice: Notice, sections: set[str]) -> dict[str, Any]:
    if notice.purged_at:  # nothing personal is left to send
        return {}
    subject: dict[str, Any] = {}
    if Section.SUSPECTS in sections:
        subject |= {
            "given_names": notice.given_names,
            "family_name": notice.family_name,
            "date_of_birth": notice.date_of_birth,
            "nationalities": list(notice.nationalities or []),
        }
    if sections & {Section.SUSPECTS, Section.SUSPECT_IDENTIFIERS}:
        subject["document"] = _non_empty(
            {
                "type": notice.document_type,
                "number": notice.document_number,
                "issuing_state": notice.document_state,
            }
        )
    return _non_empty(subject)
