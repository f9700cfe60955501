"""Public alerts: issued by a supervisor for a verified record with consent, as CAP 1.2 that
validates, in an Atom feed, on a page per child with a poster, and cancelled when found."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from lxml import etree

from tipline.accounts.models import User
from tipline.conftest import login
from tipline.missing.broadcast import MEMORY
from tipline.missing.choices import Circumstance, MessageType, RecordStatus
from tipline.missing.models import AlertMessage, MatchCandidate, MissingRecord
from tipline.missing.services import (
    missing_alert_cancel,
    missing_alert_issue,
    missing_photo_add,
    missing_transition,
)
from tipline.missing.tests.helpers import drawn_image, stored
from tipline.reports.models import Report

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
# OASIS's own CAP 1.2 schema, vendored unmodified (data/PROVENANCE.md).
OASIS_CAP = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("data") / "CAP-v1.2.xsd")))
# Rules of the CAP 1.2 data dictionary (section 3.2) that the schema leaves to prose.
_NO_SPACE_OR_COMMA = re.compile(r"[^\s,<&]+")
_REFERENCE = r"[^\s,]+,[^\s,]+,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d"
_REFERENCES = re.compile(rf"{_REFERENCE}( {_REFERENCE})*")
_CIRCLE = re.compile(r"-?\d+(\.\d+)?,-?\d+(\.\d+)? \d+(\.\d+)?")


def _valid(body: bytes) -> etree._Element:
    """The document, once it validates against OASIS's schema and keeps the dictionary's rules."""
    document = etree.fromstring(body)
    assert OASIS_CAP.validate(document), OASIS_CAP.error_log
    for name in ("identifier", "sender"):
        assert _NO_SPACE_OR_COMMA.fullmatch(document.findtext(f"{CAP}{name}") or "")
    references = document.findtext(f"{CAP}references")
    assert references is None or _REFERENCES.fullmatch(references)
    for circle in document.iterfind(f"{CAP}info/{CAP}area/{CAP}circle"):
        assert _CIRCLE.fullmatch(circle.text or "")
    return document


def test_the_oasis_schema_refuses_what_cap_forbids() -> None:
    """The vendored schema is doing its work: a wrong value and a time without offset fail."""
    good = b"""<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier>
