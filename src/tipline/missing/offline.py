"""Offline matching of JSON-lines files, for anyone to evaluate the matcher on their own data
(`tipline missing match`). The same comparisons and profile as the platform (people app); the
blocking is the blind index's terms kept in memory instead of HMAC digests in the database.

A line: `id`, `given_names`, `family_name`, `other_names` (list), `sex` (f/m/""),
`date_of_birth` (ISO date or ""), `age` and `age_given_on` (or ""), `seen_at` (ISO time; the
registry's: last seen), `state` (code), `lga`, `place` (free text), `phones` (list),
`description`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from tipline.missing.matching import BLIND_LIMIT, LIKELY, shortlist
from tipline.people import blind
from tipline.people.choices import TERM_WEIGHTS
from tipline.people.person import PersonFields, Place
from tipline.people.scoring import MatchProfile, people_score
from tipline.people.selectors import MIN_POINTS

TOP = 10


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def person_of(line: dict[str, Any]) -> PersonFields:
    """One JSON line as matcher fields."""
    seen = datetime.fromisoformat(line["seen_at"]) if line.get("seen_at") else None
    age: Any = line.get("age")
    return PersonFields(
        given_names=line.get("given_names") or "",
        family_name=line.get("family_name") or "",
        other_names=tuple(line.get("other_names") or ()),
        sex=(line.get("sex") or "").lower(),
        date_of_birth=_date(line.get("date_of_birth")),
        age=int(age) if age not in (None, "") else None,
        age_given_on=_date(line.get("age_given_on")) or (seen.date() if seen else None),
        phones=tuple(line.get("phones") or ()),
        places=(Place(state=line["state"], lga=line.get("lga") or ""),)
        if line.get("state")
        else (),
        seen_at=seen,
    )


def read_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON-lines text, blank lines skipped."""
    for number, text in enumerate(lines, start=1):
        if text.strip():
            try:
                yield json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number}: {exc.msg}") from exc


class MemoryIndex:
    """The registry's blind-index terms in memory (term -> record ids)."""

    def __init__(self, registry: list[tuple[str, PersonFields]]) -> None:
        self.people = dict(registry)
        self.terms: dict[blind.Term, set[str]] = defaultdict(set)
        for owner, person in registry:
            for term in blind.index_terms(person):
                self.terms[term].add(owner)

    def candidates(self, person: PersonFields) -> list[str]:
        """The records the platform's step would score for this person: those sharing
        MIN_POINTS of term weight or more, the BLIND_LIMIT with most (`people_candidates`),
        ranked again with the state's points (`matching.shortlist`)."""
        points: dict[str, int] = defaultdict(int)
        for term in blind.query_terms(person):
            for owner in self.terms.get(term, ()):
                points[owner] += TERM_WEIGHTS[term[0]]
        ranked = sorted(
            (o for o, p in points.items() if p >= MIN_POINTS), key=lambda o: (-points[o], o)
        )
        found = [(owner, points[owner]) for owner in ranked[:BLIND_LIMIT]]
        states = {owner: self.people[owner].state for owner, _ in found}
        return shortlist(found, states, person.state)


def match_one(index: MemoryIndex, profile: MatchProfile, line: dict[str, Any]) -> dict[str, Any]:
    """One sighting's output line: its candidates best first, at most TOP."""
    sighting = person_of(line)
    scores = [
        (owner, people_score(profile=profile, left=sighting, right=index.people[owner]))
        for owner in index.candidates(sighting)
    ]
    scores.sort(key=lambda pair: -pair[1].probability)
    candidates = [
        {
            "record": owner,
            "probability": round(score.probability, 6),
            "reasons": [r.text for r in score.reasons if r.level is not None],
        }
        for owner, score in scores[:TOP]
    ]
    return {"sighting": line["id"], "candidates": candidates}


def likely_threshold() -> float:
    """The probability from which the platform calls a match likely."""
    return LIKELY
