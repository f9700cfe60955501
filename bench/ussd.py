"""Benchmark of the USSD callback: C concurrent sessions, each a whole report, against the real
server (gunicorn with the production settings `tipline.config.gunicorn`) on PostgreSQL, in a
database of its own that this script creates, migrates and drops.

Every session is what Africa's Talking sends for one reporter: the first callback, then one per
answer with all answers so far joined by `*`, up to the closing screen with the receipt. Prints
p50/p99 of every callback and of the final (report-making) one; the last line is one JSON object.

    .venv/bin/python bench/ussd.py --sessions 200 --concurrency 50              # back to back
    .venv/bin/python bench/ussd.py --sessions 200 --concurrency 50 --think-ms 2000  # people

With no pause the 50 sessions saturate the server (a throughput test: latency is then queueing);
with a pause each session sends what one person keying answers sends.

`--against DIR` measures a second tree of the code side by side in the same run (the machine is
shared and noisy): DIR is a checkout of another commit (`git archive <commit> | tar -x -C DIR`),
served from its `src/` by the same virtualenv, on a database of its own migrated by its own
migrations. Both servers run at once and take turns, round by round, under the same load; the
figures of each and the ratio (other / this) are printed, with the load average beside them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _pg import bench_env, psql  # noqa: E402  # bench/ is on sys.path when run as a script

from tipline.config import gunicorn as web  # noqa: E402  # the production server settings

KEY = "bench-at-key"
ANSWERS = ["1", "1", "1", "3", "1", "1", "2", "Invented bench report text", "2", "1"]


def _env(db_name: str, src: Path | None = None) -> dict[str, str]:
    env = {
        **bench_env(db_name, "bench-ussd"),
        "TIPLINE_AFRICASTALKING_CALLBACK_TOKEN": KEY,
        "TIPLINE_USSD_SESSIONS_PER_HOUR": "1000000",
    }
    if src is not None:  # another tree of the code, ahead of the installed one
        env["PYTHONPATH"] = str(src)
    return env


def _prepare(db_name: str, src: Path | None = None) -> None:
    psql(f"DROP DATABASE IF EXISTS {db_name}")
    psql(f"CREATE DATABASE {db_name}")
    tipline, env = [str(ROOT / ".venv/bin/tipline")], _env(db_name, src)
    subprocess.run([*tipline, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*tipline, "createcachetable"], env=env, check=True)
    code = "from tipline.geo.services import geo_seed_defaults; geo_seed_defaults()"
    subprocess.run([*tipline, "shell", "-c", code], env=env, check=True)


def _serve(db_name: str, port: int, src: Path | None = None) -> subprocess.Popen[bytes]:
    cmd = [
        str(ROOT / ".venv/bin/gunicorn"),
        "--config",
        "python:tipline.config.gunicorn",
        "tipline.config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(cmd, env=_env(db_name, src), cwd=ROOT)
    for _ in range(200):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/ispws/xsd")
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("server did not start")


class Session:
    """One reporter's session on its own keep-alive connection, timing every callback."""

    def __init__(self, port: int, number: int, run_id: str, think: float = 0.0) -> None:
        self.think = think
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.session_id = f"ATUid_bench_{run_id}_{number}"
        self.phone = f"+23480{number % 100_000_000:08d}"
        self.times: list[float] = []

    def callback(self, text: str) -> str:
        body = urllib.parse.urlencode(
            {
                "sessionId": self.session_id,
                "serviceCode": "*347*627#",
                "phoneNumber": self.phone,
                "networkCode": "62130",
                "text": text,
            }
        )
        started = time.perf_counter()
        self.conn.request(
            "POST",
            f"/channels/ussd/africastalking/?key={KEY}",
            body,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = self.conn.getresponse()
        reply = response.read().decode()
        self.times.append(time.perf_counter() - started)
        if response.status != 200:
            raise RuntimeError(f"callback failed: {response.status} {reply[:200]}")
        return reply

    def walk(self) -> None:
        # People do not dial in step: each starts at some moment and takes their own time per
        # answer (half to one and a half times the mean), seeded so that runs compare.
        pace = random.Random(self.session_id)
        time.sleep(pace.uniform(0, self.think))
        self.callback("")
        for count in range(1, len(ANSWERS) + 1):
            time.sleep(pace.uniform(0.5, 1.5) * self.think)  # reading, then pressing keys
            reply = self.callback("*".join(ANSWERS[:count]))
        if not reply.startswith("END ") or "TL-" not in reply:
            raise RuntimeError(f"no receipt: {reply!r}")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _load(port: int, sessions: int, concurrency: int, run_id: str, think: float) -> Round:
    timed = [Session(port, n, run_id, think) for n in range(sessions)]
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(Session.walk, timed))
    return Round(timed, time.perf_counter() - started, os.getloadavg()[0])


