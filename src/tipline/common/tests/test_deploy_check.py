"""Production settings pass Django's deployment checks with no warning, and say how TLS ends."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.test import Client, override_settings


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a production process: real-looking keys, no demo or test mode."""
    key = base64.b64encode(os.urandom(32)).decode()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIPLINE_", "DJANGO_"))}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        TIPLINE_FIELD_KEYS=f"k1:{key}",
        TIPLINE_MEDIA_KEY=base64.b64encode(os.urandom(32)).decode(),
        TIPLINE_BLIND_INDEX_KEY=secrets.token_urlsafe(32),
        TIPLINE_EVIDENCE_SIGNING_KEYS=f"e1:{base64.b64encode(os.urandom(32)).decode()}",
        TIPLINE_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="tipline.config.settings",
        **extra,
    )
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # our own interpreter and command
        [sys.executable, "-m", "django", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = _manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_trusts_the_proxy_for_https_only_when_one_is_declared(tmp_path: Path) -> None:
    code = "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER)"
    without = _manage(production_env(tmp_path), "shell", "--no-imports", "-c", code)
    behind = _manage(
        production_env(tmp_path, TIPLINE_TRUSTED_PROXIES="1"), "shell", "--no-imports", "-c", code
    )
    assert without.stdout.strip() == "None"
    assert behind.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_plain_http_is_redirected_and_https_gets_hsts(db: Any) -> None:
    plain = Client().get("/en/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = Client().get("/en/", HTTP_X_FORWARDED_PROTO="https")
    assert "max-age=31536000" in secure["Strict-Transport-Security"]
