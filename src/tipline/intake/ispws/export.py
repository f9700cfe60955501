"""Export a report as CyberTipline XML: one ``<report>`` and one ``<fileDetails>`` per file.

There are two paths:

* A report that came in over /ispws keeps its document in ``extra["ispws_report"]``, and each of its
  files keeps its ``<fileDetails>`` in ``details["ispws_file_details"]``. Those are re-emitted
  as sent, so parsing the export gives back the very dicts the client submitted.
* Any other report (web form, JSON API, SMS...) is built from the model's fields. The platform's
  incident types that the CyberTipline lacks go to the closest of its eight (see
  ``CLOSEST_NCMEC_TYPE``), and the platform's own type is named in ``additionalInfo``. So is
  whatever else has no element of its own: the Tipline reference, sharing level, location,
  witnesses, further annotations.

The ``reportingPerson`` is always the agency's export contact from settings
(``NCMEC_EXPORT_REPORTER_EMAIL``, ``NCMEC_EXPORT_REPORTER_FIRST_NAME``,
``NCMEC_EXPORT_REPORTER_LAST_NAME``) in a built report. The person who reported to the Tipline is
the ``contactPerson`` only when they gave contact details (``reporter_anonymous`` is false). For an
anonymous reporter, no identity of theirs is exported on either path.

``<report>`` has no id element. Each ``<fileDetails>`` links to its report by ``reportId`` and
``fileId``. These are the ids the sender knows: the /ispws report id and file id for an /ispws
report, otherwise the platform's report key and file id. A client that uploads the documents to
NCMEC replaces them with the ids NCMEC's ``/submit`` and ``/upload`` answer.

Every document is validated against the platform's XSD before it is returned.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any, Final

from django.conf import settings
from lxml import etree

from tipline.common.time import to_utc
from tipline.intake.ispws.convert import (
    ISPWS_FILE_ANNOTATIONS,
    ISPWS_INTERNET_KINDS,
    ISPWS_REPORT_ANNOTATIONS,
)
from tipline.intake.ispws.mapping import dict_to_file_details, dict_to_report, serialize_document
from tipline.intake.ispws.xml import schema_bytes, validate
from tipline.reports.choices import (
    NCMEC_INCIDENT_TYPES,
    Channel,
    IncidentType,
    Language,
    PersonRole,
)
from tipline.reports.models import InternetDetail, Person, Report, ReportFile

__all__ = ["CLOSEST_NCMEC_TYPE", "ncmec_type", "report_to_ncmec"]

_XS: Final = "{http://www.w3.org/2001/XMLSchema}"
PLATFORM_MAX: Final = 256
ESCALATION_MAX: Final = 3000
# Characters XML 1.0 cannot carry at all; a web form or SMS may still have sent them.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# The CyberTipline knows eight child-exploitation types. Each other platform type goes to the
# closest of them; additionalInfo always names the platform's own type.
CLOSEST_NCMEC_TYPE: Final[dict[str, str]] = {
    # NCMEC files sextortion, financial or not, under online enticement.
    IncidentType.FINANCIAL_SEXTORTION: IncidentType.ONLINE_ENTICEMENT,
    # Child Sex Trafficking is the CyberTipline's only trafficking category. NCMEC's trafficking
    # analysts also handle missing children, so every trafficking-type report and missing-child
    # sighting goes there, including those about adults and non-sexual exploitation.
    IncidentType.SEX_TRAFFICKING_ADULT: IncidentType.CHILD_SEX_TRAFFICKING,
    IncidentType.LABOUR_EXPLOITATION: IncidentType.CHILD_SEX_TRAFFICKING,
    IncidentType.DOMESTIC_SERVITUDE: IncidentType.CHILD_SEX_TRAFFICKING,
    IncidentType.FORCED_BEGGING: IncidentType.CHILD_SEX_TRAFFICKING,
    IncidentType.BABY_SELLING: IncidentType.CHILD_SEX_TRAFFICKING,
    IncidentType.ORGAN_HARVESTING: IncidentType.CHILD_SEX_TRAFFICKING,
    IncidentType.FORCED_MARRIAGE: IncidentType.CHILD_SEX_TRAFFICKING,
    IncidentType.FORCED_CRIMINALITY: IncidentType.CHILD_SEX_TRAFFICKING,
    IncidentType.DECEPTIVE_RECRUITMENT: IncidentType.CHILD_SEX_TRAFFICKING,
    IncidentType.MISSING_CHILD_SIGHTING: IncidentType.CHILD_SEX_TRAFFICKING,
}
_FALLBACK_TYPE: Final = IncidentType.CHILD_SEX_TRAFFICKING  # for a type added later

_PERSON_ELEMENTS: Final[dict[str, tuple[str, str]]] = {
    PersonRole.REPORTED_PERSON: ("personOrUserReported", "personOrUserReportedPerson"),
    PersonRole.INTENDED_RECIPIENT: ("intendedRecipient", "intendedRecipientPerson"),
    PersonRole.VICTIM: ("victim", "victimPerson"),
}
_KIND_ELEMENTS: Final[dict[str, str]] = {
    kind: element for element, kind in ISPWS_INTERNET_KINDS.items()
}
# Each kind's draft keys and the element each one goes to, in the schema's order.
_DETAIL_FIELDS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "webPageIncident": (("third_party_hosted", "@thirdPartyHostedContent"), ("urls", "url")),
    "emailIncident": (("email_addresses", "emailAddress"), ("content", "content")),
    "newsgroupIncident": (
        ("name", "name"),
        ("email_addresses", "emailAddress"),
        ("content", "content"),
    ),
    "chatImIncident": (
        ("chat_client", "chatClient"),
        ("chat_room", "chatRoomName"),
        ("content", "content"),
    ),
    "onlineGamingIncident": (
        ("game_name", "gameName"),
        ("console", "console"),
        ("content", "content"),
    ),
    "cellPhoneIncident": (
        ("phone_number", "phoneNumber"),
        ("latitude", "latitude"),
        ("longitude", "longitude"),
    ),
    "nonInternetIncident": (("location_name", "locationName"), ("addresses", "incidentAddress")),
    "peer2peerIncident": (
        ("client", "client"),
        ("ip_events", "ipCaptureEvent"),
        ("file_names", "fileNames"),
    ),
}
_ANNOTATION_ELEMENTS: Final = {str(a): name for name, a in ISPWS_REPORT_ANNOTATIONS.items()}
_FILE_ANNOTATION_ELEMENTS: Final = {snake: camel for camel, snake in ISPWS_FILE_ANNOTATIONS.items()}


# --------------------------------------------------------------------------- entry point


def report_to_ncmec(report: Report) -> tuple[bytes, list[bytes]]:
    """The report as a ``<report>`` document and one ``<fileDetails>`` per file, in position order.

    Raises:
        ValidationFailed: an export would not be valid against the XSD (a bug, never data).
    """
    data = _stored_report(report) or _built_report(report)
    files = [_file_details(report, file) for file in report.files.order_by("position")]
    return _document(dict_to_report(data)), [_document(dict_to_file_details(f)) for f in files]


def _document(root: etree._Element) -> bytes:
    validate(root)
    return serialize_document(root)


def _stored_report(report: Report) -> dict[str, Any] | None:
    stored = (report.extra or {}).get("ispws_report")
    if not isinstance(stored, dict):
        return None
    if report.reporter_anonymous:
        return {**stored, "reporter": _agency_reporter()}
    return stored


# --------------------------------------------------------------------------- small values


def _opt(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _join(*parts: str | None, sep: str = "\n\n") -> str | None:
    return sep.join(p for p in parts if p) or None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _clean(value: Any) -> Any:
    """Drop absent values (None, empty lists) and make every text XML-safe."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_clean(v) for v in value if v is not None]
    if isinstance(value, str):
        return _NOT_XML.sub("\ufffd", value)
    return value


