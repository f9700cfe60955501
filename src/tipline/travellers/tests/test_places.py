"""Places of concern (named loosely, linked from reports and notices), hotels' manifests (kept
encrypted, matched, purged to their matches after the retention) and notices against the people
of cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.cases.services import case_open, case_person_add
from tipline.common.time import utcnow
from tipline.geo.models import State
from tipline.people.choices import Decision
from tipline.people.models import MatchDecision
from tipline.people.person import PersonFields
from tipline.travellers.choices import PlaceKind
from tipline.travellers.match import candidate_decide
from tipline.travellers.matching import LIKELY
from tipline.travellers.models import Manifest, ManifestRow, Notice, PlaceLink, PlaceOfConcern
from tipline.travellers.places import (
    manifest_check,
    manifests_purge_due,
    place_create,
    places_named_in,
)
from tipline.travellers.tests.helpers import hotel_report, manifest_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def eko(lagos_analyst: User, geo: Any) -> PlaceOfConcern:
    return place_create(
        name="Invented Eko Palm Hotels and Suites",
        kind=PlaceKind.HOTEL,
        state=State.objects.get(code="LA"),
        aliases=["Palm Suites VI"],
        actor=lagos_analyst,
    )


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("He stays at the invented eko palm hotel", True),
        ("seen at Palm Suites, VI", True),  # the alias, punctuation aside
        ("INVENTED EKO PALM", True),  # generic words are not needed
        ("a hotel in Victoria Island", False),  # a kind of place names no place
        ("the Eko market", False),  # one distinctive word of three is not the place
    ],
)
def test_a_text_names_a_place_by_every_distinctive_word_of_a_name_or_alias(
    eko: PlaceOfConcern, text: str, named: bool
) -> None:
    assert bool(places_named_in(text, state_code="LA")) == named


def test_a_place_is_named_only_in_its_own_state(eko: PlaceOfConcern) -> None:
    assert places_named_in("the invented eko palm hotel", state_code="KN") == []


def test_a_place_needs_its_own_name(lagos_analyst: User, geo: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        place_create(
            name="The Hotel", kind=PlaceKind.HOTEL, state=State.objects.get(code="LA"),
            actor=lagos_analyst,
        )  # fmt: skip
    assert "name" in caught.value.message_dict
    assert not PlaceOfConcern.objects.exists()


def test_a_report_naming_a_place_is_linked_by_the_pipeline_once(eko: PlaceOfConcern) -> None:
    report = hotel_report(text="A British man called Mike takes girls to Palm Suites VI.")
    link = PlaceLink.objects.get(place=eko)
    assert link.report_id == report.pk and link.named_as == "Palm Suites VI"
    from tipline.travellers.places import places_link_report

    assert places_link_report(report=report) == 0  # idempotent
    assert AuditEvent.objects.filter(action="travellers.place_created").count() == 1


def test_a_notice_naming_a_place_is_linked_on_receipt(
    eko: PlaceOfConcern, make_notice: Callable[..., Notice]
) -> None:
    notice = make_notice(destination_place="Invented Eko Palm Hotel, Victoria Island")
    assert PlaceLink.objects.filter(place=eko, notice=notice).exists()
    elsewhere = make_notice(id="INVENTED-KANO", destination_place="Invented Eko Palm Hotel",
                            destination_state="KN")  # fmt: skip
    assert not PlaceLink.objects.filter(notice=elsewhere).exists()


def _guests(*rows: tuple[str, ...]) -> bytes:
    return manifest_csv(*rows)


def test_a_manifest_is_kept_encrypted_and_its_subject_is_a_likely_match(
    eko: PlaceOfConcern, make_notice: Callable[..., Notice], lagos_analyst: User
) -> None:
    notice = make_notice(arrival=(utcnow() - timedelta(days=1)).isoformat())
    day = utcnow().date().isoformat()
    data = _guests(
        ("Michael Invented-Smith", "GBR", "123456789", day, "", "101", "+447700900123"),
        ("Invented Unrelated", "FRA", "FR0000001", day, "", "102", ""),
    )
    manifest, matches = manifest_check(place=eko, data=data, actor=lagos_analyst)
    assert manifest.rows_count == 2 and manifest.expires_at > utcnow()
    best = matches[0].candidates[0]
    assert best.notice == notice and best.probability >= 0.9
    assert any("passport" in str(r["text"]).lower() or r["field"] == "document"
               for r in best.reasons)  # fmt: skip
    assert matches[1].candidates == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT guest_name, passport_number FROM travellers_manifestrow")
        stored = " ".join(" ".join(row) for row in cursor.fetchall())
    assert "Invented-Smith" not in stored and "123456789" not in stored
    audit = AuditEvent.objects.get(action="travellers.manifest_checked")
    assert audit.after["rows"] == 2 and audit.after["likely"] == 1


def test_a_manifest_keeps_only_its_matched_guests_after_the_retention(
    eko: PlaceOfConcern, make_notice: Callable[..., Notice], lagos_analyst: User
) -> None:
    make_notice(arrival=(utcnow() - timedelta(days=1)).isoformat())
    day = utcnow().date().isoformat()
    data = _guests(
        ("Michael Invented-Smith", "GBR", "123456789", day, "", "101", ""),
        ("Invented Unrelated", "FRA", "FR0000001", day, "", "102", ""),
    )
    manifest, _ = manifest_check(place=eko, data=data, actor=lagos_analyst)
    assert manifests_purge_due() == 0
    Manifest.objects.filter(pk=manifest.pk).update(expires_at=utcnow() - timedelta(seconds=1))
    assert manifests_purge_due() == 1
    kept = ManifestRow.objects.filter(manifest=manifest)
    assert [r.guest_name for r in kept] == ["Michael Invented-Smith"]
    assert Manifest.objects.get(pk=manifest.pk).purged_at is not None
    assert manifests_purge_due() == 0  # once
    event = AuditEvent.objects.get(action="travellers.manifest_purged")
    assert event.after["rows_deleted"] == 1


def test_a_bad_line_refuses_the_whole_manifest(eko: PlaceOfConcern, lagos_analyst: User) -> None:
    data = _guests(("A Guest", "", "", "2026-01-01", "", "", ""), ("B Guest", "", "", "soon"))
    with pytest.raises(ValidationError, match="Line 3"):
        manifest_check(place=eko, data=data, actor=lagos_analyst)
    assert not Manifest.objects.exists() and not ManifestRow.objects.exists()


def test_check_manifest_command_prints_the_likely_matches(
    eko: PlaceOfConcern, make_notice: Callable[..., Notice], tmp_path: Path, capsys: Any
) -> None:
    notice = make_notice(arrival=(utcnow() - timedelta(days=1)).isoformat())
    path = tmp_path / "guests.csv"
    path.write_bytes(_guests(("MICHAEL INVENTED-SMITH", "GBR", "123456789",
                              utcnow().date().isoformat(), "", "7", "")))  # fmt: skip
    call_command("travellers", "check-manifest", str(path), "--place", eko.name)
    out = capsys.readouterr().out
    assert f"row 1: LIKELY {notice.reference}" in out and "1 guests checked" in out


def _case_person(analyst: User, **fields: Any) -> Any:
    case = case_open(command=analyst.commands.get(), lead=analyst, title="Invented", actor=analyst)
    person = PersonFields(**fields)
    return case_person_add(case=case, role="suspect", person=person, actor=analyst)


def test_a_new_notice_is_matched_against_the_people_of_cases_and_decided(
    make_notice: Callable[..., Notice], lagos_analyst: User
) -> None:
    involvement = _case_person(
        lagos_analyst,
        given_names="Michael",
        family_name="Invented-Smith",
        sex="m",
        date_of_birth=date(1968, 4, 12),
        phones=("+447700900123",),
    )
    _case_person(lagos_analyst, given_names="Chinedu", family_name="Invented-Okafor")
    notice = make_notice()
    candidate = notice.candidates.order_by("-probability").first()
    assert candidate is not None and candidate.case_person_id == involvement.person_id
    assert candidate.probability >= 0.9
    assert all(c.probability < LIKELY for c in notice.candidates.exclude(pk=candidate.pk))
    candidate_decide(candidate=candidate, decision=Decision.CONFIRMED, actor=lagos_analyst)
    decision = MatchDecision.objects.get(owner_kind="travel_notice")
    assert decision.left_id == f"case_person:{involvement.person_id}"
    assert decision.right_id == str(notice.pk)
    assert notice.events.filter(kind="candidate_confirmed").exists()
    again = make_notice(id="INVENTED-GN-0002", given_names="Mike")
    assert again.candidates.filter(case_person_id=involvement.person_id).exists()
