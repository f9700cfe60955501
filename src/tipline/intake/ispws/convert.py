"""Turn a validated /ispws ``<report>`` and its ``<fileDetails>`` into a ``ReportDraft``.

The input is :mod:`.mapping`'s plain-data shape. Each element goes onto the draft's typed field
where it fits without loss. Whatever does not fit - an element the platform has no field for, an
attribute a typed field cannot carry, a value outside a field's range, a text longer than its
field - stays behind verbatim, under its XML name:

* a person's in ``PersonDraft.other`` (the person element's own leftovers under its name, e.g.
  ``other["victimPerson"]``);
* an internet detail's at the end of ``InternetDetailDraft.additional_info``, as JSON;
* the report's in ``ReportDraft.extra["ispws_other"]`` (``lawEnforcement``, ``batchedReport``...);
* a file's in ``FileDraft.details["ispws_file_details"]`` (the whole ``<fileDetails>``).

On top of that ``extra["ispws_report"]`` always holds the whole document, so an export re-emits
exactly what the client sent (see :mod:`.export`).

Nothing here raises on a schema-valid document: a value a draft field refuses is kept, never
forced. A dict that is not a report at all (no incident summary or type) raises ``ValueError``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from tipline.common.time import to_utc, utcnow
from tipline.reports.choices import (
    NCMEC_INCIDENT_TYPES,
    Annotation,
    Channel,
    FileClassification,
    IncidentType,
    InternetDetailKind,
    PersonRole,
)
from tipline.reports.drafts import (
    CLOCK_SKEW_SECONDS,
    Account,
    Address,
    DeviceId,
    EmailAddress,
    FileDraft,
    IncidentDraft,
    InternetDetailDraft,
    IpEvent,
    PersonDraft,
    Phone,
    ReportDraft,
)

__all__ = [
    "ISPWS_FILE_ANNOTATIONS",
    "ISPWS_INTERNET_KINDS",
    "ISPWS_REPORT_ANNOTATIONS",
    "file_details_dict_to_file_draft",
    "report_dict_to_draft",
]

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# The draft's limits (reports/drafts.py), mirrored so a value is checked before the model sees it.
SHORT: Final = 500
TEXT: Final = 20_000
URL: Final = 2083
PLATFORM: Final = 256
ESCALATION: Final = 3000
EMAIL_MAX: Final = 254
PHONE_MIN, PHONE_MAX = 3, 40
IP_MIN, IP_MAX = 2, 64
MAX_PEOPLE: Final = 200
MAX_INTERNET_DETAILS: Final = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
REST_LABEL: Final = "Further /ispws fields: "

# Element names of the wire format <-> the platform's vocabularies (shared with the export).
ISPWS_INTERNET_KINDS: Final[dict[str, InternetDetailKind]] = {
    "webPageIncident": InternetDetailKind.WEB_PAGE,
    "emailIncident": InternetDetailKind.EMAIL,
    "newsgroupIncident": InternetDetailKind.NEWSGROUP,
    "chatImIncident": InternetDetailKind.CHAT_IM,
    "onlineGamingIncident": InternetDetailKind.ONLINE_GAMING,
    "cellPhoneIncident": InternetDetailKind.CELL_PHONE,
    "nonInternetIncident": InternetDetailKind.NON_INTERNET,
    "peer2peerIncident": InternetDetailKind.PEER_TO_PEER,
}
ISPWS_REPORT_ANNOTATIONS: Final[dict[str, Annotation]] = {
    "sextortion": Annotation.SEXTORTION,
    "csamSolicitation": Annotation.CSAM_SOLICITATION,
    "minorToMinorInteraction": Annotation.MINOR_TO_MINOR,
    "spam": Annotation.SPAM,
    "sadisticOnlineExploitation": Annotation.SADISTIC_ONLINE_EXPLOITATION,
}
# fileAnnotations/* and the platform's names for them (snake case, like Annotation's values).
ISPWS_FILE_ANNOTATIONS: Final[dict[str, str]] = {
    "animeDrawingVirtualHentai": "anime_drawing_virtual_hentai",
    "potentialMeme": "potential_meme",
    "viral": "viral",
    "possibleSelfProduction": "possible_self_production",
    "physicalHarm": "physical_harm",
    "violenceGore": "violence_gore",
    "bestiality": "bestiality",
    "liveStreaming": "live_streaming",
    "infant": "infant",
    "generativeAi": "generative_ai",
}
_INCIDENT_TYPES: Final = {
    wording: IncidentType(value) for value, wording in NCMEC_INCIDENT_TYPES.items()
}


# --------------------------------------------------------------------------- lexical values


_XS_DATETIME = re.compile(
    r"^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$"
)
_XS_DATE = re.compile(r"^(-?\d{4,})-(\d\d)-(\d\d)(Z|[+-]\d\d:\d\d)?$")
_XS_INT = re.compile(r"^[+-]?[0-9]+$")


def _zone(text: str | None) -> timezone | None:
    if text is None:
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:6])))


def _xs_datetime(text: str) -> datetime | None:
    """An xs:dateTime as a datetime (naive when it has no zone), or None if Python cannot hold it.

    Years outside 1..9999 and instants that overflow when moved to UTC are refused: every later
    step (storage, identifiers) converts to UTC.
    """
    match = _XS_DATETIME.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        parts = (int(year), int(month), int(day), int(hour) % 24, int(minute), int(second))
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        # A value without a zone stays naive on purpose: the caller decides how to read it.
        moment = datetime(*parts, micro, tzinfo=_zone(zone))  # noqa: DTZ001
        moment += timedelta(days=int(hour) // 24)  # xs:dateTime's 24:00:00 ends the day
        to_utc(moment)
    except (ValueError, OverflowError):
        return None
    return moment


def _xs_date(text: str) -> tuple[date | None, bool]:
    """An xs:date, and whether it carried a time zone (which a ``date`` cannot keep)."""
    match = _XS_DATE.match(text.strip())
    if match is None:
        return None, False
    try:
        return date(int(match[1]), int(match[2]), int(match[3])), match[4] is not None
    except ValueError:
        return None, False


def _xs_boolean(text: str) -> bool | None:
    return {"true": True, "1": True, "false": False, "0": False}.get(text.strip())


def _in_future(moment: datetime) -> bool:
    # The same test IncidentDraft applies, so a late-arriving clock skew cannot make it raise.
    return (to_utc(moment)[0] - utcnow()).total_seconds() > CLOCK_SKEW_SECONDS


def _build(model: type[M], **values: Any) -> M | None:
    """``model`` from the values that are not None, or None if it still refuses them."""
    try:
        return model(**{k: v for k, v in values.items() if v is not None})
    except ValidationError:
        return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --------------------------------------------------------------------------- reading an element


class _Fields:
    """One element's dict, read field by field; :meth:`rest` is what was not read whole.

    A reader marks a key as used only when its value went onto a typed field without loss, so a
    value that was clipped, out of range or unparsable is still in ``rest()`` exactly as sent.
    """

    def __init__(self, raw: Any) -> None:
        self.raw: dict[str, Any] = raw if isinstance(raw, dict) else {}
        self._used: set[str] = set()
        self._kept: dict[str, Any] = {}

    def peek(self, key: str) -> Any:
        """The raw value of ``key``, which stays in ``rest()``."""
        return self.raw.get(key)

    def take(self, key: str) -> Any:
        """The raw value of ``key``, handed over whole: the caller keeps what it cannot map."""
        self._used.add(key)
        return self.raw.get(key)

    def release(self, *keys: str) -> None:
        """Put keys back into ``rest()`` whole: what was read from them could not be used."""
        self._used.difference_update(keys)
        for key in keys:
            self._kept.pop(key, None)

    def has_any(self, keys: Iterable[str]) -> bool:
        """Whether any of ``keys`` is present."""
        return any(key in self.raw for key in keys)

    def text(self, key: str, limit: int = SHORT, *, clip: bool = True) -> str | None:
        """Stripped text; a longer one is clipped (or refused with ``clip=False``) and kept."""
        value = self.raw.get(key)
        if not isinstance(value, str):
            return None
        cleaned = value.strip()
        if len(cleaned) <= limit:
            self._used.add(key)
        elif not clip:
            return None
        return cleaned[:limit] or None

    def joined(self, key: str, limit: int) -> str | None:
        """One text, or several (a repeated element) joined by blank lines."""
        value = self.raw.get(key)
        parts = _as_list(value)
        text = "\n\n".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
        if value is not None and len(text) <= limit and all(isinstance(p, str) for p in parts):
            self._used.add(key)
        return text[:limit] or None

    def flag(self, key: str) -> bool | None:
        """An xs:boolean."""
        value = self.raw.get(key)
        parsed = _xs_boolean(value) if isinstance(value, str) else None
        if parsed is not None:
            self._used.add(key)
        return parsed

    def number(self, key: str, low: int, high: int) -> int | None:
        """An integer within ``low..high``."""
        value = self.raw.get(key)
        if not isinstance(value, str) or not _XS_INT.match(value.strip()):
            return None
        parsed = int(value.strip())
        if not low <= parsed <= high:
            return None
        self._used.add(key)
        return parsed

    def real(self, key: str, low: float, high: float) -> float | None:
        """A finite xs:double within ``low..high``."""
        value = self.raw.get(key)
        try:
            parsed = float(value.strip()) if isinstance(value, str) else math.nan
        except ValueError:
            return None
        if not (math.isfinite(parsed) and low <= parsed <= high):
            return None
        self._used.add(key)
        return parsed

    def moment(self, key: str, *, naive_ok: bool = False) -> datetime | None:
        """An xs:dateTime. Without ``naive_ok`` a zoneless one is read as WAT and also kept."""
        value = self.raw.get(key)
        parsed = _xs_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            return None
        if parsed.tzinfo is None and not naive_ok:
            return to_utc(parsed)[0]  # that no zone was given is worth keeping: stays in rest()
        self._used.add(key)
        return parsed

    def day(self, key: str) -> date | None:
        """An xs:date (a zone, which a date cannot carry, leaves the value in ``rest()``)."""
        value = self.raw.get(key)
        parsed, zoned = _xs_date(value) if isinstance(value, str) else (None, False)
        if parsed is not None and not zoned:
            self._used.add(key)
        return parsed

    def items(
        self, key: str, convert: Callable[[Any], tuple[T | None, bool]], limit: int
    ) -> list[T]:
        """Convert each item of a (repeated) element; items not converted whole are kept."""
        value = self.raw.get(key)
        if value is None:
            return []
        self._used.add(key)
        found: list[T] = []
        kept: list[Any] = []
        for item in _as_list(value):
            model, whole = convert(item) if len(found) < limit else (None, False)
            if model is not None:
                found.append(model)
            if not whole:
                kept.append(item)
        if kept:
            self._kept[key] = kept if isinstance(value, list) else kept[0]
        return found

    def one(self, key: str, convert: Callable[[Any], tuple[T | None, bool]]) -> T | None:
        """Like :meth:`items` for an element that occurs at most once."""
        found = self.items(key, convert, 1)
        return found[0] if found else None

    def rest(self) -> dict[str, Any]:
        """Everything not read whole, in the document's names and shape."""
        left = {k: v for k, v in self.raw.items() if k not in self._used}
        return {**left, **self._kept}