def _xs_instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _xs_from_iso(text: Any) -> str | None:
    try:
        parsed = datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None
    return _xs_instant(to_utc(parsed)[0]) if parsed else None


@cache
def _enumeration(type_name: str) -> frozenset[str]:
    """The values the XSD allows for simple type ``type_name``."""
    xsd = etree.fromstring(schema_bytes(), etree.XMLParser(resolve_entities=False))
    found = xsd.find(f"{_XS}simpleType[@name='{type_name}']")
    values = () if found is None else found.iter(f"{_XS}enumeration")
    return frozenset(e.get("value", "") for e in values) - {""}


def _enumerated(type_name: str, value: Any) -> str | None:
    """``value`` spelt as the XSD's enumeration spells it, or None if it is not one of them."""
    wanted = str(value or "").strip().casefold()
    return next((v for v in _enumeration(type_name) if v.casefold() == wanted), None)


# --------------------------------------------------------------------------- contacts


def _phone(phone: dict[str, Any]) -> dict[str, Any]:
    return {
        "#text": str(phone.get("number", "")),
        "@type": _enumerated("phoneType", phone.get("type")),
        "@verified": phone.get("verified"),
    }


def _email(email: dict[str, Any]) -> dict[str, Any]:
    return {
        "#text": str(email.get("address", "")),
        "@type": _enumerated("emailType", email.get("type")),
        "@verified": email.get("verified"),
    }


