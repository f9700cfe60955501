"""Priority rules as data: P1 (a child in imminent danger) to P4, with reasons an analyst checks.

The rules live in `data/priority_rules.json`. A rule fires when all its conditions hold; the
highest priority among fired rules wins, and the reasons of every fired rule at that level are
given (then the lower ones). With no rule firing, child-related types default to P3, others to P4.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

RULES_PATH = Path(__file__).resolve().parent / "data" / "priority_rules.json"
LEVELS = ("P1", "P2", "P3", "P4")
MINOR_AGE = 18
# A negation shortly before a phrase in the same clause cancels it ("no meeting was arranged").
_NEGATION = re.compile(
    r"\b(no|not|never|didn'?t|did not|won'?t|wasn'?t|nobody|ba|kò|ọ́ ?bụ́ ?ghị|no be)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[.;!?\n]")


@dataclass(frozen=True)
class HashMatchFact:
    """One hash match of one of the report's files."""

    list_name: str
    unidentified_victim: bool
    category: str | None
    distance: int
    kind: str


@dataclass(frozen=True)
class ReportFacts:
    """Everything a rule may look at, already gathered by the pipeline."""

    incident_type: str
    annotations: frozenset[str] = frozenset()
    texts: tuple[str, ...] = ()
    victim_ages: tuple[int, ...] = ()
    has_minor_victim: bool | None = None
    hash_matches: tuple[HashMatchFact, ...] = ()
    escalation_requested: bool = False
    incident_age_hours: float | None = None
    cluster_size: int = 1
    channel: str = ""
    identifier_kinds: frozenset[str] = frozenset()
    cross_border: bool = False
    # Travel notices a person of the report likely matches (travellers, before this step).
    travel_notices: tuple[str, ...] = ()
    # The screening step's level (none/low/medium/high) and the indicators it found.
    screening_level: str = "none"
    screening_indicators: tuple[str, ...] = ()


@dataclass(frozen=True)
class PriorityResult:
    """The priority, the reasons in words, and the ids of the rules that fired."""

    priority: str
    reasons: tuple[str, ...]
    rule_ids: tuple[str, ...]


class RulesError(ValueError):
    """The rules file is not valid."""


Check = Callable[[ReportFacts, dict[str, str]], bool]


@dataclass(frozen=True)
class Rule:
    """One rule: its conditions, compiled, and the reason template."""

    id: str
    priority: str
    reason: str
    checks: tuple[Check, ...]

    def fire(self, facts: ReportFacts) -> str | None:
        """The reason, filled with the evidence, when every condition holds."""
        evidence: dict[str, str] = {"type": facts.incident_type.replace("_", " ")}
        if all(check(facts, evidence) for check in self.checks):
            return self.reason.format_map(_Missing(evidence))
        return None


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(frozen=True)
class Rules:
    """The loaded rule set and the defaults."""

    rules: tuple[Rule, ...]
    child_types: frozenset[str]
    default_child: str
    default_other: str = field(default="P4")


def _negated(text: str, start: int) -> bool:
    clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    window = text[max(clause_start, start - 40) : start]
    return bool(_NEGATION.search(window))


def _text_check(patterns: list[str]) -> Check:
    compiled = [re.compile(p, re.IGNORECASE) for p in patterns]

    def check(facts: ReportFacts, evidence: dict[str, str]) -> bool:
        for text in facts.texts:
            for pattern in compiled:
                for match in pattern.finditer(text):
                    if not _negated(text, match.start()):
                        evidence["match"] = match.group(0).strip()
                        return True
        return False

    return check


def _unidentified(facts: ReportFacts, evidence: dict[str, str]) -> bool:
    for match in facts.hash_matches:
        if match.unidentified_victim:
            evidence["list"] = match.list_name
            return True
    return False


def _age_below(limit: int) -> Check:
    def check(facts: ReportFacts, evidence: dict[str, str]) -> bool:
        young = [age for age in facts.victim_ages if age < limit]
        if young:
            evidence["age"] = str(min(young))
        return bool(young)

    return check


def _within(hours: float) -> Check:
    return lambda f, e: f.incident_age_hours is not None and 0 <= f.incident_age_hours <= hours


def _cluster(size: int) -> Check:
    def check(facts: ReportFacts, evidence: dict[str, str]) -> bool:
        evidence["size"] = str(facts.cluster_size)
        return facts.cluster_size >= size

    return check


