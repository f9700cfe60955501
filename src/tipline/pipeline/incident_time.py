"""Reading the incident time a reporter wrote in words ('yesterday evening', 'jiya da yamma').

The words are kept as written (`Report.incident_time_text`); this gives the pipeline a time to
judge recency by, and says how it was read so an analyst can check it. Dates and relative days
are read by dateparser, offline, in Hausa, Yoruba, Igbo and English. dateparser has no Nigerian
Pidgin and none of the languages' parts of the day, so those come from a small reviewed word list
(`data/time_words.json`), applied before dateparser sees the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

WAT = ZoneInfo("Africa/Lagos")
WORDS_PATH = Path(__file__).resolve().parent / "data" / "time_words.json"
DATEPARSER_LANGUAGES = {"ha", "yo", "ig", "en"}


@dataclass(frozen=True)
class TimeReading:
    """A time read from the reporter's words, in UTC, and how it was read."""

    at: datetime
    note: str


@cache
def _words() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(WORDS_PATH.read_text(encoding="utf-8"))
    return loaded


def _part_of_day(text: str, language: str) -> tuple[str, int | None, int]:
    """The text without its part-of-day words, the hour they mean, and a day shift."""
    for lang in dict.fromkeys([language, "en"]):
        for phrase, (hour, days) in _words()["parts_of_day"].get(lang, {}).items():
            pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE)
            if pattern.search(text):
                return pattern.sub(" ", text).strip(" ,"), hour, days
    return text, None, 0


def _pidgin(text: str) -> str:
    for word, english in _words()["pcm_to_en"].items():
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", english, text, flags=re.IGNORECASE)
    return text


def _parse(text: str, language: str, base: datetime) -> datetime | None:
    # Imported here: it loads its language data on first use. It ships no type stubs.
    import dateparser  # type: ignore[import-untyped]  # noqa: PLC0415

    languages = [language, "en"] if language in DATEPARSER_LANGUAGES - {"en"} else ["en"]
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
    found: datetime | None = dateparser.parse(text, languages=languages, settings=settings)
    return found


def read_incident_time(*, text: str, language: str, received_at: datetime) -> TimeReading | None:
    """The time the words describe, relative to when the report was received, or None."""
    words = " ".join(text.split())
    if not words or not any(ch.isalpha() for ch in words) and "/" not in words:
        return None  # a bare number such as '13' is not a date
    base = received_at.astimezone(WAT).replace(tzinfo=None)
    rest, hour, days = _part_of_day(words, language)
    rest = _pidgin(rest) if language == "pcm" else rest
    found = _parse(rest, language, base) if rest else base
    if found is None:
        return None
    found += timedelta(days=days)
    if hour is not None:
        found = found.replace(hour=hour, minute=0, second=0, microsecond=0)
        if found > base and not rest:
            found -= timedelta(days=1)  # 'evening' said in the morning: the evening before
    if found > base:
        return None  # a report describes what already happened
    how = "dateparser" + (
        " and the reviewed word list" if hour is not None or rest != words else ""
    )
    note = (
        f"read from '{words}' relative to the received time {base:%Y-%m-%d %H:%M} WAT, "
        f"language {language} ({how}): {found:%Y-%m-%d %H:%M} WAT"
    )
    return TimeReading(at=found.replace(tzinfo=WAT).astimezone(ZoneInfo("UTC")), note=note)