def _address(address: dict[str, Any]) -> dict[str, Any]:
    country = _enumerated("country", address.get("country"))
    state = _opt(address.get("state"))
    us_state = _enumerated("state", state) if country == "US" else None
    return {
        "@type": _enumerated("addressType", address.get("type")),
        "address": _opt(address.get("street")),
        "city": _opt(address.get("city")),
        "zipCode": _opt(address.get("postal_code")),
        "state": us_state,
        "nonUsaState": None if us_state else state,
        "country": country,
    }


def _ip_event(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "ipAddress": str(event.get("ip", "")),
        "eventName": _event_name(event.get("event")),
        "dateTime": _xs_from_iso(event.get("at")),
        "possibleProxy": event.get("possible_proxy"),
        "port": event.get("port"),
    }


def _device(device: dict[str, Any]) -> dict[str, Any]:
    return {
        "idType": str(device.get("id_type", "")),
        "idValue": str(device.get("id_value", "")),
        "eventName": _event_name(device.get("event")),
        "dateTime": _xs_from_iso(device.get("at")),
    }


def _event_name(value: Any) -> str | None:
    if not _opt(value):
        return None
    return _enumerated("ipCaptureType", value) or "Other"  # the wire format's own catch-all


def _account_fields(account: dict[str, Any]) -> dict[str, Any]:
    return {
        "espIdentifier": _opt(account.get("esp_identifier")),
        "espService": _opt(account.get("platform")),
        "compromisedAccount": account.get("compromised"),
        "screenName": _opt(account.get("screen_name")),
        "displayName": list(account.get("display_names") or []),
        "profileUrl": list(account.get("profile_urls") or []),
        "profileBio": _opt(account.get("profile_bio")),
    }


# --------------------------------------------------------------------------- people


def _person_element(person: Person, *, contact: bool = False) -> dict[str, Any]:
    """The ``person`` (or, with ``contact``, ``contactPerson``) content of a platform person."""
    details = person.details or {}
    element: dict[str, Any] = {
        "firstName": _opt(person.first_name),
        "lastName": _opt(person.last_name),
        "phone": [_phone(p) for p in details.get("phones") or []],
        "email": [_email(e) for e in details.get("emails") or []],
        "address": [_address(a) for a in details.get("addresses") or []],
    }
    if not contact:
        element["age"] = person.age
        element["dateOfBirth"] = _opt(person.date_of_birth)
    return element


def _notes(details: dict[str, Any], accounts: list[dict[str, Any]]) -> str | None:
    other = details.get("other") or {}
    return _join(
        _opt(details.get("notes")),
        f"Further details: {_json(other)}" if other else None,
        f"Further accounts: {_json(accounts)}" if accounts else None,
    )


def _person_wrapper(person: Person) -> dict[str, Any]:
    """A reported person, intended recipient or victim element."""
    details = person.details or {}
    accounts = list(details.get("accounts") or [])
    first = accounts.pop(0) if accounts else {}
    element = {
        _PERSON_ELEMENTS[person.role][1]: _person_element(person),
        **_account_fields(first),
        "ipCaptureEvent": [_ip_event(e) for e in details.get("ip_events") or []],
        "deviceId": [_device(d) for d in details.get("devices") or []],
    }
    if person.role == PersonRole.INTENDED_RECIPIENT:  # it has no associatedAccount element
        notes = _notes(details, accounts)
        element["additionalInfo"] = [notes] if notes else []
        return element
    element["associatedAccount"] = [{"@type": "Other", **_account_fields(a)} for a in accounts]
    element["additionalInfo"] = _notes(details, [])
    return element


def _person_line(person: Person) -> str:
    """A person the wire format has no element for (a witness, a second reporter), as text."""
    facts = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "age": person.age,
        "date_of_birth": person.date_of_birth,
        **(person.details or {}),
    }
    kept = {k: v for k, v in facts.items() if v not in (None, "", [], {})}
    return f"{person.get_role_display()}: {_json(kept)}"


