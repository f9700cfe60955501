"""The literal words a pattern cannot match without: a cheap test that skips most patterns.

Scanning a report for some three hundred phrase patterns is the costliest part of screening: most
of them start with a group of alternatives, so the regular expression engine tries each at every
position of the text. But every match of `free (?:visa|tickets?)` contains "free " and one of
"visa", "ticket": if the text contains none of one such set (a plain substring test, which Python
does in C with a fast search), the pattern cannot match there and is not run at all. The sets are
read from the compiled pattern's own parse, so they can only be too wide, never wrong.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# The stdlib's own regex parser and its opcodes, loaded by name: typeshed stubs them for
# some mypy runs and not others, and what is read of them is checked by the tests.
_parser: Any = importlib.import_module("re._parser")
sre: Any = importlib.import_module("re._constants")
Needles = frozenset[str]


def required_literals(pattern: re.Pattern[str]) -> Needles | None:
    """Strings of which every match of `pattern` contains at least one; None when there is no
    such set (a pattern that may match without any literal, or one matching regardless of
    case, which a substring test could not stand for)."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except re.error:  # pragma: no cover  # it compiled, so it parses
        return None
    return _of_sequence(list(parsed))


def _of_sequence(items: list[tuple[Any, Any]]) -> Needles | None:
    """The best set one element of the sequence guarantees: runs of literals, or a group's."""
    candidates: list[Needles] = []
    run: list[str] = []
    for op, arg in items:
        if op is sre.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            candidates.append(frozenset(["".join(run)]))
            run = []
        inner = _of_item(op, arg)
        if inner is not None:
            candidates.append(inner)
    if run:
        candidates.append(frozenset(["".join(run)]))
    return max(candidates, key=_strength, default=None)


def _of_item(op: Any, arg: Any) -> Needles | None:
    if op is sre.SUBPATTERN:
        return _of_sequence(list(arg[-1]))
    if op is sre.BRANCH:
        # One way through without a literal and the branch guarantees none: as for patterns.
        return either([_of_sequence(list(alt)) for alt in arg[1]])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and arg[0] >= 1:
        return _of_sequence(list(arg[2]))
    return None  # optional, a class of characters, an anchor or an assertion: no literal


def _strength(needles: Needles) -> tuple[int, int]:
    """Longer shortest strings first (fewer chance hits), then fewer strings (fewer tests)."""
    return min(map(len, needles)), -len(needles)


def may_match(needles: Needles | None, text: str) -> bool:
    """False only when the text contains none of the needles, so the pattern cannot match."""
    # map over the bound method: the loop runs in C, a tenth of a microsecond a needle
    return needles is None or any(map(text.__contains__, needles))


def either(needles: list[Needles | None]) -> Needles | None:
    """The needles of any of several patterns: what one of them needs to match at all."""
    if any(found is None for found in needles):
        return None
    return frozenset().union(*needles)  # type: ignore[arg-type]  # none is None
