"""Blind index terms: what of a person is indexed, and the keyed digest of each term.

A term is (kind, normalised value): each name token, its canonical forms and its phonetic code,
each phonetic code with the birth year, and each phone, email, username and document. Its digest
is HMAC-SHA256 under the dedicated TIPLINE_BLIND_INDEX_KEY, so the index answers "who shares this
term?" without holding any term in clear, and a copy of the table without the key is of no use
for guessing."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from tipline.people import names
from tipline.people.person import PersonFields, birth_years, identifiers

# Hex characters kept of each digest (128 bits): see BlindIndexEntry.
DIGEST_CHARS = 32
# A looked-up person's birth year may be off by one (a typo, a guessed date), an age by more.
QUERY_YEAR_SPREAD = 1
QUERY_AGE_SPREAD = 2

Term = tuple[str, str]


def digest(term_kind: str, value: str, *, key: str | None = None) -> str:
    """The keyed digest of one term (the kind is in the message, so "2011" as a year and as a
    name token differ)."""
    secret = (key if key is not None else settings.TIPLINE_BLIND_INDEX_KEY).encode()
    return _digest(secret, term_kind, value)


def _digest(secret: bytes, term_kind: str, value: str) -> str:
    # hmac.digest is the one-shot C path: a third of hmac.new's time, and a registry's first
    # load computes millions.
    message = f"people-blind-index\0{term_kind}\0{value}".encode()
    return hmac.digest(secret, message, hashlib.sha256).hex()[:DIGEST_CHARS]


def name_terms(person: PersonFields) -> set[Term]:
    """Each name token, its canonical forms and its phonetic code."""
    terms: set[Term] = set()
    for token in names.tokens(person.given_names, person.family_name, *person.other_names):
        terms.add(("name", token))
        terms.update(("canon", form) for form in names.canonical_forms(token))
        code = names.phonetic(token)
        if code:
            terms.add(("phonetic", code))
    return terms


def year_terms(person: PersonFields, years: set[int]) -> set[Term]:
    """Each name token's phonetic code with each birth year ("ATBY|2011"). A year alone is
    shared by thousands and selects nothing; with a name it separates namesakes cheaply."""
    codes = {names.phonetic(t) for t in names.tokens(person.given_names, person.family_name)}
    return {("name_yob", f"{code}|{year}") for code in codes if code for year in years}


def index_terms(person: PersonFields) -> set[Term]:
    """The terms stored for an indexed person."""
    terms = name_terms(person) | year_terms(person, birth_years(person))
    for kind, values in identifiers(person).items():
        terms.update((kind, value) for value in values)
    return terms


def query_terms(person: PersonFields) -> set[Term]:
    """The terms looked up for a person: as indexed, with the birth year widened."""
    spread = QUERY_YEAR_SPREAD if person.date_of_birth else QUERY_AGE_SPREAD
    years = year_terms(person, birth_years(person, spread=spread))
    return {t for t in index_terms(person) if t[0] != "name_yob"} | years


def digests(terms: set[Term], *, key: str | None = None) -> dict[tuple[str, str], Term]:
    """(term kind, digest) -> the term it came from."""
    secret = (key if key is not None else settings.TIPLINE_BLIND_INDEX_KEY).encode()
    return {(kind, _digest(secret, kind, value)): (kind, value) for kind, value in terms}
