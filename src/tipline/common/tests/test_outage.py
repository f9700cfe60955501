"""An unreachable database answers 503 with Retry-After in each area's dialect, never a 500.

The outage is simulated by making every new cursor fail with the driver's own "cannot connect"
error, which Django wraps as it wraps a real one, so the same tests run on SQLite and PostgreSQL.
The tests run in real transactions: a failed request must leave nothing half-stored behind.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import psycopg
import pytest
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.utils.html import escape

from tipline.accounts.choices import ClientKind, Scope
from tipline.accounts.models import User
from tipline.accounts.services import api_client_create
from tipline.common.outage import RETRY_AFTER_SECONDS, database_unreachable
from tipline.conftest import login
from tipline.intake import services as intake_services
from tipline.intake.tests.test_translations import catalogue
from tipline.reports.models import Report

pytestmark = pytest.mark.django_db(transaction=True)
REPORT = {"incident": {"type": "online_enticement", "description": "Invented.", "state_code": "LA"}}
TYPED = "An invented man keeps messaging my invented niece, aged 12."
ESP_PASSWORD = "an-invented-esp-password"


def _driver_error(message: str) -> Exception:
    """The error this vendor's driver raises when the server cannot be reached."""
    if connection.vendor == "sqlite":
        error = sqlite3.OperationalError(message)
        error.sqlite_errorcode = 14  # SQLITE_CANTOPEN, as the module sets it
        return error
    return psycopg.OperationalError(message)


@contextmanager
def database_down() -> Iterator[None]:
    """Every query fails as if the server had gone away, until the block ends."""
    error = _driver_error("connection to server failed: Connection refused")
    with mock.patch.object(connection, "create_cursor", side_effect=error):
        yield


@pytest.fixture(autouse=True)
def _no_rate_limits(db: Any) -> None:
    cache.clear()


@pytest.fixture
def api_key(geo: Any) -> str:
    created = api_client_create(
        name="Invented Platform",
        kind=ClientKind.PLATFORM,
        scopes=[Scope.REPORTS_SUBMIT, Scope.ISPWS],
        ispws_username="invented-esp",
        ispws_password=ESP_PASSWORD,
    )
    return created.api_key


def _submit(key: str, idempotency_key: str = "outage-1") -> Any:
    return Client().post(
        "/api/v1/reports",
        json.dumps(REPORT),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_IDEMPOTENCY_KEY=idempotency_key,
    )


