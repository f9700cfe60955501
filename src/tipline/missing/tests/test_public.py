"""The guardian's public form and the partners' JSON API: each makes a record pending
verification, with the same safety rules as the report form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from tipline.accounts.choices import ClientKind, Scope
from tipline.accounts.services import api_client_create
from tipline.common.time import WAT, utcnow
from tipline.missing.choices import RecordStatus, Source
from tipline.missing.models import MissingPhoto, MissingRecord
from tipline.missing.tests.helpers import drawn_image

FORM = "/en/missing/"


def _answers(**overrides: Any) -> dict[str, Any]:
    day = (utcnow() - timedelta(days=1)).astimezone(WAT).date().isoformat()
    values = {
        "given_names": "Amina",
        "family_name": "Bello",
        "other_names": "Ami",
        "sex": "f",
        "age": "7",
        "description": "Invented: a green dress.",
        "circumstance": "lost",
        "last_seen_on": day,
        "last_seen_time": "16:30",
        "state": "KN",
        "place": "Invented market",
        "guardian_name": "Invented Parent",
        "relationship": "mother",
        "guardian_phone": "0803 222 3333",
        "consent_public": "on",
        "submission": "token-1",
    }
    values.update(overrides)
    return values


def test_a_guardian_registers_a_child_and_gets_a_receipt_code_once(geo: Any) -> None:
    client = Client()
    assert client.get(FORM).status_code == 200
    answer = client.post(FORM, _answers())
    assert answer.status_code == 303
    record = MissingRecord.objects.get()
    assert record.source == Source.PUBLIC and record.status == RecordStatus.REPORTED
    assert record.command.code == "KAN" and record.guardian_phones() == ["0803 222 3333"]
    assert record.last_seen_at.astimezone(WAT).strftime("%H:%M") == "16:30"
    receipt = client.get(answer["Location"]).content.decode()
    assert record.reference in receipt and 'data-testid="receipt-code"' in receipt
    again = client.get(answer["Location"]).content.decode()
    assert 'data-testid="code-already-shown"' in again


def test_the_form_speaks_the_five_languages(geo: Any) -> None:
    headings = {
        "en": "Register a missing child",
        "ha": "Yi rajistar yaron da ya ɓace",
        "yo": "Forúkọ ọmọ tó sọnù sílẹ̀",
        "ig": "Debanye aha nwatakịrị furu efu",
        "pcm": "Register pikin wey loss",
    }
    for lang, heading in headings.items():
        page = Client().get(f"/{lang}/missing/")
        text = page.content.decode()
        assert page.status_code == 200 and f'lang="{lang}"' in text and heading in text


def test_the_same_form_sent_twice_registers_the_child_once(geo: Any) -> None:
    client = Client()
    client.post(FORM, _answers())
    assert client.post(FORM, _answers()).status_code == 303
    assert MissingRecord.objects.count() == 1


def test_missing_answers_are_a_400_with_the_reasons_and_nothing_stored(geo: Any) -> None:
    answer = Client().post(FORM, _answers(given_names="", guardian_phone="12"))
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "first name" in text and "phone number like" in text
    assert not MissingRecord.objects.exists()


def test_a_date_in_the_future_is_refused_on_the_form(geo: Any) -> None:
    later = (utcnow() + timedelta(days=3)).astimezone(WAT).date().isoformat()
    answer = Client().post(FORM, _answers(last_seen_on=later))
    assert answer.status_code == 400 and "future" in answer.content.decode()
    assert not MissingRecord.objects.exists()


def test_the_honeypot_and_the_rate_limit_refuse(geo: Any) -> None:
    with override_settings(RATE_LIMIT_PUBLIC_PER_HOUR=2):
        client = Client()
        assert client.post(FORM, _answers(website="spam")).status_code == 400
        assert client.post(FORM, _answers(submission="a")).status_code == 303
        assert client.post(FORM, _answers(submission="b")).status_code == 429
    assert MissingRecord.objects.count() == 1


def test_a_photo_is_kept_encrypted_and_a_bad_one_loses_nothing_else(geo: Any) -> None:
    photo = SimpleUploadedFile("child.png", drawn_image(), content_type="image/png")
    Client().post(FORM, _answers(photo=photo))
    assert MissingPhoto.objects.get().pdq
    bad = SimpleUploadedFile("child.png", b"not an image at all", content_type="image/png")
    client = Client()
    answer = client.post(FORM, _answers(photo=bad, submission="token-2", given_names="Zainab"))
    assert answer.status_code == 303 and MissingRecord.objects.count() == 2
    assert "photo was not kept" in client.get(answer["Location"]).content.decode()
    assert MissingPhoto.objects.count() == 1


# The partners' API ---------------------------------------------------------------------------


_PARTNERS = iter(range(1000))


def _partner(scopes: list[str]) -> Client:
    name = f"Invented partner {next(_PARTNERS)}"
    key = api_client_create(name=name, kind=ClientKind.PARTNER, scopes=scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key.api_key}")


def _record_json(**overrides: Any) -> dict[str, Any]:
    values = {
        "given_names": "Emeka",
        "family_name": "Obi",
        "sex": "m",
        "date_of_birth": "2016-03-01",
        "circumstance": "trafficking",
        "last_seen_at": (utcnow() - timedelta(days=3)).isoformat(),
        "last_seen_state": "EN",
        "last_seen_lga": "Nsukka",
        "guardians": [{"name": "Invented Uncle", "phones": ["+2348035556666"]}],
        "external_id": "NGO-1",
    }
    values.update(overrides)
    return values


def _send(client: Client, data: Any, content_type: str = "application/json") -> Any:
    return client.post("/api/v1/missing", data, content_type=content_type)


def test_a_partner_registers_a_record_by_api_idempotently(geo: Any) -> None:
    client = _partner([Scope.MISSING_SUBMIT])
    made = client.post("/api/v1/missing", _record_json(), content_type="application/json")
    assert made.status_code == 201
    body = made.json()
    assert body["status"] == "reported" and body["receipt_code"] and body["command"] == "ENU"
    again = client.post("/api/v1/missing", _record_json(), content_type="application/json")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert MissingRecord.objects.get().source == Source.API
    status = client.get(f"/api/v1/missing/{body['reference']}")
    assert status.status_code == 200 and "Emeka" not in status.content.decode()


def test_the_api_refuses_bad_input_with_the_fields(geo: Any) -> None:
    client = _partner([Scope.MISSING_SUBMIT])
    bad = client.post(
        "/api/v1/missing", _record_json(sex="x", extra=1), content_type="application/json"
    )
    assert bad.status_code == 400 and {"sex", "extra"} <= set(bad.json()["fields"])
    assert _send(client, _record_json(last_seen_at="2026-01-01T10:00")).status_code == 400
    state = _send(client, _record_json(last_seen_state="ZZ"))
    assert state.status_code == 400 and "last_seen_state" in state.json()["fields"]
    assert _send(client, "{").status_code == 400
    assert _send(client, "x", content_type="text/plain").status_code == 415
    assert not MissingRecord.objects.exists()


def test_outsiders_of_the_api_get_nothing(geo: Any) -> None:
    owner = _partner([Scope.MISSING_SUBMIT])
    reference = _send(owner, _record_json()).json()["reference"]
    assert _send(Client(), _record_json()).status_code == 401
    assert _send(_partner([Scope.REPORTS_SUBMIT]), _record_json()).status_code == 403
    other = _partner([Scope.MISSING_SUBMIT])
    assert other.get(f"/api/v1/missing/{reference}").status_code == 404
    assert MissingRecord.objects.count() == 1
