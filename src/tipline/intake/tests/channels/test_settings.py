"""TIPLINE_CHANNEL_GATEWAYS is checked when the settings load, not when a reply first leaves."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

LOAD = "import tipline.config.settings as s; print(s.CHANNEL_GATEWAYS)"


def _load_settings(**variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIPLINE_", "DJANGO_"))}
    env.update(TIPLINE_DEMO="1", **variables)
    return subprocess.run(  # noqa: S603  # our own interpreter and settings module
        [sys.executable, "-c", LOAD], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("mode", ["live", "log", "memory"])
def test_each_known_mode_loads(mode: str) -> None:
    result = _load_settings(TIPLINE_CHANNEL_GATEWAYS=mode)
    assert (result.returncode, result.stdout.strip()) == (0, mode), result.stderr


def test_unset_or_empty_means_log_in_development() -> None:
    assert _load_settings().stdout.strip() == "log"
    assert _load_settings(TIPLINE_CHANNEL_GATEWAYS="").stdout.strip() == "log"


@pytest.mark.parametrize("mode", ["smtp", "Live", "live,log"])
def test_an_unknown_mode_stops_the_settings_with_a_clear_error(mode: str) -> None:
    result = _load_settings(TIPLINE_CHANNEL_GATEWAYS=mode)
    assert result.returncode != 0
    message = f"TIPLINE_CHANNEL_GATEWAYS must be live, log or memory, not {mode!r}."
    assert f"ImproperlyConfigured: {message}" in result.stderr
