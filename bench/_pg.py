"""What the PostgreSQL benches share: their own scratch database and the environment to reach it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def bench_env(db_name: str, var_dir: str) -> dict[str, str]:
    """The environment of a bench process (and its workers) on database `db_name`."""
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
        "TIPLINE_DEMO": "1",
        "TIPLINE_VAR_DIR": str(ROOT / "var" / var_dir),
        "DJANGO_SETTINGS_MODULE": "tipline.config.settings",
    }


def psql(sql: str) -> None:
    """Run one statement against the server's `postgres` database (create and drop ours)."""
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
        check=True,
        capture_output=True,
    )


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process for the bench database."""
    os.environ.update(env)
    import django  # noqa: PLC0415  # only once the environment names the database

    django.setup()


def tree_of(revision: str, name: str) -> str:
    """The `src` tree of a revision, unpacked under var/bench-<name>-before (git archive), for a
    timing worker that runs the old code beside this tree's."""
    target = ROOT / "var" / f"bench-{name}-before"
    subprocess.run(["rm", "-rf", str(target)], check=True)
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"], check=True,
                             capture_output=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return str(target / "src")


def take_turns(
    script: str, envs: dict[str, dict[str, str]], chunks: list[Any], *, warm_up: Any = None
) -> dict[str, list[Any]]:
    """Time the same work in one worker process per tree (`script --worker`, with that tree's
    extra environment), the workers taking turns chunk by chunk so that all see the machine's
    same load. Each chunk goes as one JSON line and is answered with one JSON list; the answers
    of each worker, in order. `warm_up`, when given, is sent first and its answers dropped."""
    workers = {
        name: subprocess.Popen(
            [sys.executable, script, "--worker"],
            env={**os.environ, **extra},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, extra in envs.items()
    }
    samples: dict[str, list[Any]] = {name: [] for name in envs}
    sent = ([(warm_up, False)] if warm_up is not None else []) + [(c, True) for c in chunks]
    try:
        for chunk, counted in sent:
            line = json.dumps(chunk) + "\n"
            for name, worker in workers.items():
                assert worker.stdin and worker.stdout
                worker.stdin.write(line)
                worker.stdin.flush()
                answer = json.loads(worker.stdout.readline())
                if counted:
                    samples[name] += answer
    finally:
        for worker in workers.values():
            if worker.stdin:
                worker.stdin.close()
            worker.wait()
    return samples