# --------------------------------------------------------------------------- small items


def _text_item(limit: int) -> Callable[[Any], tuple[str | None, bool]]:
    """A converter for repeated text: a value longer than ``limit`` is kept, never clipped."""

    def convert(item: Any) -> tuple[str | None, bool]:
        if not isinstance(item, str):
            return None, False
        cleaned = item.strip()
        if len(cleaned) > limit:
            return None, False
        return cleaned or None, True

    return convert


def _email_text(fields: _Fields) -> str | None:
    address = fields.text("#text", EMAIL_MAX, clip=False)
    if address is None or not _EMAIL.match(address):
        fields.release("#text")
        return None
    return address


def _phone(item: Any) -> tuple[Phone | None, bool]:
    fields = _Fields(item)
    number = fields.text("#text", PHONE_MAX, clip=False)
    calling_code = fields.text("@countryCallingCode", clip=False)
    if number and calling_code and not number.startswith("+"):
        # With its calling code a number normalises to the right country, not the default one.
        number = f"{calling_code} {number}"
    if number is None or not PHONE_MIN <= len(number) <= PHONE_MAX:
        fields.release("#text", "@countryCallingCode")
        return None, False
    phone = _build(
        Phone, number=number, type=fields.text("@type"), verified=fields.flag("@verified")
    )
    return phone, phone is not None and not fields.rest()