class Round:
    """One load of `sessions` sessions against one server: their timings and the load average
    at the end (1 minute)."""

    def __init__(self, sessions: list[Session], seconds: float, load: float) -> None:
        self.sessions, self.seconds, self.load = sessions, seconds, load


def _figures(rounds: list[Round], sessions: int, concurrency: int, think: float) -> dict[str, Any]:
    every = [t for r in rounds for s in r.sessions for t in s.times]
    final = [s.times[-1] for r in rounds for s in r.sessions]
    elapsed = sum(r.seconds for r in rounds)
    return {
        "sessions": sessions * len(rounds),
        "concurrency": concurrency,
        "think_ms": round(think * 1000),
        "callbacks": len(every),
        "gunicorn_workers": web.workers,
        "gunicorn_threads": web.threads,
        "seconds": round(elapsed, 2),
        "callbacks_per_s": round(len(every) / elapsed, 1),
        "callback_p50_ms": round(statistics.median(every) * 1000, 1),
        "callback_p99_ms": round(_percentile(every, 0.99) * 1000, 1),
        "final_callback_p99_ms": round(_percentile(final, 0.99) * 1000, 1),
        "load_avg_1m": [round(r.load, 2) for r in rounds],
        "target_p99_ms": 100,
    }


def _warm(port: int, concurrency: int) -> None:
    warm = [Session(port, n, f"warm{port}") for n in range(concurrency)]
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(Session.walk, warm))


def run(
    sessions: int,
    concurrency: int,
    port: int,
    db_name: str,
    think: float,
    against: Path | None = None,
    rounds: int = 1,
) -> dict[str, Any]:
    """The figures of this tree; with `against`, of both, their rounds interleaved."""
    trees: list[tuple[str, Path | None]] = [("this", None)]
    if against is not None:
        trees.append(("other", against / "src"))
    servers: list[subprocess.Popen[bytes]] = []
    results: dict[str, list[Round]] = {label: [] for label, _ in trees}
    try:
        for offset, (label, src) in enumerate(trees):
            _prepare(f"{db_name}_{label}", src)
            servers.append(_serve(f"{db_name}_{label}", port + offset, src))
            _warm(port + offset, concurrency)
        for number in range(rounds):
            for offset, (label, _) in enumerate(trees):
                run_id = f"r{number}{label}"
                results[label].append(_load(port + offset, sessions, concurrency, run_id, think))
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        for label, _ in trees:
            psql(f"DROP DATABASE IF EXISTS {db_name}_{label}")
    figures = {label: _figures(r, sessions, concurrency, think) for label, r in results.items()}
    if against is None:
        return figures["this"]
    return {**figures, "ratio_other_over_this": _ratios(figures["other"], figures["this"])}


def _ratios(other: dict[str, Any], this: dict[str, Any]) -> dict[str, float]:
    keys = ("callback_p50_ms", "callback_p99_ms", "final_callback_p99_ms", "callbacks_per_s")
    return {key: round(other[key] / this[key], 2) for key in keys}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--db-name", default="tipline_bench_ussd")
    parser.add_argument(
        "--think-ms",
        type=int,
        default=0,
        help="pause before each answer (a person reads and types; 0 = back-to-back callbacks)",
    )
    parser.add_argument(
        "--against", type=Path, help="another tree of the code, measured side by side"
    )
    parser.add_argument("--rounds", type=int, default=1, help="loads per tree, interleaved")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    think = args.think_ms / 1000
    figures = run(
        args.sessions, args.concurrency, args.port, args.db_name, think, args.against, args.rounds
    )
    for key, value in figures.items():
        print(f"{key:>24}: {value}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
