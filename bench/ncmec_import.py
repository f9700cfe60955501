"""NCMEC referral import on PostgreSQL: N invented packages with files, each one ZIP.

Each package is what the national desk receives: one `<ncmecReferral>` (Section A as the
reporting API's `<report>`, file details, NCMEC's geolocation and analyst sections) and
`--files` generated pictures. Each is built in memory just before it is imported through
`ncmec_import_source` (the service the command and the upload page call): the ZIP read without
trust, every file streamed encrypted and hashed, the report submitted in one transaction. The
database is one of its own, created, migrated and dropped here. `--workers` processes import
disjoint slices at once.

Prints packages per second, per-package p50/p99, the re-import of a sample (nothing stored
twice), and resident memory at 10 % and at the end of each worker (flat: the packages are not
kept); the last line is one JSON object of the figures.

    .venv/bin/python bench/ncmec_import.py --n 10000 --workers 2
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _pg import bench_env, psql, setup_django  # noqa: E402  # bench/ is on sys.path

FIRST_NUMBER = 500_000_000
PICTURES = 64  # a pool of generated pictures, so building packages costs little


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _package(number: int, files: int, pool: list[bytes]) -> Any:
    from tipline.intake.ncmec.samples import SampleFile, SampleReferral, zip_bytes
    from tipline.intake.ncmec.sources import ZipSource

    samples = [
        SampleFile(path=f"files/image{k}.png", content=pool[(number + k) % len(pool)])
        for k in range(files)
    ]
    referral = SampleReferral(number=str(number), files=samples)
    return ZipSource(io.BytesIO(zip_bytes([referral])), f"bench-{number}.zip")


def _work(job: tuple[dict[str, str], int, int, int, int]) -> dict[str, Any]:
    """Import packages [start, start + count) in this process, `batch` at a time as the command
    takes a folder's packages (their earlier imports looked up together; each still committed
    on its own); per-package timings (a batch's time shared out) and memory."""
    env, start, count, files, batch = job
    setup_django(env)
    from tipline.intake.ncmec.samples import sample_png
    from tipline.intake.ncmec.services import IMPORTED, ncmec_import_sources

    pool = [sample_png(seed) for seed in range(PICTURES)]
    seconds: list[float] = []
    memory = {"first_tenth": 0.0, "end": 0.0}
    for i in range(0, count, batch):
        sources = [_package(start + k, files, pool) for k in range(i, min(i + batch, count))]
        began = time.perf_counter()
        outcomes = ncmec_import_sources(sources=sources)
        seconds += [(time.perf_counter() - began) / len(sources)] * len(sources)
        assert [o.status for o in outcomes] == [IMPORTED] * len(sources), outcomes
        if i <= max(count // 10, 1) < i + batch:
            memory["first_tenth"] = _rss_mb()
    memory["end"] = _rss_mb()
    return {"seconds": seconds, "memory": memory}


def _reimport(env: dict[str, str], sample: int, files: int) -> dict[str, Any]:
    setup_django(env)
    from tipline.intake.ncmec.samples import sample_png
    from tipline.intake.ncmec.services import ALREADY, ncmec_import_source
    from tipline.reports.models import Report, ReportFile

    pool = [sample_png(seed) for seed in range(PICTURES)]
    before = (Report.objects.count(), ReportFile.objects.count())
    began = time.perf_counter()
    for number in range(FIRST_NUMBER, FIRST_NUMBER + sample):
        outcomes = ncmec_import_source(source=_package(number, files, pool))
        assert [o.status for o in outcomes] == [ALREADY], outcomes
    elapsed = time.perf_counter() - began
    assert (Report.objects.count(), ReportFile.objects.count()) == before
    return {"reimported": sample, "reimport_per_second": sample / elapsed, "reports": before[0]}


def _run(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    share = -(-args.n // args.workers)
    jobs = [
        (env, FIRST_NUMBER + w * share, min(share, args.n - w * share), args.files, args.batch)
        for w in range(args.workers)
    ]
    began = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        results = pool.map(_work, jobs)
    wall = time.perf_counter() - began
    seconds = sorted(s for r in results for s in r["seconds"])
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        again = pool.apply(_reimport, (env, min(200, args.n), args.files))
    return {
        "packages": args.n,
        "files_per_package": args.files,
        "workers": args.workers,
        "batch": args.batch,
        "packages_per_second": args.n / wall,
        "p50_ms": statistics.median(seconds) * 1000,
        "p99_ms": seconds[int(len(seconds) * 0.99) - 1] * 1000,
        "rss_mb_at_tenth": [r["memory"]["first_tenth"] for r in results],
        "rss_mb_at_end": [r["memory"]["end"] for r in results],
        **again,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="Packages to import.")
    parser.add_argument("--files", type=int, default=2, help="Generated pictures per package.")
    parser.add_argument("--workers", type=int, default=2, help="Importing processes.")
    parser.add_argument(
        "--batch", type=int, default=20, help="Packages per call, as a folder is imported."
    )
    parser.add_argument("--db-name", default="tipline_bench_ncmec")
    args = parser.parse_args(argv)
    psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    psql(f"CREATE DATABASE {args.db_name}")
    env = bench_env(args.db_name, "bench-ncmec")
    subprocess.run([str(ROOT / ".venv/bin/tipline"), "migrate", "-v0"], env=env, check=True)
    try:
        figures = _run(args, env)
    finally:
        psql(f"DROP DATABASE IF EXISTS {args.db_name}")
    print(
        f"{figures['packages']} packages of {figures['files_per_package']} files by"
        f" {figures['workers']} workers: {figures['packages_per_second']:.1f} packages/s"
        f" (target >= 50); per package p50 {figures['p50_ms']:.1f} ms, p99"
        f" {figures['p99_ms']:.1f} ms"
    )
    print(
        f"re-import of {figures['reimported']}: all already imported, nothing stored, at"
        f" {figures['reimport_per_second']:.0f}/s; resident memory per worker at 10 %"
        f" {figures['rss_mb_at_tenth']} MB, at the end {figures['rss_mb_at_end']} MB"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
