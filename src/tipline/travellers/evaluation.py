"""Offline matching in the evaluation format (`tipline travellers match`, the bench).

The platform's own pieces, without the database: a notice line is read by `NoticeInput` into
the fields a stored notice gives the matcher; candidates are blocked on the same blind-index terms
and points as `people_candidates` (people/blind.py, TERM_WEIGHTS, MIN_POINTS), kept when the
report's time is inside the notice's window, and scored by the travel-notice profile.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tipline.people import blind
from tipline.people.choices import TERM_WEIGHTS, OwnerKind
from tipline.people.person import PersonFields, Place
from tipline.people.profiles import default_profile
from tipline.people.scoring import MatchProfile, Score, people_score
from tipline.people.selectors import MIN_POINTS
from tipline.people.travel import stay_window
from tipline.travellers import matching
from tipline.travellers.documents import PORTS_OF_ENTRY
from tipline.travellers.drafts import NoticeInput
from tipline.travellers.models import partial_date

MAX_CANDIDATES = 10


def notice_fields(data: NoticeInput) -> PersonFields:
    """A notice line as the matcher sees it (the same shape as `Notice.fields`)."""
    born = None
    if data.date_of_birth:
        year, month, born = partial_date(data.date_of_birth)
        born = born or date(year, month or 7, 1 if month is None else 15)
    state = data.destination_state or PORTS_OF_ENTRY.get(data.port_of_entry, "")
    aliases = [a.get(k, "") for a in data.aliases() for k in ("name", "transliteration")]
    return PersonFields(
        given_names=data.given_names,
        family_name=data.family_name,
        other_names=tuple(a for a in aliases if a),
        sex=data.sex,
        date_of_birth=born,
        phones=tuple(data.phones),
        emails=tuple(data.emails),
        usernames=tuple(u for u in map(matching.username_of, data.usernames) if u),
        documents=(f"passport:{data.passport_number}",) if data.passport_number else (),
        nationality=",".join(data.nationalities),
        places=(Place(state=state),) if state else (),
        stay=(data.arrival, data.departure),
        venues=tuple(v for v in (data.destination_place, *data.other_addresses) if v),
    )


@dataclass
class OfflineIndex:
    """Notices by blind-index term (clear terms: nothing leaves the process)."""

    notices: dict[str, PersonFields] = field(default_factory=dict)
    by_term: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, notice_id: str, person: PersonFields) -> None:
        self.notices[notice_id] = person
        for term in blind.index_terms(person):
            self.by_term[term].append(notice_id)

    def candidates(
        self, person: PersonFields, limit: int = matching.LOOKUP_LIMIT
    ) -> list[tuple[str, int]]:
        """(notice id, points), best first, as `people_candidates` ranks them."""
        points: dict[str, int] = defaultdict(int)
        for term in blind.query_terms(person):
            for notice_id in self.by_term.get(term, ()):
                points[notice_id] += TERM_WEIGHTS[term[0]]
        kept = [(p, n) for n, p in points.items() if p >= MIN_POINTS]
        return [(n, p) for p, n in sorted(kept, key=lambda t: (-t[0], t[1]))[:limit]]

    def shortlist(self, person: PersonFields, found: list[tuple[str, int]]) -> list[str]:
        """Those of `found` whose window holds the person's time, as the platform keeps them
        to score (`matching.shortlist`)."""
        states = {
            n: self.notices[n].state
            for n, _ in found
            if _inside(person.seen_at, self.notices[n].stay)
        }
        ids: list[str] = matching.shortlist(found, states, person.state)
        return ids


def _inside(seen: datetime | None, stay: Any) -> bool:
    if seen is None or stay is None:
        return True
    start, end = stay_window(stay)
    return start <= seen <= end


def score_report(
    index: OfflineIndex, line: dict[str, Any], profile: MatchProfile
) -> list[tuple[str, Score]]:
    """Each candidate notice of the report at its best person, best first (all of them: the
    bench reads the comparison vectors)."""
    best: dict[str, Score] = {}
    for person in line.get("people") or []:
        if person.get("role") in ("reporter", "victim"):
            continue
        fields = matching.eval_person_fields(line, person)
        for notice_id in index.shortlist(fields, index.candidates(fields)):
            score = people_score(profile=profile, left=fields, right=index.notices[notice_id])
            if notice_id not in best or score.probability > best[notice_id].probability:
                best[notice_id] = score
    return sorted(best.items(), key=lambda kv: -kv[1].probability)


def match_report(
    index: OfflineIndex, line: dict[str, Any], profile: MatchProfile
) -> list[dict[str, Any]]:
    """The report's candidates, best first, at most MAX_CANDIDATES (each notice once)."""
    return [
        {
            "notice": notice_id,
            "probability": round(score.probability, 4),
            "reasons": [r.text for r in score.reasons if r.level is not None],
        }
        for notice_id, score in score_report(index, line, profile)[:MAX_CANDIDATES]
    ]


def build_index(notice_lines: list[dict[str, Any]]) -> OfflineIndex:
    index = OfflineIndex()
    for line in notice_lines:
        index.add(str(line["id"]), notice_fields(NoticeInput.model_validate(notice_line(line))))
    return index


def notice_line(line: dict[str, Any]) -> dict[str, Any]:
    """The evaluation format's empty strings as the input type's absences."""
    out = {k: v for k, v in line.items() if v not in ("", None)}
    out["id"] = str(line["id"])
    return out


def match_all(
    notice_lines: list[dict[str, Any]], report_lines: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One output line per report: {"report": id, "candidates": [...]}."""
    index = build_index(notice_lines)
    profile = default_profile(OwnerKind.TRAVEL_NOTICE)
    return [
        {"report": line["id"], "candidates": match_report(index, line, profile)}
        for line in report_lines
    ]


__all__ = ["build_index", "match_all", "match_report", "notice_fields", "score_report"]
