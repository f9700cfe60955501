"""Where a report points: a Nigerian state, or a foreign country, with its source and confidence.

Everything here is offline. IP addresses go through geoip2fast's bundled data (country and
network owner, never a city: IP geolocation below country level is too wrong to route on), phone
numbers through `phonenumbers`' own geocoding data, free text through the gazetteer in
`data/places.json` plus the 774 LGAs of naija-data, and a reported point to the nearest LGA centre.

`best_location` ranks the evidence: what the reporter said, then places named in the text, then
coordinates, then the IP country, then the phone's country. A state named by the reporter is
trusted over any inference, because a reporter in Kano who says "Kano" is more reliable than
the Lagos exit of a mobile carrier's network.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Any, Final, Protocol

import phonenumbers
from phonenumbers import geocoder

NIGERIA: Final = "NG"
# Latitude/longitude box around Nigeria; a point outside it is not placed in a state.
_NG_BOX: Final = (4.2, 13.95, 2.6, 14.7)
# A point farther than this from every LGA centre is off the map (at sea, or over a border).
_MAX_CENTROID_KM: Final = 60.0

# Aliases that are also ordinary words (or too short to be safe) match only as written in the
# gazetteer ("Okada" the town, not "okada" the motorbike taxi) and count for less.
_EXACT_CASE: Final = frozenset(
    {
        "PH",
        "FCT",
        "Abj",
        "Eko",
        "Okada",
        "Ore",
        "Ede",
        "Ife",
        "Ota",
        "Ifo",
        "Koko",
        "Brass",
        "Bonny",
        "Challenge",
        "Maryland",
        "Bali",
        "Dala",
        "Rano",
        "Anka",
        "Saki",
        "Bama",
        "Udi",
        "Aba",
        "Ajah",
        "Karu",
        "Oron",
        "Ezza",
        "Owo",
        "Iwo",
        "Offa",
        "Idah",
        "Jega",
        "Biu",
        "Kumo",
        "Ojo",
        "Epe",
        "Ogba",
        "Ketu",
    }
)
# State names that are also words or regions: only "Niger State", "Delta State" and so on, or
# the name as written, count. "Niger Delta" names a region of several states, not one.
_AMBIGUOUS_STATE_NAMES: Final = frozenset({"Niger", "Delta", "Plateau", "Rivers", "Benue"})

# Countries that trafficking routes from Nigeria run through or end in, by the names reporters
# use. Not a world gazetteer: a text naming none of these stays unplaced abroad.
FOREIGN_NAMES: Final[dict[str, str]] = {
    "Libya": "LY",
    "Tripoli": "LY",
    "Italy": "IT",
    "Rome": "IT",
    "Turin": "IT",
    "Palermo": "IT",
    "Spain": "ES",
    "Germany": "DE",
    "France": "FR",
    "Russia": "RU",
    "Moscow": "RU",
    "United Kingdom": "GB",
    "UK": "GB",
    "London": "GB",
    "Mali": "ML",
    "Bamako": "ML",
    "Niger Republic": "NE",
    "Niamey": "NE",
    "Agadez": "NE",
    "Burkina Faso": "BF",
    "Ghana": "GH",
    "Accra": "GH",
    "Kumasi": "GH",
    "Benin Republic": "BJ",
    "Cotonou": "BJ",
    "Togo": "TG",
    "Lome": "TG",
    "Cameroon": "CM",
    "Douala": "CM",
    "Gabon": "GA",
    "Equatorial Guinea": "GQ",
    "Ivory Coast": "CI",
    "Cote d'Ivoire": "CI",
    "Abidjan": "CI",
    "Senegal": "SN",
    "Dakar": "SN",
    "Saudi Arabia": "SA",
    "Riyadh": "SA",
    "Jeddah": "SA",
    "Dubai": "AE",
    "UAE": "AE",
    "Abu Dhabi": "AE",
    "Oman": "OM",
    "Kuwait": "KW",
    "Qatar": "QA",
    "Lebanon": "LB",
    "Beirut": "LB",
    "Egypt": "EG",
    "Cairo": "EG",
    "Malaysia": "MY",
    "Kuala Lumpur": "MY",
    "India": "IN",
    "China": "CN",
    "South Africa": "ZA",
    "Johannesburg": "ZA",
    "Canada": "CA",
    "United States": "US",
    "USA": "US",
    "America": "US",
}


class _Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


@dataclass(frozen=True)
class Location:
    """Where a report points, and why: `detail` is shown to analysts as the stated reason."""

    country: str  # ISO 3166-1 alpha-2, "" when unknown
    state_code: str | None  # ISO 3166-2:NG without the prefix, only when country is NG
    lga: str | None
    source: str  # reporter, text, coordinates, ip, phone
    confidence: float  # 0..1, how far an analyst may rely on it
    detail: str
    asn: str | None = None
    asn_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form, for the `tipline locate` command and the step log."""
        return asdict(self)