def _agency_reporter() -> dict[str, Any]:
    """The agency's export contact: NCMEC requires a reporting person with an email."""
    return {
        "reportingPerson": {
            "firstName": getattr(settings, "NCMEC_EXPORT_REPORTER_FIRST_NAME", "Tipline"),
            "lastName": getattr(settings, "NCMEC_EXPORT_REPORTER_LAST_NAME", "Reports Desk"),
            "email": [
                {
                    "#text": getattr(
                        settings, "NCMEC_EXPORT_REPORTER_EMAIL", "reports@tipline.invalid"
                    )
                }
            ],
        }
    }


def _reporter(contact: Person | None) -> dict[str, Any]:
    reporter = _agency_reporter()
    if contact is not None:
        reporter["contactPerson"] = _person_element(contact, contact=True)
    return reporter


# --------------------------------------------------------------------------- internet details


def _detail_value(element: str, value: Any) -> Any:
    if element == "emailAddress":
        return [{"#text": str(e)} for e in value]
    if element == "phoneNumber":
        return {"#text": str(value)}
    if element == "incidentAddress":
        return [_address(a) for a in value]
    if element == "ipCaptureEvent":
        return [_ip_event(e) for e in value]
    return value


def _internet_details(detail: InternetDetail) -> dict[str, Any]:
    element = _KIND_ELEMENTS[detail.kind]
    data = dict(detail.data or {})
    body = {
        xml: _detail_value(xml, data.pop(key))
        for key, xml in _DETAIL_FIELDS[element]
        if data.get(key) is not None
    }
    info = _opt(data.pop("additional_info", None))
    # Fields the wire format has only for other kinds (content of a web page...): kept as text.
    leftover = {k: v for k, v in data.items() if v not in (None, "", [])}
    body["additionalInfo"] = _join(
        info, f"Further details: {_json(leftover)}" if leftover else None
    )
    return {element: body}


# --------------------------------------------------------------------------- the report


def ncmec_type(incident_type: str) -> str:
    """The CyberTipline incident type (a platform value) closest to ``incident_type``."""
    if incident_type in NCMEC_INCIDENT_TYPES:
        return incident_type
    return CLOSEST_NCMEC_TYPE.get(incident_type, _FALLBACK_TYPE)


def _report_annotations(report: Report) -> dict[str, str]:
    names = {_ANNOTATION_ELEMENTS[a] for a in report.annotations if a in _ANNOTATION_ELEMENTS}
    if report.incident_type == IncidentType.FINANCIAL_SEXTORTION:
        names.add("sextortion")
    return {name: "true" for name in sorted(names)}


def _incident_time(report: Report) -> tuple[str, str | None]:
    """incidentDateTime (required) and its description."""
    text = _opt(report.incident_time_text)
    if report.incident_time is None:
        note = "No incident time was given; incidentDateTime is when the report was received."
        return _xs_instant(report.received_at), _join(text, note, sep=" ")
    if not report.incident_time_zone_given:
        text = _join(
            text, "No time zone was given; the time was read as West Africa Time.", sep=" "
        )
    return _xs_instant(report.incident_time), text


def _incident_summary(report: Report) -> dict[str, Any]:
    when, when_text = _incident_time(report)
    return {
        "incidentType": NCMEC_INCIDENT_TYPES[ncmec_type(report.incident_type)],
        "platform": _opt(report.platform[:PLATFORM_MAX]),
        "escalateToHighPriority": _opt(report.escalation_note[:ESCALATION_MAX]),
        "reportAnnotations": _report_annotations(report) or None,
        "incidentDateTime": when,
        "incidentDateTimeDescription": when_text,
    }


def _location_line(report: Report) -> str | None:
    parts = [_opt(report.location_text)]
    if report.latitude is not None and report.longitude is not None:
        parts.append(f"coordinates {report.latitude}, {report.longitude}")
    if report.state is not None or report.country:
        located = ", ".join(
            filter(None, [report.state.name if report.state else "", report.country])
        )
        parts.append(f"located in {located} (by {report.location_source or 'unknown'})")
    found = [p for p in parts if p]
    return f"Location: {'; '.join(found)}." if found else None


