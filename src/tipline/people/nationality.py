"""Nationality as people say it: a code ("GBR", "GB"), a country ("from Holland"), a demonym
("British", "Dutchman") or a word that says only "a foreigner" ("oyinbo", "bature", "white man").

A travel notice knows its subject's nationalities as ISO 3166 alpha-3 codes; a hotel receptionist
says "a British man" and a market woman "an oyinbo". `said` reads both into one shape, and the
`nationality_said` comparison weighs them: the same country, "only foreign" against a foreign
national (weak but real evidence in a country where most reported people are Nigerian), or a
contradiction. Country names and codes come from pycountry (ISO 3166-1); demonyms and the words
for a foreigner are ours, below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pycountry

from tipline.people.names import fold

LEVELS = ("same", "foreign", "different")
# m: a person described twice; u: two people. "foreign" is what "oyinbo" gives against a foreign
# subject: rarer among unrelated pairs (most people reported are Nigerian) than among true ones.
M = {"same": 0.80, "foreign": 0.15, "different": 0.05}
U = {"same": 0.08, "foreign": 0.10, "different": 0.82}
NIGERIA = "NGA"

# Demonyms and other names of countries, folded ("british" -> GBR). Country names themselves
# come from ISO 3166; these are the words people use instead.
_WORDS: dict[str, str] = {
    "british": "GBR", "briton": "GBR", "brit": "GBR", "english": "GBR", "englishman": "GBR",
    "scottish": "GBR", "scot": "GBR", "welsh": "GBR", "england": "GBR", "scotland": "GBR",
    "wales": "GBR", "britain": "GBR", "great britain": "GBR", "uk": "GBR", "u k": "GBR",
    "american": "USA", "america": "USA", "usa": "USA",
    "united states": "USA", "yankee": "USA",
    "dutch": "NLD", "dutchman": "NLD", "holland": "NLD", "netherlands": "NLD",
    "german": "DEU", "germany": "DEU", "french": "FRA", "frenchman": "FRA",
    "italian": "ITA", "spanish": "ESP", "spaniard": "ESP", "portuguese": "PRT",
    "irish": "IRL", "belgian": "BEL", "swiss": "CHE", "austrian": "AUT", "swedish": "SWE",
    "swede": "SWE", "norwegian": "NOR", "danish": "DNK", "dane": "DNK", "finnish": "FIN",
    "polish": "POL", "russian": "RUS", "ukrainian": "UKR", "greek": "GRC", "turkish": "TUR",
    "canadian": "CAN", "australian": "AUS", "aussie": "AUS", "new zealander": "NZL",
    "kiwi": "NZL", "chinese": "CHN", "japanese": "JPN", "korean": "KOR", "indian": "IND",
    "pakistani": "PAK", "lebanese": "LBN", "syrian": "SYR", "israeli": "ISR",
    "filipino": "PHL", "thai": "THA", "brazilian": "BRA", "mexican": "MEX",
    "south african": "ZAF", "ghanaian": "GHA", "ghana man": "GHA", "cameroonian": "CMR",
    "beninese": "BEN", "togolese": "TGO", "nigerien": "NER", "chadian": "TCD",
    "senegalese": "SEN", "ivorian": "CIV", "liberian": "LBR", "sierra leonean": "SLE",
    "kenyan": "KEN", "egyptian": "EGY", "moroccan": "MAR", "algerian": "DZA",
    "nigerian": "NGA", "naija": "NGA", "nigeria": "NGA",
}  # fmt: skip
# Words that say only "not from here": Yoruba and Pidgin oyinbo, Hausa bature, Igbo onye ocha,
# and the English ones.
_FOREIGN = frozenset(
    ["oyinbo", "oyibo", "oyinbo man", "oyibo man", "bature", "baturiya", "onye ocha", "onye ọcha"]
    + ["white man", "white woman", "whiteman", "foreigner", "foreign", "expatriate", "expat"]
    + ["mzungu", "tourist", "european", "westerner", "caucasian"]
)
_MAX_PHRASE = 3
_CODE = re.compile(r"^[A-Za-z]{2,3}$")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Said:
    """What a nationality text says: the countries it names (alpha-3), and whether it says
    "foreign" without a country."""

    codes: frozenset[str]
    foreign: bool

    @property
    def empty(self) -> bool:
        return not self.codes and not self.foreign


@cache
def _countries() -> dict[str, str]:
    """Folded country names (ISO short, official and common names) -> alpha-3."""
    table: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                table[" ".join(_WORD.findall(fold(value)))] = country.alpha_3
    return table


def code_of(value: str) -> str | None:
    """The alpha-3 code of an ISO 3166 alpha-3 or alpha-2 code, else None."""
    value = value.strip().upper()
    if len(value) == 3 and pycountry.countries.get(alpha_3=value):
        return value
    if len(value) == 2:
        country = pycountry.countries.get(alpha_2=value)
        return country.alpha_3 if country else None
    return None


@cache
def said(text: str) -> Said:
    """Read a nationality text: codes separated by commas ("GBR,IRL"), else words."""
    parts = [p for p in re.split(r"[,;/]", text) if p.strip()]
    if parts and all(_CODE.match(p.strip()) and code_of(p) for p in parts):
        return Said(frozenset(c for c in map(code_of, parts) if c), False)
    words = _WORD.findall(fold(text))
    codes, foreign = set(), False
    for size in range(_MAX_PHRASE, 0, -1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            code = _WORDS.get(phrase) or (_countries().get(phrase) if len(phrase) > 3 else None)
            if code:
                codes.add(code)
            elif phrase in _FOREIGN:
                foreign = True
    return Said(frozenset(codes), foreign and not codes)


def _names(codes: frozenset[str]) -> str:
    return ", ".join(sorted(codes))


def compare_said(left: str, right: str) -> tuple[str | None, str]:
    """The level and the reason of two nationality texts (either side a code or words)."""
    mine, theirs = said(left), said(right)
    if mine.empty or theirs.empty:
        return None, "Nationality not known on one side: not compared"
    shared = mine.codes & theirs.codes
    if shared:
        return "same", f"Nationality {_names(shared)} on both ('{left}' and '{right}')"
    for vague, sure, word in ((mine, theirs, left), (theirs, mine, right)):
        if vague.foreign and not vague.codes:
            if sure.foreign or (sure.codes and sure.codes != {NIGERIA}):
                return "foreign", f"'{word}' says only foreign, which fits"
            return "different", f"'{word}' says foreign; the other record is Nigerian"
    return "different", f"Nationalities differ ({_names(mine.codes)}; {_names(theirs.codes)})"
