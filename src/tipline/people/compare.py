"""Field comparisons: for each field, the level two people agree at, and why, in words.

Each comparison returns a `Level`: the level's name (None when either side lacks the field, which
then counts for nothing) and a sentence an analyst can check against both records. The levels are
the comparison vector the Fellegi-Sunter model weighs (see `scoring`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from tipline.people import names, nationality, travel
from tipline.people.person import PersonFields, identifier_values
from tipline.people.places import km_between, point_of

# Name levels, best first; a name part takes the best level any of its tokens reaches.
NAME_LEVELS = ("exact", "alias", "phonetic", "jw90", "jw80", "else")
LEVELS: dict[str, tuple[str, ...]] = {
    "given_name": NAME_LEVELS,
    "family_name": NAME_LEVELS,
    "dob": ("exact", "year", "age", "mismatch"),
    "sex": ("same", "different"),
    "phone": ("shared", "different"),
    "email": ("shared", "different"),
    "username": ("shared", "different"),
    "document": ("shared", "different"),
    "place": ("lga", "state", "else"),
    "nationality": ("same", "different"),
    # How far apart the two places are (by coordinates, else LGA or state centres).
    "distance": ("close", "near", "region", "far"),
    # Time between the two sightings (a record's last seen, a report's incident).
    "elapsed": ("days", "weeks", "months", "years"),
    # The closest pair of photos by PDQ Hamming distance (of 256 bits).
    "photo": ("match", "similar", "different"),
    # Travel notices (people/nationality.py, people/travel.py): nationality as a reporter says
    # it, a sighting's time against a stay, a place named loosely.
    "nationality_said": nationality.LEVELS,
    "stay": travel.STAY_LEVELS,
    "venue": travel.VENUE_LEVELS,
}
# Distances in km: "close" needs both places finer than a state (a state is hundreds of km wide).
CLOSE_KM, NEAR_KM, REGION_KM = 15.0, 60.0, 250.0
# PDQ: two images match at a distance of 31 or less (DESIGN); up to 70 they share a likeness.
PDQ_MATCH, PDQ_SIMILAR = 31, 70
_SEX_WORDS = {"m": "male", "f": "female"}
_ID_WORDS = {"phone": "Phone", "email": "Email", "username": "Account", "document": "Document"}
_ID_ATTRIBUTES = {"phone": "phones", "email": "emails", "username": "usernames",
                  "document": "documents"}  # fmt: skip


@dataclass(frozen=True)
class Level:
    """How one field compares: the level (None: missing on a side) and the reason in words."""

    field: str
    level: str | None
    reason: str


def compare(field: str, left: PersonFields, right: PersonFields) -> Level:
    """Compare one field of the two people."""
    return _COMPARERS[field](field, left, right)


def _name_part(field: str, left: PersonFields, right: PersonFields) -> Level:
    label = "Given name" if field == "given_name" else "Family name"
    mine = names.shown_tokens(left.given_names if field == "given_name" else left.family_name)
    same_part = right.given_names if field == "given_name" else right.family_name
    other_parts = [right.family_name if field == "given_name" else right.given_names]
    theirs = [(t, s, True) for t, s in names.shown_tokens(same_part)] + [
        (t, s, False) for t, s in names.shown_tokens(*other_parts, *right.other_names)
    ]
    if not mine or not theirs:
        return Level(field, None, f"{label} missing on one side: not compared")
    best = min(
        ((_token_level(m, t), not same, m, ms, t, ts) for m, ms in mine for t, ts, same in theirs),
        key=lambda c: (NAME_LEVELS.index(c[0]), c[1]),
    )
    level, swapped, m, ms, t, ts = best
    words = _name_words(level, m, ms, t, ts, theirs)
    where = "; written as the other name part (order swapped)" if swapped else ""
    return Level(field, level, f"{label} {words}{where}")


# Two tokens' level is asked again and again (a report's "mike" against every candidate).
@lru_cache(maxsize=65536)
def _token_level(mine: str, theirs: str) -> str:
    if mine == theirs:
        return "exact"
    if names.canonical_forms(mine) & names.canonical_forms(theirs):
        return "alias"
    if names.phonetic(mine) and names.phonetic(mine) == names.phonetic(theirs):
        return "phonetic"
    similarity = JaroWinkler.similarity(mine, theirs)
    return "jw90" if similarity >= 0.9 else "jw80" if similarity >= 0.8 else "else"


def _name_words(
    level: str, m: str, ms: str, t: str, ts: str, theirs: list[tuple[str, str, bool]]
) -> str:
    if level == "exact":
        same = ms.casefold() == ts.casefold()
        return f"'{ms}' matches exactly" if same else f"'{ms}' matches '{ts}' without accents"
    if level == "alias":
        return names.alias_words(m, t, {m: ms, t: ts}) or f"'{ms}' is a form of '{ts}'"
    if level == "phonetic":
        return f"'{ms}' sounds like '{ts}' (same phonetic code {names.phonetic(m)})"
    if level in ("jw90", "jw80"):
        return f"'{ms}' is close to '{ts}' (similarity {JaroWinkler.similarity(m, t):.2f})"
    return f"'{ms}' matches none of " + ", ".join(f"'{s}'" for _, s, _ in theirs)


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _tolerance(age: int) -> int:
    """How far a guessed age may be from the truth and still fit: witnesses misjudge older
    people by more, so two years or a fifth of the age, whichever is more."""
    return max(2, age // 5)


def _dob(field: str, left: PersonFields, right: PersonFields) -> Level:
    ldob, rdob = left.date_of_birth, right.date_of_birth
    lguess, rguess = _guess(left), _guess(right)
    if ldob and rdob:
        return _dob_both(field, ldob, rdob)
    if ldob and rguess:
        return _dob_against_age(field, ldob, *rguess)
    if rdob and lguess:
        return _dob_against_age(field, rdob, *lguess)
    if lguess and rguess:
        return _ages(field, lguess, rguess)
    return Level(field, None, "No date of birth or age on one side: not compared")


def _guess(person: PersonFields) -> tuple[int, date] | None:
    """The guessed age and the day it was given (else the day the person was seen)."""
    on = person.age_given_on or (person.seen_at.date() if person.seen_at else None)
    return (person.age, on) if person.age is not None and on else None


def _dob_both(field: str, ldob: date, rdob: date) -> Level:
    if ldob == rdob:
        return Level(field, "exact", f"Born {ldob.isoformat()} on both records")
    if abs(ldob.year - rdob.year) <= 1:
        return Level(field, "year", f"Born {ldob.isoformat()} and {rdob.isoformat()}: close")
    return Level(field, "mismatch", f"Born {ldob.year} and {rdob.year}: different")


def _dob_against_age(field: str, born: date, guess: int, on: date) -> Level:
    actual = _age_on(born, on)
    said = f"Born {born.year}; about {guess} was given in {on.year}"
    if abs(actual - guess) <= _tolerance(guess):
        return Level(field, "age", f"{said}: compatible (they were {actual})")
    return Level(field, "mismatch", f"{said}: does not fit (they were {actual})")


def _ages(field: str, left: tuple[int, date], right: tuple[int, date]) -> Level:
    (lage, lon), (rage, ron) = left, right
    gap = abs((lon.year - lage) - (ron.year - rage))
    said = f"Ages given: about {lage} in {lon.year} and about {rage} in {ron.year}"
    if gap <= _tolerance(max(lage, rage)):
        return Level(field, "age", f"{said}: compatible")
    return Level(field, "mismatch", f"{said}: born about {gap} years apart")


def _sex(field: str, left: PersonFields, right: PersonFields) -> Level:
    lsex, rsex = _SEX_WORDS.get(left.sex.lower(), ""), _SEX_WORDS.get(right.sex.lower(), "")
    if not lsex or not rsex:
        return Level(field, None, "Sex not given on one side: not compared")
    if lsex == rsex:
        return Level(field, "same", f"Both {lsex}")
    return Level(field, "different", f"Sex differs ({lsex} and {rsex})")


def _identifier(field: str, left: PersonFields, right: PersonFields) -> Level:
    label = _ID_WORDS[field]
    attribute = _ID_ATTRIBUTES[field]
    if not getattr(left, attribute) or not getattr(right, attribute):  # nothing to normalise
        return Level(field, None, f"{label} missing on one side: not compared")
    mine, theirs = identifier_values(left, field), identifier_values(right, field)
    if not mine or not theirs:
        return Level(field, None, f"{label} missing on one side: not compared")
    shared = sorted(mine & theirs)
    if shared:
        return Level(field, "shared", f"{label} {shared[0]} is on both records")
    return Level(field, "different", f"Both have a {label.lower()}, none in common")


def _place(field: str, left: PersonFields, right: PersonFields) -> Level:
    if not left.places or not right.places:
        return Level(field, None, "Place missing on one side: not compared")
    lgas = {(p.state, names.fold(p.lga)): p for p in left.places if p.lga}
    for place in right.places:
        mine = lgas.get((place.state, names.fold(place.lga))) if place.lga else None
        if mine:
            return Level(field, "lga", f"Both in {mine.lga} LGA ({mine.state})")
    states = {p.state for p in left.places} & {p.state for p in right.places}
    if states:
        return Level(field, "state", f"Both in state {min(states)}")
    ours, theirs = sorted({p.state for p in left.places}), sorted({p.state for p in right.places})
    return Level(field, "else", f"No place in common ({', '.join(ours)}; {', '.join(theirs)})")


def _nationality(field: str, left: PersonFields, right: PersonFields) -> Level:
    mine, theirs = left.nationality.upper(), right.nationality.upper()
    if not mine or not theirs:
        return Level(field, None, "Nationality missing on one side: not compared")
    if mine == theirs:
        return Level(field, "same", f"Both nationality {mine}")
    return Level(field, "different", f"Nationalities differ ({mine} and {theirs})")


def _distance(field: str, left: PersonFields, right: PersonFields) -> Level:
    mine = [p for p in map(point_of, left.places) if p]
    theirs = [p for p in map(point_of, right.places) if p]
    if not mine or not theirs:
        return Level(field, None, "Place missing on one side: not compared")
    km, a, b = min(((km_between(a, b), a, b) for a in mine for b in theirs), key=lambda t: t[0])
    coarse = "state" in (a.resolution, b.resolution)
    said = f"{a.label} and {b.label}"
    if coarse:
        said += ": known by state only"
        level = "near" if km <= NEAR_KM else _wide(km)
        return Level(field, level, f"{said}, centres {km:.0f} km apart")
    level = "close" if km <= CLOSE_KM else "near" if km <= NEAR_KM else _wide(km)
    return Level(field, level, f"{said}: {km:.0f} km apart")


def _wide(km: float) -> str:
    return "region" if km <= REGION_KM else "far"


def _elapsed(field: str, left: PersonFields, right: PersonFields) -> Level:
    if left.seen_at is None or right.seen_at is None:
        return Level(field, None, "Time seen missing on one side: not compared")
    days = abs((left.seen_at - right.seen_at).total_seconds()) / 86400
    level = (
        "days" if days <= 14 else "weeks" if days <= 60 else "months" if days <= 365 else "years"
    )
    words = f"{days:.0f} days" if days < 60 else f"{days / 30.4:.0f} months"
    if days > 365:
        words = f"{days / 365.25:.1f} years"
    first, second = sorted((left.seen_at, right.seen_at))
    return Level(field, level, f"Seen {first:%Y-%m-%d} and {second:%Y-%m-%d}: {words} apart")


def pdq_distance(a: str, b: str) -> int:
    """Hamming distance of two PDQ hashes (hex)."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _photo(field: str, left: PersonFields, right: PersonFields) -> Level:
    if not left.photo_pdqs or not right.photo_pdqs:
        return Level(field, None, "Photo missing on one side: not compared")
    best = min(pdq_distance(a, b) for a in left.photo_pdqs for b in right.photo_pdqs)
    if best <= PDQ_MATCH:
        return Level(field, "match", f"Photos match (PDQ distance {best} of 256, at most 31)")
    if best <= PDQ_SIMILAR:
        return Level(field, "similar", f"Photos alike (PDQ distance {best} of 256)")
    return Level(field, "different", f"Photos differ (PDQ distance {best} of 256)")