def _facts(report: Report) -> Iterable[str | None]:
    label = IncidentType(report.incident_type).label
    received = _xs_instant(report.received_at)
    yield f"Tipline reference: {report.reference}, received {received} via {report.channel}."
    if report.incident_type not in NCMEC_INCIDENT_TYPES:
        closest = NCMEC_INCIDENT_TYPES[ncmec_type(report.incident_type)]
        yield (
            f"Tipline incident type: {label} ({report.incident_type}); exported as "
            f"'{closest}', the closest CyberTipline type."
        )
    further = [a for a in report.annotations if a not in _ANNOTATION_ELEMENTS]
    yield f"Further annotations: {', '.join(further)}." if further else None
    yield _location_line(report)
    if report.language != Language.EN:
        yield f"Report language: {Language(report.language).label}."
    yield f"Sharing level: {report.sharing_level}."
    if report.reporter_anonymous:
        yield "The reporter is anonymous; the Tipline does not share their identity."


def _report_info(report: Report, unplaced: list[Person]) -> str | None:
    facts = [f for f in _facts(report) if f]
    facts += [_person_line(p) for p in unplaced]
    return _join(_opt(report.description), "\n".join(facts))


def _built_report(report: Report) -> dict[str, Any]:
    """The ``<report>`` dict of a report that did not come in over /ispws."""
    people = list(report.people.order_by("position"))
    # An anonymous reporter's identity is never exported, whatever the report holds.
    reporters = (
        [] if report.reporter_anonymous else [p for p in people if p.role == PersonRole.REPORTER]
    )
    unplaced = reporters[1:] + [p for p in people if p.role == PersonRole.WITNESS]
    data = {
        "incidentSummary": _incident_summary(report),
        "internetDetails": [
            _internet_details(d) for d in report.internet_details.order_by("position")
        ],
        "reporter": _reporter(reporters[0] if reporters else None),
        "additionalInfo": _report_info(report, unplaced),
    }
    for role, (element, _) in _PERSON_ELEMENTS.items():
        data[element] = [_person_wrapper(p) for p in people if p.role == role]
    cleaned: dict[str, Any] = _clean(data)
    return cleaned


# --------------------------------------------------------------------------- files


def _report_id(report: Report) -> int:
    """The id the sender knows the report by (see the module docstring)."""
    if report.channel == Channel.ISPWS and re.fullmatch(r"[0-9]{1,18}", report.external_id):
        return int(report.external_id)
    return report.pk


def _file_info(file: ReportFile) -> list[str]:
    further = [a for a in file.annotations if a not in _FILE_ANNOTATION_ELEMENTS]
    facts = [
        f"Further annotations: {', '.join(further)}." if further else None,
        f"Detected type: {file.sniffed_type}." if file.sniffed_type else None,
        f"Size: {file.size} bytes." if file.size is not None else None,
        "Hash only: the Tipline holds no content for this file." if file.is_hash_only else None,
    ]
    info = _join(*facts, sep="\n")
    return [info] if info else []


def _file_metadata(file: ReportFile) -> list[dict[str, Any]]:
    details = []
    if file.pdq:
        pairs = [{"name": "PDQ", "value": file.pdq}]
        if file.pdq_quality is not None:
            pairs.append({"name": "PDQ quality", "value": str(file.pdq_quality)})
        details.append({"@type": "HASH", "nameValuePair": pairs})
    exif = (file.details or {}).get("exif")
    if isinstance(exif, dict) and exif:
        pairs = [{"name": str(k), "value": str(v)} for k, v in exif.items()]
        details.append({"@type": "EXIF", "nameValuePair": pairs})
    return details


def _file_details(report: Report, file: ReportFile) -> dict[str, Any]:
    stored = (file.details or {}).get("ispws_file_details")
    if isinstance(stored, dict):
        return stored
    annotations = [
        _FILE_ANNOTATION_ELEMENTS[a] for a in file.annotations if a in _FILE_ANNOTATION_ELEMENTS
    ]
    hashes = (("MD5", file.md5), ("SHA1", file.sha1), ("SHA256", file.sha256))
    cleaned: dict[str, Any] = _clean(
        {
            "reportId": str(_report_id(report)),
            "fileId": file.file_id,
            "originalFileName": _opt(file.original_name),
            "fileViewedByEsp": file.viewed_by_platform,
            "publiclyAvailable": file.publicly_available,
            "fileAnnotations": {name: "true" for name in annotations} or None,
            "industryClassification": file.classification or None,
            "originalFileHash": [{"@hashType": t, "#text": v} for t, v in hashes if v],
            "details": _file_metadata(file),
            "additionalInfo": _file_info(file),
        }
    )
    return cleaned
