"""The one typed description of a person that every caller of the matcher fills in.

Cases, missing-child records and travel notices each keep their people in their own encrypted
tables; to index or compare one they build a `PersonFields`. Identifiers are normalised here, so
"0803 123 4567" and "+234 803 123 4567" are one phone to the index and to the scorer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import phonenumbers

_DOCUMENT_JUNK = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True, kw_only=True)
class Place:
    """Where a person lives or was seen: a state code ("LA") and, when known, its LGA's name
    and the point itself (latitude, longitude)."""

    state: str
    lga: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, kw_only=True)
class PersonFields:
    """What the matcher may know of a person; every field is optional.

    `age` is a guess (a witness's, or a record's "about 14") made on `age_given_on`; `usernames`
    are platform-qualified ("instagram:ada.k"); `documents` are "kind:number" ("passport:A123");
    `sex` is "m", "f" or "". `seen_at` is when the person was last seen or reported.
    `photo_pdqs` are PDQ hashes (64 hex characters) of photos of the person, quality checked.
    `stay` is when a traveller is in the country (arrival, departure or None while unknown);
    `venues` are the names of places the person stays or was seen at, as written ("Eko Hotel").
    `nationality` may be a code or as a reporter said it (see `nationality`).
    """

    given_names: str = ""
    family_name: str = ""
    other_names: tuple[str, ...] = ()
    sex: str = ""
    date_of_birth: date | None = None
    age: int | None = None
    age_given_on: date | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    usernames: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    nationality: str = ""
    places: tuple[Place, ...] = field(default_factory=tuple)
    seen_at: datetime | None = None
    photo_pdqs: tuple[str, ...] = ()
    stay: tuple[datetime, datetime | None] | None = None
    venues: tuple[str, ...] = ()

    @property
    def state(self) -> str:
        """The state code of the first of `places` (where the person was seen, or stays), ""
        when none is known: what the matchers' shortlists rank by."""
        return self.places[0].state if self.places else ""


# Parsing a number costs ~0.2 ms and scoring compares the same few numbers with every candidate.
@lru_cache(maxsize=65536)
def phone_e164(value: str) -> str | None:
    """The number in E.164 (region NG when it has no country code); None when it is not one."""
    try:
        number = phonenumbers.parse(value, "NG")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_normal(value: str) -> str | None:
    """Lower case, trimmed; None when it has no single "@" between two parts."""
    local, at, domain = value.strip().lower().rpartition("@")
    return f"{local}@{domain}" if at and local and "." in domain and "@" not in local else None


def username_normal(value: str) -> str | None:
    """ "platform:handle" in lower case without "@"; None without a platform (a bare handle
    names nobody: the same handle on two platforms is two people)."""
    platform, colon, handle = value.strip().lower().partition(":")
    handle = handle.strip().lstrip("@")
    return f"{platform.strip()}:{handle}" if colon and platform.strip() and handle else None


def document_normal(value: str) -> str | None:
    """ "kind:NUMBER" with the number's spaces and dashes dropped; None without both."""
    kind, colon, number = value.strip().partition(":")
    number = _DOCUMENT_JUNK.sub("", number.upper())
    return f"{kind.strip().lower()}:{number}" if colon and kind.strip() and number else None


_NORMALISERS: dict[str, Callable[[str], str | None]] = {
    "phone": phone_e164,
    "email": email_normal,
    "username": username_normal,
    "document": document_normal,
}


def identifier_values(person: PersonFields, kind: str) -> set[str]:
    """The person's normalised identifiers of one kind (phone, email, username, document)."""
    values = {
        "phone": person.phones,
        "email": person.emails,
        "username": person.usernames,
        "document": person.documents,
    }[kind]
    return {n for n in map(_NORMALISERS[kind], values) if n}


def identifiers(person: PersonFields) -> dict[str, set[str]]:
    """The person's normalised identifiers by kind."""
    return {kind: identifier_values(person, kind) for kind in _NORMALISERS}


def birth_years(person: PersonFields, *, spread: int = 0) -> set[int]:
    """Years the person was likely born in: the date of birth's, or from the age guess (born
    `age` or `age + 1` years before it was given), widened by `spread` years either side."""
    if person.date_of_birth:
        years = {person.date_of_birth.year}
    elif person.age is not None and person.age_given_on:
        year = person.age_given_on.year - person.age
        years = {year - 1, year}
    else:
        return set()
    return {y + d for y in years for d in range(-spread, spread + 1)}
