from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client, override_settings

from tipline.common.time import utcnow
from tipline.intake.channels import flow
from tipline.intake.channels.gateways import MEMORY
from tipline.intake.channels.menus import LANGUAGES, menu_for
from tipline.intake.channels.models import (
    ChannelSender,
    Conversation,
    InboundMessage,
    OutboundMessage,
)
from tipline.intake.channels.outbox import (
    MAX_ATTEMPTS,
    outbox_requeue_lapsed,
    outbox_send_due,
)
from tipline.intake.channels.signatures import twilio_signature
from tipline.intake.tests.channels.conftest import (
    AT_KEY,
    PHONE,
    TWILIO_TOKEN,
    TWILIO_URL,
    replies,
    sms,
    twilio_post,
)
from tipline.intake.tests.channels.test_ussd import state_keys
from tipline.reports.choices import Channel, ReportStatus
from tipline.reports.models import Report

FIXTURES = Path(__file__).parent / "fixtures"
DESCRIPTION = "An invented uncle sends a girl of 14 to hawk at night, phone 08035550000"


def guided(language: str) -> list[str]:
    return ["1", "1", "3", *state_keys(language, "OY"), "1", "1", DESCRIPTION, "1", "1"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_guided_sms_report_in_each_language_replies_in_that_language(language: str) -> None:
    client = Client()
    sms(client, menu_for(language)["keywords"]["report"][0].lower())
    for answer in guided(language):
        sms(client, answer)
    report = Report.objects.get()
    assert (report.channel, report.language, report.state and report.state.code) == (
        Channel.SMS,
        language,
        "OY",
    )
    assert report.description == DESCRIPTION
    sent = replies()
    assert sent[0].startswith(menu_for(language)["incident"])
    assert report.reference in sent[-1]
    assert sent[-1].startswith(menu_for(language)["done"].split("{")[0])
    assert len(sent) == len(guided(language)) + 1  # one reply per message


def test_a_replayed_message_id_is_handled_once() -> None:
    client = Client()
    sms(client, "REPORT", message_id="m-1")
    sms(client, "REPORT", message_id="m-1")
    answers = guided("en")
    for number, answer in enumerate(answers):
        sms(client, answer, message_id=f"a-{number}")
    sms(client, answers[-1], message_id=f"a-{len(answers) - 1}")  # the final message again
    assert Report.objects.count() == 1
    assert InboundMessage.objects.count() == len(answers) + 1
    assert len(replies()) == len(answers) + 1


def test_back_and_start_work_by_sms_too() -> None:
    client = Client()
    sms(client, "REPORT")
    sms(client, "1")
    sms(client, "0")
    sms(client, "00")
    sent = replies()
    assert sent[2] == sent[0]  # back to the first question
    assert sent[3] == sent[0]


def test_an_answer_the_screen_does_not_expect_gets_a_clear_reply() -> None:
    client = Client()
    sms(client, "REPORT")
    sms(client, "banana")
    assert replies()[-1].startswith(menu_for("en")["invalid"])


def test_free_text_becomes_a_report_after_one_confirmation() -> None:
    client = Client()
    recorded = json.loads((FIXTURES / "africastalking_sms.json").read_text())
    payload = {**recorded["free_text"]}
    assert client.post(f"/channels/sms/africastalking/?key={AT_KEY}", payload).status_code == 200
    assert not Report.objects.exists()
    phone = payload["from"]
    assert replies(phone) == [menu_for("en")["sms"]["free_text"]]
    sms(client, "and a man comes at night", phone=phone)
    sms(client, "yes", phone=phone)
    report = Report.objects.get()
    assert report.description == payload["text"] + " and a man comes at night"
    assert report.channel == Channel.SMS and report.reporter_anonymous
    assert report.reference in replies(phone)[-1]


def test_status_answers_with_the_public_status_of_the_receipt_code() -> None:
    client = Client()
    sms(client, "REPORT")
    for answer in guided("en"):
        sms(client, answer)
    closing = replies()[-1]
    code = closing.split("Code ")[1].split(".")[0]
    sms(client, f"STATUS {code.lower()}", phone="+2348020000001")
    assert replies("+2348020000001") == [f"{Report.objects.get().reference}: received."]
    Report.objects.update(status=ReportStatus.AWAITING_TRIAGE)
    sms(client, f"IPO {code}", phone="+2348020000001")  # Yoruba
    assert replies("+2348020000001")[-1].endswith(menu_for("yo")["statuses"]["reviewing"] + ".")


def test_wrong_receipt_codes_are_refused_and_then_paused() -> None:
    client = Client()
    for _ in range(5):
        sms(client, "STATUS AAAA-BBBB-CCCC-DDDD")
    sms(client, "STATUS AAAA-BBBB-CCCC-DDDD")
    sent = replies()
    assert sent[:5] == [menu_for("en")["sms"]["status_unknown"]] * 5
    assert sent[5] == menu_for("en")["limited"]


def test_stop_ends_the_conversation_and_opts_out_until_report_again() -> None:
    client = Client()
    sms(client, "REPORT")
    sms(client, "1")
    sms(client, "stop")
    assert Conversation.objects.get().state == "abandoned"
    assert ChannelSender.objects.get().opted_out_at is not None
    sms(client, "hello?")
    sms(client, "STOP")
    sent = replies()
    assert sent[-1] == menu_for("en")["sms"]["stopped"]
    assert len(sent) == 3  # no answer to the free text, nor a second stop
    sms(client, "AKUKO")  # Igbo REPORT: replies again, in Igbo
    assert ChannelSender.objects.get().opted_out_at is None
    assert replies()[-1].startswith(menu_for("ig")["incident"])


def test_stop_in_the_reporters_language_works() -> None:
    client = Client()
    sms(client, "RAHOTO")
    sms(client, "tsaya")
    assert replies()[-1] == menu_for("ha")["sms"]["stopped"]


def test_a_twilio_message_signed_as_twilio_signs_is_taken() -> None:
    client = Client()
    data = json.loads((FIXTURES / "twilio_sms.json").read_text())
    data.pop("_comment")
    response = twilio_post(client, data)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    sent = replies(data["From"])
    assert sent == [flow.render(flow.walk([], begin=flow.start("en"))).text]
    assert OutboundMessage.objects.get().provider == "twilio"


def test_a_bad_or_missing_twilio_signature_is_refused_with_403_and_nothing_stored() -> None:
    client = Client()
    data = json.loads((FIXTURES / "twilio_sms.json").read_text())
    data.pop("_comment")
    assert twilio_post(client, data, signature="").status_code == 403
    assert twilio_post(client, data, signature="GvWf1cFY/Q7PnoempGyD5oXAezc=").status_code == 403
    assert not InboundMessage.objects.exists() and not ChannelSender.objects.exists()
    params = {key: [value] for key, value in data.items()}
    signed = twilio_signature(
        auth_token=TWILIO_TOKEN, url=f"http://testserver{TWILIO_URL}", params=params
    )
    tampered = {**data, "Body": "STOP"}  # the signature of the message as sent, a body changed
    assert client.post(TWILIO_URL, tampered, HTTP_X_TWILIO_SIGNATURE=signed).status_code == 403
    assert client.post(TWILIO_URL, data, HTTP_X_TWILIO_SIGNATURE=signed).status_code == 200
    InboundMessage.objects.all().delete()
    ChannelSender.objects.all().delete()


@override_settings(TWILIO_AUTH_TOKEN="")
def test_twilio_is_off_without_an_auth_token() -> None:
    assert Client().post(TWILIO_URL, {"MessageSid": "SM1"}).status_code == 404


def test_malformed_sms_callbacks_are_400_and_store_nothing() -> None:
    client = Client()
    assert (
        client.post(f"/channels/sms/africastalking/?key={AT_KEY}", {"text": "hi"}).status_code
        == 400
    )
    assert twilio_post(client, {"Body": "no sid"}).status_code == 400
    assert (
        client.post("/channels/sms/africastalking/", {"from": PHONE, "id": "1"}).status_code == 403
    )
    assert not InboundMessage.objects.exists()


def test_delivery_reports_are_recorded_from_both_providers() -> None:
    client = Client()
    sms(client, "REPORT")
    outbox_send_due()
    message = OutboundMessage.objects.get()
    assert message.status == "sent" and message.provider_message_id == "mem-1"
    url = f"/channels/sms/africastalking/delivery/?key={AT_KEY}"
    assert (
        client.post(url, {"id": "mem-1", "status": "Success", "phoneNumber": PHONE}).status_code
        == 200
    )
    message.refresh_from_db()
    assert message.status == "delivered"
    OutboundMessage.objects.update(provider="twilio", status="sent")
    response = twilio_post(
        client,
        {"MessageSid": "mem-1", "MessageStatus": "undelivered"},
        url="/channels/sms/twilio/status/",
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == "failed"


def test_a_gateway_failure_leaves_the_reply_due_and_it_goes_later() -> None:
    client = Client()
    sms(client, "REPORT")
    MEMORY.fail = True
    assert outbox_send_due() == 0
    message = OutboundMessage.objects.get()
    assert (message.status, message.attempts) == ("queued", 1)
    MEMORY.fail = False
    assert outbox_send_due() == 1
    assert outbox_send_due() == 0  # sent once


def _claimed_by_a_worker_that_died(minutes_ago: int, *, attempts: int = 1) -> OutboundMessage:
    """A reply claimed `minutes_ago` by a worker that never recorded the outcome."""
    OutboundMessage.objects.update(
        status="sending", status_at=utcnow() - timedelta(minutes=minutes_ago), attempts=attempts
    )
    return OutboundMessage.objects.get()


def test_a_reply_stuck_in_sending_is_sent_again_once_its_lease_lapses() -> None:
    sms(Client(), "REPORT")
    _claimed_by_a_worker_that_died(minutes_ago=1)
    assert outbox_send_due() == 0  # the claim may still be alive: left alone
    assert MEMORY.sent == []
    message = _claimed_by_a_worker_that_died(minutes_ago=6)
    assert outbox_send_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert [m["to"] for m in MEMORY.sent] == [PHONE]
    assert outbox_send_due() == 0  # sent once more, not again


def test_a_reply_stuck_in_sending_out_of_attempts_fails_instead() -> None:
    sms(Client(), "REPORT")
    message = _claimed_by_a_worker_that_died(minutes_ago=6, attempts=MAX_ATTEMPTS)
    assert outbox_requeue_lapsed() == 1
    message.refresh_from_db()
    assert message.status == "failed" and "stopped while sending" in message.last_error
    assert outbox_send_due() == 0 and MEMORY.sent == []


def test_the_claim_counts_the_attempt_so_a_send_that_kills_the_worker_is_not_endless() -> None:
    sms(Client(), "REPORT")
    MEMORY.fail = True
    for _ in range(MAX_ATTEMPTS):
        outbox_send_due()
    message = OutboundMessage.objects.get()
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)


@override_settings(CHANNEL_RATE_PER_HOUR=3)
def test_a_sender_over_the_rate_limit_is_told_once_and_then_ignored() -> None:
    client = Client()
    for _ in range(6):
        sms(client, "REPORT")
    sent = replies()
    assert sent[3] == menu_for("en")["limited"]
    assert len(sent) == 4
