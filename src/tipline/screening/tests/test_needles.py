"""The needles that let screening skip patterns: never a pattern skipped that would have matched.

The property tests write texts that match each indicator's own patterns (walking the pattern's
parse, choosing at random), set them among other words, and check that the needles let every
match through and that screening with them finds exactly what it finds without them.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Any

import pytest

from tipline.screening.engine import _spans, fold
from tipline.screening.indicators import load_indicators
from tipline.screening.needles import _parser, either, may_match, required_literals, sre

FILLER = ["the", "girl", "said", "that", "her", "aunt", "in", "Lagos", "would", "call", "on",
          "Sunday", "about", "school", "fees"]  # fmt: skip


def _needles(pattern: str, flags: int = 0) -> set[str] | None:
    found = required_literals(re.compile(pattern, flags))
    return None if found is None else set(found)


def test_a_literal_run_and_the_strongest_group_are_chosen() -> None:
    assert _needles("free (?:visa|tickets?)") == {"free "}
    assert _needles("(?:visa|tickets?|flights?) (?:is )?free") == {"free"}  # one test, not 3
    assert _needles("(?:visa|tickets?|flights?) (?:is )?ok") == {"visa", "ticket", "flight"}
    assert _needles(r"\bno (?:calls?|office visits?)") == {"call", "office visit"}


def test_what_may_be_left_out_is_never_required() -> None:
    assert _needles("(?:visa|ticket)?") is None  # optional
    assert _needles("(?:visa|)abc") == {"abc"}  # an empty way through the group
    assert _needles("(?:visa|)") is None
    assert _needles("(?:abc)*") is None  # zero times
    assert _needles("(?:abc)+") == {"abc"}  # at least once
    assert _needles(r"[0-9]+\s\w+") is None  # classes only


def test_a_pattern_that_ignores_case_is_always_run() -> None:
    assert _needles("free visa", re.IGNORECASE) is None
    assert may_match(None, "anything")
    assert either([frozenset({"a"}), None]) is None
    assert either([frozenset({"a"}), frozenset({"b"})]) == frozenset({"a", "b"})


def _example(items: Any, rng: random.Random) -> str:
    """A string the parsed pattern matches (or nearly: boundaries are checked by the caller)."""
    out: list[str] = []
    for op, arg in items:
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.SUBPATTERN:
            out.append(_example(arg[-1], rng))
        elif op is sre.BRANCH:
            out.append(_example(rng.choice(arg[1]), rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high = arg[0], min(arg[1], arg[0] + 2)
            out.append("".join(_example(arg[2], rng) for _ in range(rng.randint(low, high))))
        elif op is sre.IN:
            out.append(_one_of(arg, rng))
        elif op is sre.ANY:
            out.append("x")
    return "".join(out)


def _one_of(members: Any, rng: random.Random) -> str:
    chars: list[str] = []
    for op, arg in members:
        if op is sre.LITERAL:
            chars.append(chr(arg))
        elif op is sre.RANGE:
            chars.extend(chr(c) for c in range(arg[0], arg[1] + 1))
        elif op is sre.CATEGORY:
            chars.extend(" " if "SPACE" in str(arg) else "7" if "DIGIT" in str(arg) else "k")
        elif op is sre.NEGATE:
            return "#"
    return rng.choice(chars)


def _texts(pattern: re.Pattern[str], rng: random.Random, count: int) -> list[str]:
    parsed = list(_parser.parse(pattern.pattern, pattern.flags))
    texts = []
    for _ in range(count):
        words = rng.sample(FILLER, 6)
        words.insert(rng.randrange(7), _example(parsed, rng))
        texts.append(fold(" ".join(words))[0])
    return texts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_match_of_every_indicator_phrase_passes_its_needles(seed: int) -> None:
    rng, matched, tried = random.Random(seed), 0, 0
    for indicator in load_indicators().indicators:
        for pattern, needles in indicator.phrases():
            for text in _texts(pattern, rng, 4):
                tried += 1
                if pattern.search(text):
                    matched += 1
                    assert may_match(needles, text), (pattern.pattern, text)
                    assert may_match(indicator.any_needles, text), (indicator.id, text)
    assert matched > 0.8 * tried  # the texts really exercise the patterns


def test_screening_with_needles_finds_what_screening_without_them_finds() -> None:
    rng = random.Random(7)
    rules = load_indicators()
    plain = [replace(i, needles=(), any_needles=None) for i in rules.indicators]
    texts = [t for i in rules.indicators for p in i.patterns for t in _texts(p, rng, 1)]
    texts += [" ".join(rng.sample(FILLER, 8)) for _ in range(50)]
    for text in texts:
        for fast, slow in zip(rules.indicators, plain, strict=True):
            assert _spans(fast, text) == _spans(slow, text), (fast.id, text)
    assert any(_spans(i, t) for i in rules.indicators for t in texts)
