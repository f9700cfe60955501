"""The wire format's fields: the draft's limits, element names, xs: lexical values, and
``_Fields``, which reads one element and keeps what it could not map."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from tipline.common.time import to_utc, utcnow
from tipline.reports.choices import (
    Annotation,
    InternetDetailKind,
)
from tipline.reports.drafts import CLOCK_SKEW_SECONDS

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# The draft's limits (reports/drafts.py), mirrored so a value is checked before the model sees it.
SHORT: Final = 500
TEXT: Final = 20_000
URL: Final = 2083
PLATFORM: Final = 256
ESCALATION: Final = 3000
EMAIL_MAX: Final = 254
PHONE_MIN, PHONE_MAX = 3, 40
IP_MIN, IP_MAX = 2, 64
MAX_PEOPLE: Final = 200
MAX_INTERNET_DETAILS: Final = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
REST_LABEL: Final = "Further /ispws fields: "

# Element names of the wire format <-> the platform's vocabularies (shared with the export).
ISPWS_INTERNET_KINDS: Final[dict[str, InternetDetailKind]] = {
    "webPageIncident": InternetDetailKind.WEB_PAGE,
    "emailIncident": InternetDetailKind.EMAIL,
    "newsgroupIncident": InternetDetailKind.NEWSGROUP,
    "chatImIncident": InternetDetailKind.CHAT_IM,
    "onlineGamingIncident": InternetDetailKind.ONLINE_GAMING,
    "cellPhoneIncident": InternetDetailKind.CELL_PHONE,
    "nonInternetIncident": InternetDetailKind.NON_INTERNET,
    "peer2peerIncident": InternetDetailKind.PEER_TO_PEER,
}
ISPWS_REPORT_ANNOTATIONS: Final[dict[str, Annotation]] = {
    "sextortion": Annotation.SEXTORTION,
    "csamSolicitation": Annotation.CSAM_SOLICITATION,
    "minorToMinorInteraction": Annotation.MINOR_TO_MINOR,
    "spam": Annotation.SPAM,
    "sadisticOnlineExploitation": Annotation.SADISTIC_ONLINE_EXPLOITATION,
}
# fileAnnotations/* and the platform's names for them (snake case, like Annotation's values).
ISPWS_FILE_ANNOTATIONS: Final[dict[str, str]] = {
    "animeDrawingVirtualHentai": "anime_drawing_virtual_hentai",
    "potentialMeme": "potential_meme",
    "viral": "viral",
    "possibleSelfProduction": "possible_self_production",
    "physicalHarm": "physical_harm",
    "violenceGore": "violence_gore",
    "bestiality": "bestiality",
    "liveStreaming": "live_streaming",
    "infant": "infant",
    "generativeAi": "generative_ai",
}


# --------------------------------------------------------------------------- lexical values


_XS_DATETIME = re.compile(
    r"^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$"
)
_XS_DATE = re.compile(r"^(-?\d{4,})-(\d\d)-(\d\d)(Z|[+-]\d\d:\d\d)?$")
_XS_INT = re.compile(r"^[+-]?[0-9]+$")


def _zone(text: str | None) -> timezone | None:
    if text is None:
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:6])))


def _xs_datetime(text: str) -> datetime | None:
    """An xs:dateTime as a datetime (naive when it has no zone), or None if Python cannot hold it.

    Years outside 1..9999 and instants that overflow when moved to UTC are refused: every later
    step (storage, identifiers) converts to UTC.
    """
    match = _XS_DATETIME.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        parts = (int(year), int(month), int(day), int(hour) % 24, int(minute), int(second))
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        # A value without a zone stays naive on purpose: the caller decides how to read it.
        moment = datetime(*parts, micro, tzinfo=_zone(zone))  # noqa: DTZ001
        moment += timedelta(days=int(hour) // 24)  # xs:dateTime's 24:00:00 ends the day
        to_utc(moment)
    except (ValueError, OverflowError):
        return None
    return moment


def _xs_date(text: str) -> tuple[date | None, bool]:
    """An xs:date, and whether it carried a time zone (which a ``date`` cannot keep)."""
    match = _XS_DATE.match(text.strip())
    if match is None:
        return None, False
    try:
        return date(int(match[1]), int(match[2]), int(match[3])), match[4] is not None
    except ValueError:
        return None, False


def _xs_boolean(text: str) -> bool | None:
    return {"true": True, "1": True, "false": False, "0": False}.get(text.strip())


def _in_future(moment: datetime) -> bool:
    # The same test IncidentDraft applies, so a late-arriving clock skew cannot make it raise.
    return (to_utc(moment)[0] - utcnow()).total_seconds() > CLOCK_SKEW_SECONDS


def _build(model: type[M], **values: Any) -> M | None:
    """``model`` from the values that are not None, or None if it still refuses them."""
    try:
        return model(**{k: v for k, v in values.items() if v is not None})
    except ValidationError:
        return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --------------------------------------------------------------------------- reading an element


class _Fields:
    """One element's dict, read field by field; :meth:`rest` is what was not read whole.

    A reader marks a key as used only when its value went onto a typed field without loss, so a
    value that was clipped, out of range or unparsable is still in ``rest()`` exactly as sent.
    """

    def __init__(self, raw: Any) -> None:
        self.raw: dict[str, Any] = raw if isinstance(raw, dict) else {}
        self._used: set[str] = set()
        self._kept: dict[str, Any] = {}

    def peek(self, key: str) -> Any:
        """The raw value of ``key``, which stays in ``rest()``."""
        return self.raw.get(key)

    def take(self, key: str) -> Any:
        """The raw value of ``key``, handed over whole: the caller keeps what it cannot map."""
        self._used.add(key)
        return self.raw.get(key)

    def release(self, *keys: str) -> None:
        """Put keys back into ``rest()`` whole: what was read from them could not be used."""
        self._used.difference_update(keys)
        for key in keys:
            self._kept.pop(key, None)

    def has_any(self, keys: Iterable[str]) -> bool:
        """Whether any of ``keys`` is present."""
        return any(key in self.raw for key in keys)

    def text(self, key: str, limit: int = SHORT, *, clip: bool = True) -> str | None:
        """Stripped text; a longer one is clipped (or refused with ``clip=False``) and kept."""
        value = self.raw.get(key)
        if not isinstance(value, str):
            return None
        cleaned = value.strip()
        if len(cleaned) <= limit:
            self._used.add(key)
        elif not clip:
            return None
        return cleaned[:limit] or None

    def joined(self, key: str, limit: int) -> str | None:
        """One text, or several (a repeated element) joined by blank lines."""
        value = self.raw.get(key)
        parts = _as_list(value)
        text = "\n\n".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
        if value is not None and len(text) <= limit and all(isinstance(p, str) for p in parts):
            self._used.add(key)
        return text[:limit] or None

    def flag(self, key: str) -> bool | None:
        """An xs:boolean."""
        value = self.raw.get(key)
        parsed = _xs_boolean(value) if isinstance(value, str) else None
        if parsed is not None:
            self._used.add(key)
        return parsed

    def number(self, key: str, low: int, high: int) -> int | None:
        """An integer within ``low..high``."""
        value = self.raw.get(key)
        if not isinstance(value, str) or not _XS_INT.match(value.strip()):
            return None
        parsed = int(value.strip())
        if not low <= parsed <= high:
            return None
        self._used.add(key)
        return parsed

    def real(self, key: str, low: float, high: float) -> float | None:
        """A finite xs:double within ``low..high``."""
        value = self.raw.get(key)
        try:
            parsed = float(value.strip()) if isinstance(value, str) else math.nan
        except ValueError:
            return None
        if not (math.isfinite(parsed) and low <= parsed <= high):
            return None
        self._used.add(key)
        return parsed

    def moment(self, key: str, *, naive_ok: bool = False) -> datetime | None:
        """An xs:dateTime. Without ``naive_ok`` a zoneless one is read as WAT and also kept."""
        value = self.raw.get(key)
        parsed = _xs_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            return None
        if parsed.tzinfo is None and not naive_ok:
            return to_utc(parsed)[0]  # that no zone was given is worth keeping: stays in rest()
        self._used.add(key)
        return parsed

    def day(self, key: str) -> date | None:
        """An xs:date (a zone, which a date cannot carry, leaves the value in ``rest()``)."""
        value = self.raw.get(key)
        parsed, zoned = _xs_date(value) if isinstance(value, str) else (None, False)
        if parsed is not None and not zoned:
            self._used.add(key)
        return parsed

    def items(
        self, key: str, convert: Callable[[Any], tuple[T | None, bool]], limit: int
    ) -> list[T]:
        """Convert each item of a (repeated) element; items not converted whole are kept."""
        value = self.raw.get(key)
        if value is None:
            return []
        self._used.add(key)
        found: list[T] = []
        kept: list[Any] = []
        for item in _as_list(value):
            model, whole = convert(item) if len(found) < limit else (None, False)
            if model is not None:
                found.append(model)
            if not whole:
                kept.append(item)
        if kept:
            self._kept[key] = kept if isinstance(value, list) else kept[0]
        return found

    def one(self, key: str, convert: Callable[[Any], tuple[T | None, bool]]) -> T | None:
        """Like :meth:`items` for an element that occurs at most once."""
        found = self.items(key, convert, 1)
        return found[0] if found else None

    def rest(self) -> dict[str, Any]:
        """Everything not read whole, in the document's names and shape."""
        left = {k: v for k, v in self.raw.items() if k not in self._used}
        return {**left, **self._kept}
