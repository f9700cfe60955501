from __future__ import annotations

import copy
import io
import itertools
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from PIL import Image

from tipline.common.time import utcnow
from tipline.intake.channels.gateways import MEMORY, WhatsAppCloud, whatsapp_payload
from tipline.intake.channels.menus import LANGUAGES, menu_for
from tipline.intake.channels.models import (
    ChannelMedia,
    ChannelSender,
    InboundMessage,
    MediaFetch,
    OutboundMessage,
)
from tipline.intake.channels.outbox import outbox_send_due
from tipline.intake.channels.signatures import hub_signature_256
from tipline.intake.channels.whatsapp import FETCH_ATTEMPTS, media_fetch_due
from tipline.intake.tests.channels.test_ussd import state_keys
from tipline.media.storage import default_store, read_decrypted
from tipline.reports.choices import Channel
from tipline.reports.models import Report

FIXTURES = Path(__file__).parent / "fixtures"
RECORDED = json.loads((FIXTURES / "whatsapp_messages.json").read_text())
URL = "/channels/whatsapp/"
SECRET = "dev-whatsapp-app-secret"
WA_ID = "2348091234567"
_ids = itertools.count(1)


def post(client: Client, payload: dict[str, Any], *, signature: str | None = None) -> Any:
    body = json.dumps(payload).encode()
    signed = hub_signature_256(secret=SECRET, body=body)
    return client.post(
        URL,
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=signed if signature is None else signature,
    )


def with_message(kind: str, message: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = copy.deepcopy(RECORDED[kind])
    payload["entry"][0]["changes"][0]["value"]["messages"] = [message]
    return payload


def text(client: Client, body: str, *, message_id: str | None = None) -> None:
    message = {
        "from": WA_ID,
        "id": message_id or f"wamid.{next(_ids)}",
        "timestamp": "1",
        "type": "text",
        "text": {"body": body},
    }
    assert post(client, with_message("text", message)).status_code == 200


def sent() -> list[dict[str, Any]]:
    outbox_send_due()
    return [m for m in MEMORY.sent if m["to"] == "+" + WA_ID]


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_verification_handshake_echoes_the_challenge_for_our_token_only() -> None:
    client = Client()
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": "dev-whatsapp-verify-token",
        "hub.challenge": "1158201444",
    }
    response = client.get(URL, query)
    assert (response.status_code, response.content) == (200, b"1158201444")
    assert client.get(URL, {**query, "hub.verify_token": "wrong"}).status_code == 403
    assert client.get(URL, {**query, "hub.mode": "unsubscribe"}).status_code == 403


@override_settings(WHATSAPP_APP_SECRET="")
def test_the_webhook_is_off_without_an_app_secret() -> None:
    assert Client().get(URL, {"hub.mode": "subscribe"}).status_code == 404


def test_a_post_with_a_bad_or_missing_signature_is_403_and_nothing_is_stored() -> None:
    client = Client()
    payload = RECORDED["text"]
    assert post(client, payload, signature="").status_code == 403
    assert post(client, payload, signature="sha256=" + "0" * 64).status_code == 403
    other = hub_signature_256(secret="another-secret", body=json.dumps(payload).encode())
    assert post(client, payload, signature=other).status_code == 403
    assert not InboundMessage.objects.exists() and not ChannelSender.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"entry": [{"changes": [{"value": {"messages": [{"no": "id"}]}}]}]}',
        b'{"entry": 3}',
    ],
)
def test_a_malformed_body_with_a_good_signature_is_a_400(body: bytes) -> None:
    signed = hub_signature_256(secret=SECRET, body=body)
    response = Client().post(
        URL, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signed
    )
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_guided_whatsapp_report_in_each_language_uses_buttons_and_lists(language: str) -> None:
    client = Client()
    text(client, menu_for(language)["keywords"]["report"][0])
    answers = ["1", "2", *state_keys(language, "KD"), "1", "3", "Invented words", "2", "1"]
    for answer in answers:
        text(client, answer)
    report = Report.objects.get()
    assert (report.channel, report.language) == (Channel.WHATSAPP, language)
    assert report.state is not None and report.state.code == "KD"
    replies = sent()
    assert (
        replies[0]["body"] == menu_for(language)["incident"] + "\n" + menu_for(language)["footer"]
    )
    assert len(replies[0]["options"]) >= 4  # a list message
    at_risk = replies[1]
    assert [label for _, label in at_risk["options"]] == menu_for(language)["at_risk_options"]
    assert report.reference in replies[-1]["body"]


