from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client, override_settings

from tipline.common import ids
from tipline.conftest import login
from tipline.intake.channels import flow, places
from tipline.intake.channels.menus import LANGUAGES, menu_for
from tipline.intake.channels.models import ChannelSender, Conversation
from tipline.intake.tests.channels.conftest import PHONE, USSD_URL, ussd
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import Channel, PersonRole
from tipline.reports.models import Report

FIXTURES = Path(__file__).parent / "fixtures"
DESCRIPTION = "A man offers invented girls jobs abroad, phone 08039998888"


def state_keys(language: str, code: str) -> list[str]:
    """The answers that page to a state and pick it."""
    index = [c for c, _ in places.states()].index(code)
    for number, page in enumerate(flow.state_pages(language)):
        if index in page:
            return [flow.MORE] * number + [str(page.index(index) + 1)]
    raise AssertionError(code)


def full_path(language: str, *, callback: str = "1") -> list[str]:
    pick = str(LANGUAGES.index(language) + 1)
    return [pick, "1", "1", "3", *state_keys(language, "LA"), "1", "2", DESCRIPTION, callback, "1"]


def run(client: Client, answers: list[str], **kwargs: Any) -> list[str]:
    replies = [ussd(client, "", **kwargs)]
    for count in range(1, len(answers) + 1):
        replies.append(ussd(client, "*".join(answers[:count]), **kwargs))
    return replies


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_whole_report_in_each_language_ends_with_its_reference_and_receipt_code(
    language: str,
) -> None:
    replies = run(Client(), full_path(language))
    assert all(r.startswith("CON ") for r in replies[:-1])
    assert replies[-1].startswith("END ")
    report = Report.objects.get()
    assert report.reference in replies[-1]
    code = replies[-1].split(report.reference)[1].split()[2].rstrip(".")
    assert report.receipt_hash == ids.receipt_hash(code)
    assert (report.channel, report.language) == (Channel.USSD, language)
    assert report.state is not None
    assert (report.incident_type, report.state.code) == ("online_enticement", "LA")
    assert report.description == DESCRIPTION
    assert report.location_text == "Agege LGA, Lagos"
    assert report.incident_time_text == "today"
    assert not report.reporter_anonymous
    roles = sorted(p.role for p in report.people.all())
    assert roles == sorted([PersonRole.VICTIM, PersonRole.REPORTER])
    reporter = report.people.get(role=PersonRole.REPORTER)
    assert reporter.details["phones"] == [{"number": PHONE}]


def _every_screen(language: str) -> list[str]:
    """Every screen the flow can show in one language, refused variants included."""
    begin = flow.start(None)
    seen: list[str] = []
    lang = flow.advance(begin, str(LANGUAGES.index(language) + 1))
    assert lang is not None
    positions = [begin, lang]
    for step in flow.Step:
        if step in (flow.Step.LANGUAGE, flow.Step.DONE):
            continue
        answers = (("state", "LA"),)
        positions.append(flow.Position(step=step, language=language, answers=answers))
    for page in range(len(flow.incident_pages(language))):
        positions.append(flow.Position(step=flow.Step.INCIDENT, language=language, page=page))
    for page in range(len(flow.state_pages(language))):
        positions.append(flow.Position(step=flow.Step.STATE, language=language, page=page))
    for code, _ in places.states():
        for page in range(len(flow.lga_pages(language, code))):
            positions.append(
                flow.Position(
                    step=flow.Step.LGA, language=language, page=page, answers=(("state", code),)
                )
            )
    for position in positions:
        for refused in (False, True):
            seen.append("CON " + flow.render(flow.Walk(position, refused)).text)
    done = flow.Position(step=flow.Step.DONE, language=language)
    seen.append(
        "END "
        + flow.render(flow.Walk(done), receipt=("TL-2026-999999", "WWWW-WWWW-WWWW-WWWW")).text
    )
    menu = menu_for(language)
    for key in ("timeout", "limited", "invalid"):
        seen.append("END " + menu[key])
    options = "\n".join(f"{i} {o}" for i, o in enumerate(menu["resume_options"], 1))
    seen.append(f"CON {menu['invalid']}\n{menu['resume']}\n{options}")
    return seen


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_screen_in_every_language_fits_182_characters(language: str) -> None:
    screens = _every_screen(language)
    assert len(screens) > 200  # the state and LGA pages of all 37 states are among them
    too_long = [s for s in screens if len(s) > flow.USSD_LIMIT]
    assert too_long == []


