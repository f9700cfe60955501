from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tipline.audit.models import AuditEvent
from tipline.conftest import login
from tipline.intake.channels.models import FollowUp, OutboundMessage
from tipline.intake.channels.services import follow_up_ask
from tipline.intake.tests.channels.conftest import PHONE, replies, sms
from tipline.intake.tests.channels.test_ussd import full_path, run
from tipline.pipeline.services import pipeline_run
from tipline.reports.models import Report


def _report(callback: str = "1", language: str = "yo") -> Report:
    run(Client(), full_path(language, callback=callback))
    report = Report.objects.get()
    pipeline_run(report_id=report.pk)  # routed to Lagos
    return report


def _ask_url(report: Report) -> str:
    return f"/console/channels/reports/{report.reference}/ask/"


def test_staff_ask_a_consenting_reporter_and_the_answer_becomes_an_addendum(
    lagos_analyst: Any,
) -> None:
    report = _report()
    client = login(lagos_analyst)
    assert (
        "ask the reporter a question"
        in client.get(f"/console/reports/{report.reference}/").content.decode()
    )
    response = client.post(_ask_url(report), {"question": "Which street is the house on?"})
    assert response.status_code == 302
    sent = replies()
    assert sent[-1].startswith("Ibeere nipa iroyin re " + report.reference)  # Yoruba
    assert "Which street is the house on?" in sent[-1]
    assert OutboundMessage.objects.get().channel == "sms"
    event = AuditEvent.objects.filter(action="report.follow_up_asked").get()
    assert "street" not in str(event.after)
    sms(Client(), "Invented Street, number 4")
    addendum = report.addenda.get()
    assert addendum.body == "Invented Street, number 4" and addendum.channel == "sms"
    assert FollowUp.objects.get().answered_at is not None
    assert report.reference in replies()[-1]
    page = client.get(_ask_url(report)).content.decode()
    assert "Which street is the house on?" in page


def test_a_reporter_who_did_not_agree_cannot_be_asked(lagos_analyst: Any) -> None:
    report = _report(callback="2")
    client = login(lagos_analyst)
    assert (
        "ask the reporter a question"
        not in client.get(f"/console/reports/{report.reference}/").content.decode()
    )
    response = client.post(_ask_url(report), {"question": "Anything?"})
    assert response.status_code == 400
    assert not FollowUp.objects.exists() and not OutboundMessage.objects.exists()


def test_a_reporter_who_said_stop_is_not_asked(lagos_analyst: Any) -> None:
    report = _report()
    sms(Client(), "STOP")
    replies()
    response = login(lagos_analyst).post(_ask_url(report), {"question": "Anything?"})
    assert response.status_code == 400
    assert OutboundMessage.objects.filter(report=report).count() == 0


def test_an_outsider_gets_404_and_an_anonymous_visitor_the_login(kano_analyst: Any) -> None:
    report = _report()
    outsider = login(kano_analyst)
    assert outsider.get(_ask_url(report)).status_code == 404
    assert outsider.post(_ask_url(report), {"question": "x"}).status_code == 404
    assert Client().get(_ask_url(report)).status_code == 302
    assert not FollowUp.objects.exists()


def test_a_whatsapp_reporter_is_asked_by_whatsapp(lagos_analyst: Any) -> None:
    report = _report()
    Report.objects.filter(pk=report.pk).update(channel="whatsapp")
    report.refresh_from_db()
    follow_up_ask(report=report, question="When?", actor=lagos_analyst)
    message = OutboundMessage.objects.get()
    assert (message.channel, message.provider) == ("whatsapp", "whatsapp")
    assert message.sender.phone == PHONE


def test_the_page_makes_as_many_queries_for_three_questions_as_for_one(lagos_analyst: Any) -> None:
    report = _report()
    client = login(lagos_analyst)
    follow_up_ask(report=report, question="First?", actor=lagos_analyst)
    client.get(_ask_url(report))  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(_ask_url(report))
    for question in ("Second?", "Third?"):
        follow_up_ask(report=report, question=question, actor=lagos_analyst)
    with CaptureQueriesContext(connection) as three:
        assert client.get(_ask_url(report)).status_code == 200
    assert len(three.captured_queries) == len(one.captured_queries)
