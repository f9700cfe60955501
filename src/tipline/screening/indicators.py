"""The indicators, loaded from `data/indicators.json` and compiled once per process.

The file is data an analyst can read and a reviewer can correct: each indicator's weight, its
sources, its name and plain-words explanation per language, and its patterns per language.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tipline.screening.needles import Needles, either, required_literals

INDICATORS_PATH = Path(__file__).resolve().parent / "data" / "indicators.json"
LANGUAGES = ("en", "pcm", "ha", "yo", "ig")


class IndicatorsError(ValueError):
    """The indicators file is not valid."""


@dataclass(frozen=True)
class Indicator:
    """One warning sign: what it is called and why it matters, in each language, and how to
    recognise it (one compiled pattern over every language's phrases)."""

    id: str
    weight: int
    sources: tuple[str, ...]
    names: dict[str, str]
    explanations: dict[str, str]
    # One pattern per phrase: a phrase that starts with literal words is found by a fast scan,
    # which one alternation of them all would lose. Empty for the signs found otherwise.
    patterns: tuple[re.Pattern[str], ...]
    negatable: bool
    # For each pattern, the words it cannot match without (`needles.required_literals`).
    needles: tuple[Needles | None, ...] = ()
    any_needles: Needles | None = None  # what any of its patterns needs: most texts have none

    def phrases(self) -> zip[tuple[re.Pattern[str], Needles | None]]:
        """Each pattern with its needles (None: always run it)."""
        needles = self.needles or (None,) * len(self.patterns)
        return zip(self.patterns, needles, strict=True)

    def name(self, language: str) -> str:
        """The name in `language`, English when there is none."""
        return self.names.get(language) or self.names["en"]

    def explanation(self, language: str) -> str:
        """The plain-words explanation in `language`, English when there is none."""
        return self.explanations.get(language) or self.explanations["en"]


@dataclass(frozen=True)
class IndicatorSet:
    """Every indicator, the sources they cite, and the scores at which each level starts."""

    indicators: tuple[Indicator, ...]
    computed: tuple[Indicator, ...]  # found by other means than words: agencies, links
    sources: dict[str, str]
    thresholds: dict[str, int]

    def by_id(self, indicator_id: str) -> Indicator:
        """One indicator by its id."""
        return next(i for i in self.indicators + self.computed if i.id == indicator_id)


def _compile(raw: dict[str, Any]) -> tuple[re.Pattern[str], ...]:
    phrases = [p for language in LANGUAGES for p in raw.get("patterns", {}).get(language, [])]
    if not phrases:
        raise IndicatorsError(f"Indicator {raw.get('id')!r} has no pattern.")
    try:
        return tuple(re.compile(phrase) for phrase in phrases)  # run on folded text
    except re.error as exc:
        raise IndicatorsError(f"Indicator {raw['id']!r}: bad pattern ({exc}).") from exc


def _indicator(raw: dict[str, Any], sources: dict[str, str], computed: bool) -> Indicator:
    for key in ("id", "weight", "sources", "name", "explain", *(() if computed else ("patterns",))):
        if key not in raw:
            raise IndicatorsError(f"An indicator lacks {key!r}: {raw.get('id', raw)}")
    unknown = set(raw["sources"]) - set(sources)
    if unknown or not raw["sources"]:
        raise IndicatorsError(f"Indicator {raw['id']!r} cites unknown sources {sorted(unknown)}.")
    if "en" not in raw["name"] or "en" not in raw["explain"]:
        raise IndicatorsError(f"Indicator {raw['id']!r} needs an English name and explanation.")
    patterns = () if computed else _compile(raw)
    needles = [required_literals(pattern) for pattern in patterns]
    return Indicator(
        id=raw["id"],
        weight=int(raw["weight"]),
        sources=tuple(raw["sources"]),
        names=dict(raw["name"]),
        explanations=dict(raw["explain"]),
        patterns=patterns,
        negatable=bool(raw.get("negatable", True)),
        needles=tuple(needles),
        any_needles=either(needles),
    )


def parse_indicators(data: dict[str, Any]) -> IndicatorSet:
    """An indicator set from its JSON form; `IndicatorsError` with a clear message if invalid."""
    sources = dict(data.get("sources", {}))
    indicators = tuple(_indicator(raw, sources, False) for raw in data.get("indicators", []))
    computed = tuple(_indicator(raw, sources, True) for raw in data.get("computed", []))
    ids = [i.id for i in indicators + computed]
    if len(ids) != len(set(ids)):
        raise IndicatorsError("Indicator ids must be unique.")
    thresholds = dict(data.get("levels", {"low": 1, "medium": 3, "high": 5}))
    return IndicatorSet(
        indicators=indicators, computed=computed, sources=sources, thresholds=thresholds
    )


@cache
def load_indicators(path: Path = INDICATORS_PATH) -> IndicatorSet:
    """The indicators file, parsed and compiled once per process."""
    return parse_indicators(json.loads(path.read_text(encoding="utf-8")))
