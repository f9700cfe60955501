from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from tipline.common import crypto
from tipline.conftest import draft
from tipline.reports.models import Person
from tipline.reports.services import report_submit


@pytest.fixture(autouse=True)
def _fresh_keyring() -> None:
    crypto.keyring.cache_clear()


def test_text_round_trips_and_names_its_key() -> None:
    token = crypto.encrypt_text("Adaeze Invented, 12")
    assert token.startswith("v1:dev1:")
    assert "Adaeze" not in token
    assert crypto.decrypt_text(token) == "Adaeze Invented, 12"


def test_same_plaintext_encrypts_differently_each_time() -> None:
    assert crypto.encrypt_text("same") != crypto.encrypt_text("same")


def test_tampered_ciphertext_is_refused() -> None:
    token = crypto.encrypt_text("secret")
    prefix, key_id, body = token.split(":", 2)
    flipped = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(f"{prefix}:{key_id}:{flipped}")


def test_rotation_writes_with_new_key_and_still_reads_old_values() -> None:
    old_token = crypto.encrypt_text("written under dev1")
    new_key = crypto.new_key_spec("k2026")
    with override_settings(TIPLINE_FIELD_KEYS=f"{new_key},{settings.TIPLINE_FIELD_KEYS}"):
        crypto.keyring.cache_clear()
        assert crypto.key_id_of(crypto.encrypt_text("new")) == "k2026"
        assert crypto.decrypt_text(old_token) == "written under dev1"
    crypto.keyring.cache_clear()


def test_unknown_key_id_is_refused() -> None:
    token = crypto.encrypt_text("x").replace("v1:dev1:", "v1:gone:")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token)


@pytest.mark.parametrize("spec", ["", "nocolon", "k1:" + "QUJD", "k 1:" + "A" * 44])
def test_bad_key_specs_fail_fast(spec: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_keyring(spec)


def test_database_holds_ciphertext_for_people(geo: object) -> None:
    report = report_submit(draft=draft()).report
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT first_name, last_name, details FROM reports_person WHERE report_id = %s",
            [report.pk],
        )
        first, last, details = cursor.fetchone()
    for stored in (first, last, details):
        assert stored.startswith("v1:dev1:")
    assert "Adaeze" not in first and "08031234567" not in details
    person = Person.objects.get(report=report)
    assert person.first_name == "Adaeze"
    assert person.details["phones"][0]["number"] == "08031234567"


def test_database_holds_ciphertext_for_raw_record(geo: object) -> None:
    report = report_submit(draft=draft(raw_record='{"victim": "Adaeze"}')).report
    with connection.cursor() as cursor:
        cursor.execute("SELECT raw_record FROM reports_report WHERE id = %s", [report.pk])
        (stored,) = cursor.fetchone()
    assert "Adaeze" not in stored
