"""Scale-out: the pipeline with media on the filesystem and on S3 (SeaweedFS), side by side.

For each store (the filesystem, then SeaweedFS started here on loopback) and each number of
workers (1, 2 and 4 by default), `--reports` reports each with one generated picture are stored
(the pictures encrypted into that store) and `--workers` `tipline worker --batch` processes,
started as production starts them, drain the queue: hashing every picture (MD5/SHA-1/SHA-256 and
PDQ, read back and decrypted from the store), matching it against a published hash list of
`--hashes` entries (the index fetched from the same store), and every other step.

Prints reports per second and CPU per report for each run: the workers' own CPU, and the whole
platform's (workers + PostgreSQL + SeaweedFS). The machine is shared (2 cores, other engineers'
tests running at once), so the figures are noisy: compare the columns of one run, not runs on
different days. Creates and drops a database of its own. The last line is one JSON object.

    .venv/bin/python bench/scaleout.py --reports 200 --workers 1 2 4
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _cpu import PostgresCpuSampler, cpu_seconds, descendants  # noqa: E402  # bench/ on sys.path
from _pg import bench_env, psql, setup_django  # noqa: E402

DB = "bench_scaleout"
BIN = Path(sys.executable).parent


def _picture(seed: int) -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 255, size=(12, 12, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(blocks).resize((640, 480), Image.Resampling.NEAREST).save(buffer, "JPEG")
    return buffer.getvalue()


def _load(count: int, first: int) -> None:
    """Store `count` reports, each with one picture encrypted into the configured store."""
    from tipline.media.storage import EncryptedWriter
    from tipline.reports.choices import Channel, PersonRole
    from tipline.reports.drafts import FileDraft, IncidentDraft, PersonDraft, Phone, ReportDraft
    from tipline.reports.services import report_submit

    for number in range(first, first + count):
        writer = EncryptedWriter()
        writer.write(_picture(number))
        blob = writer.close()
        phone = f"0803{number % 10_000_000:07d}"
        draft = ReportDraft(
            channel=Channel.WEB,
            incident=IncidentDraft(
                type="online_enticement",
                description=f"An invented adult asks an invented child to call {phone}.",
                state_code="LA",
            ),
            people=[PersonDraft(role=PersonRole.VICTIM, phones=[Phone(number=phone)])],
            files=[
                FileDraft(
                    md5=blob.md5,
                    sha256=blob.sha256,
                    size=blob.size,
                    content_type="image/jpeg",
                    storage_key=blob.key,
                )
            ],
        )
        report_submit(draft=draft)


def _hash_list(size: int) -> None:
    import numpy as np

    from tipline.media.models import HashList, HashListEntry, HashListVersion

    rng = np.random.default_rng(7)
    hash_list = HashList.objects.create(name="Invented bench list", source="bench")
    rows = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    HashListEntry.objects.bulk_create(
        [HashListEntry(hash_list=hash_list, pdq=bytes(r).hex()) for r in rows], batch_size=5000
    )
    HashListVersion.bump()


def _waiting() -> int:
    from tipline.reports.models import Report

    return Report.objects.filter(status__in=["received", "processing"]).count()


def _drain(env: dict[str, str], workers: int, count: int, weed: int | None) -> dict[str, Any]:
    """Start the workers; wall time and CPU until they have processed everything."""
    sampler = PostgresCpuSampler()
    weed_before = sum(cpu_seconds(p) for p in descendants(weed)) if weed else 0.0
    began = time.perf_counter()
    procs = [
        subprocess.Popen(
            [str(BIN / "tipline"), "worker", "--batch"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    cpu = {p.pid: 0.0 for p in procs}
    while any(p.poll() is None for p in procs):
        for p in procs:
            if p.poll() is None:
                cpu[p.pid] = max(cpu[p.pid], sum(cpu_seconds(d) for d in descendants(p.pid)))
        sampler.sample()
        time.sleep(0.2)
    seconds = time.perf_counter() - began
    assert _waiting() == 0, "reports left unprocessed"
    worker_cpu = sum(cpu.values())
    weed_cpu = (sum(cpu_seconds(p) for p in descendants(weed)) - weed_before) if weed else 0.0
    total = worker_cpu + sampler.total() + weed_cpu
    return {
        "reports_per_s": round(count / seconds, 2),
        "worker_cpu_ms_per_report": round(1000 * worker_cpu / count, 1),
        "platform_cpu_ms_per_report": round(1000 * total / count, 1),
        "seconds": round(seconds, 1),
        # The shared machine's 1-minute load at the end of the run: other engineers' work too.
        "load_1m": round(os.getloadavg()[0], 1),
    }


def _configure(kind: str, store_url: str, endpoint: str, var: Path) -> dict[str, str]:
    """Point this process and the workers' environment at one store."""
    from django.conf import settings

    from tipline.media.tests.seaweed import ACCESS_KEY, SECRET_KEY

    env = bench_env(DB, f"bench-scaleout-{kind}")
    env["TIPLINE_VAR_DIR"] = str(var)
    settings.VAR_DIR = var
    settings.MEDIA_STORE_DIR = var / "media"
    settings.MATCHER_DIR = var / "matcher"
    if kind == "s3":
        env.update(
            TIPLINE_MEDIA_STORE=store_url,
            TIPLINE_S3_ENDPOINT=endpoint,
            TIPLINE_S3_ACCESS_KEY=ACCESS_KEY,
            TIPLINE_S3_SECRET_KEY=SECRET_KEY,
        )
        settings.MEDIA_STORE, settings.S3_ENDPOINT = store_url, endpoint
        settings.S3_ACCESS_KEY, settings.S3_SECRET_KEY = ACCESS_KEY, SECRET_KEY
    else:
        settings.MEDIA_STORE = ""
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200, help="reports per run")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--hashes", type=int, default=100_000, help="hash-list entries")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="tipline-scaleout-"))
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    base = bench_env(DB, "bench-scaleout")
    base["TIPLINE_VAR_DIR"] = str(scratch / "setup")
    subprocess.run([str(BIN / "tipline"), "migrate", "-v0"], env=base, check=True)
    setup_django(base)
    from tipline.geo.services import geo_seed_defaults
    from tipline.media.published import matcher_publish
    from tipline.media.tests.seaweed import BUCKET, SeaweedServer

    geo_seed_defaults()
    _hash_list(args.hashes)
    server = SeaweedServer(scratch / "seaweed").start()
    server.make_bucket(BUCKET)
    print("machine: 2 cores shared with other engineers' test runs: the figures are noisy")
    print(f"{args.reports} reports a run, one picture each; hash list of {args.hashes} PDQ")
    results: dict[str, dict[str, Any]] = {}
    loaded = 0
    try:
        for kind in ("filesystem", "s3"):
            for workers in args.workers:
                var = scratch / f"{kind}-{workers}"
                store = f"s3://{BUCKET}/bench-{workers}"
                env = _configure(kind, store, server.endpoint, var)
                matcher_publish()  # the index, published to this run's store
                _load(args.reports, loaded)
                loaded += args.reports
                weed = server.process.pid if (kind == "s3" and server.process) else None
                figures = _drain(env, workers, args.reports, weed)
                results[f"{kind}_{workers}"] = figures
                print(
                    f"{kind:10} workers={workers}  {figures['reports_per_s']:7.2f} reports/s  "
                    f"worker CPU {figures['worker_cpu_ms_per_report']:6.1f} ms/report  "
                    f"platform CPU {figures['platform_cpu_ms_per_report']:6.1f} ms/report  "
                    f"load {figures['load_1m']:.1f}"
                )
    finally:
        server.stop()
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        shutil.rmtree(scratch, ignore_errors=True)
    summary = {"reports_per_run": args.reports, "hashes": args.hashes, "cores": os.cpu_count()}
    print(json.dumps({"bench": "scaleout", **summary, "runs": results}))


if __name__ == "__main__":
    main()