def test_the_gateway_payload_is_buttons_up_to_three_then_a_list_then_text() -> None:
    two = whatsapp_payload(to="1", body="Send?", options=[("1", "Yes"), ("2", "No")])
    assert two["interactive"]["type"] == "button"
    assert two["interactive"]["action"]["buttons"][0] == {
        "type": "reply",
        "reply": {"id": "1", "title": "Yes"},
    }
    nine = whatsapp_payload(to="1", body="State?", options=[(str(i), f"S{i}") for i in range(9)])
    assert nine["interactive"]["type"] == "list"
    plain = whatsapp_payload(to="1", body="Hello", options=[])
    assert plain == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "1",
        "type": "text",
        "text": {"body": "Hello"},
    }


def test_a_button_reply_answers_the_screen() -> None:
    client = Client()
    text(client, "REPORT")
    text(client, "1")
    assert post(client, RECORDED["button"]).status_code == 200  # "A child"
    assert sent()[-1]["body"].startswith(menu_for("en")["age"])


def test_a_replayed_message_id_is_handled_once() -> None:
    client = Client()
    for _ in range(3):
        assert post(client, RECORDED["text"]).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert len(sent()) == 1


def test_statuses_are_recorded_and_otherwise_ignored() -> None:
    client = Client()
    text(client, "REPORT")
    outbox_send_due()
    OutboundMessage.objects.update(provider_message_id="wamid.OUTBOUND1")
    assert post(client, RECORDED["status"]).status_code == 200
    assert OutboundMessage.objects.get().status == "delivered"
    assert InboundMessage.objects.count() == 1


def test_a_location_sets_the_reports_coordinates() -> None:
    client = Client()
    text(client, "REPORT")
    assert post(client, RECORDED["location"]).status_code == 200
    assert sent()[-1]["body"] == menu_for("en")["sms"]["location_saved"]
    for answer in ["1", "3", *state_keys("en", "OY"), "1", "1", "Invented words", "2", "1"]:
        text(client, answer)
    report = Report.objects.get()
    assert (report.latitude, report.longitude) == (7.3775, 3.947)


def test_the_webhook_only_records_a_media_message_and_the_worker_fetches_it() -> None:
    client = Client()
    MEMORY.media["1558834191607781"] = png()
    text(client, "REPORT")
    assert post(client, RECORDED["image"]).status_code == 200
    fetch = MediaFetch.objects.get()  # recorded, its sender's number encrypted in it
    assert fetch.message["from"] == WA_ID and fetch.attempts == 0
    assert not ChannelMedia.objects.exists()
    assert not InboundMessage.objects.filter(kind="image").exists()
    assert media_fetch_due() == 1
    assert ChannelMedia.objects.count() == 1 and not MediaFetch.objects.exists()
    assert sent()[-1]["body"] == menu_for("en")["sms"]["file_saved"]


def test_an_image_is_fetched_through_the_gateway_and_stored_encrypted_with_its_hashes() -> None:
    client = Client()
    MEMORY.media["1558834191607781"] = png()
    text(client, "REPORT")
    assert post(client, RECORDED["image"]).status_code == 200
    assert post(client, RECORDED["image"]).status_code == 200  # replayed: queued once
    assert MediaFetch.objects.count() == 1
    assert media_fetch_due() == 1
    assert post(client, RECORDED["image"]).status_code == 200  # replayed after: nothing
    assert media_fetch_due() == 0
    media = ChannelMedia.objects.get()
    assert b"".join(read_decrypted(media.storage_key)) == png()
    for answer in ["1", "3", *state_keys("en", "LA"), "2", "1", "Invented words", "2", "1"]:
        text(client, answer)
    stored = Report.objects.get().files.get()
    assert stored.storage_key == media.storage_key and stored.sniffed_type == "image/png"
    assert len(stored.sha256) == 64 and stored.size == len(png())


