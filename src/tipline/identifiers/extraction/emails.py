"""Email addresses, including the bracketed "[at]" / "[dot]" forms people use to dodge filters."""

from __future__ import annotations

import re

from .model import EMAIL, Identifier
from .urls import deobfuscate, registrable_domain

_AT = r"(?:@|\s?[\[({]\s?at\s?[\])}]\s?)"
_DOT = r"(?:\.|\[\.\]|\(\.\)|\s?[\[({]dot[\])}]\s?)"
_LOCAL = r"[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(
    rf"(?<![\w.%+\-])(?P<local>{_LOCAL}){_AT}(?P<domain>(?:{_LABEL}{_DOT})+[A-Za-z]{{2,24}})(?![\w\-])",
    re.IGNORECASE,
)
_BRACKET_AT = re.compile(r"\s?[\[({]\s?at\s?[\])}]\s?", re.IGNORECASE)


def find_emails(text: str) -> list[Identifier]:
    """Email addresses in free text whose domain has a known public suffix."""
    if "@" not in text and not _BRACKET_AT.search(text):
        return []
    found = []
    for match in _EMAIL.finditer(text):
        ident = _build(match)
        if ident is not None:
            found.append(ident)
    return found


def parse_email(value: str) -> Identifier | None:
    """One structured email value, or None when it is not an email address."""
    match = _EMAIL.fullmatch(value.strip())
    return _build(match) if match else None


def _build(match: re.Match[str]) -> Identifier | None:
    raw, local, written_domain = match.group(0), match.group("local"), match.group("domain")
    domain = deobfuscate(written_domain).lower()
    site = registrable_domain(domain)
    if len(local) > 64 or not site:
        return None
    details = {"domain": site}
    if "@" not in raw or domain != written_domain.lower():
        details["defanged"] = "true"
    return Identifier(EMAIL, raw, f"{local}@{domain}", True, details, match.start(), match.end())