def _email(item: Any) -> tuple[EmailAddress | None, bool]:
    fields = _Fields(item)
    address = _email_text(fields)
    if address is None:
        return None, False  # not an address the platform can index: kept in `other`
    email = _build(
        EmailAddress, address=address, type=fields.text("@type"), verified=fields.flag("@verified")
    )
    return email, email is not None and not fields.rest()


def _bare_email(item: Any) -> tuple[str | None, bool]:
    fields = _Fields(item)
    address = _email_text(fields)
    return address, address is not None and not fields.rest()


def _address(item: Any) -> tuple[Address | None, bool]:
    fields = _Fields(item)
    values = {
        "street": fields.text("address", clip=False),
        "city": fields.text("city", clip=False),
        "postal_code": fields.text("zipCode", clip=False),
        # One state field: a US state, else the non-US one (both given: the second is kept).
        "state": fields.text("state", clip=False) or fields.text("nonUsaState", clip=False),
        "country": fields.text("country", 2, clip=False),
        "type": fields.text("@type", clip=False),
    }
    if all(v is None for v in values.values()):
        return None, not fields.rest()
    address = _build(Address, **values)
    return address, address is not None and not fields.rest()


def _ip_event(item: Any) -> tuple[IpEvent | None, bool]:
    fields = _Fields(item)
    ip = fields.text("ipAddress", IP_MAX, clip=False)
    if ip is None or len(ip) < IP_MIN:
        return None, False
    event = _build(
        IpEvent,
        ip=ip,
        port=fields.number("port", 0, 65535),
        at=fields.moment("dateTime"),
        event=fields.text("eventName"),
        possible_proxy=fields.flag("possibleProxy"),
    )
    return event, event is not None and not fields.rest()