def test_answers_typed_while_a_file_is_fetched_wait_behind_it_and_the_file_is_in_the_report() -> (
    None
):
    """A reporter sends a photo and answers every question before the worker has fetched it:
    the answers wait behind the file, in order, so the file is the report's, not the start of a
    conversation of its own; another sender is not held up."""
    client = Client()
    MEMORY.media["1558834191607781"] = png()
    text(client, "REPORT")
    assert post(client, RECORDED["image"]).status_code == 200
    answers = ["1", "3", *state_keys("en", "LA"), "2", "1", "Invented words", "2", "1"]
    for answer in answers:
        text(client, answer)
    assert MediaFetch.objects.count() == 1 + len(answers) and not Report.objects.exists()
    other = {"from": "2348097654321", "id": "wamid.other-1", "timestamp": "1", "type": "text",
             "text": {"body": "REPORT"}}  # fmt: skip
    assert post(client, with_message("text", other)).status_code == 200
    assert MediaFetch.objects.count() == 1 + len(answers)  # not behind anyone: answered at once
    assert media_fetch_due() == 1 + len(answers)
    report = Report.objects.get()
    assert report.files.get().storage_key == ChannelMedia.objects.get().storage_key
    assert not MediaFetch.objects.exists()


def test_a_reply_waits_while_its_senders_file_is_due_again_later() -> None:
    """A fetch that failed and is due again later holds the sender's next message back."""
    client = Client()
    text(client, "REPORT")
    assert post(client, RECORDED["image"]).status_code == 200  # the gateway has no such media
    assert media_fetch_due() == 1  # tried once: due again later
    text(client, "1")
    assert MediaFetch.objects.count() == 2
    assert media_fetch_due() == 0  # the reply is due, but behind the file
    for _ in range(FETCH_ATTEMPTS - 2):  # tried again and failing: the reply still waits
        MediaFetch.objects.update(next_attempt_at=utcnow())
        assert media_fetch_due() == 1 and MediaFetch.objects.count() == 2
    MediaFetch.objects.update(next_attempt_at=utcnow())
    assert media_fetch_due() == 2 and not MediaFetch.objects.exists()  # given up, then the reply
    assert sent()[-1]["body"] != menu_for("en")["sms"]["help"]  # the reply was answered after


def test_media_that_cannot_be_fetched_is_tried_again_then_gets_a_clear_reply_and_no_file() -> None:
    client = Client()
    text(client, "REPORT")
    assert post(client, RECORDED["image"]).status_code == 200  # the gateway has no such media
    for attempt in range(1, FETCH_ATTEMPTS):
        assert media_fetch_due() == 1
        fetch = MediaFetch.objects.get()
        assert fetch.attempts == attempt and fetch.lease_until is None
        assert fetch.next_attempt_at > utcnow() and fetch.last_error == "unknown media"
        assert media_fetch_due() == 0  # not yet due again
        MediaFetch.objects.update(next_attempt_at=utcnow())
    assert len(sent()) == 1  # only the first screen so far
    assert media_fetch_due() == 1
    assert sent()[-1]["body"] == menu_for("en")["sms"]["help"]
    assert not ChannelMedia.objects.exists() and not MediaFetch.objects.exists()


def test_a_fetch_held_by_a_worker_that_died_is_taken_again_once_its_lease_lapses() -> None:
    client = Client()
    MEMORY.media["1558834191607781"] = png()
    text(client, "REPORT")
    assert post(client, RECORDED["image"]).status_code == 200
    MediaFetch.objects.update(lease_until=utcnow() + timedelta(minutes=5), attempts=1)
    assert media_fetch_due() == 0  # another worker holds it
    MediaFetch.objects.update(lease_until=utcnow() - timedelta(seconds=1))
    assert media_fetch_due() == 1
    assert ChannelMedia.objects.count() == 1 and not MediaFetch.objects.exists()


