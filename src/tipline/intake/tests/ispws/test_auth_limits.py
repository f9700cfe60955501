"""/ispws Basic auth: guessing is limited per name and address, and unknown names cost the same."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from tipline.accounts.tests.test_login_security import COUNTING, CountingHasher
from tipline.intake.tests.ispws.test_endpoints import Esp, _client, code_of


def _status(esp: Esp, addr: str = "127.0.0.1") -> Any:
    return esp.http.get("/ispws/status", REMOTE_ADDR=addr)


def test_repeated_wrong_passwords_are_refused_without_checking(db: Any) -> None:
    _client(db)
    for _ in range(10):
        assert _status(Esp("esp", "wrong")).status_code == 401
    paused = _status(Esp("esp"))
    assert paused.status_code == 429 and code_of(paused) == 2000 and paused["Retry-After"]
    assert _status(Esp("esp"), addr="10.5.0.1").status_code == 200  # the platform's own address


def test_one_address_is_limited_across_names(db: Any) -> None:
    _client(db)
    for number in range(30):
        _status(Esp(f"guess{number}", "wrong"), addr="10.6.0.1")
    assert _status(Esp("esp"), addr="10.6.0.1").status_code == 429
    assert _status(Esp("esp"), addr="10.6.0.2").status_code == 200


@override_settings(PASSWORD_HASHERS=COUNTING)
def test_unknown_and_known_names_cost_one_password_check_each(db: Any) -> None:
    _client(db)
    work = []
    for username in ("esp", "nobody"):
        CountingHasher.calls = 0
        assert _status(Esp(username, "wrong")).status_code == 401
        work.append(CountingHasher.calls)
    assert work == [1, 1]
