"""Phone numbers: E.164 via `phonenumbers`, original network from the number's prefix."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumber, PhoneNumberMatcher, PhoneNumberType, carrier

from . import context
from .model import PHONE, Identifier

# The matcher costs ~50 us per candidate it parses, and dates, prices and order numbers are
# candidates too. It only runs on stretches of digits and separators that could hold a number we
# would accept (starting "+", "00", "0" or "234"), plus a margin for its own boundary checks.
_RUN = re.compile(r"\(?\+?\d[\d \t().\-/+]*\d\)?")
_PLAUSIBLE_START = re.compile(r"^\(?(?:\+|0|234)")
_MARGIN = 12

# Nigerian mobiles written back to back ("0803 123 4567 0805 123 4567") read as one long
# candidate to the matcher, which then finds nothing: a second pass looks for the usual shapes.
_NG_MOBILE = re.compile(
    r"(?<![\d+])(?:\+234|234|0)[\s\-]?[789][01]\d[\s\-]?\d{3}[\s\-]?\d{4}(?!\d)"
)
_DECIMAL_BEFORE = re.compile(r"\d[.,]")
_DECIMAL_AFTER = re.compile(r"[.,]\d")
_TYPE_NAMES = {
    value: name.lower()
    for name, value in vars(PhoneNumberType).items()
    if name.isupper() and isinstance(value, int)
}
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def details_for(number: PhoneNumber) -> dict[str, str]:
    """Country, number type and original network (numbers can be ported, so never "current")."""
    details = {
        "country": phonenumbers.region_code_for_number(number) or "",
        "type": _TYPE_NAMES.get(phonenumbers.number_type(number), "unknown"),
    }
    network = carrier.name_for_number(number, "en")
    if network:
        details["network"] = network
    return details


def e164(number: PhoneNumber) -> str:
    """The number in E.164 form, e.g. +2348031234567."""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_phones(text: str, region: str) -> list[Identifier]:
    """Valid phone numbers in free text that are not labelled as something else."""
    found = []
    for first, last in _windows(text):
        for match in PhoneNumberMatcher(text[first:last], region, leniency=Leniency.VALID):
            start, end = first + match.start, first + match.end
            if _acceptable(text, start, end, match.raw_string, match.number, region):
                found.append(_identifier(match.raw_string, match.number, start, end))
    if region == "NG":
        found += _back_to_back(text, region, [(p.start, p.end) for p in found])
    return sorted(found, key=lambda p: p.start)


def _windows(text: str) -> list[tuple[int, int]]:
    """Merged slices of `text` around digit runs that could be phone numbers we accept."""
    windows: list[tuple[int, int]] = []
    for run in _RUN.finditer(text):
        digits = sum(c.isdigit() for c in run.group(0))
        if digits < 7 or not _PLAUSIBLE_START.match(run.group(0)):
            continue
        first, last = max(0, run.start() - _MARGIN), min(len(text), run.end() + _MARGIN)
        if windows and first <= windows[-1][1]:
            windows[-1] = (windows[-1][0], last)
        else:
            windows.append((first, last))
    return windows


def _back_to_back(text: str, region: str, taken: list[tuple[int, int]]) -> list[Identifier]:
    found = []
    for match in _NG_MOBILE.finditer(text):
        if context.overlaps(match.start(), match.end(), taken):
            continue
        number = phonenumbers.parse(match.group(0), region)
        if phonenumbers.is_valid_number(number) and _acceptable(
            text, match.start(), match.end(), match.group(0), number, region
        ):
            found.append(_identifier(match.group(0), number, match.start(), match.end()))
    return found


def _identifier(raw: str, number: PhoneNumber, start: int, end: int) -> Identifier:
    return Identifier(PHONE, raw, e164(number), True, details_for(number), start, end)


def _acceptable(
    text: str, start: int, end: int, raw: str, number: PhoneNumber, region: str
) -> bool:
    """Precision rules on top of the matcher's VALID leniency."""
    if context.labelled_as_other(text, start) or _glued(text, start, end):
        return False
    if raw.count(".") == 1:
        return False  # "+35236450.6" is a decimal; a phone written with dots has two or more
    lead = raw.lstrip("( ")
    if lead.startswith(("+", "00")):
        return True  # written internationally: the writer meant a phone number
    if phonenumbers.region_code_for_number(number) != region:
        return False
    code = str(phonenumbers.country_code_for_region(region))
    if not lead.startswith(("0", code)):
        return False
    if phonenumbers.number_type(number) in _MOBILE_TYPES:
        return True
    # Landlines and special numbers look like any other digit run: need a phone word nearby.
    return context.has_phone_cue(text, start, end)


def _glued(text: str, start: int, end: int) -> bool:
    """Digits stuck to letters, '#' or '@' belong to codes or emails, and digits after or before
    a decimal point ("0.0803123456789", "+35236450.6") to a number: none of them is a phone."""
    before, after = text[max(0, start - 2) : start].rjust(2), text[end : end + 2].ljust(2)
    if before[1].isalnum() or before[1] in "#@_" or after[0].isalnum() or after[0] in "@_":
        return True
    return (
        _DECIMAL_BEFORE.fullmatch(before) is not None or _DECIMAL_AFTER.fullmatch(after) is not None
    )


def parse_phone(value: str, region: str) -> Identifier | None:
    """One structured phone value; None when it cannot be parsed at all."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    valid = phonenumbers.is_valid_number(number)
    return Identifier(PHONE, value, e164(number), valid, details_for(number) if valid else {})
