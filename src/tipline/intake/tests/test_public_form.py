from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from PIL import Image

from tipline.media.storage import read_decrypted
from tipline.reports.choices import PersonRole, ReportStatus
from tipline.reports.models import Addendum, Report

FORM = "/en/"


@pytest.fixture(autouse=True)
def _clear_rate_limits(db: Any) -> None:
    cache.clear()


def _png(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def _post(client: Client, **extra: Any) -> Any:
    """Send the form and follow its redirect to the receipt, as a browser does."""
    data = {
        "incident_type": "online_enticement",
        "description": "An invented man keeps messaging an invented 13-year-old.",
        "state": "LA",
        **extra,
    }
    return client.post(FORM, data, follow=True)


def _token(client: Client) -> str:
    match = re.search(r'name="submission" value="([^"]+)"', client.get(FORM).content.decode())
    assert match is not None
    return match.group(1)


def test_form_renders_with_hotline_quick_exit_and_safety_guidance(geo: Any) -> None:
    response = Client().get(FORM)
    page = response.content.decode()
    assert response.status_code == 200
    assert "627" in page and 'id="quick-exit"' in page
    assert "Do not download, save or forward" in page
    assert 'name="website"' in page  # honeypot


def test_first_load_is_under_60_kb(geo: Any) -> None:
    client = Client()
    html = client.get(FORM).content
    static = [client.get(f"/static/intake/{name}") for name in ("public.css", "exit.js")]
    assert all(r.status_code == 200 for r in static)
    sizes = [len(b"".join(r.streaming_content)) for r in static]  # type: ignore[attr-defined]  # whitenoise streams files
    total = len(html) + sum(sizes)
    assert total < 60 * 1024, total


def test_plain_post_without_javascript_gives_a_receipt_once(geo: Any) -> None:
    client = Client()
    response = _post(client)
    assert response.redirect_chain == [("/en/received/", 303)]
    assert response.status_code == 200
    report = Report.objects.get()
    page = response.content.decode()
    assert report.reference in page
    code = response.context["code"]
    assert code in page and report.receipt_hash != code
    assert report.reporter_anonymous is True
    assert not report.people.filter(role=PersonRole.REPORTER).exists()
    assert response["Cache-Control"].startswith("max-age=0")


def test_reloading_the_receipt_shows_the_reference_but_not_the_code_again(geo: Any) -> None:
    client = Client()
    code = _post(client).context["code"]
    reloaded = client.get("/en/received/")
    page = reloaded.content.decode()
    assert reloaded.status_code == 200 and Report.objects.count() == 1
    assert Report.objects.get().reference in page and code not in page
    assert 'data-testid="code-already-shown"' in page


def test_receipt_page_without_a_report_sent_goes_back_to_the_form(geo: Any) -> None:
    response = Client().get("/en/received/")
    assert response.status_code == 302 and response["Location"] == "/en/"


def test_a_resent_form_returns_the_first_report_instead_of_filing_another(geo: Any) -> None:
    client = Client()
    token = _token(client)
    first = _post(client, submission=token)
    again = _post(client, submission=token)
    assert Report.objects.count() == 1
    assert again.redirect_chain == [("/en/received/", 303)]
    assert Report.objects.get().reference in again.content.decode()
    assert first.context["code"] not in again.content.decode()
    assert _post(client, submission=_token(client)).status_code == 200
    assert Report.objects.count() == 2  # a new form is a new report


def test_every_form_carries_its_own_one_time_token(geo: Any) -> None:
    client = Client()
    assert _token(client) != _token(client)


def test_contact_details_make_the_reporter_known_and_are_encrypted(geo: Any) -> None:
    _post(Client(), contact_name="Invented Person", contact_email="someone@example.com")
    report = Report.objects.get()
    reporter = report.people.get(role=PersonRole.REPORTER)
    assert report.reporter_anonymous is False
    assert reporter.details["emails"][0]["address"] == "someone@example.com"


def test_missing_description_is_a_field_error_and_stores_nothing(geo: Any) -> None:
    response = Client().post(FORM, {"incident_type": "online_enticement"})
    assert response.status_code == 400
    assert "Tell us what happened." in response.content.decode()
    assert not Report.objects.exists()


def test_failed_submit_lists_each_problem_at_the_top_linked_to_its_field(geo: Any) -> None:
    response = Client().post(FORM, {"victim_age": "thirteen", "contact_email": "nope"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in page
    summary = page[page.index('id="error-summary"') : page.index("<form")]
    assert "There is a problem" in summary
    links = re.findall(r'<a href="#(id_\w+)">', summary)
    assert links == ["id_incident_type", "id_description", "id_victim_age", "id_contact_email"]
    for field in links:
        assert f'id="{field}"' in page and f'id="{field}_error"' in page
    assert page.index('id="error-summary"') < page.index('id="id_incident_type"')


def test_help_text_and_errors_are_what_each_field_describes_itself_by(geo: Any) -> None:
    page = Client().post(FORM, {"incident_type": "online_enticement"}).content.decode()
    described = dict(re.findall(r'id="(id_\w+)"[^>]*?aria-describedby="([^"]+)"', page))
    described |= {
        field: ids
        for ids, field in re.findall(r'aria-describedby="([^"]+)"[^>]*?id="(id_\w+)"', page)
    }
    assert described["id_description"] == "id_description_helptext id_description_error"
    assert described["id_when"] == "id_when_helptext"
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert {i for value in described.values() for i in value.split()} <= ids


def test_incident_type_starts_empty_and_must_be_chosen(geo: Any) -> None:
    page = Client().get(FORM).content.decode()
    select = page[page.index('id="id_incident_type"') : page.index("</select>")]
    first = re.search(r'<option value="([^"]*)"', select)
    assert first is not None and first.group(1) == ""
    response = Client().post(FORM, {"description": "An invented account of what happened."})
    assert response.status_code == 400
    assert "Choose what is happening" in response.content.decode()
    assert not Report.objects.exists()


def test_contact_phone_opens_the_phone_keypad_and_contacts_are_not_remembered(geo: Any) -> None:
    page = Client().get(FORM).content.decode()
    phone = re.search(r"<input[^>]*id=\"id_contact_phone\"[^>]*>", page)
    assert phone is not None and 'inputmode="tel"' in phone.group(0)
    for field in ("contact_name", "contact_phone", "contact_email"):
        tag = re.search(rf"<input[^>]*id=\"id_{field}\"[^>]*>", page)
        assert tag is not None and 'autocomplete="off"' in tag.group(0)


def test_hotline_numbers_are_links_a_phone_can_call(geo: Any) -> None:
    page = Client().get(FORM).content.decode()
    assert '<a href="tel:627">627</a>' in page and '<a href="tel:112">112</a>' in page


def test_form_says_the_quick_exit_does_not_save_what_was_typed(geo: Any) -> None:
    page = Client().get(FORM).content.decode()
    assert "It does not save what you typed." in page
    assert "Or press the Shift key three times." in page


def test_image_attachment_is_stored_encrypted_with_sniffed_type(geo: Any) -> None:
    content = _png()
    response = _post(Client(), attachments=[_upload("holiday.txt", content)])
    assert response.status_code == 200
    stored = Report.objects.get().files.get()
    assert stored.sniffed_type == "image/png"
    assert b"".join(read_decrypted(stored.storage_key)) == content
    from tipline.media.storage import default_store

    with default_store().open_read(stored.storage_key) as handle:
        assert content[:64] not in handle.read()


def test_lying_file_is_refused_with_a_message_and_the_report_is_kept(geo: Any) -> None:
    fake = _upload("photo.jpg", b"MZ\x90\x00 this is not an image at all")
    response = _post(Client(), attachments=[fake, _upload("real.png", _png())])
    assert response.status_code == 200
    page = response.content.decode()
    assert "photo.jpg" in page and "not an image, video or document" in page
    report = Report.objects.get()
    assert report.files.count() == 1


@override_settings(PUBLIC_ATTACHMENT_MAX_BYTES=1000)
def test_oversized_file_is_refused_and_the_report_is_kept(geo: Any) -> None:
    big = _upload("big.png", _png() + b"\0" * 5000)
    response = _post(Client(), attachments=[big])
    assert response.status_code == 200
    assert "larger than the limit" in response.content.decode()
    assert Report.objects.get().files.count() == 0


def test_honeypot_stores_nothing(geo: Any) -> None:
    response = _post(Client(), website="http://spam.example.com")
    assert response.status_code == 400
    assert not Report.objects.exists()


@override_settings(RATE_LIMIT_PUBLIC_PER_HOUR=2)
def test_rate_limit_per_client_address(geo: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert _post(client).status_code == 200
    assert _post(client).status_code == 200
    limited = _post(client)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert Report.objects.count() == 2
    assert _post(Client(REMOTE_ADDR="203.0.113.10")).status_code == 200


def test_csrf_is_enforced(geo: Any) -> None:
    response = _post(Client(enforce_csrf_checks=True))
    assert response.status_code == 403
    assert not Report.objects.exists()


def _follow_up(client: Client, reference: str, code: str) -> Any:
    return client.post("/en/follow-up/", {"reference": reference, "receipt_code": code})


def test_receipt_code_shows_status_and_adds_an_addendum(geo: Any) -> None:
    client = Client()
    submitted = _post(client)
    report, code = Report.objects.get(), submitted.context["code"]
    response = _follow_up(client, report.reference.lower(), code.lower().replace("-", " "))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and report.reference in page.content.decode()
    body = {"body": "He also uses an invented number."}
    added = client.post(response["Location"], body, follow=True)
    assert added.redirect_chain == [(response["Location"], 303)]
    assert added.status_code == 200 and added.context["added"] is True
    assert client.get(response["Location"]).context["added"] is False  # a reload adds nothing
    addendum = Addendum.objects.get(report=report)
    assert addendum.body == "He also uses an invented number."
    assert report.status == ReportStatus.RECEIVED


def test_wrong_receipt_code_reveals_nothing(geo: Any) -> None:
    client = Client()
    _post(client)
    report = Report.objects.get()
    response = _follow_up(client, report.reference, "AAAA-BBBB-CCCC-DDDD")
    assert response.status_code == 200
    assert "could not find" in response.content.decode()


def test_outsider_without_the_code_cannot_open_a_status_page(geo: Any) -> None:
    _post(Client())
    report = Report.objects.get()
    response = Client().get(f"/en/follow-up/{report.reference}/")
    assert response.status_code == 302 and response["Location"].endswith("/follow-up/")
    posted = Client().post(f"/en/follow-up/{report.reference}/", {"body": "forged"})
    assert posted.status_code == 302
    assert not Addendum.objects.exists()


@pytest.mark.parametrize("lang", ["en", "ha", "yo", "ig", "pcm"])
def test_every_language_serves_the_form(geo: Any, lang: str) -> None:
    response = Client().get(f"/{lang}/")
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.content.decode()


def test_root_redirects_to_a_language(geo: Any) -> None:
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"] == "/en/"