# --------------------------------------------------------------------------- reference data


def _data(name: str) -> dict[str, Any]:
    text = resources.files("tipline.geo").joinpath("data", name).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _state_names() -> dict[str, str]:
    states = _data("nigeria.json")["states"]
    return {s["code"]: s["name"] for s in states}


@dataclass(frozen=True)
class _Lga:
    name: str
    state_code: str
    aliases: tuple[str, ...]
    lat: float
    lon: float


@cache
def _lgas() -> tuple[_Lga, ...]:
    """The 774 LGAs with their centroids, from naija-data (INEC and OCHA COD-AB, CC BY 4.0)."""
    from naija_data import admin  # noqa: PLC0415  # loaded on first use only

    return tuple(
        _Lga(lga.name, lga.state_code, tuple(lga.aliases), float(lga.lat), float(lga.lon))
        for lga in admin._lgas()  # noqa: SLF001  # the package's public search API fuzzes; we need all rows
        if lga.lat is not None and lga.lon is not None
    )


@dataclass(frozen=True)
class _Term:
    """A name the gazetteer knows, what it points to, and how much one mention weighs."""

    name: str
    state_code: str | None
    country: str
    weight: int
    lga: str | None = None


def _terms() -> list[_Term]:
    # Order matters: the first term for a name wins, so states come before LGAs and towns.
    terms: list[_Term] = []
    for code, name in _state_names().items():
        terms.append(_Term(f"{name} State", code, NIGERIA, 3))
        if name not in _AMBIGUOUS_STATE_NAMES:
            terms.append(_Term(name, code, NIGERIA, 2))
    terms += _lga_terms()
    for code, places in _data("places.json")["places"].items():
        for place in places:
            terms.append(_Term(place, code, NIGERIA, 1 if place in _EXACT_CASE else 2))
    terms.append(_Term("Benin", "ED", NIGERIA, 1))  # "Benin" alone is Benin City to most reporters
    terms += [_Term(name, None, iso, 2) for name, iso in FOREIGN_NAMES.items()]
    return terms


def _lga_terms() -> list[_Term]:
    lgas = _lgas()
    # An LGA name used in two states ("Surulere", "Obi", "Irepodun") points to neither.
    counts = Counter(_fold(lga.name) for lga in lgas)
    terms: list[_Term] = []
    for lga in lgas:
        for name in (lga.name, *lga.aliases):
            if counts[_fold(lga.name)] > 1 or name in _NOT_PLACE_WORDS:
                continue
            weight = 1 if len(name) <= 4 else 2
            terms.append(_Term(name, lga.state_code, NIGERIA, weight, lga=lga.name))
    return terms


# LGA names and aliases that are ordinary words in reports: never read as places.
_NOT_PLACE_WORDS: Final = frozenset({"Song", "Logo", "Hong", "Awe", "Municipal", "Arewa", "MMC"})
_SEPARATORS: Final = re.compile(r"[\s/-]+")


def _fold(name: str) -> str:
    return _SEPARATORS.sub(" ", name).casefold().strip()


