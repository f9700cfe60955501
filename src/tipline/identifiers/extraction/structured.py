"""Structured values: one field of a known kind, or one value typed into a search box."""

from __future__ import annotations

import re

from . import banks, emails, handles, ips, phones, urls, wallets
from .model import BANK_ACCOUNT, EMAIL, HANDLE, IP, PHONE, URL, WALLET, Identifier
from .text import extract_text

_PLATFORM_PREFIX = re.compile(
    r"^(?P<platform>instagram|facebook|tiktok|snapchat|telegram|x|twitter)\s*[:/]\s*@?(?P<name>\S+)$",
    re.IGNORECASE,
)
_PHONE_SHAPE = re.compile(r"^[+(]?\d[\d\s().\-/]{5,}\d$")


def normalize(kind: str, value: str, *, default_region: str = "NG") -> Identifier | None:
    """Normalise one structured field value of a known kind; None when it cannot be normalised."""
    value = value.strip()
    if not value:
        return None
    parser = _PARSERS.get(kind)
    return parser(value, default_region) if parser else None


def normalize_any(value: str) -> Identifier | None:
    """Guess the kind of one value typed into the console's search box."""
    value = value.strip()
    if not value:
        return None
    for guess in (_as_prefixed, _as_email, _as_wallet, _as_ip, _as_handle_or_url, _as_account):
        ident = guess(value)
        if ident is not None:
            return ident
    if _PHONE_SHAPE.match(value):
        return phones.parse_phone(value, "NG")
    return None


def _phone(value: str, region: str) -> Identifier | None:
    return phones.parse_phone(value, region)


def _email(value: str, region: str) -> Identifier | None:
    return emails.parse_email(value)


def _url(value: str, region: str) -> Identifier | None:
    return urls.canonicalize(value)


def _handle(value: str, region: str) -> Identifier | None:
    """Accept "instagram:name", "tiktok/@name", a profile URL, or "IG @name" in words."""
    prefixed = _PLATFORM_PREFIX.match(value)
    if prefixed:
        platform = prefixed.group("platform").lower()
        platform = "x" if platform == "twitter" else platform
        normalized = handles.handle(platform, prefixed.group("name"))
        details = {"platform": platform}
        return Identifier(HANDLE, value, normalized, True, details) if normalized else None
    url = urls.canonicalize(value) if "/" in value else None
    profile = handles.from_profile_url(url, region) if url else None
    if profile is not None and profile.kind == HANDLE:
        return _structured(profile, value)
    mention = next((h for h in handles.find_mentions(value) if h.kind == HANDLE), None)
    return _structured(mention, value) if mention else None


def _ip(value: str, region: str) -> Identifier | None:
    return ips.parse_ip(value)


def _wallet(value: str, region: str) -> Identifier | None:
    found = wallets.check_wallet(value)
    if found is not None or not wallets.looks_like_wallet(value):
        return found
    # Right shape, wrong checksum: kept as an invalid value so the form can say so.
    return Identifier(WALLET, value, value, False, {})


def _account(value: str, region: str) -> Identifier | None:
    return banks.parse_account(value)


_PARSERS = {
    PHONE: _phone,
    EMAIL: _email,
    URL: _url,
    HANDLE: _handle,
    IP: _ip,
    WALLET: _wallet,
    BANK_ACCOUNT: _account,
}


def _structured(ident: Identifier, value: str) -> Identifier:
    """The same identifier as a structured value: whole value kept, no offsets."""
    return Identifier(ident.kind, value, ident.normalized, ident.valid, ident.details)


def _as_prefixed(value: str) -> Identifier | None:
    """A normalised form pasted back: "instagram:name", "nuban:058:0123456789"."""
    if value.lower().startswith("nuban:"):
        return banks.parse_account(value)
    return _handle(value, "NG") if _PLATFORM_PREFIX.match(value) else None


def _as_email(value: str) -> Identifier | None:
    return emails.parse_email(value) if " " not in value else None


def _as_wallet(value: str) -> Identifier | None:
    return _wallet(value, "NG") if wallets.looks_like_wallet(value) else None


def _as_ip(value: str) -> Identifier | None:
    return ips.parse_ip(value) if re.fullmatch(r"[\d.\[\]:a-fA-F]+", value) else None


def _as_handle_or_url(value: str) -> Identifier | None:
    """Profile URLs give the account; other URLs and bare domains stay URLs."""
    if value.startswith("@") or " " in value:
        return _handle(value, "NG") if " " in value else None
    url = urls.canonicalize(value) if "." in value else None
    if url is None or (url.details.get("defanged") is None and not _url_shaped(value)):
        return None
    profile = handles.from_profile_url(url, "NG")
    return _structured(profile, value) if profile else url


def _url_shaped(value: str) -> bool:
    """A search for "jane.doe" is not a URL; "example.com" or "http://..." is."""
    found = extract_text(value)
    return any(i.kind == URL and i.start == 0 and i.end == len(value) for i in found)


def _as_account(value: str) -> Identifier | None:
    has_bank = re.search(r"[A-Za-z]", value) or re.search(r"\d{3,6}\D+\d{10}", value)
    return banks.parse_account(value) if has_bank else None
