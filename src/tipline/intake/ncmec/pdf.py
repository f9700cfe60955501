"""The printable CyberTipline report PDF of one NCMEC referral, read by its printed section and
field labels into the same `Referral` the package XML gives (no Django models, no database).

Used when a package carries the report PDF and no `<ncmecReferral>` XML. The layout read is the
one investigators describe (docs/ncmec-referrals.md): a first page with the report number, the
date NCMEC received it and its priority level, then Section A (Reported Information: the ESP, the
incident, the suspect, the victim, one block per uploaded file), Section B (NCMEC's automated
look-ups), Section C (the analyst's notes and related reports) and Section D (law enforcement
contact). Section A's fields are written into the reporting API's `<report>` and validated by the
same schema as /ispws, so the rest of the import cannot tell the two apart. Any line not
understood is kept in `other["unrecognised"]`, and the whole text is the raw record.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from tipline.intake.ispws.mapping import (
    dict_to_file_details,
    dict_to_report,
    file_details_to_dict,
    report_to_dict,
    serialize_document,
)
from tipline.intake.ispws.xml import IspwsXMLError, parse_and_validate
from tipline.intake.ncmec.sources import PackageRefused
from tipline.intake.ncmec.wire import PackageFile, Referral

MAX_PDF_BYTES: Final = 50 * 1024 * 1024
MAX_PAGES: Final = 500
_TITLE: Final = re.compile(r"^CyberTipline Report\s*#?\s*([0-9]{1,20})\s*$", re.IGNORECASE)
_RECEIVED: Final = re.compile(r"^Received by NCMEC on\s+(.+)$", re.IGNORECASE)
_SECTION: Final = re.compile(r"^Section ([A-D])\s*[:.-]", re.IGNORECASE)
_LABEL: Final = re.compile(r"^([A-Za-z][A-Za-z /()&'-]{0,60}?)\s*[:?]\s*(.*)$")
_US_TIME: Final = re.compile(r"^(\d{2})-(\d{2})-(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s*UTC$")
_IP_EVENT: Final = re.compile(
    r"^(?P<ip>[0-9A-Fa-f:.]+)(?:\s*\((?P<event>[^)]*)\))?(?:\s+(?P<when>\d{2}-\d{2}-\d{4}"
    r"\s+\d{2}:\d{2}:\d{2}\s*UTC|\S+T\S+))?(?:\s+Port\s*:?\s*(?P<port>\d{1,5}))?$"
)
# The sub-headings of Section A, as printed, and the part of the report each fills.
_SUBHEADINGS: Final = {
    "reporting electronic service provider (esp)": "esp",
    "incident information": "incident",
    "suspect": "suspect",
    "victim": "victim",
    "uploaded file information": "file",
    "additional information": "additional",
}
_YES: Final = {"yes": "true", "no": "false"}


def looks_like_pdf(head: bytes) -> bool:
    """Whether a member's first bytes are a PDF's (its `%PDF-` header)."""
    return head[:1024].lstrip().startswith(b"%PDF-")


def pdf_text(body: bytes) -> str:
    """The PDF's text, page by page; `PackageRefused` for what is not a readable, open PDF."""
    if not looks_like_pdf(body):
        raise PackageRefused("It is not a PDF (no %PDF- header).")
    try:
        with pdfplumber.open(io.BytesIO(body)) as document:
            if getattr(document.doc, "encryption", None):
                raise PackageRefused("The PDF is encrypted; send it without a password.")
            if len(document.pages) > MAX_PAGES:
                raise PackageRefused(f"The PDF has more than {MAX_PAGES} pages.")
            return "\n".join(page.extract_text() or "" for page in document.pages)
    except PackageRefused:
        raise
    except PdfminerException as exc:  # pdfplumber wraps what pdfminer raised on opening
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise PackageRefused("The PDF is encrypted; send it without a password.") from None
        raise PackageRefused(f"The PDF cannot be read ({type(cause).__name__}).") from None
    except (PDFSyntaxError, ValueError, TypeError, KeyError, OSError) as exc:
        raise PackageRefused(f"The PDF cannot be read ({type(exc).__name__}).") from None


