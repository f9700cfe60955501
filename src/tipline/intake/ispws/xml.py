"""Hardened parsing and schema validation of /ispws request documents.

Two failures reach the client, each with the CyberTipline code it answers with:

* :class:`MalformedXML` (4110): the bytes are not a well-formed XML document, or they carry a
  DOCTYPE (never accepted: no DTD, no entity, so no XXE and no entity expansion bombs);
* :class:`ValidationFailed` (4100): well-formed, but not a valid document of the expected kind,
  too large, nested too deeply, or with an ``incidentDateTime`` in the future.

Validation messages follow the Xerces wording that NCMEC's clients already show to their
operators, e.g. ``Validation failed [1,638] - Invalid content was found starting with element
'ipCaptureEvent'. One of '{deviceId, details, additionalInfo}' is expected.``
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from lxml import etree

__all__ = [
    "DOCUMENT_ROOTS",
    "FUTURE_SKEW",
    "MAX_BYTES",
    "MAX_DEPTH",
    "SCHEMA_PATH",
    "IspwsXMLError",
    "DocumentTooLarge",
    "MalformedXML",
    "ValidationFailed",
    "load_schema",
    "parse_and_validate",
    "parse_document",
    "schema_bytes",
    "validate",
]

SCHEMA_PATH: Final = Path(__file__).with_name("schema") / "tipline-ispws.xsd"
MAX_BYTES: Final = 5 * 1024 * 1024
# The deepest valid document is 6 levels (report/personOrUserReported/associatedAccount/
# address/country); 64 leaves room for any sane client and stops recursion-based abuse.
MAX_DEPTH: Final = 64
# Clients' clocks drift; a report timestamped a few minutes ahead is not "in the future".
FUTURE_SKEW: Final = timedelta(minutes=5)
# A dateTime without a zone may be local time anywhere: UTC+14:00 is the furthest ahead.
_MAX_ZONE_AHEAD: Final = timedelta(hours=14)
DOCUMENT_ROOTS: Final = frozenset({"report", "fileDetails", "reportResponse", "reportDoneResponse"})
_XSI_NS: Final = "http://www.w3.org/2001/XMLSchema-instance"


class IspwsXMLError(Exception):
    """A request document the /ispws API refuses; ``code`` is the CyberTipline response code."""

    code: int = 4000

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MalformedXML(IspwsXMLError):
    """Not well-formed XML, or a document with a DOCTYPE (answered with code 4110)."""

    code = 4110


class ValidationFailed(IspwsXMLError):
    """Well-formed but not acceptable: invalid against the schema, or a rule beyond it (4100)."""

    code = 4100


class DocumentTooLarge(ValidationFailed):
    """Larger than the size limit; still 4100 on the wire, a view may also answer HTTP 413."""


# --------------------------------------------------------------------------- schema


_local = threading.local()


def schema_bytes() -> bytes:
    """The platform's own XSD, as served by ``GET /ispws/xsd``."""
    return SCHEMA_PATH.read_bytes()


def load_schema() -> etree.XMLSchema:
    """The compiled schema, one per thread: lxml keeps each run's error log on the object."""
    schema: etree.XMLSchema | None = getattr(_local, "schema", None)
    if schema is None:
        schema = etree.XMLSchema(etree.fromstring(schema_bytes(), _hardened_parser()))
        _local.schema = schema
    return schema


# --------------------------------------------------------------------------- parsing


def _hardened_parser() -> etree.XMLParser:
    # A new parser per document: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        attribute_defaults=False,
    )


def parse_document(
    body: bytes, *, expected_root: str, max_bytes: int = MAX_BYTES
) -> etree._Element:
    """Parse an /ispws request body safely and check its root element.

    Accepts documents with or without an XML declaration (single or double quoted), in UTF-8,
    ISO-8859-1 or any other declared encoding libxml2 knows, with a BOM or leading whitespace.
    Never loads a DTD, resolves an entity or touches the network.

    Raises:
        DocumentTooLarge: ``body`` is longer than ``max_bytes``.
        MalformedXML: not well-formed, or carries a DOCTYPE.
        ValidationFailed: nested deeper than MAX_DEPTH, beyond a parser limit, or the root
            element is not ``expected_root``.
    """
    if len(body) > max_bytes:
        raise DocumentTooLarge(
            f"Validation failed - Document of {len(body)} bytes exceeds the limit of "
            f"{max_bytes} bytes."
        )
    text = _normalise(body)
    _reject_doctype(text)
    root = _parse(text)
    _reject_dtd(root)
    _check_encoding(root)
    _check_depth(root, text)
    _check_root(root, text, expected_root)
    return root


