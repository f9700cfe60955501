"""Nigerian bank accounts (NUBAN), accepted only with a bank named or coded next to them.

Bank codes and names come from the `naija-data` package (CBN lists of financial institutions,
CC BY 4.0, "naija-data by Akanji Oluwaseun Gabriel"); the check digit is CBN's NUBAN algorithm
(3-digit bank codes, and the 2020 revision's "9" + 5-digit codes for other institutions).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import naija_data

from . import context
from .model import BANK_ACCOUNT, Identifier

# Spellings people use that the package does not list (it has GTB, UBA, FBN, Access, ...).
_EXTRA_ALIASES = {
    "058": ("GT Bank", "GTBank", "Guaranty Trust", "GTCO"),
    "011": ("First Bank", "FirstBank"),
    "050": ("Ecobank", "Eco Bank"),
    "221": ("Stanbic",),
    "032": ("Union Bank",),
    "215": ("Unity Bank",),
    "101": ("Providus",),
    "301": ("Jaiz", "Jaiz Bank"),
    "50211": ("Kuda", "Kuda Bank"),
    "50515": ("Moniepoint", "Monie Point"),
    "51318": ("FairMoney", "Fair Money"),
    "51310": ("Sparkle",),
}
# Aliases that are also everyday words in one of the five languages ("uba" is wealth in Igbo):
# matched only as written in capitals.
_CASE_SENSITIVE = frozenset({"UBA"})
_LEGAL_SUFFIX = re.compile(
    r"\s*(?:\(formerly[^)]*\)|\bplc\b|\blimited\b|\bltd\b\.?|\bof nigeria\b|\bnigeria\b)\s*$",
    re.IGNORECASE,
)
_MFB = re.compile(r"\s+(?:mfb|microfinance bank|microfinance)\b.*$", re.IGNORECASE)
# Ten digits, run together or grouped 4-3-3 / 3-3-4 ("0123 456 785").
_ACCOUNT = re.compile(
    r"(?<![\w+])(?<!\d[ \-])(?:\d{10}|\d{4}([ \-])\d{3}\1\d{3}|\d{3}([ \-])\d{3}\2\d{4})"
    r"(?![\w]|[ \-]\d)"
)
# In a structured value the number may sit right after a code: "058-0123456785".
_ACCOUNT_IN_FIELD = re.compile(
    r"(?<!\d)(?:\d{10}|\d{4}([ \-])\d{3}\1\d{3}|\d{3}([ \-])\d{3}\2\d{4})(?!\d)"
)
_CODE_TOKEN = re.compile(r"(?<!\d)(\d{3}|\d{5}|\d{6})(?!\d)")


@dataclass(frozen=True)
class _Index:
    names: dict[str, str]  # CBN code -> institution name
    codes_by_phrase: dict[str, frozenset[str]]  # lower-cased phrase -> CBN codes
    mention: re.Pattern[str]


def is_valid_nuban(bank_code: str, account: str) -> bool:
    """True when the 10-digit account's last digit is the check digit for this bank code."""
    if len(account) != 10 or not account.isdigit() or bank_code not in _index().names:
        return False
    # CBN's algorithm, 2020 revision: "000" + 3-digit or "9" + 5-digit code, weights 3,7,3,...
    return naija_data.nuban_check_digit(bank_code, account[:9]) == int(account[9])


def bank_name(bank_code: str) -> str | None:
    """The institution's name for a CBN code, if known."""
    return _index().names.get(bank_code)


@functools.cache
def _index() -> _Index:
    """Built once per process from the package's bank list (about 140 coded institutions)."""
    names: dict[str, str] = {}
    phrases: dict[str, set[str]] = {}
    for bank in naija_data.banks(active_only=False):
        if not bank.cbn_code:
            continue
        names[bank.cbn_code] = bank.name
        for phrase in _phrases(bank):
            phrases.setdefault(phrase if phrase in _CASE_SENSITIVE else phrase.lower(), set()).add(
                bank.cbn_code
            )
    codes = {p: frozenset(c) for p, c in phrases.items()}
    return _Index(names, codes, _mention_pattern(codes))


def _phrases(bank: naija_data.Bank) -> set[str]:
    """Every way a bank is named: full name, short name, aliases, and the name without "Plc"."""
    written = {
        bank.name,
        bank.short_name or "",
        *bank.aliases,
        *_EXTRA_ALIASES.get(bank.cbn_code or "", ()),
    }
    out = set()
    for name in filter(None, written):
        stripped = _strip_legal(name)
        out.update({name.strip(), stripped})
        core = _MFB.sub("", stripped)
        if core != stripped and core:  # "Kuda MFB" is also "Kuda Microfinance Bank"
            out.update({f"{core} MFB", f"{core} Microfinance Bank", f"{core} Microfinance"})
    return {p for p in out if len(p) >= 3}


