"""The notices API (outsiders refused, idempotent, refusals by field), border confirmations by
API, and the pipeline: a hotel's report about the subject is a likely match, raised to P1, and
the destination command is told; `tipline travellers match` in the evaluation format."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tipline.common.time import utcnow
from tipline.conftest import draft
from tipline.people.choices import OwnerKind
from tipline.people.person import PersonFields, Place
from tipline.people.profiles import default_profile
from tipline.people.scoring import check_profile
from tipline.people.selectors import people_candidates, people_score
from tipline.people.travel import FIT_FILE
from tipline.pipeline.services import pipeline_run
from tipline.reports.drafts import IncidentDraft, PersonDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit
from tipline.travellers import match, matching
from tipline.travellers.match import active_at, shortlist_for, shortlists_for
from tipline.travellers.matching import LIKELY
from tipline.travellers.models import SUBJECT_SECRET, Notice, NoticeCandidate
from tipline.travellers.services import notice_purge, notice_transition
from tipline.triage.models import Notification

pytestmark = pytest.mark.django_db


def _line(**overrides: Any) -> dict[str, Any]:
    now = utcnow()
    values = {
        "id": "INVENTED-API-1",
        "given_names": "Michael",
        "family_name": "Invented-Smith",
        "sex": "m",
        "date_of_birth": "1968",
        "nationalities": ["GBR"],
        "passport_number": "123456789",
        "arrival": (now - timedelta(days=1)).isoformat(),
        "departure": (now + timedelta(days=6)).isoformat(),
        "port_of_entry": "LOS",
        "destination_state": "LA",
        "destination_place": "Invented Palm Hotel",
    }
    values.update(overrides)
    return values


def _post(key: str, path: str, body: dict[str, Any]) -> Any:
    return Client().post(
        path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def test_outsiders_are_refused_by_the_notices_api(platform: Any, geo: Any) -> None:
    assert _post("nope", "/api/v1/notices", _line()).status_code == 401
    assert _post(platform[1], "/api/v1/notices", _line()).status_code == 403
    assert _post(platform[1], "/api/v1/notices/confirmations", {}).status_code == 403
    assert not Notice.objects.exists()


def test_partner_submits_a_notice_once(partner: Any, geo: Any) -> None:
    first = _post(partner[1], "/api/v1/notices", _line())
    again = _post(partner[1], "/api/v1/notices", _line())
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["reference"] == again.json()["reference"]
    assert Notice.objects.get().command.code == "LAG"


def test_bad_notice_is_refused_field_by_field(partner: Any, geo: Any) -> None:
    answer = _post(partner[1], "/api/v1/notices", _line(nationalities=["XYZ"], port_of_entry="JFK"))
    assert answer.status_code == 400
    assert {"nationalities", "port_of_entry"} <= set(answer.json()["fields"])
    assert not Notice.objects.exists()


def test_border_confirmation_by_api_moves_the_notice(
    border: Any, make_notice: Callable[..., Notice]
) -> None:
    notice = notice_transition(notice=make_notice(), to="assigned", actor=None)
    body = {
        "movement": "arrival",
        "document_number": "123456789",
        "date_of_birth": "1968-04-12",
        "at": utcnow().isoformat(),
        "reference": "PAX-1",
    }
    answer = _post(border[1], "/api/v1/notices/confirmations", body)
    assert answer.status_code == 201 and answer.json()["notice"] == notice.reference
    assert _post(border[1], "/api/v1/notices/confirmations", body).status_code == 200
    assert Notice.objects.get(pk=notice.pk).status == "monitoring"


def _hotel_report() -> Report:
    result = report_submit(
        draft=draft(
            incident=IncidentDraft(
                type="child_sex_tourism",
                description="A British man called Mike, about 55, brings young girls to the "
                "Invented Palm Hotel every night.",
                state_code="LA",
            ),
            people=[PersonDraft(role="reported_person", notes="British man called Mike")],
        )
    )
    pipeline_run(report_id=result.report.pk)
    return Report.objects.get(pk=result.report.pk)


def test_hotel_report_is_a_likely_match_raised_and_notified(
    make_notice: Callable[..., Notice], make_user: Any
) -> None:
    make_user("analyst", ("LAG",))
    notice = make_notice(arrival=(utcnow() - timedelta(days=2)).isoformat())
    report = _hotel_report()
    candidate = NoticeCandidate.objects.get(report=report, notice=notice)
    assert candidate.probability >= 0.5
    assert any("Mike" in r["text"] for r in candidate.reasons)
    assert report.priority == "P1"
    assert any(notice.reference in reason for reason in report.priority_reasons)
    assert Notification.objects.filter(report=report, text__contains=notice.reference).exists()


def test_report_outside_every_stay_matches_nothing(make_notice: Callable[..., Notice]) -> None:
    make_notice(
        arrival=(utcnow() + timedelta(days=30)).isoformat(),
        departure=(utcnow() + timedelta(days=40)).isoformat(),
    )
    report = _hotel_report()
    assert not NoticeCandidate.objects.filter(report=report).exists()
    assert report.priority != "P1" or "travel notice" not in " ".join(report.priority_reasons)


def test_offline_match_writes_the_evaluation_format(tmp_path: Path, capsys: Any) -> None:
    notices, reports, out = tmp_path / "n.jsonl", tmp_path / "r.jsonl", tmp_path / "m.jsonl"
    notices.write_text(json.dumps(_line(id="N1")) + "\n")
    report = {
        "id": "R1",
        "received_at": utcnow().isoformat(),
        "incident_at": "",
        "state": "LA",
        "place": "the Palm hotel",
        "description": "An oyinbo called Mike",
        "people": [{"role": "reported_person", "given_names": "Mike", "family_name": "",
                    "other_names": [], "sex": "m", "age": 55, "nationality": "British",
                    "phones": [], "emails": [], "usernames": [], "passport_number": ""}],
    }  # fmt: skip
    reports.write_text(json.dumps(report) + "\n")
    call_command("travellers", "match", "--notices", str(notices), "--reports", str(reports),
                 "--out", str(out))  # fmt: skip
    line = json.loads(out.read_text().splitlines()[0])
    assert line["report"] == "R1" and line["candidates"][0]["notice"] == "N1"
    assert line["candidates"][0]["probability"] >= 0.5 and line["candidates"][0]["reasons"]
    call_command("travellers", "match", "--threshold")
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(LIKELY)


def test_the_profile_and_the_likely_threshold_are_the_fit_kept_as_data() -> None:
    fit = json.loads(FIT_FILE.read_text())
    assert LIKELY == fit["likely"] >= 0.5
    profile = default_profile(OwnerKind.TRAVEL_NOTICE)
    assert profile.calibration == tuple(fit["calibration"])
    assert profile.m["given_name"] == fit["m"]["given_name"]
    check_profile(profile)


def test_a_report_scores_the_shortlist_the_rule_gives(
    make_notice: Callable[..., Notice], settings: Any, monkeypatch: Any
) -> None:
    """Of many active notices sharing a name with the report, the statement that loads them
    keeps `matching.shortlist`'s: most shared terms, the report's state first, at most
    SCORE_LIMIT."""
    monkeypatch.setattr(matching, "SCORE_LIMIT", 3)
    arrival = (utcnow() - timedelta(days=1)).isoformat()
    made = [
        make_notice(
            id=f"INVENTED-SL-{n}",
            given_names=given,
            family_name=f"Invented{n}",
            destination_state=state,
            port_of_entry=port,
            arrival=arrival,
            passport_number=f"12345678{n}",
            phones=[],
        )  # fmt: skip
        for n, (given, state, port) in enumerate(
            [
                ("Michael", "FC", "ABV"),
                ("Michael", "LA", "LOS"),
                ("Mike", "FC", "ABV"),
                ("Michael", "FC", "ABV"),
                ("Mikel", "LA", "LOS"),
            ]  # fmt: skip
        )
    ]
    person = matching.person_fields(given="Michael", family="", seen=utcnow(), state="LA")
    found = [
        (int(c.owner_id), c.points)
        for c in people_candidates(owner_kind=OwnerKind.TRAVEL_NOTICE, person=person,
                                   limit=matching.LOOKUP_LIMIT, with_evidence=False)
    ]  # fmt: skip
    states = {n.pk: n.destination_state.code for n in made if n.destination_state}
    expected = matching.shortlist(found, states, "LA")
    got = shortlist_for(person, utcnow())
    assert [n.id for n in got] == expected and len(got) == 3
    assert got[0].id == made[1].pk  # the Michael bound for Lagos before the Abuja ones
    assert got[0].fields == made[1].fields()  # decrypted as the model gives them
    assert (got[0].reference, got[0].command_id) == (made[1].reference, made[1].command_id)


def test_the_pipelines_active_statement_agrees_with_active_at(
    make_notice: Callable[..., Notice],
) -> None:
    now = utcnow()
    stays = [(-20, -12), (-5, 3), (1, 9), (-40, None), (-10, None), (4, 30)]
    made = [
        make_notice(id=f"INVENTED-AC-{n}", passport_number="987654321",
                    arrival=(now + timedelta(days=a)).isoformat(),
                    departure=(now + timedelta(days=d)).isoformat() if d is not None else None)
        for n, (a, d) in enumerate(stays)
    ]  # fmt: skip
    Notice.objects.filter(pk=made[1].pk).update(purged_at=now)  # purged: never matched
    ids = [n.pk for n in made]
    for days in range(-25, 35, 3):
        when = now + timedelta(days=days)
        expected = set(
            Notice.objects.filter(active_at(when), pk__in=ids).values_list("pk", flat=True)
        )
        person = matching.person_fields(given="", family="", passport="987654321", seen=when)
        assert {n.id for n in shortlist_for(person, when)} == expected, days


def test_a_batch_of_people_gets_each_the_shortlist_it_gets_alone(
    make_notice: Callable[..., Notice],
) -> None:
    """The pipeline's one statement for a batch ranks each person apart: different names,
    states, times and a person with nothing to look up, each as if asked alone."""
    now = utcnow()
    stays = [("Michael", "FC", -5, 3), ("Michael", "LA", -5, 3), ("Mike", "LA", 10, 20),
             ("Hans", "FC", -2, 6), ("Michael", "LA", -60, -50)]  # fmt: skip
    for n, (given, state, arrive, leave) in enumerate(stays):
        make_notice(id=f"INVENTED-BATCH-{n}", given_names=given, destination_state=state,
                    passport_number=f"4400{n:05d}",
                    arrival=(now + timedelta(days=arrive)).isoformat(),
                    departure=(now + timedelta(days=leave)).isoformat())  # fmt: skip
    later = now + timedelta(days=14)
    asked = [
        (matching.person_fields(given="Michael", family="", seen=now, state="LA"), now),
        (matching.person_fields(given="Michael", family="", seen=now, state="FC"), now),
        (matching.person_fields(given="", family="", seen=now), now),
        (matching.person_fields(given="Mike", family="", seen=later, state=""), later),
        (matching.person_fields(given="", family="", passport="440000003", seen=now), now),
    ]
    alone = [[n.id for n in shortlist_for(person, when)] for person, when in asked]
    together = [[n.id for n in found] for found in shortlists_for(asked)]
    assert together == alone
    assert alone[0] != alone[1] and alone[2] == [] and all(alone[i] for i in (0, 1, 3, 4))


def test_the_cache_of_decrypted_notices_never_gives_a_changed_or_purged_one(
    make_notice: Callable[..., Notice],
) -> None:
    """A notice decrypted once is kept by its stored row: a changed row (new ciphertext) is
    decrypted again, and a purged notice is no longer found at all."""
    notice = make_notice(id="INVENTED-CACHE-1", passport_number="555000111")
    person = matching.person_fields(given="", family="", passport="555000111", seen=utcnow())
    first = shortlist_for(person, utcnow())
    assert [n.id for n in first] == [notice.pk]
    assert shortlist_for(person, utcnow())[0].fields is first[0].fields  # from the cache
    notice.given_names = "Invented-Renamed"
    notice.save(update_fields=["given_names"])  # updated_at left alone: the row still differs
    again = shortlist_for(person, utcnow())
    assert again[0].fields.given_names == "Invented-Renamed"
    Notice.objects.filter(pk=notice.pk).update(purged_at=utcnow())
    assert shortlist_for(person, utcnow()) == []


def test_the_sealed_subject_follows_the_fields_and_is_emptied_by_a_purge(
    make_notice: Callable[..., Notice],
) -> None:
    """`subject_sealed`, what the matcher decrypts, holds the subject's fields as stored: on
    receipt, after a save of one of them, and nothing once the notice is purged."""
    notice = make_notice(id="INVENTED-SEALED-1", passport_number="555000222")

    def sealed() -> Any:
        return Notice.objects.get(pk=notice.pk).subject_sealed

    stored = Notice.objects.get(pk=notice.pk)
    assert sealed() == {name: getattr(stored, name) for name in SUBJECT_SECRET}
    assert sealed()["document_number"] == "555000222"
    stored.family_name = "Invented-Changed"
    stored.save(update_fields=["family_name"])
    assert sealed()["family_name"] == "Invented-Changed"
    person = matching.person_fields(given="", family="", passport="555000222", seen=utcnow())
    assert shortlist_for(person, utcnow())[0].fields.family_name == "Invented-Changed"
    notice_purge(notice=stored)
    assert sealed() is None and shortlist_for(person, utcnow()) == []


def test_scored_shortlist_keeps_what_scoring_every_notice_would() -> None:
    """Leaving out the notices that cannot reach the floor or the best CANDIDATES_PER_PERSON
    changes nothing `_best` keeps: same notices, same scores, same order."""
    now = utcnow()
    person = matching.person_fields(given="Michael", family="", age=50, seen=now, state="LA",
                                    texts=("He stays at the Palmview hotel.",))  # fmt: skip
    found = [
        match.Shortlisted(
            n,
            f"TN-INVENTED-{n}",
            1,
            PersonFields(
                given_names=["Michael", "Mike", "Mikel"][n % 3],
                family_name=f"Invented{n}",
                sex="m",
                date_of_birth=date(1950 + 2 * n, 1, 1),
                nationality="GBR",
                places=(Place(state=["LA", "FC"][n % 2]),),
                stay=(now - timedelta(days=n % 5), now + timedelta(days=3)),
                venues=(["Palmview Hotel", "Sapphire Suites"][n % 2],),
            ),
        )  # fmt: skip
        for n in range(30)
    ]
    scoring = match.profile()
    full = [(n, people_score(profile=scoring, left=person, right=n.fields)) for n in found]

    def kept(pairs: list[Any]) -> list[tuple[int, float]]:
        rows = [match._row(s, "report", notice_id=n.id) for n, s in pairs]
        return [(r.notice_id, r.probability) for r in match._best(rows)]

    fast = match.scored_shortlist(person, found, scoring)
    assert kept(fast) == kept(full) and len(kept(full)) == matching.CANDIDATES_PER_PERSON
    assert len(fast) < len(full)  # some were left out early
