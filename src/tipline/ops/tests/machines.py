"""Processes started as if on separate machines: each with its own var directory, sharing only
PostgreSQL and the object store (for the two-machine test, the restore drill and the bench)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from tipline.media.tests.seaweed import ACCESS_KEY, SECRET_KEY

BIN = Path(sys.executable).parent


def database_url(settings_dict: dict[str, Any]) -> str:
    """A DATABASE_URL for the database Django is connected to (the test database in tests)."""
    user = settings_dict.get("USER") or "postgres"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


@dataclass
class Machine:
    """One simulated machine: a var directory and the environment its processes run with."""

    var_dir: Path
    database: str
    store: str
    endpoint: str

    def env(self, **extra: str) -> dict[str, str]:
        """The process environment: only PostgreSQL and the store are shared."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TIPLINE_", "DATABASE_"))}
        self.var_dir.mkdir(parents=True, exist_ok=True)
        env.update(
            TIPLINE_TESTING="1",  # the development keys, the same on both machines
            TIPLINE_MFA_REQUIRED="0",
            TIPLINE_VAR_DIR=str(self.var_dir),
            DATABASE_URL=self.database,
            TIPLINE_MEDIA_STORE=self.store,
            TIPLINE_S3_ENDPOINT=self.endpoint,
            TIPLINE_S3_ACCESS_KEY=ACCESS_KEY,
            TIPLINE_S3_SECRET_KEY=SECRET_KEY,
            TIPLINE_MATCHER_RELOAD_SECONDS="1",
            **extra,
        )
        return env

    def tipline(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run one `tipline` command here; its output is returned."""
        return subprocess.run(  # noqa: S603  # our own command
            [str(BIN / "tipline"), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            check=check,
            timeout=300,
        )

    def start(self, *args: str, log: str) -> subprocess.Popen[bytes]:
        """Start a long-running process here, its output to `log` in the var directory."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        with (self.var_dir / log).open("ab") as out:
            return subprocess.Popen(  # noqa: S603  # our own programs
                list(args), env=self.env(), stdout=out, stderr=subprocess.STDOUT
            )

    def start_web(self, workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
        """gunicorn, as production runs it, on a free loopback port; returns it and its URL."""
        port = free_port()
        process = self.start(
            str(BIN / "gunicorn"),
            "-c",
            "python:tipline.config.gunicorn",
            "tipline.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            log="web.log",
        )
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(url + "/healthz"), what=f"gunicorn at {url}", process=process)
        return process, url

    def start_worker(self) -> subprocess.Popen[bytes]:
        """`tipline worker`, as production runs it."""
        return self.start(str(BIN / "tipline"), "worker", "--interval", "0.5", log="worker.log")


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urlopen(url, timeout=2) as response:  # noqa: S310  # our own loopback server
            return bool(response.status == 200)
    except OSError:
        return False


def wait_for(
    check: Any, *, what: str, seconds: float = 90, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll `check()` until it is true; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {process.returncode}")
        time.sleep(0.25)
    raise AssertionError(f"{what}: not within {seconds} s")


def stop(*processes: subprocess.Popen[bytes] | None) -> None:
    """Stop processes as a supervisor does (TERM, then KILL after 10 s)."""
    for process in processes:
        if process is not None and process.poll() is None:
            process.terminate()
    for process in processes:
        if process is None:
            continue
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
