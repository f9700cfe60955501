"""Rate limits and failure counters on the shared cache, keyed by whatever the caller chooses."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

from tipline.common.metrics import count_refusal


@dataclass(frozen=True)
class Verdict:
    """Whether the hit is allowed, and how long to wait when it is not."""

    allowed: bool
    retry_after: int


def _increment(cache_key: str, *, timeout: int) -> int:
    """Add one to a shared counter, creating it with `timeout`; the new count."""
    cache.add(cache_key, 0, timeout=timeout)
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # the entry expired between add and incr
        cache.set(cache_key, 1, timeout=timeout)
        return 1


def rate_limit_hit(*, key: str, limit: int, window_seconds: int) -> Verdict:
    """Count one hit against `key` in the current window."""
    now = int(time.time())
    window = now // window_seconds
    count = _increment(f"rl:{key}:{window}", timeout=window_seconds + 5)
    retry_after = (window + 1) * window_seconds - now
    if count > limit:
        count_refusal(key=key)
    return Verdict(allowed=count <= limit, retry_after=max(retry_after, 1))


def strikes(*, key: str) -> int:
    """How many failures `key` has had since its counter last lapsed."""
    return int(cache.get(f"strikes:{key}", 0))


def strike(*, key: str, ttl_seconds: int) -> int:
    """Count one failure against `key`; the counter lapses `ttl_seconds` after the last one.

    A lapse measured from the last failure (not a fixed window) means an attacker who keeps
    guessing stays paused, while a person who stops is let back in after `ttl_seconds`.
    """
    cache_key = f"strikes:{key}"
    count = _increment(cache_key, timeout=ttl_seconds)
    cache.touch(cache_key, timeout=ttl_seconds)
    return count


def strikes_clear(*, key: str) -> None:
    """Forget the failures of `key` (after a success)."""
    cache.delete(f"strikes:{key}")
