"""Every `tipline …` command in README.md runs exactly as written.

The commands are read from the README itself (its shell blocks and its inline code), so a command
added to the README is tested without anyone writing a test for it. Each runs in a subprocess, the
way a newcomer types it: from a demo checkout (`var/.demo`, as `make run` leaves it, with a
migrated database and demo data), with `.venv/bin` on the PATH and no TIPLINE_/DJANGO_ variable.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[3] / "README.md"
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```", re.M | re.S)
COMMAND = re.compile(r"(^|\|\s*)tipline\s")
# The README's export example names a fixed reference; references carry the year of submission.
EXAMPLE_REFERENCE = "TL-2026-000001"
# Commands that need no key (see settings.SECRETLESS_COMMANDS): they run outside a checkout too.
SECRETLESS = {"extract", "locate", "hash"}


def readme_commands() -> list[str]:
    """Each `tipline` command line of README.md, in order, once."""
    text = README.read_text(encoding="utf-8")
    found = [
        line.strip()
        for block in FENCE.findall(text)
        for line in block.splitlines()
        if COMMAND.search(line.strip()) and line.strip().startswith(("tipline", "echo"))
    ]
    for code in re.findall(r"`([^`\n]+(?:\n[^`\n]+)?)`", FENCE.sub("", text)):
        command = " ".join(code.split())  # inline code may wrap across lines
        if COMMAND.search(command):
            found.append(command)
    return list(dict.fromkeys(found))


def _env(**extra: str) -> dict[str, str]:
    """A shell's environment: none of the test run's settings, the virtualenv on the PATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TIPLINE_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def _shell(command: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # the README's own commands, in a temporary checkout
        ["bash", "-c", command],  # noqa: S607
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def _must(command: str, cwd: Path) -> None:
    done = _shell(command, cwd)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make run` leaves: the marker, a migrated SQLite database with demo data, a photo."""
    root = tmp_path_factory.mktemp("checkout")
    (root / "var").mkdir()
    (root / "var" / ".demo").touch()
    _must("tipline migrate --no-input -v0 && tipline demo --reports 12", root)
    rename = (
        "from tipline.reports.models import Report; "
        f"r = Report.objects.order_by('pk').first(); r.reference = {EXAMPLE_REFERENCE!r}; "
        "r.save(update_fields=['reference'])"
    )
    _must(f"tipline shell --no-imports -c {shlex.quote(rename)}", root)
    image = Image.new("RGB", (256, 256), "white")
    ImageDraw.Draw(image).ellipse((40, 60, 200, 220), fill="teal")
    image.save(root / "photo.jpg")
    return root


def test_the_readme_names_its_commands() -> None:
    commands = readme_commands()
    assert "tipline search_reindex" in commands
    assert 'echo "call 0803 555 0199" | tipline extract' in commands
    assert len(commands) >= 10, commands


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs_as_written(checkout: Path, command: str) -> None:
    if shlex.split(command, comments=True) == ["tipline", "worker"]:
        _worker_starts_and_stops(checkout)
        return
    done = _shell(command, checkout)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"


def _worker_starts_and_stops(cwd: Path) -> None:
    # A worker runs until stopped: it is started exactly as written, given a few seconds to claim
    # and process what is due, then stopped with SIGTERM, on which it must exit cleanly.
    worker = subprocess.Popen(  # noqa: S603
        ["bash", "-c", "exec tipline worker"],  # noqa: S607
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # SIGTERM only once it says it started: before that its stop handler is not yet installed,
    # and on a loaded machine start-up took longer than any fixed wait.
    watchdog = threading.Timer(180, worker.kill)
    watchdog.start()
    try:
        seen = []
        assert worker.stderr is not None
        for line in worker.stderr:
            seen.append(line)
            if "pipeline worker started" in line:
                break
        assert worker.poll() is None, "".join(seen)
        time.sleep(2)  # a turn or two: claim and process what is due
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=60)
    finally:
        watchdog.cancel()
    assert worker.returncode == 0, out + "".join(seen) + err


@pytest.mark.parametrize(
    "command",
    [c for c in readme_commands() if c.split("|")[-1].split()[1] in SECRETLESS],
)
def test_commands_that_need_no_key_run_outside_a_checkout(
    checkout: Path, tmp_path: Path, command: str
) -> None:
    (tmp_path / "photo.jpg").write_bytes((checkout / "photo.jpg").read_bytes())
    done = _shell(command, tmp_path)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("command", ["tipline search_reindex", "tipline worker"])
def test_other_commands_outside_a_checkout_name_the_variables_to_set(
    tmp_path: Path, command: str
) -> None:
    done = _shell(command, tmp_path, timeout=60)
    assert done.returncode == 1
    [line] = done.stderr.splitlines()  # one line, no traceback
    assert line.startswith(f"{command}: Refusing to start in production: ")
    assert line.endswith(
        ". Set the variables named (README, Production), or TIPLINE_DEMO=1 for demo data."
    )
    for name in (
        "DJANGO_SECRET_KEY",
        "TIPLINE_FIELD_KEYS",
        "TIPLINE_MEDIA_KEY",
        "TIPLINE_BLIND_INDEX_KEY",
        "TIPLINE_EVIDENCE_SIGNING_KEYS",
    ):
        assert f"{name} is unset or the development default" in line


def _python(code: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # our own interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=cwd,
        env=_env(DJANGO_SETTINGS_MODULE="tipline.config.settings", **extra),
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_web_app_still_refuses_development_keys_without_the_marker(tmp_path: Path) -> None:
    # What gunicorn does first: load the WSGI application, which loads the settings.
    done = _python("import tipline.config.wsgi", tmp_path)
    assert done.returncode == 1
    assert "Refusing to start in production: DJANGO_SECRET_KEY" in done.stderr


def test_a_keyless_command_name_gives_no_development_key(tmp_path: Path) -> None:
    # Named as a keyless command the settings load, but hold no key: nothing can run on a
    # development default, and Django refuses the empty secret key wherever one is needed.
    done = _python(
        "import django; django.setup(); from django.conf import settings; "
        "print(repr(settings.TIPLINE_MEDIA_KEY)); settings.SECRET_KEY",
        tmp_path,
        TIPLINE_CLI_COMMAND="extract",
    )
    assert done.stdout.strip() == "''"
    assert "The SECRET_KEY setting must not be empty" in done.stderr