def _assert_outage_headers(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_api_answers_problem_json_with_retry_after_and_the_retry_stores_one_report(
    api_key: str,
) -> None:
    with database_down():
        response = _submit(api_key)
    _assert_outage_headers(response)
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 503 and problem["type"].startswith("tag:")
    assert problem["title"] and "Idempotency-Key" in problem["detail"]
    assert Report.objects.count() == 0
    assert _submit(api_key).status_code == 201
    assert _submit(api_key)["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1


def test_ispws_answers_its_own_server_error_document(api_key: str) -> None:
    token = base64.b64encode(f"invented-esp:{ESP_PASSWORD}".encode()).decode()
    esp = Client(HTTP_AUTHORIZATION=f"Basic {token}")
    with database_down():
        response = esp.post("/ispws/submit", data=b"<report/>", content_type="text/xml")
    _assert_outage_headers(response)
    assert response["Content-Type"] == "application/xml;charset=ISO-8859-1"
    body = response.content.decode("iso-8859-1")
    assert body.startswith('<?xml version="1.0" encoding="ISO-8859-1"?>')
    assert "<responseCode>1000</responseCode>" in body and "try" in body


def _form(**extra: Any) -> dict[str, Any]:
    return {"incident_type": "online_enticement", "description": TYPED} | extra


def _hausa(msgid: str) -> str:
    return str(escape(catalogue("ha")[msgid].msgstr[0]))


def test_public_form_comes_back_in_hausa_with_what_was_typed(geo: Any) -> None:
    with database_down():
        response = Client().post("/ha/", _form(location="Invented Street"))
    _assert_outage_headers(response)
    page = response.content.decode()
    assert '<html lang="ha">' in page
    assert _hausa("We could not receive this just now") in page
    assert _hausa("Send report") in page
    assert escape(TYPED) in page and 'value="Invented Street"' in page
    assert Report.objects.count() == 0


def test_other_public_pages_answer_the_notice_alone_in_the_language(geo: Any) -> None:
    with database_down():
        response = Client().post("/yo/follow-up/", {"reference": "TL-2026-000001", "code": "x"})
    _assert_outage_headers(response)
    page = response.content.decode()
    assert '<html lang="yo">' in page and 'name="description"' not in page
    assert str(escape(catalogue("yo")["We could not receive this just now"].msgstr[0])) in page


def test_console_session_failing_in_middleware_answers_503_not_500(
    lagos_analyst: User,
) -> None:
    client = login(lagos_analyst)
    # Django's test client re-raises what a middleware raised; a server answers instead.
    client.raise_request_exception = False
    with database_down():
        response = client.get("/console/queue/")
    _assert_outage_headers(response)
    assert "The console is briefly unavailable" in response.content.decode()


def test_an_operational_error_from_a_bug_stays_a_500(lagos_analyst: User) -> None:
    client = login(lagos_analyst)
    client.raise_request_exception = False
    bug = _driver_error("no such table: invented")
    if connection.vendor == "sqlite":
        bug.sqlite_errorcode = 1  # type: ignore[attr-defined]  # SQLITE_ERROR
    else:
        bug = psycopg.errors.UndefinedTable("relation invented does not exist")
    with mock.patch.object(connection, "create_cursor", side_effect=bug):
        response = client.get("/console/queue/")
    assert response.status_code == 500 and not response.has_header("Retry-After")


def _wrapped(cause: BaseException, kind: type[Exception] = OperationalError) -> Exception:
    error = kind(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "unreachable"),
    [
        (_wrapped(psycopg.OperationalError("connection refused")), True),
        (_wrapped(psycopg.errors.AdminShutdown("terminating connection")), True),
        (_wrapped(psycopg.errors.ConnectionFailure("connection failure")), True),
        (_wrapped(psycopg.errors.TooManyConnections("too many clients")), True),
        (_wrapped(psycopg.errors.UndefinedTable("no relation")), False),
        (_wrapped(psycopg.errors.QueryCanceled("statement timeout")), False),
        (_wrapped(psycopg.InterfaceError("connection already closed"), InterfaceError), True),
        (OperationalError("raised by hand, no driver error behind it"), False),
        (ValueError("not a database error"), False),
    ],
)
def test_only_errors_that_mean_an_unreachable_database_count(
    error: Exception, unreachable: bool
) -> None:
    assert database_unreachable(error) is unreachable


@pytest.mark.parametrize(("code", "unreachable"), [(14, True), (5, True), (1, False), (266, True)])
def test_sqlite_result_codes_decide_for_sqlite(code: int, unreachable: bool) -> None:
    cause = sqlite3.OperationalError("sqlite says no")
    cause.sqlite_errorcode = code  # as the module sets it
    assert database_unreachable(_wrapped(cause)) is unreachable


def _then_database_dies(submit: Callable[..., Any]) -> Callable[..., Any]:
    """`api_submit_idempotent`, after whose commit the database goes away for the request."""

    def wrapped(**kwargs: Any) -> Any:
        outcome = submit(**kwargs)
        assert not connection.in_atomic_block  # committed
        patcher = mock.patch.object(
            connection, "create_cursor", side_effect=_driver_error("server closed the connection")
        )
        patcher.start()
        stop.append(patcher)
        return outcome

    stop: list[Any] = []
    wrapped.stop = stop  # type: ignore[attr-defined]
    return wrapped


def test_committed_api_report_is_answered_201_even_if_the_database_dies_just_after(
    api_key: str,
) -> None:
    dying = _then_database_dies(intake_services.api_submit_idempotent)
    try:
        with mock.patch.object(intake_services, "api_submit_idempotent", dying):
            response = _submit(api_key)
    finally:
        for patcher in dying.stop:  # type: ignore[attr-defined]
            patcher.stop()
    assert response.status_code == 201, response.content
    assert Report.objects.filter(reference=response.json()["reference"]).exists()


def test_the_wake_up_notice_is_sent_inside_the_transaction_so_it_cannot_fail_a_commit(
    api_key: str,
) -> None:
    down = OperationalError("connection lost while sending NOTIFY")
    down.__cause__ = _driver_error("server closed the connection unexpectedly")
    with mock.patch("tipline.reports.services._announce_submitted", side_effect=down):
        failed = _submit(api_key, "notify-1")
    # All or nothing: the NOTIFY failed before the commit, so no report and a 503 to retry.
    assert failed.status_code == 503 and Report.objects.count() == 0
    assert _submit(api_key, "notify-1").status_code == 201
    assert Report.objects.count() == 1


def _outage_from_the_store(patchers: list[Any]) -> Callable[..., Any]:
    """`public_report_submit` during which the database goes away for the rest of the request."""

    def store(**kwargs: Any) -> Any:
        error = _driver_error("server closed the connection unexpectedly")
        patchers.append(mock.patch.object(connection, "create_cursor", side_effect=error))
        patchers[-1].start()
        raise OperationalError("server closed the connection unexpectedly") from error

    return store


def test_a_form_whose_store_met_the_outage_is_stored_when_sent_again(geo: Any) -> None:
    patchers: list[Any] = []
    client = Client()
    token = re.search(r'name="submission" value="([^"]+)"', client.get("/ig/").content.decode())
    assert token is not None
    store = _outage_from_the_store(patchers)
    try:
        with mock.patch.object(intake_services, "public_report_submit", side_effect=store):
            failed = client.post("/ig/", _form(submission=token[1]))
    finally:
        for patcher in patchers:
            patcher.stop()
    assert failed.status_code == 503 and Report.objects.count() == 0
    again = re.search(r'name="submission" value="([^"]+)"', failed.content.decode())
    assert again is not None and again[1] != token[1]
    resent = client.post("/ig/", _form(submission=again[1]))
    assert resent.status_code == 303 and Report.objects.count() == 1