@dataclass
class _Reader:
    """The state of one pass over the lines: where we are and what has been filled."""

    number: str = ""
    priority: str = ""
    received: datetime | None = None
    section: str = ""
    part: str = ""
    summary: dict[str, str] = field(default_factory=dict)
    esp: dict[str, Any] = field(default_factory=dict)
    incident: dict[str, Any] = field(default_factory=dict)
    suspect: dict[str, Any] = field(default_factory=dict)
    victim: dict[str, Any] = field(default_factory=dict)
    files: list[dict[str, str]] = field(default_factory=list)
    additional: list[str] = field(default_factory=list)
    geolocation: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    contact: dict[str, str] = field(default_factory=dict)
    unrecognised: list[str] = field(default_factory=list)
    last: Callable[[str], None] | None = None  # where a continuation line goes


def parse_referral_pdf(body: bytes) -> tuple[Referral, str]:
    """One report PDF as a `Referral`, and its text (the raw record); `PackageRefused` says what
    is wrong with it (not a PDF, encrypted, no report number, Section A the schema refuses)."""
    text = pdf_text(body)
    reader = _Reader()
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if line:
            _line(reader, line)
    if not reader.number:
        raise PackageRefused(
            "No CyberTipline report number found (a first line 'CyberTipline Report <digits>')."
        )
    other: dict[str, Any] = {}
    if reader.summary:
        other["executiveSummary"] = reader.summary
    if reader.contact:
        other["lawEnforcementContact"] = reader.contact
    if reader.unrecognised:
        other["unrecognised"] = reader.unrecognised
    analyst: dict[str, Any] = {}
    if reader.notes:
        analyst["note"] = reader.notes
    if reader.related:
        analyst["relatedReport"] = reader.related
    referral = Referral(
        raw_content_type="text/plain",
        number=reader.number,
        priority=reader.priority[:10],
        received_by_ncmec=reader.received,
        report=_section_a(reader),
        files=[_file(reader.number, n, f) for n, f in enumerate(reader.files, start=1)],
        geolocation=reader.geolocation,
        analyst=analyst,
        other=other,
    )
    return referral, text


def _line(reader: _Reader, line: str) -> None:
    section = _SECTION.match(line)
    if section:
        reader.section, reader.part, reader.last = section.group(1).upper(), "", None
        return
    title, received = _TITLE.match(line), _RECEIVED.match(line)
    if title and not reader.number:
        reader.number = title.group(1)
        return
    if received and not reader.section:
        reader.received = _moment(received.group(1))
        return
    if reader.section == "A" and line.lower() in _SUBHEADINGS:
        reader.part, reader.last = _SUBHEADINGS[line.lower()], None
        if reader.part == "file":
            reader.files.append({})
        return
    labelled = _LABEL.match(line)
    handler = _HANDLERS.get(reader.section or "first")
    if handler and handler(reader, labelled.group(1).strip().lower() if labelled else "", line):
        return
    if reader.last is not None and not labelled:
        reader.last(line)  # a field's value that runs on to the next line
        return
    where = f"Section {reader.section}" if reader.section else "first page"
    reader.unrecognised.append(f"{where}: {line}")


def _value(line: str) -> str:
    labelled = _LABEL.match(line)
    return labelled.group(2).strip() if labelled else ""


def _first(reader: _Reader, label: str, line: str) -> bool:
    if line.lower() == "executive summary":
        return True
    if label in ("priority", "priority level"):
        reader.priority = _value(line).upper()
        return True
    if label and reader.number:
        reader.summary[label] = _value(line)
        return True
    return False


def _moment(text: str) -> datetime | None:
    """A printed time, `MM-DD-YYYY HH:MM:SS UTC` as NCMEC prints it, or ISO 8601 with a zone."""
    us = _US_TIME.match(text.strip())
    if us:
        month, day, year, hour, minute, second = (int(g) for g in us.groups())
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _iso(text: str) -> str:
    moment = _moment(text)
    return moment.isoformat().replace("+00:00", "Z") if moment else text


def _section_a_line(reader: _Reader, label: str, line: str) -> bool:
    value = _value(line)
    if reader.part == "additional":  # free text, colons and all
        reader.additional.append(line)
        reader.last = reader.additional.append
        return True
    target = _A_FIELDS.get((reader.part, label))
    if target is None or not label:
        return False
    target(reader, value)
    return True