def _device(item: Any) -> tuple[DeviceId | None, bool]:
    fields = _Fields(item)
    device = _build(
        DeviceId,
        id_type=fields.text("idType", clip=False) or "",
        id_value=fields.text("idValue", clip=False) or "",
        event=fields.text("eventName"),
        at=fields.moment("dateTime"),
    )
    return device, device is not None and not fields.rest()


def _phone_number(item: Any) -> tuple[str | None, bool]:
    fields = _Fields(item)
    number = fields.text("#text", clip=False)
    return number, not fields.rest()


# --------------------------------------------------------------------------- people

_ACCOUNT_KEYS: Final = (
    "espService",
    "espIdentifier",
    "screenName",
    "displayName",
    "profileUrl",
    "profileBio",
    "compromisedAccount",
)


def _account(fields: _Fields, platform: str | None) -> Account | None:
    """The account described by an element's ESP fields; ``platform`` if it names no service."""
    if not fields.has_any(_ACCOUNT_KEYS):
        return None
    account = _build(
        Account,
        platform=fields.text("espService", clip=False) or platform,
        esp_identifier=fields.text("espIdentifier", clip=False),
        screen_name=fields.text("screenName", clip=False),
        display_names=fields.items("displayName", _text_item(SHORT), 50),
        profile_urls=fields.items("profileUrl", _text_item(URL), 50),
        profile_bio=fields.text("profileBio", TEXT),
        compromised=fields.flag("compromisedAccount"),
    )
    if account is None:
        fields.release(*_ACCOUNT_KEYS)
    return account


def _linked_account(item: Any, platform: str | None) -> Account | None:
    # An associated account is indexed for linking; the element itself is always kept whole in
    # `other`, since its names, contacts and flags belong to the account, not to the person.
    fields = _Fields(item)
    named = _Fields(fields.peek("platform")).text("#text", clip=False)
    return _account(fields, named or platform)


def _accounts(fields: _Fields, platform: str | None) -> list[Account]:
    own = _account(fields, platform)
    linked = [
        _linked_account(item, platform) for item in _as_list(fields.peek("associatedAccount"))
    ]
    return [a for a in [own, *linked] if a is not None][:50]


