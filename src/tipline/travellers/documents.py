"""Travel documents: the machine-readable zone checked with ICAO 9303 (Part 3, 4.9) check digits
(weights 7-3-1) through the `mrz` library, and the ports of entry a notice may name.

A zone whose check digits fail is refused with the fields that failed; a valid one gives the
document number, issuing state, nationality, date of birth, sex and expiry it encodes, so the
notice's own fields can be compared with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mrz.checker.td1 import TD1CodeChecker
from mrz.checker.td2 import TD2CodeChecker
from mrz.checker.td3 import TD3CodeChecker

# Line lengths of each format: TD3 (passports) 2 x 44, TD2 2 x 36, TD1 (cards) 3 x 30.
_CHECKERS = {(2, 44): TD3CodeChecker, (2, 36): TD2CodeChecker, (3, 30): TD1CodeChecker}
# Check results of `mrz` that are check digits (the others are formats; an expired document
# is no reason to refuse a notice about a past trip, so expiry is not checked here).
_DIGITS = (
    "final hash",
    "document number hash",
    "birth date hash",
    "expiry date hash",
    "optional data hash",
)

# Nigeria's international and main domestic airports (IATA) and the state each is in.
PORTS_OF_ENTRY: dict[str, str] = {
    "LOS": "LA", "ABV": "FC", "PHC": "RI", "KAN": "KN", "ENU": "EN", "QOW": "IM", "CBQ": "CR",
    "BNI": "ED", "ILR": "KW", "KAD": "KD", "YOL": "AD", "MIU": "BO", "JOS": "PL", "SKO": "SO",
    "AKR": "ON", "QUO": "AK", "IBA": "OY", "ABB": "AN", "BCU": "BA", "GMO": "GO", "DKA": "KT",
    "MDI": "BE", "QRW": "DE", "MXJ": "NI", "IKA": "LA",
}  # fmt: skip


class MrzRefused(ValueError):
    """The zone is not a readable ICAO 9303 zone, or its check digits fail."""


@dataclass(frozen=True)
class MrzData:
    """What a valid zone says."""

    document_number: str
    issuing_state: str
    nationality: str
    birth_date: str  # YYMMDD
    sex: str
    expiry_date: str  # YYMMDD


def _lines(text: str) -> list[str]:
    return [line.strip().upper() for line in text.strip().splitlines() if line.strip()]


def mrz_check(text: str) -> MrzData:
    """Check a zone's check digits; raise `MrzRefused` saying which failed."""
    lines = _lines(text)
    checker_class = _CHECKERS.get((len(lines), len(lines[0]) if lines else 0))
    if checker_class is None or len({len(line) for line in lines}) != 1:
        raise MrzRefused("Not a machine-readable zone: 2 lines of 44 or 36, or 3 of 30.")
    try:
        checker = checker_class("\n".join(lines), check_expiry=False)
    except (ValueError, IndexError, TypeError) as exc:  # mrz's FieldError is a ValueError
        raise MrzRefused(f"Not a machine-readable zone: {exc}") from exc
    results = dict(checker.report._rep[0])  # noqa: SLF001  # mrz exposes no public accessor
    failed = [name for name in _DIGITS if results.get(name) is False]
    if failed:
        raise MrzRefused("Check digit fails: " + ", ".join(failed).replace(" hash", "") + ".")
    fields = checker.fields()
    return MrzData(
        document_number=fields.document_number.replace("<", ""),
        issuing_state=fields.country.replace("<", ""),
        nationality=fields.nationality.replace("<", ""),
        birth_date=fields.birth_date,
        sex=fields.sex.replace("<", "").lower(),
        expiry_date=fields.expiry_date,
    )