def _nationality_said(field: str, left: PersonFields, right: PersonFields) -> Level:
    return Level(field, *nationality.compare_said(left.nationality, right.nationality))


def _stay(field: str, left: PersonFields, right: PersonFields) -> Level:
    seen, stay = (left.seen_at, right.stay) if right.stay else (right.seen_at, left.stay)
    return Level(field, *travel.compare_stay(seen, stay))


def _venue(field: str, left: PersonFields, right: PersonFields) -> Level:
    both = [travel.compare_venues(left.venues, right.venues)]
    both.append(travel.compare_venues(right.venues, left.venues))
    known = [b for b in both if b[0] is not None] or both
    level, reason = min(known, key=lambda b: travel.VENUE_LEVELS.index(b[0]) if b[0] else 9)
    return Level(field, level, reason)


_COMPARERS: dict[str, Callable[[str, PersonFields, PersonFields], Level]] = {
    "given_name": _name_part,
    "family_name": _name_part,
    "dob": _dob,
    "sex": _sex,
    "phone": _identifier,
    "email": _identifier,
    "username": _identifier,
    "document": _identifier,
    "place": _place,
    "nationality": _nationality,
    "distance": _distance,
    "elapsed": _elapsed,
    "photo": _photo,
    "nationality_said": _nationality_said,
    "stay": _stay,
    "venue": _venue,
}
