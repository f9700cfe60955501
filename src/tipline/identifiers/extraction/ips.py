"""IP addresses with the port and time that make them evidence behind carrier-grade NAT."""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime, timedelta

from . import context
from .model import IP, Identifier

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_DOT = r"(?:\.|\[\.\])"
_IPV4 = re.compile(rf"(?<![\w.\-])(?:{_OCTET}{_DOT}){{3}}{_OCTET}(?!\.?\d|[\w\-])")
_IPV6 = re.compile(
    r"(?<![\w:.])\[?(?P<addr>(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}"
    r"|(?:\d{1,3}\.){3}\d{1,3}))(?:(?P<close>\])|(?![\w:]))"
)
# Port right after the address: ":51234", " port 51234", ", port: 51234" (Pattern.match at
# the end of the address, so no "^").
_PORT = re.compile(
    r"(?::|[\s,(]*(?:port|src\s*port|source\s*port)\s*[:=]?\s*)(\d{1,5})\b", re.IGNORECASE
)
_PORT_WORD = re.compile(
    r"[\s,(]*(?:port|src\s*port|source\s*port)\s*[:=]?\s*(\d{1,5})\b", re.IGNORECASE
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = (
    r"(?:(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"|(?P<d2>\d{1,2})/(?P<mo2>\d{1,2})/(?P<y2>\d{4})"  # day first, as written in Nigeria
    rf"|(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon3>{_MONTH}),?\s+(?P<y3>\d{{4}})"
    rf"|(?P<mon4>{_MONTH})\s+(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y4>\d{{4}}))"
)
_CLOCK = (
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:\.\d+)?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?\s*(?P<tz>UTC|GMT|WAT|Z|[+-]\d{2}:?\d{2})?(?![\w+])"
)
# "2024-05-01 12:00 UTC", "01/05/2024 at 13:05 WAT", "10:32 WAT on 3 May 2024".
_TIMES = (
    re.compile(rf"{_DATE}(?:[T ,]+|\s+at\s+){_CLOCK}", re.IGNORECASE),
    re.compile(rf"{_CLOCK}(?:\s+on\s+|,\s*|\s+){_DATE}(?![\w])", re.IGNORECASE),
)
# What may stand between a time written first and its address: "2024-05-01 12:00 UTC from IP".
_LEAD_IN = re.compile(
    r"[\s,;:\-\u2013()]*(?:(?:from|ip|address|addr|by|via|using|src|source|client|host)\b"
    r"[\s,;:\-\u2013()]*)*",
    re.IGNORECASE,
)
_VERSION_CUE = re.compile(
    r"\b(?:v|ver|version|release|build|android|ios|windows|firmware|app|update|model)\.?\s*$",
    re.IGNORECASE,
)
_PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT shared space (RFC 6598)
_WAT = timedelta(hours=1)


def find_ips(text: str) -> list[Identifier]:
    """IPv4 (also written "41[.]58[.]1[.]2") and IPv6 addresses in free text."""
    found: list[Identifier] = []
    if "." in text:
        found.extend(filter(None, (_ipv4(text, m) for m in _IPV4.finditer(text))))
    if text.count(":") >= 2:
        found.extend(filter(None, (_ipv6(text, m) for m in _IPV6.finditer(text))))
    return found


def parse_ip(value: str) -> Identifier | None:
    """One structured IP value, optionally with port and time ("41.58.1.2:51234 at ...")."""
    found = find_ips(value.strip())
    if not found or found[0].start != 0:
        return None
    return Identifier(IP, value, found[0].normalized, True, found[0].details)


def _ipv4(text: str, match: re.Match[str]) -> Identifier | None:
    if _VERSION_CUE.search(context.left(text, match.start(), 12)):
        return None  # "version 1.2.3.4" is a release number
    address = ipaddress.IPv4Address(match.group(0).replace("[.]", "."))
    port = _PORT.match(text, match.end())
    return _build(text, match.start(), match.end(), address, port)


def _ipv6(text: str, match: re.Match[str]) -> Identifier | None:
    raw = match.group("addr")
    try:
        address = ipaddress.IPv6Address(raw)
    except ValueError:
        return None
    if not _looks_like_ipv6(raw):
        return None
    bracketed = match.group(0).startswith("[") and match.group("close")
    port = (_PORT if bracketed else _PORT_WORD).match(text, match.end())
    return _build(text, match.start(), match.end(), address, port)


