"""/healthz, /readyz and /metrics: cheap, revealing nothing private, metrics for insiders only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from prometheus_client.parser import text_string_to_metric_families

from tipline.accounts.models import User
from tipline.common.ratelimit import rate_limit_hit
from tipline.conftest import draft, login
from tipline.media.published import matcher_publish
from tipline.media.tests.seaweed import dead_endpoint
from tipline.ops import readiness
from tipline.pipeline.choices import Step, StepStatus
from tipline.pipeline.models import StepRun
from tipline.reports.models import Report
from tipline.reports.services import report_submit

OUTSIDER = "203.0.113.9"


@pytest.fixture(autouse=True)
def _fresh(db: Any, settings: Any) -> Iterator[None]:
    settings.METRICS_TOKEN = "invented-metrics-token"
    settings.METRICS_NETWORKS = ["127.0.0.1/32"]
    cache.clear()
    readiness.forget_for_tests()
    yield
    readiness.forget_for_tests()


def test_healthz_answers_without_a_query_for_any_host_even_under_https_redirect(
    settings: Any,
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert len(queries) == 0 and response["Cache-Control"] == "no-store"


def test_readyz_reports_each_dependency_and_the_index_version(settings: Any, tmp_path: Any) -> None:
    settings.MATCHER_DIR = tmp_path / "matcher"
    matcher_publish()
    response = Client().get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"] == {"database": "ok", "store": "ok", "index": "ok"}
    assert body["index"]["published"] == "v000001"


def test_readyz_is_kept_for_a_second_so_a_balancer_costs_one_check(settings: Any) -> None:
    Client().get("/readyz")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert Client().get("/readyz").status_code == 200
    assert len(queries) == 0


def test_readyz_is_503_when_the_store_is_down_and_names_no_host(
    s3_settings: str, settings: Any
) -> None:
    settings.S3_ENDPOINT = dead = dead_endpoint()
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready" and body["checks"]["store"] == "unreachable"
    assert body["checks"]["index"] == "unreachable" and body["checks"]["database"] == "ok"
    text = response.content.decode()
    assert dead.split("//")[1] not in text and "tipline-test" not in text


def test_metrics_are_404_for_an_outsider_or_a_wrong_token() -> None:
    assert Client(REMOTE_ADDR=OUTSIDER).get("/metrics").status_code == 404
    wrong = Client(REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION="Bearer guessed")
    assert wrong.get("/metrics").status_code == 404
    assert Client().post("/metrics").status_code == 405


def test_metrics_with_the_token_from_anywhere_or_from_an_allowed_network() -> None:
    token = Client(REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION="Bearer invented-metrics-token")
    assert token.get("/metrics").status_code == 200
    local = Client().get("/metrics")
    assert local.status_code == 200 and local["Content-Type"].startswith("text/plain")


def _sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    raise AssertionError(f"{name} {labels} not in metrics")


def test_metrics_show_the_pipeline_backlog_failures_requests_and_refusals(
    geo: Any, lagos_analyst: User
) -> None:
    waiting = report_submit(draft=draft()).report
    StepRun.objects.create(report=waiting, step=Step.MEDIA, status=StepStatus.FAILED, attempts=1)
    login(lagos_analyst).get("/console/")
    for _ in range(3):
        rate_limit_hit(key="public-report:198.51.100.23", limit=1, window_seconds=60)
    text = Client().get("/metrics").content.decode()
    assert _sample(text, "tipline_pipeline_reports_waiting") == 1
    assert _sample(text, "tipline_pipeline_lag_seconds") >= 0
    assert _sample(text, "tipline_pipeline_steps_failed", step="media", state="failed") == 1
    assert (
        _sample(
            text, "tipline_http_requests_total", view="console:reports", method="GET", status="200"
        )
        >= 1
    )
    assert _sample(text, "tipline_rate_limit_refusals_total", limit="public-report") >= 2
    assert _sample(text, "tipline_matcher_index_hashes", kind="pdq") >= 0
    assert "tipline_matcher_index_version" in text


def test_no_personal_data_reaches_any_label(lagos_report: Report, lagos_analyst: User) -> None:
    report = lagos_report
    rate_limit_hit(key="public-report:198.51.100.77", limit=0, window_seconds=60)
    login(lagos_analyst).get(f"/console/reports/{report.reference}/")
    text = Client().get("/metrics").content.decode()
    assert "198.51.100.77" not in text and report.reference not in text
    assert "08031234567" not in text and "Adaeze" not in text
    assert (
        _sample(
            text, "tipline_http_requests_total", view="console:report", method="GET", status="200"
        )
        >= 1
    )
