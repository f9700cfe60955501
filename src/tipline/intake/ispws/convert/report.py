"""Internet details, the incident, and the ``<report>`` as a whole: ``report_dict_to_draft``."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from tipline.intake.ispws.convert.fields import (
    ESCALATION,
    ISPWS_INTERNET_KINDS,
    ISPWS_REPORT_ANNOTATIONS,
    MAX_INTERNET_DETAILS,
    PLATFORM,
    REST_LABEL,
    TEXT,
    URL,
    _build,
    _Fields,
    _in_future,
)
from tipline.intake.ispws.convert.people import (
    _address,
    _bare_email,
    _ip_event,
    _people,
    _phone_number,
    _text_item,
)
from tipline.reports.choices import (
    NCMEC_INCIDENT_TYPES,
    Annotation,
    Channel,
    IncidentType,
    InternetDetailKind,
)
from tipline.reports.drafts import (
    FileDraft,
    IncidentDraft,
    InternetDetailDraft,
    ReportDraft,
)

_INCIDENT_TYPES: Final = {
    wording: IncidentType(value) for value, wording in NCMEC_INCIDENT_TYPES.items()
}


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