def parse_and_validate(
    body: bytes, *, expected_root: str, max_bytes: int = MAX_BYTES, now: datetime | None = None
) -> etree._Element:
    """:func:`parse_document` then :func:`validate`, with exact error positions."""
    root = parse_document(body, expected_root=expected_root, max_bytes=max_bytes)
    validate(root, source=body, now=now)
    return root


def _normalise(body: bytes) -> bytes:
    """Let a declaration preceded by a BOM and/or whitespace through.

    The declaration must come first; moving the whitespace after it keeps every later line
    number the same as in the client's document.
    """
    rest = body.removeprefix(b"\xef\xbb\xbf")
    stripped = rest.lstrip(b" \t\r\n")
    if len(stripped) == len(rest) or not re.match(rb"<\?xml[ \t\r\n]", stripped):
        return body
    end = stripped.find(b"?>")
    if end < 0:
        return body
    whitespace = rest[: len(rest) - len(stripped)]
    return stripped[: end + 2] + whitespace + stripped[end + 2 :]


def _decode_for_scan(text: bytes, encoding: str | None = None) -> str:
    """Decode for position and prolog scanning: markup is ASCII in every accepted encoding."""
    codec = encoding or _sniff_wide_encoding(text) or "latin-1"
    try:
        return text.decode(codec, errors="replace")
    except LookupError:
        return text.decode("latin-1")


def _sniff_wide_encoding(text: bytes) -> str | None:
    if text[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if text[:4] == b"<\x00?\x00":
        return "utf-16-le"
    if text[:4] == b"\x00<\x00?":
        return "utf-16-be"
    return None


_PROLOG_ITEM = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)


def _reject_doctype(text: bytes) -> None:
    """Refuse a DOCTYPE before libxml2 sees it, so no DTD is ever parsed (defusedxml's rule)."""
    scan = _decode_for_scan(text.removeprefix(b"\xef\xbb\xbf"))
    pos = 0
    while match := _PROLOG_ITEM.match(scan, pos):
        pos = match.end()
    pos += len(scan[pos:]) - len(scan[pos:].lstrip())
    if scan.startswith("<!", pos) and not scan.startswith("<!--", pos):
        line, column = _line_column(scan, pos)
        raise MalformedXML(f"Malformed XML [{line},{column}] - DOCTYPE is disallowed.")


def _parse(text: bytes) -> etree._Element:
    parser = _hardened_parser()
    try:
        return etree.fromstring(text, parser)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, parser) from None


def _syntax_error(exc: etree.XMLSyntaxError, parser: etree.XMLParser) -> IspwsXMLError:
    entries = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    entry = entries[0] if entries else None
    message = (entry.message if entry else exc.msg or "Document is not well-formed").strip()
    line, column = (entry.line, entry.column) if entry else exc.position
    if entry is not None and entry.type_name == "ERR_RESOURCE_LIMIT":
        # Depth, name length, text size: the input is well-formed so far but unacceptable.
        detail = message.split(", use XML_PARSE_HUGE")[0]
        return ValidationFailed(
            f"Validation failed [{line},{column}] - Document exceeds a parser limit ({detail})."
        )
    return MalformedXML(f"Malformed XML [{line},{column}] - {message}")


def _reject_dtd(root: etree._Element) -> None:
    # Belt and braces behind _reject_doctype, for encodings the prolog scan cannot read.
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise MalformedXML("Malformed XML [1,1] - DOCTYPE is disallowed.")


def _check_encoding(root: etree._Element) -> None:
    # libxml2 reads any encoding iconv knows (ARMSCII-8, VISCII...); the raw record is kept as
    # text, decoded by Python, so an encoding Python lacks is refused here, like an unknown one.
    encoding = root.getroottree().docinfo.encoding
    try:
        codecs.lookup(encoding or "utf-8")
    except LookupError:
        raise MalformedXML(f"Malformed XML [1,1] - Unsupported encoding: {encoding}") from None


