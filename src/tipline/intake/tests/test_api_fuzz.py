"""Schemathesis fuzzing of the JSON API, in process through the WSGI app, from the schema it serves.

Every operation is fuzzed with a valid key and with none; the create-then-read link in the schema
drives a stateful run. Each response must match the schema and never be a 500, and a refused
request must store nothing. The budget is fixed (examples per operation, stateful steps) so the
file stays well under two minutes a database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from schemathesis.generation.stateful.state_machine import APIStateMachine
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tipline.config.wsgi import application
from tipline.intake.models import IdempotencyRecord
from tipline.reports.models import Report, ReportFile

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Budget: schemathesis's coverage phase (boundary values, every missing field, every wrong type)
# runs where it pays, on the single report and its status. The batch repeats the single report's
# items, and a keyless call is refused before its body is read: random examples suffice there.
quick = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
quick.config.phases.coverage.enabled = False
# A second copy for the stateful run, whose auth provider hands out the current test's key, so
# schemathesis knows the key is real and probes the same calls without it and with a wrong one.
linked = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"^/api/v1/reports(/\{reference\})?$"
)
CURRENT_KEY: dict[str, str] = {}


@linked.auth(refresh_interval=None)
class _CurrentKey:
    def get(self, case: Any, ctx: Any) -> str:
        return CURRENT_KEY["key"]

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


# Fuzz the code behind the rate limit, not the limit itself (tested in test_api.py).
LIFTED_LIMIT = override_settings(RATE_LIMIT_API_PER_MINUTE=1_000_000)
BUDGET = hypothesis.settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same cases every run: CI is reproducible and its time stable
    database=None,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],  # no shrinking: CI time
    suppress_health_check=list(hypothesis.HealthCheck),
)
STATEFUL_BUDGET = hypothesis.settings(BUDGET, max_examples=10, stateful_step_count=6)
# Rules JSON Schema cannot state are answered 400 with messages per field, as documented: a file
# needs its content or a hash, times are not in the future, a state code must be a known state.
# And a batch is judged item by item: a bad item is a 400 inside a 200 (checked below).
for _operations in (schema, quick, linked):
    _operations.config.checks.update(excluded_check_names=[positive_data_acceptance.__name__])


@pytest.fixture(autouse=True)
def _fresh(geo: Any) -> Iterator[None]:
    """Empty rate-limit counters, and the test's database connection kept open: the WSGI app
    closes stale connections around each request, which would close the one holding the test's
    transaction (Django's own test client turns this off in the same way)."""
    cache.clear()
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _stored() -> tuple[int, int, int]:
    return Report.objects.count(), ReportFile.objects.count(), IdempotencyRecord.objects.count()


def _accepted(response: Any) -> int:
    """How many reports the answer says were stored."""
    if response.status_code == 201:
        return 1
    if response.status_code == 200 and response.request.method == "POST":
        return int(response.json()["accepted"])
    return 0


def _assert_stored_only_what_was_accepted(
    before: tuple[int, int, int], response: Any, keyed: bool
) -> None:
    reports, files, records = _stored()
    replayed = response.headers.get("idempotent-replayed") == ["true"]  # lower-cased, listed
    assert reports - before[0] == (0 if replayed else _accepted(response)), response.text
    if response.status_code >= 400:
        assert (reports, files) == before[:2], response.text
    # A keyed request whose body was judged leaves an idempotency record, so that a retry replays
    # the same answer (a 400 may be judged or not: the key's own length, JSON that does not
    # parse); a refusal before that (401, 409, 413, 415) or a replay leaves none.
    fresh = keyed and not replayed
    added = records - before[2]
    if response.status_code == 400:
        assert added in ((0, 1) if fresh else (0,)), response.text
    else:
        assert added == (1 if fresh and response.status_code < 300 else 0), response.text


def _assert_items_answered(items: list[Any], answer: dict[str, Any]) -> None:
    """A batch answers every item, in order, and says why each refused one was refused."""
    results = answer["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    refused = [r for r in results if r["http_status"] != 201]
    assert answer["rejected"] == len(refused)
    assert all(r["http_status"] == 400 and r["error"] for r in refused), refused


def _keyed(case: Any) -> bool:
    """Whether the request carried an Idempotency-Key the API takes (1 to 200 characters)."""
    keys = [v for k, v in (case.headers or {}).items() if k.lower() == "idempotency-key"]
    return bool(keys) and 1 <= len(keys[0]) <= 200


@schema.exclude(path="/api/v1/reports/batch").parametrize()
@BUDGET
@LIFTED_LIMIT
def test_every_operation_with_a_valid_key(case: Any, platform: Any) -> None:
    _call_with_key(case, platform[1])


@quick.include(path="/api/v1/reports/batch").parametrize()
@BUDGET
@LIFTED_LIMIT
def test_the_batch_with_a_valid_key(case: Any, platform: Any) -> None:
    _call_with_key(case, platform[1])


def _call_with_key(case: Any, key: str) -> None:
    before = _stored()
    batch = case.path.endswith("/batch")
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {key}"},
        excluded_checks=[negative_data_rejection] if batch else [],
    )
    assert response.status_code < 500
    if batch and response.status_code == 200:
        _assert_items_answered(case.body["reports"], response.json())
    _assert_stored_only_what_was_accepted(before, response, _keyed(case))


@quick.parametrize()
@BUDGET
@LIFTED_LIMIT
def test_every_operation_without_a_key_is_refused(case: Any, db: Any) -> None:
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    before = _stored()
    response = case.call_and_validate()
    if case.method.lower() == case.operation.method.lower():
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == ['Bearer realm="tipline"']
    else:  # schemathesis also sends methods the path does not have
        assert response.status_code in (401, 403, 405), response.text
    assert response.status_code < 500
    assert _stored() == before


@LIFTED_LIMIT
def test_stateful_create_then_read(platform: Any) -> None:
    """Follows the schema's links: a created report, then its status by the reference returned."""
    CURRENT_KEY["key"] = platform[1]
    base: type[APIStateMachine] = linked.as_state_machine()
    calls: list[tuple[str, int]] = []

    class Workflow(base):  # type: ignore[misc,valid-type]
        def step(self, input: Any) -> Any:
            before = _stored()
            output = super().step(input)
            case, response = output.case, output.response
            calls.append((f"{case.method} {case.operation.path}", response.status_code))
            _assert_stored_only_what_was_accepted(before, response, _keyed(case))
            return output

    Workflow.run(settings=STATEFUL_BUDGET)
    followed = [status for call, status in calls if call.startswith("GET")]
    # The link was followed to a report this client made, and that report was found.
    assert 200 in followed, calls