def _person(
    role: PersonRole, wrapper: _Fields, person_key: str, platform: str | None
) -> PersonDraft:
    """A person from ``wrapper`` (the element with ESP fields) and its ``person_key`` child."""
    inner = _Fields(wrapper.take(person_key))
    values = {
        "first_name": inner.text("firstName"),
        "last_name": inner.text("lastName"),
        "age": inner.number("age", 0, 130),
        "date_of_birth": inner.day("dateOfBirth"),
        "phones": inner.items("phone", _phone, 50),
        "emails": inner.items("email", _email, 50),
        "addresses": inner.items("address", _address, 20),
        "accounts": _accounts(wrapper, platform),
        "ip_events": wrapper.items("ipCaptureEvent", _ip_event, 500),
        "devices": wrapper.items("deviceId", _device, 100),
        "notes": wrapper.joined("additionalInfo", TEXT),
    }
    other = wrapper.rest()
    if inner.rest():
        other[person_key] = inner.rest()
    person = _build(PersonDraft, role=role, other=other, **values)
    return person or PersonDraft(role=role, other={person_key: inner.raw, **wrapper.raw})


def _reporters(raw: Any) -> list[PersonDraft]:
    """The reporting person (with the reporter's company fields) and the contact person."""
    if raw is None:
        return []
    reporter = _Fields(raw)
    contact = reporter.take("contactPerson")
    people = [_person(PersonRole.REPORTER, reporter, "reportingPerson", None)]
    if contact is not None:
        person = _person(
            PersonRole.REPORTER, _Fields({"contactPerson": contact}), "contactPerson", None
        )
        # Both are reporters on the platform; this says which one NCMEC would call.
        person.other = {"ispws_element": "contactPerson", **person.other}
        people.append(person)
    return people


_ROLES: Final = (
    ("personOrUserReported", "personOrUserReportedPerson", PersonRole.REPORTED_PERSON),
    ("intendedRecipient", "intendedRecipientPerson", PersonRole.INTENDED_RECIPIENT),
    ("victim", "victimPerson", PersonRole.VICTIM),
)


def _person_reader(
    role: PersonRole, person_key: str, platform: str | None
) -> Callable[[Any], tuple[PersonDraft | None, bool]]:
    def convert(item: Any) -> tuple[PersonDraft | None, bool]:
        return _person(role, _Fields(item), person_key, platform), True

    return convert


def _people(report: _Fields, platform: str | None) -> list[PersonDraft]:
    people = _reporters(report.take("reporter"))
    for key, person_key, role in _ROLES:
        # Beyond the draft's limit, people stay in extra["ispws_other"] under their element.
        reader = _person_reader(role, person_key, platform)
        people += report.items(key, reader, MAX_PEOPLE - len(people))
    return people


# --------------------------------------------------------------------------- internet details


def _with_rest(info: str | None, rest: Mapping[str, Any]) -> str | None:
    """The sender's own additional info, then what had no field, as JSON."""
    if not rest:
        return info
    kept = REST_LABEL + json.dumps(rest, ensure_ascii=False)
    return (f"{info}\n\n{kept}" if info else kept)[:TEXT]


def _content(fields: _Fields) -> dict[str, Any]:
    return {"content": fields.text("content", TEXT)}


_DETAIL_READERS: Final[dict[InternetDetailKind, Callable[[_Fields], dict[str, Any]]]] = {
    InternetDetailKind.WEB_PAGE: lambda f: {
        "urls": f.items("url", _text_item(URL), 500),
        "third_party_hosted": f.flag("@thirdPartyHostedContent"),
    },
    InternetDetailKind.EMAIL: lambda f: {
        "email_addresses": f.items("emailAddress", _bare_email, 100),
        **_content(f),
    },
    InternetDetailKind.NEWSGROUP: lambda f: {
        "name": f.text("name", clip=False),
        "email_addresses": f.items("emailAddress", _bare_email, 100),
        **_content(f),
    },
    InternetDetailKind.CHAT_IM: lambda f: {
        "chat_client": f.text("chatClient", clip=False),
        "chat_room": f.text("chatRoomName", clip=False),
        **_content(f),
    },
    InternetDetailKind.ONLINE_GAMING: lambda f: {
        "game_name": f.text("gameName", clip=False),
        "console": f.text("console", clip=False),
        **_content(f),
    },
    InternetDetailKind.CELL_PHONE: lambda f: {
        "phone_number": f.one("phoneNumber", _phone_number),
        "latitude": f.real("latitude", -90, 90),
        "longitude": f.real("longitude", -180, 180),
    },
    InternetDetailKind.NON_INTERNET: lambda f: {
        "location_name": f.text("locationName", clip=False),
        "addresses": f.items("incidentAddress", _address, 20),
    },
    InternetDetailKind.PEER_TO_PEER: lambda f: {
        "client": f.text("client", clip=False),
        "ip_events": f.items("ipCaptureEvent", _ip_event, 500),
        "file_names": f.text("fileNames", TEXT),
    },
}