def _check_depth(root: etree._Element, text: bytes) -> None:
    too_deep = root.xpath(f"(/*{'/*' * MAX_DEPTH})[1]")
    if isinstance(too_deep, list) and too_deep and isinstance(too_deep[0], etree._Element):
        where = _Positions(text, root).start(too_deep[0])
        raise ValidationFailed(
            f"Validation failed {where} - Element nesting exceeds the maximum depth of {MAX_DEPTH}."
        )


def _check_root(root: etree._Element, text: bytes, expected_root: str) -> None:
    if root.tag != expected_root:
        where = _Positions(text, root).start(root)
        raise ValidationFailed(
            f"Validation failed {where} - Invalid content was found starting with element "
            f"'{_display_tag(root)}'. One of '{{{expected_root}}}' is expected."
        )


def _display_tag(element: etree._Element) -> str:
    qname = etree.QName(element)
    return qname.localname if qname.namespace is None else qname.text


# --------------------------------------------------------------------------- validation


def validate(
    root: etree._Element, *, source: bytes | None = None, now: datetime | None = None
) -> None:
    """Validate a parsed /ispws document against the platform's XSD and the rules beyond it.

    Args:
        root: the document's root element (``report``, ``fileDetails`` or a response).
        source: the request body ``root`` was parsed from; with it, messages carry the exact
            ``[line,column]`` of the offending tag as Xerces reports it, without it the column
            is 0.
        now: the current time (aware); ``incidentDateTime`` after ``now + FUTURE_SKEW`` fails.

    Raises:
        ValidationFailed: with the first problem, worded like NCMEC's own messages.
    """
    text = _normalise(source) if source is not None else None
    if root.tag not in DOCUMENT_ROOTS:
        where = _Positions(text, root).start(root)
        raise ValidationFailed(
            f"Validation failed {where} - Cannot find the declaration of element "
            f"'{_display_tag(root)}'."
        )
    schema = load_schema()
    if not schema.validate(root):
        raise _schema_error(schema, root, text)
    _check_incident_times(root, text, now or datetime.now(UTC))


def _schema_error(
    schema: etree.XMLSchema, root: etree._Element, text: bytes | None
) -> ValidationFailed:
    entry = schema.error_log[0]
    message, at_end = _translate(entry.message)
    element = _element_at(root, entry.path)
    positions = _Positions(text, root)
    if element is None:
        where = f"[{entry.line},{entry.column}]"
    else:
        where = positions.end(element) if at_end else positions.start(element)
    return ValidationFailed(f"Validation failed {where} - {message}")


def _element_at(root: etree._Element, path: str | None) -> etree._Element | None:
    if not path:
        return None
    try:
        found = root.getroottree().xpath(path)
    except etree.XPathError:
        return None
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0]
    return None


# --------------------------------------------------------------------------- messages

_EL = r"Element '(?P<el>[^']+)'"
_ATTR = r"(?:, attribute '(?P<attr>[^']+)')?"
_EXPECTED = r"Expected is (?:one of )?\( (?P<exp>.*) \)\."
_MAX_VALUE_CHARS: Final = 80


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    template: str
    at_end: bool  # Xerces reports content errors after the end tag, the rest after the start tag


def _rule(pattern: str, template: str, *, at_end: bool) -> _Rule:
    return _Rule(re.compile(pattern, re.S), template, at_end)