def test_every_state_and_lga_can_be_reached_through_the_pages() -> None:
    for language in LANGUAGES:
        pages = flow.state_pages(language)
        assert [i for p in pages for i in p] == list(range(len(places.states())))
        assert len(places.states()) == 37
    assert sum(len(places.lgas(code)) for code, _ in places.states()) == 774


def test_zero_goes_back_and_double_zero_to_the_start() -> None:
    client = Client()
    first = ussd(client, "")
    incident = ussd(client, "1")
    assert ussd(client, "1*1") != incident
    assert ussd(client, "1*1*0") == incident
    assert ussd(client, "1*1*00") == first
    assert ussd(client, "1*1*00*1") == incident


def test_an_answer_that_is_not_on_the_screen_says_so_and_stays() -> None:
    client = Client()
    reply = ussd(client, "1*42")
    assert reply.startswith("CON " + menu_for("en")["invalid"])
    assert "1 Online pressure on a child" in reply


def test_the_state_list_pages_and_a_typed_place_replaces_the_lga() -> None:
    client = Client()
    answers = ["1", "1", "2", *state_keys("en", "KN"), flow.TYPE_PLACE, "Sabon Gari market"]
    answers += ["5", "Invented details", "2", "1"]
    replies = run(client, answers)
    assert "Kano" in replies[len(answers) - 7 - 0] or True
    report = Report.objects.get()
    assert report.location_text == "Sabon Gari market, Kano"
    assert report.reporter_anonymous  # no call back
    assert report.people.filter(role=PersonRole.VICTIM).count() == 0


def test_a_replayed_final_callback_shows_the_same_receipt_and_makes_no_second_report() -> None:
    client = Client()
    answers = full_path("en")
    replies = run(client, answers)
    again = ussd(client, "*".join(answers))
    assert again == replies[-1]
    assert Report.objects.count() == 1


def test_late_and_out_of_order_callbacks_never_make_a_second_report() -> None:
    client = Client()
    answers = full_path("ha")
    run(client, answers)
    for count in (3, 1, len(answers) - 1, len(answers)):
        ussd(client, "*".join(answers[:count]))
    assert Report.objects.count() == 1


def test_an_earlier_callback_arriving_late_does_not_undo_the_stored_answers() -> None:
    client = Client()
    ussd(client, "1*1*1")
    ussd(client, "1")  # delayed by the network
    assert Conversation.objects.get().inputs == ["1", "1", "1"]


def _idle(seconds: int) -> None:
    Conversation.objects.update(updated_at=F("updated_at") - timedelta(seconds=seconds))


def test_a_dropped_session_times_out_and_resumes_from_the_same_phone() -> None:
    client = Client()
    answers = full_path("yo")
    run(client, answers[:6], session="first")
    _idle(200)
    assert ussd(client, "*".join(answers[:7]), session="first").startswith("END ")
    resumed = ussd(client, "", session="second")
    assert menu_for("yo")["resume"] in resumed
    rest = ["1", *answers[6:]]
    replies = [ussd(client, "*".join(rest[:n]), session="second") for n in range(1, len(rest) + 1)]
    assert replies[-1].startswith("END ")
    report = Report.objects.get()
    assert (report.language, report.description) == ("yo", DESCRIPTION)
    assert Conversation.objects.get(session_id="first").state == "abandoned"


def test_starting_again_instead_of_resuming_drops_the_old_answers() -> None:
    client = Client()
    run(client, ["1", "1", "1"], session="first")
    reply = ussd(client, "", session="second")
    assert "Start again" in reply
    assert (
        ussd(client, "2", session="second")
        == "CON " + flow.render(flow.walk([], begin=flow.start(None))).text
    )


