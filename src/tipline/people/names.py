"""Names as the matcher sees them: folded tokens, their canonical forms and phonetic codes.

The same functions run when a person is indexed and when one is looked up, so both sides agree.
Canonical forms come from two lists: the `nicknames` package (English, hand-curated, Apache-2.0)
and our own `data/nigerian_short_forms.tsv` (Yoruba, Igbo and Hausa short forms and spellings,
a first draft awaiting review by native speakers). Phonetic codes are jellyfish's metaphone, which
groups the common spellings of Arabic-origin names (Mohammed, Muhammad, Muhammed: MHMT).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import jellyfish
from nicknames import NickNamer

SHORT_FORMS_FILE = Path(__file__).parent / "data" / "nigerian_short_forms.tsv"
# Letters that do not decompose into a base letter and a mark (Hausa hooked letters and others).
_LETTERS = str.maketrans(
    {"ɓ": "b", "ɗ": "d", "ƙ": "k", "ƴ": "y", "ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe"}
)
# Apostrophes join (O'Brien, Ng'ozi); anything else that is not a letter separates.
_APOSTROPHES = re.compile(r"['’ʼ`]")
_WORD = re.compile(r"[^\W\d_]+")
# Titles people put before names; they say nothing about who the person is.
_TITLES = frozenset(
    ["mr", "mrs", "miss", "ms", "dr", "chief", "alhaji", "alhaja", "hajia", "mallam", "malam"]
    + ["pastor", "prince", "princess"]
)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without tone marks or diacritics: "Jürgen" -> "jurgen", "Ọlá" -> "ola"."""
    if text.isascii():  # nothing to decompose (most text): a reporter's kilobytes in one call
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(*parts: str) -> list[str]:
    """The folded words of the name parts, in order, without titles or repeats."""
    return list(_tokens(parts))


# Scoring compares one report's names and words with every candidate: the same texts, over and
# over, so their tokens are kept (a tuple, which no caller can change under the cache). A
# report's words may run to kilobytes: a few thousand texts are kept, not more.
@lru_cache(maxsize=4096)
def _tokens(parts: tuple[str, ...]) -> tuple[str, ...]:
    found: list[str] = []
    for part in parts:
        for word in _WORD.findall(_APOSTROPHES.sub("", fold(part))):
            if word not in _TITLES and word not in found:
                found.append(word)
    return tuple(found)


@lru_cache(maxsize=16384)
def shown_tokens(*parts: str) -> tuple[tuple[str, str], ...]:
    """(folded token, the word as written) for each token of the name parts, for reasons."""
    found: list[tuple[str, str]] = []
    for part in parts:
        for word in _SPLIT.split(unicodedata.normalize("NFC", part)):
            for token in tokens(word):
                if token not in (t for t, _ in found):
                    found.append((token, _APOSTROPHES.sub("'", word.strip(".,;()"))))
    return tuple(found)


_SPLIT = re.compile(r"[\s\-/,;]+")


@cache
def short_form_rows() -> dict[tuple[str, str], str]:
    """(form, canonical) -> kind ("short" or "variant"), from the reviewed data file."""
    with SHORT_FORMS_FILE.open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return {
            (r["form"], r["canonical"]): r["kind"] for r in csv.DictReader(lines, delimiter="\t")
        }


@cache
def _short_forms() -> dict[str, frozenset[str]]:
    """form -> the canonical forms it stands for."""
    table: dict[str, set[str]] = {}
    for form, canonical in short_form_rows():
        table.setdefault(form, set()).add(canonical)
    return {form: frozenset(canonicals) for form, canonicals in table.items()}


@cache
def _short_form_canonicals() -> frozenset[str]:
    return frozenset(canonical for _, canonical in short_form_rows())


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


@cache
def canonical_forms(token: str) -> frozenset[str]:
    """The full names `token` may stand for, itself included when it is one ("mike" ->
    {"michael", "micheal", "miguel"}; "temitope" -> {"temitope"}); empty for a name no list knows.
    """
    namer = _nicknamer()
    forms = set(_short_forms().get(token, ())) | namer.canonicals_of(token)
    if token in _short_form_canonicals() or namer.nicknames_of(token):
        forms.add(token)
    return frozenset(forms)


def alias_words(left: str, right: str, shown: dict[str, str]) -> str | None:
    """How two different folded tokens name one person, in words, showing each token as
    `shown` writes it ("'Tope' is a short form of 'Temitope'"); None when no list links them."""
    shared = canonical_forms(left) & canonical_forms(right)
    if not shared or left == right:
        return None
    rows, namer = short_form_rows(), _nicknamer()
    for first, second in ((left, right), (right, left)):
        kind = rows.get((first, second))
        if kind:
            return f"'{shown[first]}' {_KIND_WORDS[kind]} '{shown[second]}'"
        if first in namer.nicknames_of(second):
            return f"'{shown[first]}' is a nickname of '{shown[second]}'"
    full = min(shared)
    return f"'{shown[left]}' and '{shown[right]}' are both forms of '{full.title()}'"


_KIND_WORDS = {"short": "is a short form of", "variant": "is another spelling of"}


@cache
def phonetic(token: str) -> str:
    """The token's metaphone code ("" for a token too short to carry one)."""
    return jellyfish.metaphone(token) if len(token) > 1 else ""


def nicknames_of(token: str) -> set[str]:
    """The English list's nicknames of a name ("michael" -> "mike", "mikey", ...)."""
    return _nicknamer().nicknames_of(token)
