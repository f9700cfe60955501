"""Screening a text for trafficking indicators: pure, no database (the services add the licensed
list and the links to earlier reports).

The text is lower-cased and stripped of accents once (so Yoruba and Igbo tone marks do not hide a
phrase), each indicator's one compiled pattern runs over it, and a negation shortly before a match
in the same clause cancels it. The score is the sum of the weights of the indicators found; the
level starts where the data file's thresholds say.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from tipline.identifiers.extraction import STRONG_KINDS, extract_text, normalize
from tipline.screening.choices import LEVELS, Level
from tipline.screening.indicators import Indicator, IndicatorSet, load_indicators
from tipline.screening.needles import may_match

MAX_TRIGGERS = 3
# A negation shortly before the words, in the same clause, cancels them ("we never ask for your
# passport", "you no go pay for visa" is a sign itself and is written as a pattern, not cancelled).
_NEGATION = re.compile(
    r"\b(?:no|not|never|don'?t|do not|doesn'?t|won'?t|will not|without|nobody|ba|ko|kii|"
    r"aghaghi|no be|we do not|we never)\b"
)
_CLAUSE_BREAK = re.compile(r"[.;!?\n]")
_NEGATION_WINDOW = 30
# Names of recruitment or travel agencies: capitalised words ending in a word agencies use.
_AGENCY = re.compile(
    r"\b((?:[A-Z][\w&'.-]*\s+){1,5}"
    r"(?:Agency|Agencies|Recruitment|Recruiters|Manpower|Placements?|Travels|Travel\s+(?:and|&)"
    r"\s+Tours|Tours|Consult|Consults|Consultants?)\b(?:\s+(?:Ltd|Limited|Nig(?:eria)?))?\.?)"
)
_AGENCY_NOISE = re.compile(r"\b(?:ltd|limited|nig|nigeria|plc|the|and)\b|[^a-z0-9 ]")


@dataclass(frozen=True)
class Finding:
    """One indicator found: which, why it matters, and the words that triggered it as written."""

    indicator: Indicator
    triggers: tuple[str, ...]
    linked_reports: tuple[int, ...] = ()

    @property
    def id(self) -> str:
        """The indicator's id."""
        return self.indicator.id


@dataclass(frozen=True)
class FoundIdentifier:
    """An identifier in the text, from the extraction library: kind and normalised value."""

    kind: str
    normalized: str
    row: int = 0  # a stored identifier's id, when its value stays encrypted in its table

    @property
    def words(self) -> str:
        """How a finding names it: the value given, or only its kind for a stored one."""
        return self.kind if self.row else f"{self.kind} {self.normalized}"

    @property
    def strong(self) -> bool:
        """Whether it links reports (a phone, email, account, wallet or bank account)."""
        return self.kind in STRONG_KINDS


@dataclass(frozen=True)
class Screening:
    """The outcome: the findings, the score, the level, and the identifiers found."""

    findings: tuple[Finding, ...]
    score: int
    level: str
    identifiers: tuple[FoundIdentifier, ...] = ()
    raised_by_links: bool = False
    agencies: tuple[str, ...] = field(default=())

    def with_links(self, linked: dict[FoundIdentifier, tuple[int, ...]]) -> Screening:
        """This screening with the earlier reports its identifiers link to: one more finding,
        and the level raised one step."""
        reports = tuple(sorted({pk for pks in linked.values() for pk in pks}))
        if not reports:
            return self
        words = tuple(dict.fromkeys(i.words for i in linked))[:MAX_TRIGGERS]
        sign = Finding(load_indicators().by_id("linked_identifier"), words, reports)
        return replace(
            self,
            findings=(*self.findings, sign),
            level=raise_level(self.level),
            raised_by_links=True,
        )

    def with_images(self, known_lists: tuple[str, ...], reported: tuple[int, ...]) -> Screening:
        """This screening with what its images matched: a known abuse hash list (named by the
        lists' names only) makes it high; a picture in earlier reports raises it one step and
        says in how many."""
        findings, level = list(self.findings), self.level
        if reported:
            words: tuple[str, ...] = (
                f"near-identical picture in {len(reported)} earlier report(s)",
            )
            indicator = load_indicators().by_id("reported_image")
            findings.append(Finding(indicator, words, reported))
            level = raise_level(level)
        if known_lists:
            words = tuple(f"hash list {name}" for name in known_lists)
            findings.append(Finding(load_indicators().by_id("known_abuse_image"), words))
            level = Level.HIGH
        return replace(self, findings=tuple(findings), level=level)


def raise_level(level: str) -> str:
    """One level up (none to low, ..., high stays high)."""
    return LEVELS[min(LEVELS.index(level) + 1, len(LEVELS) - 1)]


def level_for(score: int, thresholds: dict[str, int]) -> str:
    """The level a score reaches."""
    for level in (Level.HIGH, Level.MEDIUM, Level.LOW):
        if score >= thresholds[level]:
            return level
    return Level.NONE