def _minor(facts: ReportFacts, evidence: dict[str, str]) -> bool:
    return bool(facts.has_minor_victim)


def _sextortion(facts: ReportFacts, evidence: dict[str, str]) -> bool:
    return "sextortion" in facts.annotations or facts.incident_type == "financial_sextortion"


SCREENING_LEVELS = ("none", "low", "medium", "high")


def _screening_at_least(level: str) -> Check:
    if level not in SCREENING_LEVELS:
        raise RulesError(f"screening_level_at_least must be one of {SCREENING_LEVELS}.")

    def check(facts: ReportFacts, evidence: dict[str, str]) -> bool:
        evidence["screening"] = facts.screening_level
        evidence["indicators"] = ", ".join(facts.screening_indicators) or "none"
        known = facts.screening_level in SCREENING_LEVELS
        return known and SCREENING_LEVELS.index(facts.screening_level) >= SCREENING_LEVELS.index(
            level
        )

    return check


def _travel_notice(facts: ReportFacts, evidence: dict[str, str]) -> bool:
    evidence["notice"] = ", ".join(facts.travel_notices)
    return bool(facts.travel_notices)


def _compile(key: str, value: Any, child_types: frozenset[str]) -> Check:
    makers: dict[str, Callable[[Any], Check]] = {
        "annotation_any": lambda v: lambda f, e: bool(f.annotations & set(v)),
        "incident_type_in": lambda v: lambda f, e: f.incident_type in set(v),
        "text_any_pattern": _text_check,
        "hash_match_unidentified": lambda v: _unidentified,
        "victim_age_below": _age_below,
        "minor_victim": lambda v: _minor,
        "minor_victim_or_child_type": lambda v: lambda f, e: bool(f.has_minor_victim)
        or f.incident_type in child_types,
        "sextortion": lambda v: _sextortion,
        "incident_within_hours": _within,
        "escalation_requested": lambda v: lambda f, e: f.escalation_requested,
        "cluster_size_at_least": _cluster,
        "travel_notice_match": lambda v: _travel_notice,
        "screening_level_at_least": _screening_at_least,
    }
    if key not in makers:
        raise RulesError(f"Unknown condition {key!r}; known: {', '.join(sorted(makers))}.")
    return makers[key](value)


def _rule(raw: dict[str, Any], child_types: frozenset[str]) -> Rule:
    for required in ("id", "priority", "reason"):
        if required not in raw:
            raise RulesError(f"A rule lacks {required!r}: {raw}")
    if raw["priority"] not in LEVELS:
        raise RulesError(f"Rule {raw['id']}: priority must be one of {LEVELS}.")
    conditions = {k: v for k, v in raw.items() if k not in ("id", "priority", "reason")}
    if not conditions:
        raise RulesError(f"Rule {raw['id']} has no condition.")
    checks = tuple(_compile(k, v, child_types) for k, v in conditions.items())
    return Rule(raw["id"], raw["priority"], raw["reason"], checks)


def parse_rules(data: dict[str, Any]) -> Rules:
    """Build a rule set from its JSON form; raise `RulesError` with a clear message if invalid."""
    child_types = frozenset(data.get("child_types", []))
    rules = tuple(_rule(raw, child_types) for raw in data.get("rules", []))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise RulesError("Rule ids must be unique.")
    default = data.get("default", {})
    return Rules(rules, child_types, default.get("child", "P3"), default.get("other", "P4"))


@cache
def load_rules(path: Path = RULES_PATH) -> Rules:
    """The rules file, parsed once per process."""
    return parse_rules(json.loads(path.read_text(encoding="utf-8")))


def prioritise(facts: ReportFacts, rules: Rules | None = None) -> PriorityResult:
    """Judge a report: the highest fired priority, with every fired rule's reason."""
    rules = rules or load_rules()
    fired = [(rule, reason) for rule in rules.rules if (reason := rule.fire(facts))]
    if not fired:
        default = (
            rules.default_child if facts.incident_type in rules.child_types else rules.default_other
        )
        reason = (
            f"No urgent indicators found; the default for {facts.incident_type.replace('_', ' ')}"
        )
        return PriorityResult(default, (reason,), ())
    fired.sort(key=lambda pair: LEVELS.index(pair[0].priority))
    return PriorityResult(
        fired[0][0].priority, tuple(r for _, r in fired), tuple(rule.id for rule, _ in fired)
    )