_RULES: Final = (
    _rule(
        rf"^{_EL}: This element is not expected\. {_EXPECTED}$",
        "Invalid content was found starting with element '{el}'. One of '{{{exp}}}' is expected.",
        at_end=False,
    ),
    _rule(
        rf"^{_EL}: This element is not expected\.$",
        "Invalid content was found starting with element '{el}'. "
        "No child element is expected at this point.",
        at_end=False,
    ),
    _rule(
        rf"^{_EL}: Missing child element\(s\)\. {_EXPECTED}$",
        "The content of element '{el}' is not complete. One of '{{{exp}}}' is expected.",
        at_end=True,
    ),
    _rule(
        rf"^{_EL}{_ATTR}: \[facet 'enumeration'\] The value '(?P<val>.*)' is not an element "
        r"of the set \{(?P<set>.*)\}\.$",
        "Value '{val}' of {subject} is not facet-valid with respect to enumeration '[{set}]'. "
        "It must be a value from the enumeration.",
        at_end=True,
    ),
    _rule(
        rf"^{_EL}{_ATTR}: \[facet 'maxLength'\] The value has a length of '(?P<len>\d+)'; "
        r"this exceeds the allowed maximum length of '(?P<max>\d+)'\.$",
        "Value of {subject} with length = '{len}' is not facet-valid with respect to "
        "maxLength '{max}'.",
        at_end=True,
    ),
    _rule(
        rf"^{_EL}{_ATTR}: \[facet 'pattern'\] The value '(?P<val>.*)' is not accepted by the "
        r"pattern '(?P<pat>.*)'\.$",
        "Value '{val}' of {subject} is not facet-valid with respect to pattern '{pat}'.",
        at_end=True,
    ),
    _rule(
        rf"^{_EL}{_ATTR}: '(?P<val>.*)' is not a valid value of the (?:local )?(?:atomic|union|"
        r"list) type '(?:xs:)?(?P<type>[^']+)'\.$",
        "'{val}' is not a valid value for '{type}' in {subject}.",
        at_end=True,
    ),
    _rule(
        rf"^{_EL}{_ATTR}: The attribute '[^']+' is not allowed\.$",
        "Attribute '{attr}' is not allowed to appear in element '{el}'.",
        at_end=False,
    ),
    _rule(
        rf"^{_EL}: The attribute '(?P<attr>[^']+)' is required but missing\.$",
        "Attribute '{attr}' must appear on element '{el}'.",
        at_end=False,
    ),
    _rule(
        rf"^{_EL}: Character content other than whitespace is not allowed because the "
        r"content type is 'element-only'\.$",
        "Element '{el}' cannot have character [children], because the type's content type "
        "is element-only.",
        at_end=True,
    ),
    _rule(
        rf"^{_EL}: Character content is not allowed, because the content type is empty\.$",
        "Element '{el}' must have no character or element information item [children], "
        "because the type's content type is empty.",
        at_end=True,
    ),
    _rule(
        rf"^{_EL}: Element content is not allowed, because the (?:content type is a simple "
        r"type|type definition is simple)\.$",
        "Element '{el}' must have no element [children], and the value must be valid.",
        at_end=True,
    ),
    _rule(
        rf"^{_EL}: No matching global declaration available for the validation root\.$",
        "Cannot find the declaration of element '{el}'.",
        at_end=False,
    ),
)


def _translate(message: str) -> tuple[str, bool]:
    """Turn a libxml2 schema message into Xerces' wording, and say where Xerces points."""
    message = message.strip()
    for rule in _RULES:
        match = rule.pattern.match(message)
        if match:
            fields = {k: v or "" for k, v in match.groupdict().items()}
            if "val" in fields:
                fields["val"] = _shorten(fields["val"])
            fields["set"] = fields.get("set", "").replace("'", "")
            attr = fields.get("attr")
            el = fields["el"]
            fields["subject"] = (
                f"attribute '{attr}' on element '{el}'" if attr else f"element '{el}'"
            )
            # Attributes are checked at the start tag, whatever the rule says about content.
            return rule.template.format(**fields) + _hint(fields), rule.at_end and not attr
    return message, False


def _hint(fields: dict[str, str]) -> str:
    # The annotation flags' enumeration ('', true, 1) reads as noise without a word on why.
    if fields.get("set") == ", true, 1":
        el = fields["el"]
        return f" An annotation is set with <{el}/> or <{el}>true</{el}>, or left out."
    return ""


def _shorten(value: str) -> str:
    value = " ".join(value.split())
    if len(value) <= _MAX_VALUE_CHARS:
        return value
    return value[: _MAX_VALUE_CHARS - 3] + "..."


# --------------------------------------------------------------------------- incident time

_DATETIME = re.compile(
    r"^(?P<year>-?\d{4,})-(?P<month>\d\d)-(?P<day>\d\d)T(?P<hour>\d\d):(?P<minute>\d\d):"
    r"(?P<second>\d\d)(?:\.(?P<fraction>\d+))?(?P<zone>Z|[+-]\d\d:\d\d)?$"
)