def test_a_media_message_queued_twice_is_handled_once_and_its_second_file_discarded() -> None:
    client = Client()
    MEMORY.media["1558834191607781"] = png()
    text(client, "REPORT")
    assert post(client, RECORDED["image"]).status_code == 200
    assert media_fetch_due() == 1
    blobs = set(default_store().keys_older_than(time.time() + 60))
    # A replay that checked just before the worker's commit queued the message again.
    message = RECORDED["image"]["entry"][0]["changes"][0]["value"]["messages"][0]
    now = utcnow()
    MediaFetch.objects.create(
        message_id="replay", message=message, next_attempt_at=now, created_at=now
    )
    assert media_fetch_due() == 1
    assert ChannelMedia.objects.count() == 1 and not MediaFetch.objects.exists()
    assert set(default_store().keys_older_than(time.time() + 60)) == blobs  # fetched, discarded
    assert MEMORY.media  # (it was fetched: the gateway served it)


def test_free_text_on_whatsapp_offers_a_yes_button() -> None:
    client = Client()
    text(client, "Someone is selling invented babies near the motor park")
    reply = sent()[-1]
    assert reply["options"] == [["YES", "Yes"]]
    text(client, "YES")
    assert Report.objects.get().channel == Channel.WHATSAPP


# The live Cloud API gateway against a local fake of the Graph API (never the network).


class _FakeGraph(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    posted: list[dict[str, Any]] = []
    media_host = ""

    def log_message(self, *args: Any) -> None:
        return

    def _json(self, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802  # the handler's protocol
        if self.headers.get("authorization") != "Bearer test-access-token":
            self.send_error(401)
            return
        if self.path.startswith("/v21.0/"):
            media_id = self.path.rsplit("/", 1)[1]
            self._json({"url": f"{self.media_host}/files/{media_id}", "mime_type": "image/png"})
            return
        data = self.files.get(self.path.rsplit("/", 1)[1])
        if data is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("content-length", 0))
        self.posted.append(json.loads(self.rfile.read(length)))
        self._json({"messaging_product": "whatsapp", "messages": [{"id": "wamid.SENT1"}]})


@pytest.fixture
def graph() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeGraph)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _FakeGraph.media_host, _FakeGraph.files, _FakeGraph.posted = base, {}, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def test_the_cloud_gateway_fetches_media_and_sends_replies_through_the_configured_endpoint(
    graph: str, settings: Any
) -> None:
    settings.CHANNEL_GATEWAYS = "live"
    settings.WHATSAPP_GRAPH_URL = f"{graph}/v21.0"
    settings.WHATSAPP_ACCESS_TOKEN = "test-access-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    _FakeGraph.files["1558834191607781"] = png()
    client = Client()
    text(client, "REPORT")
    assert post(client, RECORDED["image"]).status_code == 200
    assert media_fetch_due() == 1
    assert b"".join(read_decrypted(ChannelMedia.objects.get().storage_key)) == png()
    assert outbox_send_due() == 2
    assert _FakeGraph.posted[0]["to"] == "+" + WA_ID
    assert _FakeGraph.posted[0]["type"] == "interactive"
    assert OutboundMessage.objects.filter(provider_message_id="wamid.SENT1").count() == 2


def test_the_cloud_gateway_refuses_a_media_url_on_another_host(graph: str, settings: Any) -> None:
    settings.WHATSAPP_GRAPH_URL = f"{graph}/v21.0"
    settings.WHATSAPP_ACCESS_TOKEN = "test-access-token"
    _FakeGraph.media_host = "http://files.invalid"
    with pytest.raises(Exception, match="not on a configured host"):
        list(WhatsAppCloud().fetch_media("1558834191607781"))
