"""Invented people and corrupted sightings of them, with known truth, for tests and the bench.

Names come from Faker's Nigerian locales (en_NG, yo_NG, ig_NG, ha_NG); everything else is drawn
at random. No real person is described. A query is one registry person as a witness or another
record might give them: names swapped, shortened or misspelt, an age guessed instead of a date
of birth, a phone written another way or not known.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from faker import Faker

from tipline.people import names
from tipline.people.person import PersonFields, Place
from tipline.people.scoring import MatchProfile, expected_calibration_error, people_score
from tipline.people.selectors import people_candidates

LOCALES = {"yo_NG": 0.3, "ig_NG": 0.25, "ha_NG": 0.3, "en_NG": 0.15}
# fmt: off
STATES = (
    "AB", "AD", "AK", "AN", "BA", "BY", "BE", "BO", "CR", "DE", "EB", "ED", "EK",
    "EN", "FC", "GO", "IM", "JI", "KD", "KN", "KT", "KE", "KO", "KW", "LA", "NA",
    "NI", "OG", "ON", "OS", "OY", "PL", "RI", "SO", "TA", "YO", "ZA",
)
# fmt: on
MOBILE_PREFIXES = ("803", "806", "813", "816", "703", "706", "805", "807", "815", "802", "808")
SEEN_ON = date(2026, 6, 1)
CORRUPTIONS = ("swap", "alias", "typo", "age", "dob_shift", "phone_format", "drop_phone", "drop")


@dataclass(frozen=True)
class Query:
    """A person to look up, the registry index of the true record (None: not in the registry),
    and the corruptions applied."""

    person: PersonFields
    truth: int | None
    corruptions: tuple[str, ...]


class Population:
    """A seeded source of invented people."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311  # invented data, reproducible by seed
        self.fakers = {}
        for offset, locale in enumerate(LOCALES):
            faker = Faker(locale)
            faker.seed_instance(seed * 10 + offset)
            self.fakers[locale] = faker

    def person(self) -> PersonFields:
        """One invented person with a date of birth and, usually, a phone."""
        rng = self.rng
        locale = rng.choices(list(LOCALES), weights=list(LOCALES.values()))[0]
        faker, sex = self.fakers[locale], rng.choice("mf")
        first = faker.first_name_male if sex == "m" else faker.first_name_female
        given, family = first(), faker.last_name()
        other = (first(),) if rng.random() < 0.6 else ()
        state = rng.choice(STATES)
        lga = f"{state} district {rng.randint(1, 12)}" if rng.random() < 0.5 else ""
        phone = f"0{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"
        email = f"{names.fold(given)}.{names.fold(family)}{rng.randint(1, 999)}@example.com"
        return PersonFields(
            given_names=given,
            family_name=family,
            other_names=tuple(o for o in other if o != given),
            sex=sex,
            date_of_birth=date(1985, 1, 1) + timedelta(days=rng.randint(0, 13_000)),
            phones=(phone,) if rng.random() < 0.8 else (),
            emails=(email,) if rng.random() < 0.3 else (),
            places=(Place(state=state, lga=lga),),
        )

    def queries(
        self, registry: list[PersonFields], count: int, *, absent_share: float = 0.2
    ) -> list[Query]:
        """`count` queries: corrupted registry people, and a share of people not in it."""
        found = []
        for _ in range(count):
            if self.rng.random() < absent_share:
                found.append(Query(self.corrupt(self.person(), ("drop",)), None, ("absent",)))
                continue
            truth = self.rng.randrange(len(registry))
            kinds = tuple(self.rng.sample(CORRUPTIONS, self.rng.randint(1, 3)))
            found.append(Query(self.corrupt(registry[truth], kinds), truth, kinds))
        return found

    def corrupt(self, person: PersonFields, kinds: tuple[str, ...]) -> PersonFields:
        for kind in kinds:
            person = getattr(self, f"_{kind}")(person)
        return person

    def _swap(self, p: PersonFields) -> PersonFields:
        return replace(p, given_names=p.family_name, family_name=p.given_names)

    def _alias(self, p: PersonFields) -> PersonFields:
        token = names.fold(p.given_names)
        forms = sorted(_aliases_of(token))
        return replace(p, given_names=self.rng.choice(forms).title()) if forms else self._typo(p)

    def _typo(self, p: PersonFields) -> PersonFields:
        word = p.family_name
        if len(word) < 4:
            return p
        i, rng = self.rng.randrange(1, len(word) - 1), self.rng
        edits = (
            word[:i] + word[i + 1 :],
            word[:i] + word[i + 1] + word[i] + word[i + 2 :],
            word[:i] + rng.choice("aeiou") + word[i + 1 :],
        )
        return replace(p, family_name=rng.choice(edits))

    def _age(self, p: PersonFields) -> PersonFields:
        if p.date_of_birth is None:
            return p
        real = SEEN_ON.year - p.date_of_birth.year
        guess = max(1, real + self.rng.randint(-2, 2))
        return replace(p, date_of_birth=None, age=guess, age_given_on=SEEN_ON)

    def _dob_shift(self, p: PersonFields) -> PersonFields:
        if p.date_of_birth is None:
            return p
        shift = timedelta(days=self.rng.choice((-365, -30, -1, 1, 30, 365)))
        return replace(p, date_of_birth=p.date_of_birth + shift)

    def _phone_format(self, p: PersonFields) -> PersonFields:
        return replace(p, phones=tuple(f"+234 {x[1:4]} {x[4:7]} {x[7:]}" for x in p.phones))

    def _drop_phone(self, p: PersonFields) -> PersonFields:
        return replace(p, phones=(), emails=())

    def _drop(self, p: PersonFields) -> PersonFields:
        """What a sighting rarely has: other names, an email, the place's LGA."""
        places = tuple(Place(state=x.state) for x in p.places)
        return replace(p, other_names=(), emails=(), places=places)


