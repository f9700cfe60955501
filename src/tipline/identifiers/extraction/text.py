"""Free text: run every extractor, then settle overlaps so each stretch of text means one thing."""

from __future__ import annotations

from . import banks, context, emails, handles, ips, phones, urls, wallets
from .model import BANK_ACCOUNT, PHONE, Identifier

Span = tuple[int, int]


def extract_text(text: str, *, default_region: str = "NG") -> list[Identifier]:
    """Every identifier in `text`, in order of appearance (repeats kept, one per mention)."""
    found_emails = emails.find_emails(text)
    # "jane(at)example(dot)com": the domain half of a defanged email is not a URL of its own.
    found_urls = [u for u in urls.find_urls(text) if not _within(u, _spans(found_emails))]
    # Digits inside a URL or an email are part of it (paths, ids), never a phone or an account;
    # wa.me links are the exception and come back as phones through `from_profile_url`.
    blocked = _spans(found_urls + found_emails)
    found_phones = _outside(phones.find_phones(text, default_region), blocked)
    blocked += _spans(found_phones)
    found = (
        found_urls
        + found_emails
        + found_phones
        + _outside(banks.find_accounts(text), blocked)
        + _from_urls(found_urls, default_region)
        + _outside(handles.find_mentions(text), blocked)
        + ips.find_ips(text)
        + wallets.find_wallets(text)
    )
    return _dedupe(sorted(found, key=lambda i: (i.start, i.end, i.kind)))


def _spans(found: list[Identifier]) -> list[Span]:
    return [(i.start, i.end) for i in found]


def _outside(found: list[Identifier], blocked: list[Span]) -> list[Identifier]:
    return [i for i in found if not context.overlaps(i.start, i.end, blocked)]


def _within(ident: Identifier, spans: list[Span]) -> bool:
    return any(start <= ident.start and ident.end <= end for start, end in spans)


def _from_urls(found_urls: list[Identifier], region: str) -> list[Identifier]:
    """Accounts behind profile URLs (instagram.com/name -> instagram:name, wa.me -> phone)."""
    return [h for h in (handles.from_profile_url(u, region) for u in found_urls) if h is not None]


def _dedupe(found: list[Identifier]) -> list[Identifier]:
    """Keep one of each (kind, normalized) per stretch of text, e.g. a wa.me phone seen twice."""
    out: list[Identifier] = []
    kept: dict[tuple[str, str], list[Identifier]] = {}
    for ident in found:
        same = kept.setdefault((ident.kind, ident.normalized), [])
        if not any(_same_place(ident, other) for other in same):
            same.append(ident)
            out.append(ident)
    return out


def _same_place(ident: Identifier, kept: Identifier) -> bool:
    if ident.kind in (PHONE, BANK_ACCOUNT):  # digits of a wa.me link seen again on their own
        return kept.start <= ident.start and ident.end <= kept.end
    return kept.start == ident.start