def _set(part: str, key: str) -> Callable[[_Reader, str], None]:
    def put(reader: _Reader, value: str) -> None:
        held: dict[str, Any] = getattr(reader, part)
        held[key] = value

        def more(line: str) -> None:
            held[key] = f"{held[key]} {line}"

        reader.last = more

    return put


def _add(part: str, key: str) -> Callable[[_Reader, str], None]:
    def put(reader: _Reader, value: str) -> None:
        held: dict[str, Any] = getattr(reader, part)
        held.setdefault(key, []).append(value)
        reader.last = None

    return put


def _ip(reader: _Reader, value: str) -> None:
    match = _IP_EVENT.match(value)
    if not match:
        reader.unrecognised.append(f"Section A: IP Address: {value}")
        return
    event = {"ipAddress": match.group("ip")}
    if match.group("event"):
        event["eventName"] = match.group("event")
    if match.group("when"):
        event["dateTime"] = _iso(match.group("when"))
    if match.group("port"):
        event["port"] = match.group("port")
    reader.suspect.setdefault("ip", []).append(event)


def _file_field(key: str, yes_no: bool = False) -> Callable[[_Reader, str], None]:
    def put(reader: _Reader, value: str) -> None:
        if not reader.files:
            reader.files.append({})
        reader.files[-1][key] = _YES.get(value.lower(), value) if yes_no else value
        reader.last = None

    return put


_A_FIELDS: Final[dict[tuple[str, str], Callable[[_Reader, str], None]]] = {
    ("esp", "company"): _set("esp", "company"),
    ("esp", "submitter"): _set("esp", "company"),
    ("esp", "contact name"): _set("esp", "name"),
    ("esp", "email address"): _set("esp", "email"),
    ("esp", "phone"): _set("esp", "phone"),
    ("incident", "incident type"): _set("incident", "type"),
    ("incident", "incident time"): _set("incident", "time"),
    ("incident", "platform"): _set("incident", "platform"),
    ("incident", "web page/url"): _add("incident", "url"),
    ("incident", "url"): _add("incident", "url"),
    ("suspect", "name"): _set("suspect", "name"),
    ("suspect", "email address"): _add("suspect", "email"),
    ("suspect", "phone"): _add("suspect", "phone"),
    ("suspect", "screen/user name"): _set("suspect", "screenName"),
    ("suspect", "esp user id"): _set("suspect", "espIdentifier"),
    ("suspect", "ip address"): _ip,
    ("victim", "first name"): _set("victim", "firstName"),
    ("victim", "last name"): _set("victim", "lastName"),
    ("victim", "age"): _set("victim", "age"),
    ("file", "filename"): _file_field("originalFileName"),
    ("file", "original filename"): _file_field("originalFileName"),
    ("file", "did reporting esp view entire contents of uploaded file"): _file_field(
        "fileViewedByEsp", yes_no=True
    ),
    ("file", "were entire contents of uploaded file publicly available"): _file_field(
        "publiclyAvailable", yes_no=True
    ),
}

_GEO_KEYS: Final = {
    "country": "country",
    "region": "region",
    "city": "city",
    "postal code": "postalCode",
    "latitude": "latitude",
    "longitude": "longitude",
    "isp": "isp",
    "isp/org": "isp",
    "organization": "isp",
}


def _section_b_line(reader: _Reader, label: str, line: str) -> bool:
    value = _value(line)
    if label == "ip address":
        reader.geolocation.append({"ipAddress": value.split()[0] if value else ""})
        return True
    key = _GEO_KEYS.get(label)
    if key is None or not reader.geolocation:
        return False
    reader.geolocation[-1][key] = value
    reader.last = None
    return True


def _section_c_line(reader: _Reader, label: str, line: str) -> bool:
    value = _value(line)
    if label in ("note", "notes", "analyst note"):
        reader.notes.append(value)

        def more(text: str) -> None:
            reader.notes[-1] = f"{reader.notes[-1]} {text}"

        reader.last = more
        return True
    if label in ("related report", "related reports", "related cybertipline report"):
        reader.related += re.findall(r"[0-9]{1,20}", value)
        reader.last = None
        return True
    return False


def _section_d_line(reader: _Reader, label: str, line: str) -> bool:
    key = label or f"line {len(reader.contact) + 1}"
    reader.contact[key] = _value(line) if label else line
    return True