def _aliases_of(token: str) -> set[str]:
    """Other forms the lists give for a name (short forms, spellings, English nicknames)."""
    rows = names.short_form_rows()
    forms = {form for form, canonical in rows if canonical == token}
    forms |= {c for form, c in rows if form == token}
    return forms | names.nicknames_of(token)


@dataclass
class Outcome:
    """What a run of queries gave: for each query, the truth's rank among its scored candidates
    (None: not among them, or not in the registry), the top probability and whether the top was
    the truth; every (probability, is the truth) pair scored, and its comparison vector; seconds
    and pairs scored per query."""

    ranks: list[int | None] = field(default_factory=list)
    tops: list[tuple[float, bool, bool]] = field(default_factory=list)
    pairs: list[tuple[float, bool]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    vectors: list[tuple[dict[str, str | None], bool]] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)


def evaluate(
    *,
    owner_kind: str,
    profile: MatchProfile,
    queries: list[Query],
    load: Callable[[list[str]], dict[str, PersonFields]],
    limit: int = 50,
) -> Outcome:
    """Look each query up as a caller would: candidates from the index, `load` (the caller's
    decryption of those owners only), score, rank."""
    outcome = Outcome()
    for query in queries:
        started = time.perf_counter()
        found = people_candidates(owner_kind=owner_kind, person=query.person, limit=limit)
        people = load([c.owner_id for c in found])
        scored = sorted(
            (
                (
                    people_score(profile=profile, left=query.person, right=people[c.owner_id]),
                    c.owner_id,
                )
                for c in found
            ),
            key=lambda pair: -pair[0].weight,
        )
        outcome.seconds.append(time.perf_counter() - started)
        truth = None if query.truth is None else str(query.truth)
        ids = [owner for _, owner in scored]
        outcome.ranks.append(ids.index(truth) if truth in ids else None)
        top = scored[0][0].probability if scored else 0.0
        outcome.tops.append((top, bool(ids) and ids[0] == truth, truth is not None))
        outcome.pairs.extend((s.probability, owner == truth) for s, owner in scored)
        outcome.vectors.extend((s.comparison, owner == truth) for s, owner in scored)
        outcome.counts.append(len(scored))
    return outcome


def summary(outcome: Outcome, *, threshold: float = 0.5) -> dict[str, float]:
    """Precision, recall and F1 of "the top candidate is the person" at `threshold`, recall at
    1 and 5, expected calibration error of all scored pairs, and p95 milliseconds per query."""
    predicted = [(hit, present) for p, hit, present in outcome.tops if p >= threshold]
    true_positives = sum(1 for hit, _ in predicted if hit)
    present = sum(1 for _, _, here in outcome.tops if here) or 1
    precision = true_positives / len(predicted) if predicted else 0.0
    recall = true_positives / present
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    seconds = sorted(outcome.seconds) or [0.0]
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "recall_at_1": sum(1 for r in outcome.ranks if r == 0) / present,
        "recall_at_5": sum(1 for r in outcome.ranks if r is not None and r < 5) / present,
        "ece": expected_calibration_error(*zip(*outcome.pairs, strict=True))
        if outcome.pairs
        else 0.0,
        "p95_ms": 1000 * seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))],
    }
