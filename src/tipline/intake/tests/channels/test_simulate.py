from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from tipline.intake.channels.models import OutboundMessage
from tipline.reports.choices import Channel
from tipline.reports.models import Report


def test_simulate_ussd_walks_a_whole_report_and_prints_the_receipt() -> None:
    out = StringIO()
    script = "1|1|2|1|1|2|Invented words|2|1"
    call_command("simulate", "ussd", "--script", script, stdout=out)
    report = Report.objects.get()
    assert report.channel == Channel.USSD
    assert out.getvalue().splitlines()[0].startswith("CON ")
    assert f"Ref {report.reference}" in out.getvalue()


def test_simulate_sms_prints_the_replies_and_sends_nothing() -> None:
    out = StringIO()
    call_command("simulate", "sms", "--script", "REPORT|1|stop", stdout=out)
    assert "What happened?" in out.getvalue()
    assert "You will get no more messages" in out.getvalue()
    assert not OutboundMessage.objects.filter(status="queued").exists()


def test_simulate_demo_makes_one_report_per_phone_channel_once() -> None:
    call_command("simulate", "demo", stdout=StringIO())
    call_command("simulate", "demo", stdout=StringIO())
    channels = sorted(Report.objects.values_list("channel", flat=True))
    assert channels == [Channel.SMS, Channel.USSD, Channel.WHATSAPP]
    assert set(Report.objects.values_list("language", flat=True)) == {"ig", "ha"}