_HANDLERS: Final[dict[str, Callable[[_Reader, str, str], bool]]] = {
    "first": _first,
    "A": _section_a_line,
    "B": _section_b_line,
    "C": _section_c_line,
    "D": _section_d_line,
}


def _section_a(reader: _Reader) -> dict[str, Any]:
    """Section A as the reporting API's `<report>`, validated by its schema and read back."""
    data = _report_data(reader)
    try:
        element = dict_to_report(data)
        parsed = parse_and_validate(serialize_document(element), expected_root="report")
    except IspwsXMLError as exc:
        raise PackageRefused(f"Section A: {exc.message}") from None
    except (ValueError, TypeError) as exc:
        raise PackageRefused(f"Section A cannot be read: {exc}") from None
    return report_to_dict(parsed)


def _report_data(reader: _Reader) -> dict[str, Any]:
    incident, esp, suspect, victim = reader.incident, reader.esp, reader.suspect, reader.victim
    summary = {"incidentType": incident.get("type", ""), "platform": incident.get("platform")}
    summary["incidentDateTime"] = _iso(incident.get("time", ""))
    data: dict[str, Any] = {"incidentSummary": {k: v for k, v in summary.items() if v}}
    if incident.get("url"):
        data["internetDetails"] = [{"webPageIncident": {"url": incident["url"]}}]
    person: dict[str, Any] = dict(_names(esp.get("name", "")))
    if esp.get("email"):  # the schema requires it: without it, Section A is refused
        person["email"] = [{"#text": esp["email"]}]
    if esp.get("phone"):
        person["phone"] = [{"#text": esp["phone"]}]
    data["reporter"] = {"reportingPerson": person}
    if esp.get("company"):
        data["reporter"]["companyTemplate"] = esp["company"]
    reported = _reported(suspect)
    if reported:
        data["personOrUserReported"] = [reported]
    if victim:
        data["victim"] = [{"victimPerson": victim}]
    if reader.additional:
        data["additionalInfo"] = "\n".join(reader.additional)
    return data


def _names(full: str) -> dict[str, str]:
    first, _, last = full.strip().partition(" ")
    return {k: v for k, v in (("firstName", first), ("lastName", last)) if v}


def _reported(suspect: dict[str, Any]) -> dict[str, Any]:
    person: dict[str, Any] = dict(_names(suspect.get("name", "")))
    if suspect.get("phone"):
        person["phone"] = [{"#text": p} for p in suspect["phone"]]
    if suspect.get("email"):
        person["email"] = [{"#text": e} for e in suspect["email"]]
    reported: dict[str, Any] = {"personOrUserReportedPerson": person} if person else {}
    for key in ("espIdentifier", "screenName"):
        if suspect.get(key):
            reported[key] = suspect[key]
    if suspect.get("ip"):
        reported["ipCaptureEvent"] = suspect["ip"]
    return reported


def _file(number: str, position: int, printed: dict[str, str]) -> PackageFile:
    """One uploaded file block, its ESP answers validated as the reporting API's
    `<fileDetails>`; its path is its printed name (resolved against the package later)."""
    name = printed.get("originalFileName", "")
    if not name:
        raise PackageRefused(f"Uploaded file {position} has no Filename.")
    data = {"reportId": number, "fileId": f"f{position}", **printed}
    try:
        element = dict_to_file_details(data)
        parsed = parse_and_validate(serialize_document(element), expected_root="fileDetails")
    except IspwsXMLError as exc:
        raise PackageRefused(f"Uploaded file {name}: {exc.message}") from None
    return PackageFile(path=name, details=file_details_to_dict(parsed))


def with_paths(referral: Referral, folder_files: list[str], pdf_name: str) -> Referral:
    """The referral with each printed file name replaced by the member that carries it (by its
    name, anywhere under the PDF's folder), and the PDF itself as a file of the report.
    A printed file missing from the package refuses the referral, as a listed one does."""
    by_name: dict[str, list[str]] = {}
    for path in folder_files:
        by_name.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    files = []
    for printed in referral.files:
        found = by_name.get(printed.path, [])
        if len(found) != 1:
            why = "is not in the package" if not found else "is in the package more than once"
            raise PackageRefused(f"The PDF lists {printed.path}, which {why}.")
        files.append(replace(printed, path=found[0]))
    files.append(PackageFile(path=pdf_name, details=None))
    return replace(referral, files=files)