def _looks_like_ipv6(raw: str) -> bool:
    """Rule out clock times and ratios ("12::30") that happen to parse as IPv6."""
    groups = [g for g in raw.split(":") if g]
    has_hex_letter = any(c in "abcdefABCDEF" for c in raw)
    return len(groups) >= 3 and (has_hex_letter or "::" in raw or len(groups) == 8)


def _build(
    text: str,
    start: int,
    end: int,
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    port: re.Match[str] | None,
) -> Identifier:
    details = {"version": str(address.version), **_scope(address)}
    if port and int(port.group(1)) <= 65535:
        details["port"] = str(int(port.group(1)))
        end = port.end()
    details.update(_time_near(text, start, end))
    value = text[start:end]
    return Identifier(IP, value, str(address), True, details, start, end)


def _scope(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> dict[str, str]:
    """private: RFC 1918 / ULA / CGNAT; reserved: any other non-global address."""
    if address in _CGNAT:
        return {"private": "true", "cgnat": "true"}
    if any(address in net for net in _PRIVATE if net.version == address.version):
        return {"private": "true"}
    if not address.is_global:
        return {"reserved": "true"}
    return {}


def _time_near(text: str, start: int, end: int) -> dict[str, str]:
    """The date-time written right after the address, else right before it.

    Only a few connecting words ("at", "on", "from") may stand between them: a time further
    away, or past another number, belongs to something else (often the next address).
    """
    after = context.right(text, end, 60)
    match = _first_time(after)
    if match is None or not _connector(after[: match.start()]):
        before = context.left(text, start, 60)
        match = _last_time(before)
        if match is None or not _LEAD_IN.fullmatch(before[match.end() :]):
            return {}
    return _as_details(match)


def _first_time(chunk: str) -> re.Match[str] | None:
    found = [m for m in (p.search(chunk) for p in _TIMES) if m]
    return min(found, key=lambda m: m.start()) if found else None


def _last_time(chunk: str) -> re.Match[str] | None:
    found = [m for p in _TIMES for m in p.finditer(chunk)]
    return max(found, key=lambda m: m.end()) if found else None


def _connector(gap: str) -> bool:
    return len(gap) <= 20 and not any(c.isdigit() for c in gap)


def _as_details(match: re.Match[str]) -> dict[str, str]:
    """ISO 8601 time: in UTC ("...Z") when a zone was written, else as written, flagged."""
    try:
        moment = datetime(*_date_parts(match), *_clock_parts(match), tzinfo=UTC)
    except ValueError:
        return {}
    zone = (match.group("tz") or "").upper()
    if not zone:
        return {"time": moment.strftime("%Y-%m-%dT%H:%M:%S"), "time_zone_given": "false"}
    moment -= _offset(zone)
    return {"time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "time_zone_given": "true"}


def _date_parts(match: re.Match[str]) -> tuple[int, int, int]:
    parts = match.groupdict()
    year = parts["y"] or parts["y2"] or parts["y3"] or parts["y4"]
    day = parts["d"] or parts["d2"] or parts["d3"] or parts["d4"]
    month_name = parts["mon3"] or parts["mon4"]
    month = (
        _MONTHS.index(month_name[:3].lower()) + 1
        if month_name
        else int(parts["mo"] or parts["mo2"])
    )
    return int(year), month, int(day)


def _clock_parts(match: re.Match[str]) -> tuple[int, int, int]:
    hour = _twelve_hour(int(match.group("h")), match.group("ampm"))
    return hour, int(match.group("mi")), int(match.group("s") or 0)


def _twelve_hour(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    is_pm = ampm.lower().startswith("p")
    return (hour % 12) + (12 if is_pm else 0)


def _offset(zone: str) -> timedelta:
    """UTC offset of a written zone: UTC/GMT/Z, WAT (Africa/Lagos, no DST) or +hh:mm."""
    if zone == "WAT":
        return _WAT
    if zone in ("UTC", "GMT", "Z"):
        return timedelta(0)
    digits = zone[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return delta if zone[0] == "+" else -delta
