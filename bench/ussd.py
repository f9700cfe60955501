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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _pg import bench_env, psql  # noqa: E402  # bench/ is on sys.path when run as a script

from tipline.config import gunicorn as web  # noqa: E402  # the production server settings

KEY = "bench-at-key"
ANSWERS = ["1", "1", "1", "3", "1", "1", "2", "Invented bench report text", "2", "1"]


def _env(db_name: str) -> dict[str, str]:
    return {
        **bench_env(db_name, "bench-ussd"),
        "TIPLINE_AFRICASTALKING_CALLBACK_TOKEN": KEY,
        "TIPLINE_USSD_SESSIONS_PER_HOUR": "1000000",
    }


def _prepare(db_name: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {db_name}")
    psql(f"CREATE DATABASE {db_name}")
    tipline, env = [str(ROOT / ".venv/bin/tipline")], _env(db_name)
    subprocess.run([*tipline, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*tipline, "createcachetable"], env=env, check=True)
    code = "from tipline.geo.services import geo_seed_defaults; geo_seed_defaults()"
    subprocess.run([*tipline, "shell", "-c", code], env=env, check=True)


def _serve(db_name: str, port: int) -> subprocess.Popen[bytes]:
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
    server = subprocess.Popen(cmd, env=_env(db_name), cwd=ROOT)
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


def run(sessions: int, concurrency: int, port: int, db_name: str, think: float) -> dict[str, float]:
    _prepare(db_name)
    server = _serve(db_name, port)
    try:
        warm = [Session(port, n, "warm") for n in range(concurrency)]
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(Session.walk, warm))
        timed = [Session(port, n, "timed", think) for n in range(sessions)]
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(Session.walk, timed))
        elapsed = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        psql(f"DROP DATABASE IF EXISTS {db_name}")
    every = [t for s in timed for t in s.times]
    final = [s.times[-1] for s in timed]
    return {
        "sessions": sessions,
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
        "target_p99_ms": 100,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
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
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    figures = run(args.sessions, args.concurrency, args.port, args.db_name, args.think_ms / 1000)
    for key, value in figures.items():
        print(f"{key:>24}: {value}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
