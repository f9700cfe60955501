"""Benchmark of /ispws: N full CyberTipline sequences at concurrency C against the real server.

Each sequence is what a platform's client does: status, submit, upload of a 100 KB file,
fileinfo, finish; each client reuses its connection while the server keeps it open (the
production settings close it after each response). The server is the production one
(gunicorn with `tipline.config.gunicorn`; `--workers` and `--threads` override its counts) on
PostgreSQL, in a database of its own that this script creates, migrates and drops. Prints per-call
p50/p99, full reports per second, and CPU per report by process; the last line is one JSON object
of the figures.

    .venv/bin/python bench/ispws.py --n 400 --concurrency 8
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from _cpu import PostgresCpuSampler, cpu_seconds, descendants, own_cpu  # noqa: E402
from _pg import psql  # noqa: E402  # bench/ is on sys.path when run as a script

from tipline.config import gunicorn as web  # noqa: E402  # the production server settings

FIXTURE = ROOT / "src/tipline/intake/tests/ispws/fixtures/report-maximal.xml"
CALLS = ("status", "submit", "upload", "fileinfo", "finish")
USER, PASSWORD = "bench-esp", "bench-esp-password-not-secret"
BOUNDARY = "benchboundary"


def _env(db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "TIPLINE_DEMO": "1",
        "TIPLINE_VAR_DIR": str(ROOT / "var/bench"),
        "DJANGO_SETTINGS_MODULE": "tipline.config.settings",
        "TIPLINE_RATE_API_PER_MINUTE": "1000000",
    }


def _prepare(db_url: str, db_name: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {db_name}")
    psql(f"CREATE DATABASE {db_name}")
    tipline = [str(ROOT / ".venv/bin/tipline")]
    env = _env(db_url)
    subprocess.run([*tipline, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*tipline, "createcachetable"], env=env, check=True)
    code = (
        "from tipline.accounts.services import api_client_create;"
        "from tipline.geo.services import geo_seed_defaults; geo_seed_defaults();"
        f"api_client_create(name='bench', kind='platform', scopes=['ispws'],"
        f" ispws_username='{USER}', ispws_password='{PASSWORD}')"
    )
    subprocess.run([*tipline, "shell", "-c", code], env=env, check=True)


def _serve(db_url: str, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
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
    # The production settings file, with the process and thread counts this run measures.
    cmd += ["--workers", str(workers)]
    cmd += ["--worker-class", "sync"] if threads == 0 else ["--threads", str(threads)]
    server = subprocess.Popen(cmd, env=_env(db_url), cwd=ROOT)
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/ispws/xsd")
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("server did not start")


class Client:
    """One keep-alive connection doing full sequences and timing every call."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        self.auth = {"Authorization": f"Basic {token}"}
        self.times: dict[str, list[float]] = {call: [] for call in CALLS}

    def _call(
        self, name: str, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> bytes:
        started = time.perf_counter()
        self.conn.request(method, path, body, {**self.auth, **headers})
        response = self.conn.getresponse()
        data = response.read()
        self.times[name].append(time.perf_counter() - started)
        if response.status != 200 or b"<responseCode>0</responseCode>" not in data:
            raise RuntimeError(f"{name} failed: {response.status} {data[:300]!r}")
        return data

    def sequence(self, report_xml: bytes, file_bytes: bytes) -> None:
        self._call("status", "GET", "/ispws/status", None, {})
        answer = self._call(
            "submit",
            "POST",
            "/ispws/submit",
            report_xml,
            {"Content-Type": "text/xml; charset=utf-8"},
        )
        report_id = re.search(rb"<reportId>(\d+)<", answer).group(1).decode()  # type: ignore[union-attr]  # checked by _call
        body = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="id"\r\n\r\n{report_id}'
            f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        body += file_bytes + f"\r\n--{BOUNDARY}--\r\n".encode()
        answer = self._call(
            "upload",
            "POST",
            "/ispws/upload",
            body,
            {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
        file_id = re.search(rb"<fileId>([0-9a-f]+)<", answer).group(1).decode()  # type: ignore[union-attr]  # checked by _call
        details = (
            f"<fileDetails><reportId>{report_id}</reportId><fileId>{file_id}</fileId>"
            "<fileViewedByEsp>true</fileViewedByEsp></fileDetails>"
        ).encode()
        self._call(
            "fileinfo", "POST", "/ispws/fileinfo", details, {"Content-Type": "application/xml"}
        )
        self._call(
            "finish",
            "POST",
            "/ispws/finish",
            f"id={report_id}".encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(
    n: int,
    concurrency: int,
    port: int,
    workers: int,
    threads: int,
    db_url: str,
    db_name: str,
) -> dict[str, float]:
    _prepare(db_url, db_name)
    server = _serve(db_url, port, workers, threads)
    report_xml, file_bytes = FIXTURE.read_bytes(), secrets.token_bytes(100 * 1024)
    clients = [Client(port) for _ in range(concurrency)]
    per_client = [n // concurrency + (i < n % concurrency) for i in range(concurrency)]
    try:
        # Warm-up, not counted: one sequence per client, all at once, so every server process has
        # loaded what it loads on first use (the schema, the code). That cold start is printed on
        # its own, as the slowest first call.
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(lambda client: client.sequence(report_xml, file_bytes), clients))
        first_calls = [client.times["status"][0] for client in clients]
        for client in clients:
            client.times = {call: [] for call in CALLS}
        server_pids = descendants(server.pid)
        server_cpu, db_cpu, client_cpu = _server_cpu(server_pids), PostgresCpuSampler(), own_cpu()
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(
                pool.map(
                    lambda pair: [pair[0].sequence(report_xml, file_bytes) for _ in range(pair[1])],
                    zip(clients, per_client, strict=True),
                )
            )
        elapsed = time.perf_counter() - started
        cpu = {
            "server": _server_cpu(server_pids) - server_cpu,
            "postgres": db_cpu.total(),
            "client": own_cpu() - client_cpu,
        }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        psql(f"DROP DATABASE IF EXISTS {db_name}")
    figures: dict[str, float] = {
        "n": n,
        "concurrency": concurrency,
        "gunicorn_workers": workers,
        "gunicorn_threads": threads,
        "seconds": round(elapsed, 2),
        "reports_per_s": round(n / elapsed, 1),
    }
    for call in CALLS:
        times = [t for c in clients for t in c.times[call]]
        figures[f"{call}_p50_ms"] = round(statistics.median(times) * 1000, 1)
        figures[f"{call}_p99_ms"] = round(_percentile(times, 0.99) * 1000, 1)
    figures["max_p99_ms"] = max(figures[f"{c}_p99_ms"] for c in CALLS)
    figures["cold_first_call_max_ms"] = round(max(first_calls) * 1000, 1)
    # CPU milliseconds per full report, by process: where the two cores went.
    for name, seconds in cpu.items():
        figures[f"cpu_ms_per_report_{name}"] = round(seconds * 1000 / n, 1)
    return figures


def _server_cpu(pids: list[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--workers", type=int, default=web.workers, help="gunicorn processes (production default)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=web.threads,
        help="threads per process (production default); 0 runs gunicorn's sync workers",
    )
    parser.add_argument("--db-name", default="tipline_bench")
    args = parser.parse_args(argv)
    db_url = f"postgres://postgres@127.0.0.1:5432/{args.db_name}"
    figures = run(
        args.n, args.concurrency, args.port, args.workers, args.threads, db_url, args.db_name
    )
    for key, value in figures.items():
        print(f"{key:>20}: {value}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