def _strip_legal(name: str) -> str:
    previous = None
    while previous != name:
        previous, name = name, _LEGAL_SUFFIX.sub("", name).strip(" .,")
    return name


def _mention_pattern(codes: dict[str, frozenset[str]]) -> re.Pattern[str]:
    """One alternation of every phrase, longest first, spaces optional ("GTBank", "GT Bank")."""
    parts = []
    for phrase in sorted(codes, key=len, reverse=True):
        body = r"\s*".join(re.escape(word) for word in phrase.split())
        parts.append(f"(?-i:{body})" if phrase in _CASE_SENSITIVE else body)
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)


def find_accounts(text: str) -> list[Identifier]:
    """10-digit account numbers next to a bank's name, whose check digit holds for that bank."""
    found = []
    for match in _ACCOUNT.finditer(text):
        if context.labelled_as_other(text, match.start()):
            continue
        digits = re.sub(r"\D", "", match.group(0))
        code = _bank_for(text, match.start(), match.end(), digits)
        if code is not None:
            found.append(_identifier(code, digits, match.start(), match.end(), match.group(0)))
    return found


def _bank_for(text: str, start: int, end: int, account: str) -> str | None:
    """The bank named nearest to the number, if the check digit holds for it.

    Only the nearest name counts: when its check digit fails, the number is more likely a typo
    than an account at a bank named further away. Line breaks do not cut the window, as reports
    often say "Bank: GTBank" on one line and "Account: ..." on the next.
    """
    mention = _index().mention
    before, after = text[max(0, start - 60) : start], text[end : end + 40]
    nearest = sorted(
        [(len(before) - m.end(), m.group(0)) for m in mention.finditer(before)][-1:]
        + [(m.start(), m.group(0)) for m in mention.finditer(after)][:1]
    )
    if not nearest:
        return None
    valid = {c for c in _codes_for(nearest[0][1]) if is_valid_nuban(c, account)}
    return valid.pop() if len(valid) == 1 else None  # several banks fit: ambiguous, no link


def _codes_for(phrase: str) -> frozenset[str]:
    codes = _index().codes_by_phrase
    key = " ".join(phrase.split())
    found = codes.get(key) or codes.get(key.lower())
    if found:
        return found
    squashed = key.lower().replace(" ", "")  # "GTBank" written for "GT Bank"
    return next(
        (c for p, c in codes.items() if p.lower().replace(" ", "") == squashed), frozenset()
    )


def _identifier(code: str, account: str, start: int, end: int, written: str) -> Identifier:
    details = {"bank_code": code, "bank": _index().names[code]}
    return Identifier(BANK_ACCOUNT, written, f"nuban:{code}:{account}", True, details, start, end)


def parse_account(value: str) -> Identifier | None:
    """A structured bank-account value: "058:0123456789", "nuban:058:...", "GTBank 0123456789".

    None without a recognisable bank; valid=False when the bank is known but the check digit fails.
    """
    text = value.strip().removeprefix("nuban:")
    account = _ACCOUNT_IN_FIELD.search(text)
    if account is None:
        return None
    digits = re.sub(r"\D", "", account.group(0))
    code = _code_in(text.replace(account.group(0), " "))
    found = (code, is_valid_nuban(code, digits)) if code else _named_in(text, digits)
    if found is None:
        return None
    ident = _identifier(found[0], digits, -1, -1, value)
    return Identifier(BANK_ACCOUNT, value, ident.normalized, found[1], ident.details)


def _code_in(text: str) -> str | None:
    """A CBN code (3 or 5 digits) or NIBSS NIP code (6 digits) written in the value."""
    for match in _CODE_TOKEN.finditer(text):
        token = match.group(1)
        if token in _index().names:
            return token
        bank = naija_data.get_bank(token) if len(token) == 6 else None
        if bank is not None and bank.cbn_code in _index().names:
            return bank.cbn_code
    return None


def _named_in(text: str, account: str) -> tuple[str, bool] | None:
    """The bank named in the value: the one the check digit fits, or the only one named."""
    named: set[str] = set()
    for match in _index().mention.finditer(text):
        named |= _codes_for(match.group(0))
    valid = {c for c in named if is_valid_nuban(c, account)}
    if len(valid) == 1:
        return valid.pop(), True
    if not valid and len(named) == 1:
        return named.pop(), False
    return None