<sender>s</sender><sent>2026-01-01T10:00:00+01:00</sent><status>Actual</status>
<msgType>Alert</msgType><scope>Public</scope></alert>"""
    assert OASIS_CAP.validate(etree.fromstring(good))
    for wrong in (good.replace(b">Actual<", b">Real<"), good.replace(b"+01:00", b"Z")):
        assert not OASIS_CAP.validate(etree.fromstring(wrong))


@pytest.fixture
def alerted(verified_record: MissingRecord, supervisor: User) -> AlertMessage:
    blob = stored(drawn_image())
    missing_photo_add(record=verified_record, blob=blob, sniffed="image/png", actor=supervisor)
    return missing_alert_issue(record=verified_record, actor=supervisor)


def test_an_abduction_alert_is_valid_cap_with_the_circumstances_codes(
    alerted: AlertMessage,
) -> None:
    body = Client().get(f"/alerts/{alerted.identifier}.cap.xml")
    assert body["Content-Type"].startswith("application/cap+xml")
    cap = _valid(body.content)
    assert cap.findtext(f"{CAP}msgType") == "Alert"
    assert (cap.findtext(f"{CAP}sent") or "").endswith("+01:00")
    info = cap.find(f"{CAP}info")
    assert info is not None
    assert info.findtext(f"{CAP}category") == "Rescue"
    assert info.findtext(f"{CAP}event") == "Child Abduction"
    assert info.findtext(f"{CAP}urgency") == "Immediate"
    assert info.findtext(f"{CAP}severity") == "Severe"
    assert info.findtext(f"{CAP}eventCode/{CAP}valueName") == "SAME"
    assert info.findtext(f"{CAP}eventCode/{CAP}value") == "CAE"
    circle = info.findtext(f"{CAP}area/{CAP}circle")
    assert circle is not None and circle.endswith(" 25")  # around Ikeja LGA's centre
    assert info.findtext(f"{CAP}resource/{CAP}mimeType") == "image/jpeg"
    text = body.content.decode()
    assert "Temitope" in text and "Invented Guardian" not in text and "08031110000" not in text


def test_a_lost_child_is_a_missing_child_event_without_the_abduction_code(
    make_record: Callable[..., MissingRecord], supervisor: User
) -> None:
    record = make_record(circumstance="lost")
    missing_transition(record=record, to=RecordStatus.VERIFIED, actor=supervisor)
    message = missing_alert_issue(record=record, actor=supervisor)
    cap = _valid(Client().get(f"/alerts/{message.identifier}.cap.xml").content)
    assert cap.findtext(f"{CAP}info/{CAP}event") == "Missing Child"
    assert cap.find(f"{CAP}info/{CAP}eventCode") is None


@pytest.mark.parametrize("circumstance", [c.value for c in Circumstance])
def test_every_circumstance_gives_valid_cap_alert_update_and_cancel(
    make_record: Callable[..., MissingRecord], supervisor: User, circumstance: str
) -> None:
    record = make_record(circumstance=circumstance, last_seen_lga="", latitude=None)
    missing_transition(record=record, to=RecordStatus.VERIFIED, actor=supervisor)
    missing_alert_issue(record=record, actor=supervisor)
    missing_alert_issue(record=record, actor=supervisor)
    missing_alert_cancel(record=record, actor=supervisor)
    for message in AlertMessage.objects.filter(record=record):
        _valid(Client().get(f"/alerts/{message.identifier}.cap.xml").content)
    assert AlertMessage.objects.filter(record=record).count() == 3


def test_only_a_supervisor_issues_and_only_with_consent_for_a_verified_record(
    make_record: Callable[..., MissingRecord], supervisor: User, lagos_analyst: User
) -> None:
    unverified = make_record()
    with pytest.raises(ValidationError, match="verified"):
        missing_alert_issue(record=unverified, actor=supervisor)
    no_consent = make_record(consent_public=False)
    missing_transition(record=no_consent, to=RecordStatus.VERIFIED, actor=supervisor)
    with pytest.raises(ValidationError, match="consented"):
        missing_alert_issue(record=no_consent, actor=supervisor)
    with pytest.raises(ValidationError, match="supervisor"):
        missing_alert_issue(record=no_consent, actor=lagos_analyst)
    assert not AlertMessage.objects.exists()


def test_an_update_references_the_alert_and_the_feed_lists_the_latest(
    alerted: AlertMessage, supervisor: User
) -> None:
    update = missing_alert_issue(record=alerted.record, actor=supervisor)
    assert update.msg_type == MessageType.UPDATE and update.public_id == alerted.public_id
    cap = _valid(Client().get(f"/alerts/{update.identifier}.cap.xml").content)
    references = cap.findtext(f"{CAP}references")
    assert references is not None and f",{alerted.identifier}," in references
    feed = etree.fromstring(Client().get("/alerts/feed.atom").content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    link = entries[0].find(f"{ATOM}link[@type='application/cap+xml']")
    assert link is not None
    assert link.get("href", "").endswith(f"/alerts/{update.identifier}.cap.xml")
    _valid(Client().get(link.get("href", "")).content)


def test_the_public_page_poster_and_photo(alerted: AlertMessage) -> None:
    for lang in ("en", "ha", "yo", "ig", "pcm"):
        page = Client().get(f"/{lang}/missing/alerts/{alerted.public_id}/")
        text = page.content.decode()
        assert page.status_code == 200 and "Temitope Adebayo" in text and "627" in text
        assert "08031110000" not in text and "Invented Guardian" not in text
    poster = Client().get(f"/alerts/{alerted.public_id}/poster.pdf")
    assert poster["Content-Type"] == "application/pdf" and poster.content.startswith(b"%PDF")
    photo = Client().get(f"/alerts/{alerted.public_id}/photo.jpg")
    assert photo.status_code == 200 and photo.content[:2] == b"\xff\xd8"
    index = Client().get("/alerts/").content.decode()
    assert "Temitope Adebayo" in index


def test_a_public_sighting_goes_through_report_submit_and_becomes_a_candidate(
    alerted: AlertMessage,
) -> None:
    from tipline.pipeline.services import pipeline_run

    client = Client()
    page = f"/en/missing/alerts/{alerted.public_id}/seen/"
    assert client.get(page).status_code == 200
    answer = client.post(
        page, {"what": "Invented: a girl in a blue uniform.", "state": "LA", "submission": "t1"}
    )
    assert answer.status_code == 303
    report = Report.objects.get()
    assert report.incident_type == "missing_child_sighting"
    assert pipeline_run(report_id=report.pk).done
    candidate = MatchCandidate.objects.get(record=alerted.record, report=report)
    assert candidate.probability > 0.5
    receipt = client.get(answer["Location"]).content.decode()
    assert report.reference in receipt and 'data-testid="receipt-code"' in receipt
    assert client.post(page, {"what": "", "submission": "t2"}).status_code == 400


def test_found_cancels_the_alert_and_the_page_keeps_no_personal_detail(
    alerted: AlertMessage, supervisor: User
) -> None:
    record = alerted.record
    missing_transition(record=record, to=RecordStatus.FOUND, actor=supervisor)
    cancel = AlertMessage.objects.filter(record=record).order_by("-sent", "-pk").first()
    assert cancel is not None and cancel.msg_type == MessageType.CANCEL and cancel.public is None
    cap = _valid(Client().get(f"/alerts/{cancel.identifier}.cap.xml").content)
    assert cap.findtext(f"{CAP}msgType") == "Cancel"
    assert f",{alerted.identifier}," in (cap.findtext(f"{CAP}references") or "")
    page = Client().get(f"/en/missing/alerts/{alerted.public_id}/").content.decode()
    assert "found" in page and "Temitope" not in page and "Adebayo" not in page
    assert Client().get(f"/alerts/{alerted.public_id}/photo.jpg").status_code == 404
    assert Client().get(f"/alerts/{alerted.public_id}/poster.pdf").status_code == 404
    assert Client().get(f"/en/missing/alerts/{alerted.public_id}/seen/").status_code == 302
    assert "Temitope" not in Client().get("/alerts/feed.atom").content.decode()
    # The first message's document stays (relays hold it) but the feed no longer lists it.
    assert Client().get(f"/alerts/{alerted.identifier}.cap.xml").status_code == 200
    with pytest.raises(ValidationError, match="no active"):
        missing_alert_cancel(record=record, actor=supervisor)


def test_the_console_issues_pushes_and_cancels(
    verified_record: MissingRecord,
    supervisor: User,
    lagos_analyst: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = f"/console/missing/{verified_record.reference}/alert/"
    login(lagos_analyst).post(url, {"action": "issue"})
    assert not AlertMessage.objects.exists()  # an analyst may not
    MEMORY.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        login(supervisor).post(url, {"action": "issue"})
    message = AlertMessage.objects.get()
    assert MEMORY.sent and MEMORY.sent[0][0] == "LA" and "627" in MEMORY.sent[0][1]
    assert message.public_id in MEMORY.sent[0][1] and "08031110000" not in MEMORY.sent[0][1]
    login(supervisor).post(url, {"action": "cancel"})
    assert AlertMessage.objects.order_by("-pk").first().msg_type == MessageType.CANCEL  # type: ignore[union-attr]


def test_unknown_alerts_are_404(geo: Any) -> None:
    for path in (
        "/alerts/nothing.cap.xml",
        "/alerts/nothing/photo.jpg",
        "/alerts/nothing/poster.pdf",
        "/en/missing/alerts/nothing/",
    ):
        assert Client().get(path).status_code == 404
    assert Client().get("/alerts/feed.atom").status_code == 200
