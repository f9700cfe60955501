from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from tipline.common.env import env_bool, env_int, env_list, env_secret


def test_env_bool_parses_and_rejects(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_env_int_enforces_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_NUM", "3")
    assert env_int("X_NUM", 1) == 3
    with pytest.raises(ImproperlyConfigured, match="at least 5"):
        env_int("X_NUM", 1, minimum=5)
    monkeypatch.setenv("X_NUM", "three")
    with pytest.raises(ImproperlyConfigured, match="integer"):
        env_int("X_NUM", 1)


def test_env_list_and_secret_file(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_list("X_LIST", []) == ["a", "b", "c"]
    secret_file = tmp_path / "secret"  # type: ignore[operator]  # tmp_path is a Path
    secret_file.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret_file))
    assert env_secret("X_SECRET") == "s3cret"
    monkeypatch.setenv("X_SECRET_FILE", "/nonexistent/file")
    with pytest.raises(ImproperlyConfigured):
        env_secret("X_SECRET")