def _internet_detail(item: Any) -> tuple[InternetDetailDraft | None, bool]:
    """One ``internetDetails`` (a choice of eight incident elements)."""
    if not isinstance(item, dict) or len(item) != 1:
        return None, False
    tag, body = next(iter(item.items()))
    kind = ISPWS_INTERNET_KINDS.get(tag)
    if kind is None:
        return None, False
    fields = _Fields(body)
    values = _DETAIL_READERS[kind](fields)
    info = fields.joined("additionalInfo", TEXT)
    detail = _build(
        InternetDetailDraft, kind=kind, additional_info=_with_rest(info, fields.rest()), **values
    )
    return detail or InternetDetailDraft(
        kind=kind, additional_info=_with_rest(None, fields.raw)
    ), True


# --------------------------------------------------------------------------- the report


def _incident_type(value: Any) -> IncidentType:
    found = _INCIDENT_TYPES.get(value.strip()) if isinstance(value, str) else None
    if found is None:
        raise ValueError(f"not a CyberTipline incident type: {value!r}")
    return found


def _annotations(raw: Any) -> list[Annotation]:
    flags = raw if isinstance(raw, dict) else {}
    # A flag is set by being present (<spam/>, true or 1); the schema refuses "false".
    return [
        annotation
        for name, annotation in ISPWS_REPORT_ANNOTATIONS.items()
        if isinstance(flags.get(name), str) and flags[name].strip() in ("", "true", "1")
    ]


def _incident(raw: Any, description: str | None) -> tuple[IncidentDraft, dict[str, Any]]:
    """The incident summary, and what of it had no field."""
    summary = _Fields(raw)
    incident_type = _incident_type(summary.take("incidentType"))
    occurred = summary.moment("incidentDateTime", naive_ok=True)
    if occurred is not None and _in_future(occurred):
        summary.release("incidentDateTime")
        occurred = None
    incident = _build(
        IncidentDraft,
        type=incident_type,
        annotations=_annotations(summary.take("reportAnnotations")),
        occurred_at=occurred,
        occurred_at_text=summary.text("incidentDateTimeDescription"),
        description=description,
        platform=summary.text("platform", PLATFORM),
        escalation_note=summary.text("escalateToHighPriority", ESCALATION),
    )
    if incident is None:
        return IncidentDraft(type=incident_type), summary.raw
    return incident, summary.rest()


def report_dict_to_draft(
    report_dict: dict[str, Any],
    files: list[FileDraft],
    *,
    raw_xml: str,
    received_at: datetime,
) -> ReportDraft:
    """The ``ReportDraft`` of an /ispws ``<report>`` (in :func:`.mapping.report_to_dict`'s shape).

    Incident type, time (its zone kept), annotations, escalation and platform go to the
    incident; the report's ``additionalInfo`` is the description. The reporting and contact
    persons become REPORTER people; ``personOrUserReported``, ``intendedRecipient`` and ``victim``
    become people of their role with contacts, accounts (the ESP fields, and each associated
    account), IP capture events and device ids. Each ``internetDetails`` becomes an internet
    detail of its kind. What has no field is kept as described in the module docstring;
    ``extra["ispws_report"]`` is always the whole ``report_dict``.

    Raises:
        ValueError: ``report_dict`` has no incident summary or no known incident type.
    """
    report = _Fields(report_dict)
    if not isinstance(report.peek("incidentSummary"), dict):
        raise ValueError("not an /ispws report: it has no incidentSummary")
    incident, summary_rest = _incident(
        report.take("incidentSummary"), report.text("additionalInfo", TEXT)
    )
    people = _people(report, incident.platform)
    details = report.items("internetDetails", _internet_detail, MAX_INTERNET_DETAILS)
    other = report.rest()
    if summary_rest:
        other["incidentSummary"] = summary_rest
    extra: dict[str, Any] = {"ispws_report": report_dict}
    if other:
        extra["ispws_other"] = other
    return ReportDraft(
        channel=Channel.ISPWS,
        incident=incident,
        people=people,
        internet_details=details,
        files=files,
        reporter_anonymous=False,  # an ESP reports under its own name
        received_at=received_at,
        raw_record=raw_xml,
        raw_content_type="application/xml",
        extra=extra,
    )


