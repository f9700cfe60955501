"""The `tipline` command: a mistyped command is a usage error a script can tell from success."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tipline import cli


def _run(monkeypatch: pytest.MonkeyPatch, *argv: str) -> int | str | None:
    monkeypatch.setattr(sys, "argv", ["tipline", *argv])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    return stopped.value.code


def test_unknown_command_exits_2_and_lists_the_commands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, "nosuchcommand") == 2
    err = capsys.readouterr().err
    assert "Unknown command: 'nosuchcommand'" in err
    assert all(name in err for name in ("migrate", "worker", "demo", "audit"))


def test_a_near_miss_names_the_command_meant(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, "migrat") == 2
    assert "Did you mean 'migrate'?" in capsys.readouterr().err


def test_known_and_built_in_commands_still_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["version"], ["--version"]):
        monkeypatch.setattr(sys, "argv", ["tipline", *argv])
        cli.main()
        assert capsys.readouterr().out.strip()


def test_the_installed_script_exits_2_for_an_unknown_command() -> None:
    env = {**os.environ, "TIPLINE_TESTING": "1"}
    done = subprocess.run(  # noqa: S603  # our own entry point, fixed arguments
        [sys.executable, "-m", "tipline.cli", "nosuchcommand"],
        capture_output=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert b"Commands: " in done.stderr
