"""Notices: input refusals, MRZ check digits, routing, idempotency, the status table, border
confirmations and the retention purge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from pydantic import ValidationError as InputError

from tipline.audit.models import AuditEvent
from tipline.common.time import utcnow
from tipline.people.models import BlindIndexEntry
from tipline.travellers.choices import ALLOWED_TRANSITIONS, NoticeStatus, Outcome
from tipline.travellers.documents import MrzRefused, mrz_check
from tipline.travellers.drafts import ConfirmationInput
from tipline.travellers.models import Confirmation, Notice
from tipline.travellers.services import (
    confirmation_receive,
    notice_transition,
    notices_purge_due,
    purge_due_at,
)
from tipline.travellers.tests.conftest import SPECIMEN_MRZ, notice_input

pytestmark = pytest.mark.django_db


def test_icao_specimen_zone_passes_its_check_digits() -> None:
    zone = mrz_check(SPECIMEN_MRZ)
    assert (zone.document_number, zone.issuing_state, zone.birth_date) == (
        "L898902C3",
        "UTO",
        "740812",
    )


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        (SPECIMEN_MRZ.replace("L898902C36", "L898902C37"), "document number"),
        (SPECIMEN_MRZ.replace("7408122F", "7408123F"), "birth date"),
        (SPECIMEN_MRZ.replace("1204159", "1204158"), "expiry date"),
        (SPECIMEN_MRZ[:-1] + "9", "final"),
    ],
)
def test_broken_zones_are_refused_naming_the_failed_digit(broken: str, named: str) -> None:
    with pytest.raises(MrzRefused, match=named):
        mrz_check(broken)


def test_a_zone_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(MrzRefused, match="Not a machine-readable zone"):
        mrz_check("P<UTO\nL898")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nationalities": ["XYZ"]}, "nationalities"),
        ({"mrz": SPECIMEN_MRZ.replace("L898902C36", "L898902C37")}, "mrz"),
        ({"port_of_entry": "JFK"}, "port_of_entry"),
        ({"date_of_birth": "1968-13"}, "date_of_birth"),
        ({"arrival": "2026-01-01T10:00:00"}, "arrival"),
    ],
)
def test_bad_fields_are_refused_by_name(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        notice_input(**overrides)
    assert field in {".".join(map(str, e["loc"])) for e in caught.value.errors()}


def test_arrival_after_departure_is_refused_and_nothing_stored(
    make_notice: Callable[..., Notice],
) -> None:
    now = utcnow()
    with pytest.raises(ValidationError) as caught:
        make_notice(arrival=(now + timedelta(days=5)).isoformat(), departure=now.isoformat())
    assert "departure" in caught.value.message_dict
    assert not Notice.objects.exists() and not BlindIndexEntry.objects.exists()


def test_zone_that_names_another_passport_is_refused(make_notice: Callable[..., Notice]) -> None:
    with pytest.raises(ValidationError) as caught:
        make_notice(mrz=SPECIMEN_MRZ, passport_number="999999999")
    assert "mrz" in caught.value.message_dict


def test_notice_routes_to_destination_command_and_is_indexed(
    make_notice: Callable[..., Notice], geo: Any
) -> None:
    notice = make_notice()
    assert notice.command.code == geo["LAG"].code and notice.status == NoticeStatus.RECEIVED
    assert BlindIndexEntry.objects.filter(owner_kind="travel_notice", owner_id=str(notice.pk))
    by_port = make_notice(id="INVENTED-2", destination_state="", port_of_entry="KAN")
    assert by_port.command.code == "KAN"


def test_same_sender_reference_is_the_same_notice(make_notice: Callable[..., Notice]) -> None:
    first = make_notice()
    again = make_notice(given_names="Changed")
    assert again.pk == first.pk and Notice.objects.count() == 1


def test_personal_fields_are_encrypted_at_rest(make_notice: Callable[..., Notice]) -> None:
    from django.db import connection

    notice = make_notice()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT family_name, document_number FROM travellers_notice WHERE id = %s", [notice.pk]
        )
        family, number = cursor.fetchone()
    assert "Invented-Smith" not in family and "123456789" not in number


ALL_MOVES = [(a, b) for a in NoticeStatus.values for b in NoticeStatus.values]


def _walk_to(notice: Notice, status: str) -> Notice:
    paths = {
        NoticeStatus.RECEIVED: [],
        NoticeStatus.ASSIGNED: ["assigned"],
        NoticeStatus.MONITORING: ["assigned", "monitoring"],
        NoticeStatus.ENTRY_REFUSED: ["assigned", "entry_refused"],
        NoticeStatus.DID_NOT_ARRIVE: ["assigned", "did_not_arrive"],
        NoticeStatus.DEPARTED: ["assigned", "monitoring", "departed"],
        NoticeStatus.CLOSED: ["assigned", "monitoring", "departed", "closed"],
    }
    for step in paths[NoticeStatus(status)]:
        notice = notice_transition(notice=notice, to=step, actor=None)
    return notice


@pytest.mark.parametrize(("before", "after"), ALL_MOVES)
def test_every_move_is_allowed_or_refused_by_the_table(
    make_notice: Callable[..., Notice], before: str, after: str
) -> None:
    notice = _walk_to(make_notice(), before)
    if after in ALLOWED_TRANSITIONS[before]:
        moved = notice_transition(notice=notice, to=after, actor=None)
        assert moved.status == after
        assert moved.events.filter(kind="status_changed", data__status=after).exists()
        assert AuditEvent.objects.filter(action="travellers.status_changed").exists()
    else:
        with pytest.raises(ValidationError):
            notice_transition(notice=notice, to=after, actor=None)
        assert Notice.objects.get(pk=notice.pk).status == before


def test_arrival_confirmation_moves_assigned_notice_to_monitoring(
    make_notice: Callable[..., Notice], border: Any
) -> None:
    notice = notice_transition(notice=make_notice(), to="assigned", actor=None)
    data = ConfirmationInput(
        movement="arrival",
        name="MICHAEL INVENTED-SMITH",
        date_of_birth="1968-04-12",
        document_number="123456789",
        at=utcnow(),
    )
    row, created = confirmation_receive(data=data, api_client=border[0])
    notice.refresh_from_db()
    assert created and row.notice == notice
    assert notice.status == NoticeStatus.MONITORING and notice.outcome == Outcome.MONITORED


def test_confirmation_matching_no_notice_is_kept(border: Any, make_notice: Any) -> None:
    make_notice()
    data = ConfirmationInput(
        movement="arrival", document_number="123456789", date_of_birth="1970-01-01", at=utcnow()
    )
    row, _ = confirmation_receive(data=data, api_client=border[0])
    assert row.notice is None and Confirmation.objects.filter(notice__isnull=True).count() == 1


def test_departed_notice_is_purged_after_retention_and_audited(
    make_notice: Callable[..., Notice], settings: Any
) -> None:
    settings.TRAVEL_NOTICE_RETENTION_DAYS = 1
    notice = _walk_to(make_notice(), NoticeStatus.DEPARTED)
    assert purge_due_at(notice) is not None
    assert notices_purge_due() == 0  # not yet a day after departure
    Notice.objects.filter(pk=notice.pk).update(departed_at=utcnow() - timedelta(days=2))
    assert notices_purge_due() == 1
    purged = Notice.objects.get(pk=notice.pk)
    assert purged.purged_at and purged.family_name == "" and purged.document_number == ""
    assert not BlindIndexEntry.objects.filter(owner_kind="travel_notice").exists()
    event = AuditEvent.objects.get(action="travellers.purged")
    assert "family_name" in event.after["fields"]