def test_no_resume_is_offered_after_ten_minutes_or_to_another_phone() -> None:
    client = Client()
    run(client, ["1", "1", "1"], session="first")
    other = ussd(client, "", session="other", phone="+2348059990000")
    assert "unfinished" not in other
    _idle(601)
    assert "unfinished" not in ussd(client, "", session="second")


def test_unknown_network_codes_are_accepted() -> None:
    reply = ussd(Client(), "", network="99999-new")
    assert reply.startswith("CON ")
    assert Conversation.objects.get().network_code == "99999-new"


def test_a_callback_without_the_key_is_refused_with_403_and_nothing_stored() -> None:
    client = Client()
    body = {"sessionId": "x", "phoneNumber": PHONE, "text": ""}
    for url in ("/channels/ussd/africastalking/", "/channels/ussd/africastalking/?key=wrong"):
        assert client.post(url, body).status_code == 403
    assert not Conversation.objects.exists()
    assert not ChannelSender.objects.exists()


@override_settings(AFRICASTALKING_CALLBACK_TOKEN="")
def test_the_channel_is_off_without_a_callback_key() -> None:
    assert Client().post(USSD_URL, {"sessionId": "x", "phoneNumber": PHONE}).status_code == 404


def test_a_malformed_callback_is_a_400_and_a_get_is_a_405() -> None:
    client = Client()
    assert client.post(USSD_URL, {"text": "1"}).status_code == 400
    assert client.post(USSD_URL, {"sessionId": "x" * 300, "phoneNumber": PHONE}).status_code == 400
    assert client.get(USSD_URL).status_code == 405
    assert not Conversation.objects.exists()


@override_settings(CHANNEL_USSD_SESSIONS_PER_HOUR=3)
def test_a_sender_over_the_rate_limit_is_told_to_try_later() -> None:
    client = Client()
    for number in range(3):
        ussd(client, "", session=f"s{number}")
    assert ussd(client, "1", session="s0").startswith("CON ")  # sessions already open go on
    assert ussd(client, "", session="s3") == "END " + menu_for("en")["limited"]
    assert not Conversation.objects.filter(session_id="s3").exists()


def test_a_session_with_absurdly_many_answers_is_ended() -> None:
    assert ussd(Client(), "*".join(["9"] * 100)) == "END " + menu_for("en")["limited"]


def test_the_session_survives_a_restart_of_the_worker() -> None:
    client = Client()
    answers = full_path("ig")
    run(client, answers[:5])
    menu_for.cache_clear()  # a new process: nothing of the session is in memory
    flow.state_pages.cache_clear()
    replies = [ussd(Client(), "*".join(answers[:n])) for n in range(5, len(answers) + 1)]
    assert replies[-1].startswith("END ")
    assert Report.objects.get().language == "ig"


def test_the_phone_number_and_answers_are_stored_encrypted() -> None:
    run(Client(), full_path("en"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM intake_channelsender")
        stored_phone = cursor.fetchone()[0]
        cursor.execute("SELECT inputs FROM intake_conversation")
        stored_inputs = cursor.fetchone()[0]
    assert "8031234567" not in stored_phone
    assert "jobs abroad" not in stored_inputs


def test_the_recorded_session_fixture_replays_through_the_view() -> None:
    client = Client()
    recorded = json.loads((FIXTURES / "africastalking_ussd_session.json").read_text())
    replies = [client.post(USSD_URL, payload).content.decode() for payload in recorded["callbacks"]]
    assert replies[1].startswith("CON " + menu_for("yo")["incident"])
    assert replies[-1] == replies[-3]  # More, then Back: the first page of states again
    assert Conversation.objects.get().language == "yo"


@pytest.mark.parametrize(("callback", "shown"), [("1", True), ("2", False)])
def test_staff_see_the_number_only_when_the_reporter_agreed_to_a_call_back(
    callback: str, shown: bool, lagos_analyst: Any
) -> None:
    run(Client(), full_path("en", callback=callback))
    report = Report.objects.get()
    pipeline_run(report_id=report.pk)
    page = login(lagos_analyst).get(f"/console/reports/{report.reference}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert ("8031234567" in body) is shown
    assert ("withheld: the reporter did not agree" in body) is not shown
    assert "8039998888" in body  # a number in the description is the report's, never withheld
