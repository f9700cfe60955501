"""The JSON API surviving the database going away during a load (PostgreSQL, the real server).

The production server (gunicorn with `tipline.config.gunicorn`) reaches PostgreSQL through a TCP
proxy on loopback (bench/_proxy.py). `--n` reports are sent at `--concurrency`, each with its own
Idempotency-Key and its key as `external_id`; an answer of 503, or a connection the server could
not answer on, is retried with the same key and body after the answer's Retry-After (capped by
`--max-wait`, so the run stays short). At `--outage-at` seconds the proxy is cut for
`--outage-seconds`: every server connection is dropped and new ones are refused (the shared
PostgreSQL server itself is never stopped).

It then checks that every key was answered 201 exactly once with one reference, that the
database holds exactly one report per key and nothing else, and that no request was answered
500. Creates and drops a database of its own; the last line printed is one JSON object.

    .venv/bin/python bench/api_outage.py --n 2000 --concurrency 8
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _pg import bench_env, psql  # noqa: E402  # bench/ is on sys.path when run as a script
from _proxy import Proxy  # noqa: E402


def _prepare(env: dict[str, str]) -> str:
    """Migrate the scratch database and create a platform client; returns its API key."""
    tipline = str(ROOT / ".venv/bin/tipline")
    subprocess.run([tipline, "migrate", "-v0"], env=env, check=True)  # noqa: S603  # fixed argv
    subprocess.run([tipline, "createcachetable"], env=env, check=True)  # noqa: S603
    code = (
        "from tipline.accounts.services import api_client_create;"
        "from tipline.geo.services import geo_seed_defaults; geo_seed_defaults();"
        "print(api_client_create(name='bench', kind='platform',"
        " scopes=['reports:submit']).api_key)"
    )
    made = subprocess.run(  # noqa: S603  # fixed argv
        [tipline, "shell", "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return made.stdout.strip().splitlines()[-1]


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
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
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:  # the outage's warnings, one per refused request
        server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603  # fixed argv
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request(
                "GET", "/api/v1/openapi.json"
            )
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("server did not start")


def _body(key: str) -> bytes:
    report = {
        "external_id": key,
        "incident": {
            "type": "online_enticement",
            "description": f"Invented bench report {key}: an invented adult messages a child.",
            "state_code": "LA",
        },
        "people": [{"role": "reported_person", "phones": [{"number": "0803 555 0101"}]}],
    }
    return json.dumps(report).encode()


@dataclass
class Tally:
    """What the clients saw, shared by their threads."""

    statuses: Counter[int] = field(default_factory=Counter)
    connection_errors: int = 0
    replayed: int = 0
    retry_after: set[str] = field(default_factory=set)
    references: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _send_once(port: int, api_key: str, key: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    try:
        conn.request("POST", "/api/v1/reports", _body(key), headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _submit(port: int, api_key: str, key: str, tally: Tally, max_wait: float) -> None:
    """Send one report until it is answered with anything but 503 or a dropped connection."""
    while True:
        try:
            status, headers, body = _send_once(port, api_key, key)
        except (OSError, http.client.HTTPException):
            with tally.lock:
                tally.connection_errors += 1
            time.sleep(max_wait)
            continue
        with tally.lock:
            tally.statuses[status] += 1
            if status == 503:
                tally.retry_after.add(headers.get("Retry-After", "missing"))
        if status != 503:
            break
        time.sleep(min(float(headers.get("Retry-After", max_wait)), max_wait))
    with tally.lock:
        if status == 201:
            tally.references[key] = json.loads(body)["reference"]
            tally.replayed += headers.get("Idempotent-Replayed") == "true"
        else:
            tally.problems.append(f"{key}: {status} {body[:200]!r}")


def _stored(db_name: str) -> tuple[int, int, int]:
    """(reports, distinct external ids, ids held by more than one report), read past the proxy."""
    sql = (
        "SELECT count(*), count(DISTINCT external_id), "
        "(SELECT count(*) FROM (SELECT external_id FROM reports_report GROUP BY external_id "
        "HAVING count(*) > 1) AS twice) FROM reports_report"
    )
    out = subprocess.run(  # noqa: S603  # fixed argv
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db_name, "-tAc", sql],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    reports, distinct, twice = (int(v) for v in out.split("|"))
    return reports, distinct, twice


def run(args: argparse.Namespace) -> dict[str, object]:
    env = bench_env(args.db_name, "bench-api-outage")
    env["TIPLINE_RATE_API_PER_MINUTE"] = "1000000"
    psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    psql(f"CREATE DATABASE {args.db_name}")
    proxy = Proxy()
    proxy.open()
    via_proxy = {
        **env,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{proxy.port}/{args.db_name}",
    }
    server = None
    try:
        api_key = _prepare(env)
        port = args.port
        log = ROOT / "var/bench-api-outage/server.log"
        server = _serve(via_proxy, port, log)
        tally = Tally()
        keys = [f"bench-outage-{i:05d}" for i in range(args.n)]
        started = time.monotonic()
        outage = threading.Timer(args.outage_at, proxy.cut)
        back = threading.Timer(args.outage_at + args.outage_seconds, proxy.open)
        outage.start()
        back.start()
        with ThreadPoolExecutor(args.concurrency) as pool:
            for key in keys:
                pool.submit(_submit, port, api_key, key, tally, args.max_wait)
        elapsed = time.monotonic() - started
        back.join()
        reports, distinct, twice = _stored(args.db_name)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        proxy.cut()
        psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    answered = len(tally.references)
    ok = (
        answered == args.n
        and len(set(tally.references.values())) == args.n
        and (reports, distinct, twice) == (args.n, args.n, 0)
        and tally.statuses[500] == 0
        and not tally.problems
    )
    for line in tally.problems[:10]:
        print("problem:", line)
    return {
        "reports_sent": args.n,
        "concurrency": args.concurrency,
        "outage_seconds": args.outage_seconds,
        "elapsed_s": round(elapsed, 1),
        "keys_answered_201": answered,
        "distinct_references": len(set(tally.references.values())),
        "reports_stored": reports,
        "external_ids_stored": distinct,
        "external_ids_stored_twice": twice,
        "answers_by_status": {str(k): v for k, v in sorted(tally.statuses.items())},
        "answers_500": tally.statuses[500],
        "retry_after_values": sorted(tally.retry_after),
        "connection_errors": tally.connection_errors,
        "answers_replayed": tally.replayed,
        "server_log": str(log.relative_to(ROOT)),
        "every_key_exactly_one_report": ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--outage-at", type=float, default=3.0)
    parser.add_argument("--outage-seconds", type=float, default=10.0)
    parser.add_argument("--max-wait", type=float, default=1.0, help="cap on Retry-After, seconds")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--db-name", default="tipline_bench_api_outage")
    args = parser.parse_args()
    figures = run(args)
    for name, value in figures.items():
        print(f"{name}: {value}")
    print(json.dumps(figures))
    return 0 if figures["every_key_exactly_one_report"] else 1


if __name__ == "__main__":
    sys.exit(main())
