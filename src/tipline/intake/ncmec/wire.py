"""The package XML of one NCMEC referral, read into plain data (no Django, no database).

The root is `<ncmecReferral>`: NCMEC's report number and priority, then Section A exactly as the
ESP sent it (the /ispws `<report>`, validated by the same schema and read by the same converter),
one `<uploadedFile path="…">` per file with the ESP's optional `<fileDetails>`, Section B
(`<ncmecAutomated>`: geolocation look-ups) and Section C (`<ncmecAnalyst>`: notes, related
reports). Anything else is kept verbatim under `other`, and the whole document is the raw record.
The same hardened parser as /ispws: no DTD, no entities, no network, bounded size and depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from lxml import etree

from tipline.intake.ispws.mapping import file_details_to_dict, report_to_dict
from tipline.intake.ispws.xml import IspwsXMLError, parse_and_validate, parse_document
from tipline.intake.ncmec.sources import PackageRefused, safe_name

ROOT: Final = "ncmecReferral"
MAX_XML_BYTES: Final = 20 * 1024 * 1024
PRIORITIES: Final = {
    "1": "a child is believed to be in imminent danger",
    "2": "elevated",
    "3": "standard",
    "E": "information only (no apparent offence or no jurisdiction found)",
}
_NUMBER: Final = re.compile(r"^[0-9]{1,20}$")
_KNOWN: Final = frozenset(
    {"reportNumber", "priority", "receivedByNcmec", "report", "uploadedFile"}
    | {"ncmecAutomated", "ncmecAnalyst"}
)


@dataclass(frozen=True)
class PackageFile:
    """A file the referral lists: its path beside the XML and the ESP's details, if any."""

    path: str
    details: dict[str, Any] | None


@dataclass(frozen=True)
class Referral:
    """One CyberTipline report as NCMEC made it available, as plain data."""

    number: str
    priority: str
    received_by_ncmec: datetime | None
    report: dict[str, Any]
    files: list[PackageFile]
    geolocation: list[dict[str, Any]]
    analyst: dict[str, Any]
    other: dict[str, Any] = field(default_factory=dict)
    raw_content_type: str = "application/xml"  # the raw record: the XML, or a PDF's text


def plain(element: etree._Element) -> Any:
    """Any element as JSON-safe data: its text, or a dict of its children (a list when one
    repeats) and attributes (`@name`). Used for the sections the platform has no field for."""
    children = list(element.iterchildren(etree.Element))
    attributes = {f"@{etree.QName(k).localname}": str(v) for k, v in element.attrib.items()}
    if not children:
        text = (element.text or "").strip()
        return {**attributes, "#text": text} if attributes else text
    value: dict[str, Any] = dict(attributes)
    for child in children:
        tag = etree.QName(child).localname
        if tag not in value:
            value[tag] = plain(child)
        elif isinstance(value[tag], list):
            value[tag].append(plain(child))
        else:
            value[tag] = [value[tag], plain(child)]
    return value


def _section(root: etree._Element, tag: str) -> dict[str, Any]:
    element = root.find(tag)
    if element is None:
        return {}
    value = plain(element)
    return value if isinstance(value, dict) else {"#text": value} if value else {}


def _section_a(root: etree._Element) -> dict[str, Any]:
    found = root.findall("report")
    if len(found) != 1:
        raise PackageRefused("The referral must hold exactly one <report> (Section A).")
    body = etree.tostring(found[0])
    try:
        return report_to_dict(parse_and_validate(body, expected_root="report"))
    except IspwsXMLError as exc:
        raise PackageRefused(f"Section A (<report>): {exc.message}") from None


def _file(element: etree._Element) -> PackageFile:
    path = safe_name(element.get("path", ""))
    details = element.find("fileDetails")
    if details is None:
        return PackageFile(path=path, details=None)
    try:
        parsed = parse_and_validate(etree.tostring(details), expected_root="fileDetails")
    except IspwsXMLError as exc:
        raise PackageRefused(f"<fileDetails> of {path}: {exc.message}") from None
    return PackageFile(path=path, details=file_details_to_dict(parsed))


def _number(root: etree._Element) -> str:
    number = (root.findtext("reportNumber") or "").strip()
    if not _NUMBER.match(number):
        raise PackageRefused(
            f"<reportNumber> must be NCMEC's CyberTipline report number (digits), not {number!r}."
        )
    return number


def _received(root: etree._Element) -> datetime | None:
    text = (root.findtext("receivedByNcmec") or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise PackageRefused(f"<receivedByNcmec> is not a date and time: {text!r}.") from None
    if moment.tzinfo is None:
        raise PackageRefused("<receivedByNcmec> needs its time zone (e.g. 2024-05-01T12:00:00Z).")
    return moment


def _listed(section: dict[str, Any], key: str) -> list[Any]:
    value = section.get(key, [])
    return value if isinstance(value, list) else [value]


def parse_referral(body: bytes) -> Referral:
    """One `<ncmecReferral>` document; `PackageRefused` says what is wrong with it."""
    try:
        root = parse_document(body, expected_root=ROOT, max_bytes=MAX_XML_BYTES)
    except IspwsXMLError as exc:
        raise PackageRefused(exc.message) from None
    automated, analyst = _section(root, "ncmecAutomated"), _section(root, "ncmecAnalyst")
    files = [_file(element) for element in root.findall("uploadedFile")]
    if len({f.path for f in files}) != len(files):
        raise PackageRefused("The referral lists the same file twice.")
    other = {
        etree.QName(child).localname: plain(child)
        for child in root.iterchildren(etree.Element)
        if etree.QName(child).localname not in _KNOWN
    }
    return Referral(
        number=_number(root),
        priority=(root.findtext("priority") or "").strip()[:10],
        received_by_ncmec=_received(root),
        report=_section_a(root),
        files=files,
        geolocation=[g for g in _listed(automated, "geoLookup") if isinstance(g, dict)],
        analyst=analyst,
        other=other,
    )


def is_referral(head: bytes) -> bool:
    """Whether an XML member looks like a referral (its root element), from its first bytes."""
    return f"<{ROOT}".encode() in head[:4096]