# --------------------------------------------------------------------------- files


def _measured(value: str | None, length: int) -> str | None:
    return value.lower() if value and len(value) == length and _HEX.match(value) else None


_HASH_LENGTHS: Final = {"MD5": 32, "SHA1": 40, "SHA256": 64}


def _claimed_hashes(raw: Any, measured: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """The hashes the ESP says the original file had, and whether ours agree."""
    claimed = []
    for item in _as_list(raw):
        fields = _Fields(item)
        kind = str(fields.peek("@hashType") or "").strip()
        value = str(fields.peek("#text") or "").strip()
        ours = measured.get(kind.upper().replace("-", ""))
        matches = None if ours is None else ours == value.lower()
        claimed.append({"type": kind, "value": value, "matches_upload": matches})
    return claimed


def _claimed_fallback(claimed: list[dict[str, Any]], kind: str) -> str | None:
    # Used only where the server measured nothing: the ESP's word is better than no hash.
    for item in claimed:
        value = _measured(item["value"], _HASH_LENGTHS[kind])
        if value and item["type"].upper().replace("-", "") == kind:
            return value
    return None


def _file_annotations(fields: _Fields) -> list[str]:
    flags = fields.peek("fileAnnotations")
    names = [name for name in ISPWS_FILE_ANNOTATIONS if isinstance(flags, dict) and name in flags]
    if fields.flag("potentialMeme"):  # the schema's alternative to the annotations element
        names.append("potentialMeme")
    return [ISPWS_FILE_ANNOTATIONS[name] for name in dict.fromkeys(names)]


def _file_kept(
    details: dict[str, Any] | None, claimed: list[dict[str, Any]], uploaded_name: str | None
) -> dict[str, Any]:
    """What ``FileDraft.details`` keeps: the ESP's whole document and its claims."""
    kept: dict[str, Any] = {}
    if details is not None:
        kept["ispws_file_details"] = details
    if claimed:
        kept["claimed_hashes"] = claimed
    if uploaded_name:
        kept["uploaded_name"] = uploaded_name
    return kept


def file_details_dict_to_file_draft(
    details: dict[str, Any] | None,
    *,
    file_id: str,
    original_name: str,
    size: int | None,
    md5: str,
    sha1: str,
    sha256: str,
    content_type: str | None,
    storage_key: str,
) -> FileDraft:
    """A ``FileDraft`` from what the upload measured and the optional ``<fileDetails>`` dict.

    The measured hashes, size and type win; the ESP's claimed ``originalFileHash`` values are kept
    in ``details["claimed_hashes"]`` with whether each matches. The ESP's original file name,
    "viewed by ESP", "publicly available", file annotations (snake case) and industry
    classification go to their fields; the whole dict is ``details["ispws_file_details"]``.
    """
    fields = _Fields(details)
    given = {"MD5": md5, "SHA1": sha1, "SHA256": sha256}
    measured = {kind: _measured(given[kind], length) for kind, length in _HASH_LENGTHS.items()}
    claimed = _claimed_hashes(fields.peek("originalFileHash"), measured)
    name = fields.text("originalFileName", clip=False) or original_name.strip()[:SHORT] or None
    kept = _file_kept(details, claimed, original_name if original_name != name else None)
    classification = fields.text("industryClassification")
    values = {
        "file_id": file_id,
        "original_name": name,
        "size": size if size is not None and size >= 0 else None,
        "content_type": (content_type or "").strip()[:SHORT] or None,
        "viewed_by_platform": fields.flag("fileViewedByEsp"),
        "publicly_available": fields.flag("publiclyAvailable"),
        "classification": classification if classification in FileClassification.values else None,
        "annotations": _file_annotations(fields)[:20],
        "details": kept,
        "storage_key": storage_key or None,
    }
    hashes = {
        key.lower(): measured[key] or _claimed_fallback(claimed, key) for key in _HASH_LENGTHS
    }
    draft = _build(FileDraft, **values, **hashes)
    # Our own measurements are always valid; only the ESP's part can be refused.
    return draft or FileDraft(
        file_id=file_id, storage_key=storage_key or None, details=kept, **hashes
    )