def fold(text: str) -> tuple[str, list[int]]:
    """The text lower-cased without accents, and for each of its characters the index of the
    character of `text` it came from (to quote the triggering words as written)."""
    if text.isascii():  # the common case: nothing to strip, one character for one
        return text.lower(), list(range(len(text)))
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char.lower()):
            if not unicodedata.combining(part):
                out.append(part)
                origin.append(index)
    return "".join(out), origin


def _negated(folded: str, start: int) -> bool:
    clause = max((m.end() for m in _CLAUSE_BREAK.finditer(folded, 0, start)), default=0)
    return bool(_NEGATION.search(folded[max(clause, start - _NEGATION_WINDOW) : start]))


def _spans(indicator: Indicator, folded: str) -> list[tuple[int, int]]:
    """Where the indicator's phrases match, not negated, longest first where they overlap."""
    if not may_match(indicator.any_needles, folded):
        return []  # none of its phrases can match: the common case, a few substring tests
    spans = [
        match.span()
        for pattern, needles in indicator.phrases()
        if may_match(needles, folded)  # a substring test rules most patterns out
        for match in pattern.finditer(folded)
        if match.end() > match.start()
        and not (indicator.negatable and _negated(folded, match.start()))
    ]
    spans.sort(key=lambda span: (span[0], -span[1]))
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if not any(s <= start and end <= e or s < end and start < e for s, e in kept):
            kept.append((start, end))
    return kept


def _triggers(indicator: Indicator, text: str, folded: str, origin: list[int]) -> tuple[str, ...]:
    """The words that triggered the indicator, as written (at most three, in order)."""
    found: list[str] = []
    for start, end in _spans(indicator, folded):
        words = text[origin[start] : origin[end - 1] + 1].strip()
        if words and words not in found:
            found.append(words)
    return tuple(found[:MAX_TRIGGERS])


def agency_key(name: str) -> str:
    """An agency's name for comparison: lower case, no punctuation, no 'Ltd' or 'Nigeria'."""
    return " ".join(_AGENCY_NOISE.sub(" ", fold(name)[0]).split())


def agencies_in(text: str) -> tuple[str, ...]:
    """The names of recruitment or travel agencies in the text, as written."""
    names = [" ".join(m.group(1).split()).rstrip(".") for m in _AGENCY.finditer(text)]
    return tuple(dict.fromkeys(names))


def _agency_findings(
    names: tuple[str, ...], licensed: frozenset[str], rules: IndicatorSet
) -> list[Finding]:
    unlisted = tuple(n for n in names if agency_key(n) not in licensed)
    listed = tuple(n for n in names if agency_key(n) in licensed)
    findings = []
    if unlisted:
        findings.append(Finding(rules.by_id("unlicensed_agency"), unlisted[:MAX_TRIGGERS]))
    if listed:
        findings.append(Finding(rules.by_id("licensed_agency"), listed[:MAX_TRIGGERS]))
    return findings


def identifiers_in(text: str, extra: Iterable[tuple[str, str]] = ()) -> tuple[FoundIdentifier, ...]:
    """Identifiers in the text and in the `extra` (kind, value) pairs given beside it (phones, a
    URL), by the extraction library's rules; invalid ones are dropped."""
    found = [FoundIdentifier(i.kind, i.normalized) for i in extract_text(text) if i.valid]
    for kind, value in extra:
        ident = normalize(kind, value)
        if ident is not None and ident.valid:
            found.append(FoundIdentifier(ident.kind, ident.normalized))
    return tuple(dict.fromkeys(found))


def screen_text(
    text: str,
    *,
    licensed: frozenset[str] = frozenset(),
    extra_identifiers: Iterable[tuple[str, str]] = (),
    rules: IndicatorSet | None = None,
    find_identifiers: bool = True,
) -> Screening:
    """Screen one text: every indicator found with its triggering words, and the level.

    `licensed` holds the `agency_key`s of the licensed agencies; `extra_identifiers` are (kind,
    value) pairs given beside the text (phones, a URL). `find_identifiers=False` skips the
    extraction (a stored report's identifiers are already extracted). Links to earlier reports
    are the services' part."""
    rules = rules or load_indicators()
    folded, origin = fold(text)
    findings = [
        Finding(indicator, words)
        for indicator in rules.indicators
        if (words := _triggers(indicator, text, folded, origin))
    ]
    agencies = agencies_in(text)
    findings += _agency_findings(agencies, licensed, rules)
    score = sum(f.indicator.weight for f in findings)
    return Screening(
        findings=tuple(findings),
        score=score,
        level=level_for(score, rules.thresholds),
        identifiers=identifiers_in(text, extra_identifiers) if find_identifiers else (),
        agencies=agencies,
    )