class _Gazetteer:
    """Two regular expressions over every known name: one exact-case, one case-blind."""

    def __init__(self, terms: Sequence[_Term]) -> None:
        self._exact_terms: dict[str, _Term] = {}
        self._folded_terms: dict[str, _Term] = {}
        for term in terms:
            if self._is_exact(term.name):
                self._exact_terms.setdefault(_SEPARATORS.sub(" ", term.name), term)
            else:
                self._folded_terms.setdefault(_fold(term.name), term)
        self._exact = self._pattern(self._exact_terms, flags=0)
        self._folded = self._pattern(self._folded_terms, flags=re.IGNORECASE)

    @staticmethod
    def _is_exact(name: str) -> bool:
        short = len(name) <= 4
        return short or name in _EXACT_CASE or name in _AMBIGUOUS_STATE_NAMES or name.isupper()

    @staticmethod
    def _pattern(names: Iterable[str], *, flags: int) -> re.Pattern[str]:
        # Longest first, so "Katsina-Ala" wins over "Katsina" and "Benin Republic" over "Benin".
        ordered = sorted(set(names), key=len, reverse=True)
        body = "|".join(re.escape(n).replace(r"\ ", r"[\s/-]+") for n in ordered)
        return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", flags)

    def mentions(self, text: str) -> list[tuple[str, _Term]]:
        """Every known name in `text`, as written, with its term. Overlaps go to the longer."""
        found: list[tuple[int, int, str, _Term]] = []
        for match in self._folded.finditer(text):
            term = self._folded_terms.get(_fold(match.group(0)))
            if term is not None:
                found.append((match.start(), match.end(), match.group(0), term))
        for match in self._exact.finditer(text):
            term = self._exact_terms.get(_SEPARATORS.sub(" ", match.group(0)))
            if term is not None:
                found.append((match.start(), match.end(), match.group(0), term))
        return [(said, term) for _s, _e, said, term in _without_overlaps(found)]


def _without_overlaps(
    found: list[tuple[int, int, str, _Term]],
) -> list[tuple[int, int, str, _Term]]:
    kept: list[tuple[int, int, str, _Term]] = []
    for item in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
        if kept and item[0] < kept[-1][1]:
            continue  # inside a longer name already taken ("Delta" in "Niger Delta State")
        kept.append(item)
    return kept


@cache
def _gazetteer() -> _Gazetteer:
    return _Gazetteer(_terms())


# --------------------------------------------------------------------------- single sources


def locate_text(text: str) -> Location | None:
    """The state (and LGA, when one is named) or foreign country a free text names most.

    Each mention weighs by how specific it is ("Kano State" over "Kano"; "Okada" as written
    counts for little). Confidence falls when the text also names other states.
    """
    if not text or not text.strip():
        return None
    states: Counter[str] = Counter()
    abroad: Counter[str] = Counter()
    said: dict[str, str] = {}
    lgas: dict[str, set[str]] = {}
    for name, term in _gazetteer().mentions(text):
        if term.state_code is not None:
            states[term.state_code] += term.weight
            if term.lga:
                lgas.setdefault(term.state_code, set()).add(term.lga)
        else:
            abroad[term.country] += term.weight
        said.setdefault(term.state_code or term.country, name)
    if states:
        return _from_counts(states, said, lgas)
    if abroad:
        country, _weight = abroad.most_common(1)[0]
        return Location(country, None, None, "text", 0.5, f'text names "{said[country]}"')
    return None


def _from_counts(states: Counter[str], said: dict[str, str], lgas: dict[str, set[str]]) -> Location:
    ranked = states.most_common()
    code, weight = ranked[0]
    tied = len(ranked) > 1 and ranked[1][1] == weight
    confidence = 0.3 if tied else max(round(0.8 * weight / sum(states.values()), 2), 0.3)
    named = lgas.get(code, set())
    lga = next(iter(named)) if len(named) == 1 else None
    detail = f'text names "{said[code]}" ({_state_names()[code]}'
    detail += f", {lga} LGA)" if lga else ")"
    others = [_state_names()[c] for c, _ in ranked[1:4]]
    if others:
        detail += "; also mentions " + ", ".join(others)
    return Location(NIGERIA, code, lga, "text", confidence, detail)


def locate_coordinates(latitude: float, longitude: float) -> Location | None:
    """The LGA (and so the state) whose centroid is nearest a point inside Nigeria, or None.

    Nearest-centroid is an approximation near LGA borders, so confidence is modest and the
    detail gives the distance.
    """
    south, north, west, east = _NG_BOX
    if not (south <= latitude <= north and west <= longitude <= east):
        return None
    lga, km = min(
        ((lga, _km(latitude, longitude, lga.lat, lga.lon)) for lga in _lgas()), key=lambda x: x[1]
    )
    if km > _MAX_CENTROID_KM:
        return None
    state = _state_names()[lga.state_code]
    detail = f"reported point {latitude:.4f},{longitude:.4f} is {km:.0f} km from the centre of "
    detail += f"{lga.name} LGA ({state})"
    confidence = 0.6 if km < 25 else 0.4
    return Location(NIGERIA, lga.state_code, lga.name, "coordinates", confidence, detail)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


