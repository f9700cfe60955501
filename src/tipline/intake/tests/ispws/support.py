"""Helpers shared by the /ispws XML tests: fixture loading and timing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

FIXTURES = Path(__file__).with_name("fixtures")
T = TypeVar("T")


def fixture_bytes(name: str) -> bytes:
    """The raw bytes of a fixture document, exactly as a client would send them."""
    return (FIXTURES / name).read_bytes()


def root_name_of(body: bytes) -> str:
    """The document kind a fixture is meant to be posted as."""
    return "fileDetails" if b"<fileDetails" in body else "report"


def timed(call: Callable[[], T]) -> tuple[T | BaseException, float]:
    """Run ``call``; return its result or the exception it raised, and the seconds it took."""
    start = time.perf_counter()
    try:
        result: T | BaseException = call()
    except Exception as exc:  # the caller asserts on the exception itself
        result = exc
    return result, time.perf_counter() - start
