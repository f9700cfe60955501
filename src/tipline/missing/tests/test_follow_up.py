"""A guardian follows up a registration with its receipt code: the status in plain words, and
information added, which matches the record again (as an officer's addition does)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.conftest import login
from tipline.missing.choices import EventKind, RecordStatus
from tipline.missing.models import MatchCandidate, MissingEvent, MissingPhoto, MissingRecord
from tipline.missing.services import missing_record_add_information, missing_transition
from tipline.missing.tests.helpers import drawn_image, sighting_report
from tipline.missing.tests.test_public import FORM, _answers

LOOKUP = "/en/missing/follow-up/"


def _registered(client: Client) -> tuple[MissingRecord, str]:
    """A child registered on the public site by `client`, and the receipt code shown."""
    answer = client.post(FORM, _answers())
    receipt = client.get(answer["Location"]).content.decode()
    found = re.search(r'data-testid="receipt-code">([^<]+)<', receipt)
    assert found is not None
    return MissingRecord.objects.get(), found.group(1)


def _follow(client: Client, record: MissingRecord, code: str) -> Any:
    return client.post(LOOKUP, {"reference": record.reference.lower(), "receipt_code": code})


def test_the_guardian_sees_the_status_in_plain_words_with_the_code(
    geo: Any, supervisor: User
) -> None:
    client = Client()
    record, code = _registered(client)
    answer = _follow(Client(), record, code)  # another browser, with the code written down
    assert answer.status_code == 303
    assert answer["Location"] == f"/en/missing/follow-up/{record.reference}/"
    page = Client()
    _follow(page, record, code)
    text = page.get(answer["Location"]).content.decode()
    assert "An officer will check the registration" in text and "Invented Parent" not in text
    missing_transition(record=record, to=RecordStatus.VERIFIED, actor=supervisor)
    text = page.get(answer["Location"]).content.decode()
    assert "The child is being looked for" in text
    hausa = Client().get("/ha/missing/follow-up/").content.decode()
    assert "Bibiyar rajistar yaron da ya ɓace" in hausa


def test_a_wrong_code_or_reference_says_nothing_of_which(geo: Any) -> None:
    client = Client()
    record, code = _registered(client)
    wrong_code = _follow(Client(), record, "WRONG-CODE")
    wrong_reference = Client().post(LOOKUP, {"reference": "MC-2000-00001", "receipt_code": code})
    assert wrong_code.status_code == wrong_reference.status_code == 400
    assert "could not find" in wrong_code.content.decode()
    assert wrong_code.content.decode().count(
        "could not find"
    ) == wrong_reference.content.decode().count("could not find")


def test_an_outsider_without_the_code_is_sent_to_the_look_up(geo: Any) -> None:
    record, _ = _registered(Client())
    page = f"/en/missing/follow-up/{record.reference}/"
    outsider = Client()
    assert outsider.get(page)["Location"] == LOOKUP
    assert outsider.post(page, {"text": "Invented: let me in."}).status_code == 302
    assert not MissingEvent.objects.filter(kind=EventKind.INFORMATION_ADDED).exists()


def test_the_look_up_is_rate_limited(geo: Any) -> None:
    record, _ = _registered(Client())
    client = Client()
    with override_settings(RATE_LIMIT_PUBLIC_PER_HOUR=2):
        for _attempt in range(2):
            assert _follow(client, record, "WRONG").status_code == 400
        assert _follow(client, record, "WRONG").status_code == 429


def test_the_guardian_adds_information_a_name_a_phone_and_a_photo(geo: Any) -> None:
    record, code = _registered(Client())
    client = Client()
    page = _follow(client, record, code)["Location"]
    photo = SimpleUploadedFile("child.png", drawn_image(), content_type="image/png")
    answer = client.post(
        page,
        {
            "text": "Invented: she may be with an aunt in Kano.",
            "other_names": "Mimi, Ami",
            "phone": "0803 444 5555",
            "photo": photo,
        },
    )
    assert answer.status_code == 303
    text = client.get(page).content.decode()
    assert "was added to the registration" in text and "The photo was kept." in text
    record.refresh_from_db()
    assert record.other_names == ["Ami", "Mimi"] and record.child_phones == ["0803 444 5555"]
    event = MissingEvent.objects.get(record=record, kind=EventKind.INFORMATION_ADDED)
    assert event.actor is None and event.body.startswith("Invented: she may be")
    assert event.data == {"by": "guardian", "other_names": 1, "phones": 1}
    assert MissingPhoto.objects.filter(record=record).count() == 1
    audit = AuditEvent.objects.get(action="missing.information_added")
    assert "aunt" not in str(audit.after)  # the words stay on the (encrypted) timeline only


def test_an_empty_addition_is_a_400_and_a_closed_record_takes_none(
    geo: Any, supervisor: User
) -> None:
    record, code = _registered(Client())
    client = Client()
    page = _follow(client, record, code)["Location"]
    assert client.post(page, {"text": "  "}).status_code == 400
    assert client.post(page, {"phone": "12"}).status_code == 400
    missing_transition(record=record, to=RecordStatus.CLOSED, actor=supervisor, note="Invented.")
    text = client.get(page).content.decode()
    assert "The case is closed" in text and 'name="text"' not in text
    with pytest.raises(ValidationError, match="closed"):
        missing_record_add_information(record=record, text="More.", actor=None)


def test_a_death_is_never_told_on_the_page(
    verified_record: MissingRecord, supervisor: User
) -> None:
    from tipline.missing.public import FOLLOWED

    missing_transition(record=verified_record, to=RecordStatus.FOUND, actor=supervisor)
    missing_transition(record=verified_record, to=RecordStatus.DECEASED, actor=supervisor)
    client = Client()
    session = client.session
    session[FOLLOWED] = [verified_record.reference]
    session.save()
    text = client.get(f"/en/missing/follow-up/{verified_record.reference}/").content.decode()
    assert "Please call 627" in text and "deceased" not in text.lower()


# Information added matches the record again -----------------------------------------------------


def test_a_name_added_later_matches_the_record_again_and_scores_higher(
    make_record: Callable[..., MissingRecord], lagos_analyst: User
) -> None:
    record = make_record(other_names=[])
    report = sighting_report(first="Kemi", last="Adebayo")
    before = MatchCandidate.objects.get(record=record, report=report)
    assert before.found_by == "report"  # the pipeline's step found it when the report came
    missing_record_add_information(
        record=record, text="", other_names=["Kemi"], actor=lagos_analyst
    )
    after = MatchCandidate.objects.get(record=record, report=report)
    assert after.found_by == "record" and after.pk != before.pk  # scored again for the record
    assert after.probability > before.probability


def test_the_console_adds_information_and_an_outsider_gets_404(
    verified_record: MissingRecord, lagos_analyst: User, make_user: Callable[..., User]
) -> None:
    from tipline.accounts.choices import Role

    url = f"/console/missing/{verified_record.reference}/information/"
    outsider = make_user(Role.ANALYST, ("KAN",))
    assert login(outsider).post(url, {"text": "Invented."}).status_code == 404
    answer = login(lagos_analyst).post(
        url, {"text": "Invented: seen at a motor park.", "phones": "0803 777 8888"}
    )
    assert answer.status_code == 302
    verified_record.refresh_from_db()
    assert verified_record.child_phones == ["0803 777 8888"]
    event = MissingEvent.objects.get(record=verified_record, kind=EventKind.INFORMATION_ADDED)
    assert event.actor == lagos_analyst and event.data["by"] == "staff"
    detail = login(lagos_analyst).get(f"/console/missing/{verified_record.reference}/")
    assert "seen at a motor park" in detail.content.decode()


# The general follow-up page (intake) hands a registration reference over ----------------------

GENERAL = "/{lang}/follow-up/"


def _general(client: Client, lang: str, reference: str, code: str) -> Any:
    url = GENERAL.format(lang=lang)
    token = client.get(url).cookies["csrftoken"].value
    data = {"reference": reference, "receipt_code": code, "csrfmiddlewaretoken": token}
    return client.post(url, data)


def test_a_registration_reference_on_the_general_follow_up_goes_to_the_missing_one(
    geo: Any,
) -> None:
    record, code = _registered(Client())
    client = Client(enforce_csrf_checks=True)  # the re-sent POST passes the CSRF check there
    handed = _general(client, "ha", f" {record.reference.lower()} ", code)
    assert handed.status_code == 307  # the browser re-sends the same POST
    assert handed["Location"] == "/ha/missing/follow-up/"  # in the guardian's language
    token = client.cookies["csrftoken"].value
    data = {"reference": record.reference, "receipt_code": code, "csrfmiddlewaretoken": token}
    followed = client.post(handed["Location"], data, follow=True)
    assert followed.redirect_chain == [(f"/ha/missing/follow-up/{record.reference}/", 303)]
    assert followed.status_code == 200 and followed.context["record"] == record


def test_an_outsider_on_the_general_follow_up_learns_nothing_of_a_registration(
    geo: Any,
) -> None:
    record, code = _registered(Client())
    answers = []
    for reference, typed in [
        (record.reference, "WRONG-CODE"),  # a real reference, a wrong code
        ("MC-2000-00001", code),  # no such registration
        (record.reference, code),  # the right pair
    ]:
        client = Client()
        client.get("/en/follow-up/")
        with CaptureQueriesContext(connection) as queries:
            answer = client.post(GENERAL.format(lang="en"), {"reference": reference,
                                                             "receipt_code": typed})  # fmt: skip
        # The same work whichever: no registration is looked up here.
        read = [q["sql"] for q in queries.captured_queries]
        assert not [sql for sql in read if MissingRecord._meta.db_table in sql]
        answers.append((answer.status_code, answer["Location"], answer.content))
        assert "tipline_missing_followed" not in client.session
    assert answers[0] == answers[1] == answers[2] == (307, "/en/missing/follow-up/", b"")
    wrong = Client().post(
        GENERAL.format(lang="en"),
        {"reference": record.reference, "receipt_code": "WRONG-CODE"},
        follow=True,
    )
    assert wrong.status_code == 400 and "could not find a registration" in wrong.content.decode()
    assert "tipline_missing_followed" not in wrong.client.session
    page = Client().get(f"/en/missing/follow-up/{record.reference}/")
    assert page.status_code == 302 and page["Location"] == LOOKUP


def test_a_report_reference_stays_on_the_general_follow_up(geo: Any) -> None:
    answer = Client().post(
        GENERAL.format(lang="en"), {"reference": "TL-2026-000001", "receipt_code": "WRONG"}
    )
    assert answer.status_code == 200 and "could not find a report" in answer.content.decode()
