"""URLs: de-obfuscation, one canonical form, and the registrable domain (public suffix list)."""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import SplitResult, urlsplit, urlunsplit

import tldextract

from .model import URL, Identifier

# RFC 2606/6761 special-use names: invented test data uses them, and they are never real sites.
_RESERVED_SUFFIXES = ("test", "example", "invalid")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
# Real TLDs that are far more often file extensions ("photo.zip", "notes.md"): a bare name with
# one of these is only taken as a domain when it has a path.
_FILE_LIKE_TLDS = frozenset({"zip", "mov", "md", "py", "sh", "pl", "rs", "ai", "ps", "sc", "so"})
# Without a scheme or "www.", a name only counts as a domain under a country code or one of these
# common generic TLDs: newer ones (.read, .search, .name, .today, .test...) are mostly words, and
# "went home.today" is a missing space.
_COMMON_GTLDS = frozenset(
    {"com", "net", "org", "info", "biz", "edu", "gov", "mil", "xyz", "online", "site", "top",
     "shop", "store", "app", "dev", "club", "vip", "loan", "buzz", "tech", "website", "icu", "cam",
     "pro", "mobi", "blog", "xxx", "porn", "sex", "adult", "dating", "agency", "jobs", "travel",
     "africa"}
)  # fmt: skip
# Spelled-out dots ("fastcash dot com") only before the commonest endings: "the last dot in the
# list" is prose.
_SPOKEN_TLDS = frozenset({"com", "net", "org", "ng", "info", "biz", "xyz", "online", "site"})
# First words that make "the dot com era" a phrase, not an obfuscated domain.
_SPOKEN_STOPWORDS = frozenset({"the", "a", "an", "this", "that", "my", "your", "his", "her", "na"})

_DOT = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\s?\[dot\]\s?|\s?\(dot\)\s?|\s?\{dot\}\s?)"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_TAIL = r"[^\s<>\"'`]"
_SCHEME_URL = re.compile(
    rf"(?<![\w])(?:h(?:tt|xx|\*\*)ps?|ftp)(?:://|\[://\]|\[:\]//){_TAIL}+", re.IGNORECASE
)
_WWW_URL = re.compile(rf"(?<![\w.@/-])www{_DOT}{_TAIL}+", re.IGNORECASE)
_BARE_URL = re.compile(
    rf"(?<![\w.@/:%\-])(?:{_LABEL}{_DOT})+(?P<tld>[a-z]{{2,24}})(?P<path>/{_TAIL}*)?(?![\w@\-])",
    re.IGNORECASE,
)
_SPOKEN_URL = re.compile(
    rf"(?<![\w.@/-])(?P<first>{_LABEL})(?:\s+dot\s+{_LABEL})+(?![\w@-])", re.IGNORECASE
)
_DEFANGED_DOT = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\s?[\[({]dot[\])}]\s?|\s+dot\s+", re.IGNORECASE)
_DEFANGED_SCHEME = re.compile(r"^h(?:xx|\*\*)p", re.IGNORECASE)
_HOST_LABEL = re.compile(rf"{_LABEL}|xn--[a-z0-9-]+", re.IGNORECASE)
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_TRAILING = ".,;:!?'\"\u201d\u2019\u00bb\u2026>*"


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    """The suffix list bundled with tldextract: no download, no cache directory written."""
    return tldextract.TLDExtract(
        cache_dir=None,
        suffix_list_urls=(),
        fallback_to_snapshot=True,
        include_psl_private_domains=True,  # "name.blogspot.com" is the site, not blogspot.com
        extra_suffixes=_RESERVED_SUFFIXES,
    )


def registrable_domain(host: str) -> str:
    """The registrable domain of `host` ('' when the suffix is unknown); IPs stay as they are."""
    if _is_ip(host):
        return host
    return _extractor()(host).top_domain_under_public_suffix


def deobfuscate(text: str) -> str:
    """Undo defanging: hxxp -> http, [.] / (dot) / " dot " -> ".", [:] -> ":"."""
    text = _DEFANGED_SCHEME.sub("http", text)
    text = text.replace("[://]", "://").replace("[:]", ":")
    return _DEFANGED_DOT.sub(".", text)


def trim(candidate: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets from the end of a match."""
    while candidate and _dangling(candidate):
        candidate = candidate[:-1]
    return candidate


def _dangling(candidate: str) -> bool:
    last = candidate[-1]
    if last in _CLOSERS:
        return candidate.count(_CLOSERS[last]) < candidate.count(last)
    return last in _TRAILING


def canonicalize(raw: str) -> Identifier | None:
    """One URL as a structured value: canonical form and registrable domain, or None."""
    cleaned = deobfuscate(raw.strip())
    if "://" not in cleaned:
        cleaned = "http://" + cleaned
    try:
        parts = urlsplit(cleaned)
        port = parts.port
    except ValueError:
        return None
    return _build(raw, parts, port)


def _build(raw: str, parts: SplitResult, port: int | None) -> Identifier | None:
    scheme = parts.scheme.lower()
    host = _clean_host(parts.hostname or "")
    if scheme not in _DEFAULT_PORTS or host is None:
        return None
    domain = registrable_domain(host)
    if not domain:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    # userinfo is dropped on purpose: "http://bank.com@evil.example/" is evil.example.
    canonical = urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))
    details = {"domain": domain, "host": host}
    if deobfuscate(raw) != raw:
        details["defanged"] = "true"
    return Identifier(URL, raw, canonical, True, details)


def _clean_host(host: str) -> str | None:
    """Lower-case, IDNA-encoded host name, or None when it is not a plausible host."""
    host = host.rstrip(".")
    if _is_ip(host):
        return str(ipaddress.ip_address(host))
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return None
    return host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def find_urls(text: str) -> list[Identifier]:
    """URLs in free text: with a scheme, starting www., bare domains, and defanged forms."""
    if "." not in text and "dot" not in text.lower():
        return []
    found: list[Identifier] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_SCHEME_URL, _WWW_URL, _BARE_URL, _SPOKEN_URL):
        for match in pattern.finditer(text):
            ident = _from_match(match, bare=pattern in (_BARE_URL, _SPOKEN_URL))
            if ident and not any(ident.start < e and s < ident.end for s, e in taken):
                found.append(ident)
                taken.append((ident.start, ident.end))
    return found


def _from_match(match: re.Match[str], *, bare: bool) -> Identifier | None:
    raw = trim(match.group(0))
    if bare and not _plausible_bare(raw):
        return None
    ident = canonicalize(raw)
    if ident is None:
        return None
    start = match.start()
    return Identifier(URL, raw, ident.normalized, True, ident.details, start, start + len(raw))


def _common_tld(tld: str) -> bool:
    return len(tld) == 2 or tld in _COMMON_GTLDS


def _plausible_bare(raw: str) -> bool:
    """Extra care for names without scheme or www: sentence joins and file names look alike."""
    host, _, path = deobfuscate(raw).partition("/")
    labels = host.split(".")
    tld = labels[-1]
    if not (tld.islower() or tld.isupper()):
        return False  # "home.It was late" is two sentences, not a domain
    if not path and (tld.lower() in _FILE_LIKE_TLDS or not _common_tld(tld.lower())):
        return False
    spoken = " dot " in raw.lower()
    if spoken and (labels[0].lower() in _SPOKEN_STOPWORDS or tld.lower() not in _SPOKEN_TLDS):
        return False
    return bool(_extractor()(host).suffix)
