"""Counters every process keeps for Prometheus (`/metrics`, served by `tipline.ops`).

Labels name code, never people: a view's route name, a status code, a rate limit's bucket. Under
gunicorn, set PROMETHEUS_MULTIPROC_DIR (docs/deploy.md) so the worker processes' counts are
added up in one scrape; without it each process counts alone.
"""

from __future__ import annotations

import re

from prometheus_client import Counter

REQUESTS = Counter(
    "tipline_http_requests",
    "Requests answered, by view (its route name) and status code.",
    ["view", "method", "status"],
)
RATE_LIMIT_REFUSALS = Counter(
    "tipline_rate_limit_refusals",
    "Requests refused by a rate limit, by the limit's name.",
    ["limit"],
)
_LIMIT_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def count_request(*, view: str, method: str, status: int) -> None:
    """One answered request (an unusual method is counted as OTHER)."""
    REQUESTS.labels(view, method if method in _METHODS else "OTHER", str(status)).inc()


def count_refusal(*, key: str) -> None:
    """One rate-limit refusal; the label is the key's name before its first colon only (the
    part after it is an address or an account, which must never become a label)."""
    name = key.split(":", 1)[0]
    RATE_LIMIT_REFUSALS.labels(name if _LIMIT_NAME.fullmatch(name) else "other").inc()