@cache
def _geoip() -> Any:
    # Loading takes a few hundred milliseconds, so it happens once per process, on first use.
    from geoip2fast import GeoIP2Fast  # noqa: PLC0415

    return GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn-ipv6.dat.gz", verbose=False)


@cache
def geoip_data_date() -> str:
    """The date of the bundled GeoLite2 data, e.g. "2024-06-18": analysts must know its age."""
    source = str(_geoip().get_database_info().get("source_info", ""))
    stamp = source.rsplit("-", 1)[-1]
    if len(stamp) == 8 and stamp.isdigit():
        return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}"
    return source or "unknown date"


def locate_ip(ip: str) -> Location | None:
    """The country of a public IP address and the network that holds it, or None.

    Private, reserved and malformed addresses give None: they say nothing about place.
    """
    found = _geoip().lookup(ip.strip())
    country = str(found.country_code or "")
    if found.is_private or len(country) != 2 or not country.isalpha():
        return None
    asn_name = str(found.asn_name or "") or None
    network = str(found.asn_cidr or found.cidr or "")
    detail = f"IP {ip} is registered in {country}"
    if asn_name:
        detail += f" to {asn_name}"
    detail += f" (GeoLite2 data of {geoip_data_date()})"
    return Location(country, None, None, "ip", 0.4, detail, asn=network or None, asn_name=asn_name)


def locate_phone(number: str) -> Location | None:
    """The country of a phone number and, for a Nigerian landline, its state.

    Mobile numbers carry no place inside Nigeria (a number travels with its owner), so they
    give the country only.
    """
    try:
        parsed = phonenumbers.parse(number, NIGERIA)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    country = phonenumbers.region_code_for_number(parsed) or ""
    if len(country) != 2:
        return None
    shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    area = geocoder.description_for_number(parsed, "en") if country == NIGERIA else ""
    place = locate_text(area) if area and area != "Nigeria" else None
    if place is not None and place.state_code:
        detail = f"landline {shown} has the {area} area code"
        return Location(NIGERIA, place.state_code, None, "phone", 0.35, detail)
    return Location(country, None, None, "phone", 0.25, f"phone {shown} is a {country} number")


# --------------------------------------------------------------------------- the ranking


def best_location(
    *,
    reporter_state: str | None,
    texts: Sequence[str],
    ips: Sequence[str],
    phones: Sequence[str],
    coordinates: tuple[float, float] | None,
) -> Location | None:
    """The best-supported location from every source, in the order the module docstring gives."""
    if reporter_state:
        name = _state_names().get(reporter_state, reporter_state)
        return Location(NIGERIA, reporter_state, None, "reporter", 0.9, f"reporter chose {name}")
    found = locate_text("\n".join(t for t in texts if t))
    if found is not None and found.state_code:
        return found
    if coordinates is not None:
        placed = locate_coordinates(*coordinates)
        if placed is not None:
            return placed
    if found is not None:
        return found  # a foreign country named in the text
    return _first(locate_ip(ip) for ip in ips) or _first(locate_phone(p) for p in phones)


def _first(candidates: Iterable[Location | None]) -> Location | None:
    """The most common answer among several IPs or phones, so one VPN exit does not decide."""
    found = [c for c in candidates if c is not None]
    if not found:
        return None
    counts = Counter((c.country, c.state_code) for c in found)
    top = counts.most_common(1)[0][0]
    return next(c for c in found if (c.country, c.state_code) == top)


# --------------------------------------------------------------------------- command line


def main_locate(argv: Sequence[str], stdout: _Writer) -> int:
    """`tipline locate --ip X --phone Y --text Z`: one JSON object of every answer and the best."""
    parser = argparse.ArgumentParser(prog="tipline locate")
    parser.add_argument("--ip", action="append", default=[])
    parser.add_argument("--phone", action="append", default=[])
    parser.add_argument("--text", action="append", default=[])
    args = parser.parse_args(list(argv))
    if not (args.ip or args.phone or args.text):
        stdout.write(parser.format_usage())
        return 2

    def shown(found: Location | None) -> dict[str, Any] | None:
        return found.as_dict() if found else None

    best = best_location(
        reporter_state=None, texts=args.text, ips=args.ip, phones=args.phone, coordinates=None
    )
    result = {
        "ip": {ip: shown(locate_ip(ip)) for ip in args.ip},
        "phone": {p: shown(locate_phone(p)) for p in args.phone},
        "text": {t: shown(locate_text(t)) for t in args.text},
        "best": shown(best),
    }
    stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0