def _check_incident_times(root: etree._Element, text: bytes | None, now: datetime) -> None:
    for element in root.iter("incidentDateTime"):
        value = (element.text or "").strip()
        earliest = _earliest_instant(value)
        if earliest is not None and earliest > now + FUTURE_SKEW:
            where = _Positions(text, root).end(element)
            raise ValidationFailed(
                f"Validation failed {where} - The value '{_shorten(value)}' of element "
                f"'incidentDateTime' is in the future."
            )


def _earliest_instant(value: str) -> datetime | None:
    """The earliest UTC instant an xs:dateTime can denote; None if it cannot be read.

    A value without a zone is taken as local time in the zone furthest ahead (UTC+14:00), so a
    client sending local time without an offset is never refused for being "in the future".
    """
    match = _DATETIME.match(value)
    if match is None:
        return None
    year = int(match["year"])
    if year > 9999:
        return datetime.max.replace(tzinfo=UTC)
    if year < 1:
        return datetime.min.replace(tzinfo=UTC)
    hour = int(match["hour"])
    microsecond = int((match["fraction"] or "0")[:6].ljust(6, "0"))
    wall = datetime(
        year,
        int(match["month"]),
        int(match["day"]),
        hour % 24,
        int(match["minute"]),
        int(match["second"]),
        microsecond,
        tzinfo=UTC,
    )
    # xs:dateTime allows 24:00:00 for the end of a day; the zone moves wall time to UTC.
    try:
        return wall + timedelta(days=hour // 24) - _zone_offset(match["zone"])
    except OverflowError:  # within hours of year 1 or 9999: clearly not "in the future" or is
        return datetime.min.replace(tzinfo=UTC) if year < 5000 else datetime.max.replace(tzinfo=UTC)


def _zone_offset(zone: str | None) -> timedelta:
    if zone is None:
        return _MAX_ZONE_AHEAD
    if zone == "Z":
        return timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    return sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))


# --------------------------------------------------------------------------- positions

# In a well-formed document every raw "<" starts markup, so tokenising tags with a regular
# expression is exact; attribute values may hold ">" but are quoted.
_MARKUP = re.compile(
    r"""<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|</[^>]*>|<(?:[^>"']|"[^"]*"|'[^']*')*>""",
    re.S,
)


class _Positions:
    """Xerces-style [line,column] of elements' tags, from the bytes the tree was parsed from.

    libxml2's schema validator only knows a node's line; Xerces reports the position just after
    the tag where it noticed the problem, which clients show to their operators.
    """

    def __init__(self, text: bytes | None, root: etree._Element) -> None:
        self._text = text
        self._root = root

    def start(self, element: etree._Element) -> str:
        """Position just after ``element``'s start tag."""
        return self._where(element, at_end=False)

    def end(self, element: etree._Element) -> str:
        """Position just after ``element``'s end tag (or its empty-element tag)."""
        return self._where(element, at_end=True)

    def _where(self, element: etree._Element, *, at_end: bool) -> str:
        if self._text is not None:
            encoding = self._root.getroottree().docinfo.encoding
            source = _decode_for_scan(self._text, encoding)
            offset = _tag_offset(source, self._index(element), at_end=at_end)
            if offset is not None:
                line, column = _line_column(source, offset)
                return f"[{line},{column}]"
        return f"[{element.sourceline or 0},0]"

    def _index(self, element: etree._Element) -> int:
        for index, candidate in enumerate(self._root.iter(etree.Element)):
            if candidate is element:
                return index
        return -1


def _tag_offset(source: str, index: int, *, at_end: bool) -> int | None:
    """Offset just after the start (or end) tag of the ``index``-th element in document order."""
    if index < 0:
        return None
    count = -1
    stack: list[int] = []
    for match in _MARKUP.finditer(source):
        tag = match.group()
        if tag.startswith(("<!", "<?")):
            continue
        if tag.startswith("</"):
            if stack and stack.pop() == index:
                return match.end()
            continue
        count += 1
        if count == index and (not at_end or tag.endswith("/>")):
            return match.end()
        if not tag.endswith("/>"):
            stack.append(count)
    return None


def _line_column(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, column
