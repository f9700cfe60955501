"""Bench: our PDQ matcher against the PDQ index of Meta's hasher-matcher-actioner (HMA).

    python bench/hashmatch.py [--n 100000] [--queries 1000] [--seed 7] [--skip-hma]

One run builds the same bank in both matchers and asks both the same queries:

* the bank: --n PDQ hashes, half uniformly random and half in near-duplicate families (a
  random centre and members 0-24 bits from it), as real hash lists cluster;
* `near`: --queries bank hashes with 1-31 bits flipped (a quarter exactly 31); each must find
  its source entry (recall);
* `far`: the same bank hashes with exactly 32 bits flipped; the source must not be found;
* `random`: --queries random hashes, which should find nothing.

Each matcher runs in a fresh subprocess pinned to one CPU, with OMP/BLAS threads set to 1 (and
faiss.omp_set_num_threads(1) for HMA). Memory is the growth of that process's RSS across the
build (VmRSS after minus before, inputs already loaded), plus the peak growth (VmHWM); HMA keeps
the hex strings it is given, which are counted in its baseline, not its growth, so its figure
is if anything flattering. Queries/s is one query per call (our `query`, HMA's
`PDQIndex.query`) over all query kinds; batched figures are reported beside it. For a sample of
queries the results are compared with a brute-force scan (exact agreement of the id sets).

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

THRESHOLD = 31
TRUTH_SAMPLE = 50  # queries per kind checked against brute force
KINDS = ("near", "far", "random")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
QueryFn = Callable[[str], set[int]]


# --- data -------------------------------------------------------------------------------------


def flip_bits(rows: U8, counts: I64, rng: np.random.Generator) -> U8:
    """Copy of rows with exactly counts[i] distinct random bits flipped in row i."""
    order = np.argsort(rng.random((rows.shape[0], 256)), axis=1)
    mask = np.zeros((rows.shape[0], 256), dtype=bool)
    for i, count in enumerate(counts.tolist()):
        mask[i, order[i, :count]] = True
    return rows ^ np.packbits(mask, axis=1)


def make_bank(n: int, rng: np.random.Generator) -> U8:
    """n hashes: the first half random, the second half in near-duplicate families."""
    clustered = n // 2
    bank = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    start = n - clustered
    while start < n:
        family = min(int(rng.geometric(1 / 8)), n - start)
        members = slice(start, start + family)
        flips = rng.random((family, 256)) < rng.uniform(0, 24 / 256, (family, 1))
        bank[members] = bank[start] ^ np.packbits(flips, axis=1)
        start += family
    return bank


def make_queries(bank: U8, count: int, rng: np.random.Generator) -> dict[str, Any]:
    """Near (1-31 bits), far (32 bits, same sources) and random queries."""
    sources = rng.choice(bank.shape[0], count, replace=False)
    bits = rng.integers(1, THRESHOLD + 1, count)
    bits[: count // 4] = THRESHOLD
    return {
        "near": flip_bits(bank[sources], bits, rng),
        "far": flip_bits(bank[sources], np.full(count, THRESHOLD + 1), rng),
        "random": rng.integers(0, 256, (count, 32), dtype=np.uint8),
        "sources": sources.astype(np.int64),
        "near_bits": bits.astype(np.int64),
    }


def brute_force(bank: U8, queries: U8) -> list[list[int]]:
    """Ids (row numbers) within THRESHOLD of each query, by a full scan."""
    words = bank.view(np.uint64)
    out = []
    for query in queries.view(np.uint64):
        dist = np.bitwise_count(words ^ query).sum(axis=1)
        out.append(sorted(np.flatnonzero(dist <= THRESHOLD).tolist()))
    return out


# --- measurement helpers ----------------------------------------------------------------------


def proc_status_mb(field: str) -> float:
    """A memory field of /proc/self/status (VmRSS, VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def score(results: dict[str, list[set[int]]], sources: I64) -> dict[str, Any]:
    """Recall of near queries, source hits of far ones, hits of random ones."""
    near = [int(s) in r for s, r in zip(sources.tolist(), results["near"], strict=True)]
    far = [int(s) in r for s, r in zip(sources.tolist(), results["far"], strict=True)]
    return {
        "recall_le31": sum(near) / len(near),
        "hits_at_32": sum(far),
        "random_queries_with_hits": sum(1 for r in results["random"] if r),
    }


def agreement(results: dict[str, list[set[int]]], truth: dict[str, list[list[int]]]) -> float:
    """Share of sampled queries whose result set equals the brute-force set."""
    pairs = [(set(t), results[k][i]) for k in KINDS for i, t in enumerate(truth[k])]
    return sum(a == b for a, b in pairs) / len(pairs)


def run_single(query: QueryFn, data: dict[str, Any]) -> tuple[dict[str, list[set[int]]], float]:
    """Every query one call at a time; returns results and single-query throughput."""
    hexes = {k: [h.tobytes().hex() for h in data[k]] for k in KINDS}
    results: dict[str, list[set[int]]] = {}
    elapsed = 0.0
    for kind in KINDS:
        start = time.perf_counter()
        results[kind] = [query(h) for h in hexes[kind]]
        elapsed += time.perf_counter() - start
    return results, sum(len(hexes[k]) for k in KINDS) / elapsed


# --- workers (each in its own process) --------------------------------------------------------


def worker_ours(data: dict[str, Any], bank: U8, workdir: Path) -> dict[str, Any]:
    from tipline.media.matcher import PDQIndex

    ids = np.arange(bank.shape[0], dtype=np.int64)
    gc.collect()
    rss0 = proc_status_mb("VmRSS")
    index, build_s = timed(lambda: PDQIndex.build(bank, ids))
    out = {"build_s": build_s, "added_rss_mb": proc_status_mb("VmRSS") - rss0}
    out["peak_added_rss_mb"] = proc_status_mb("VmHWM") - rss0

    def query(h: str) -> set[int]:
        return {i for i, _ in index.query(h)}

    results, out["qps_single"] = run_single(query, data)
    everything = np.concatenate([data[k] for k in KINDS])
    _, batch_s = timed(lambda: index.query_many(everything))
    out["qps_batched"] = everything.shape[0] / batch_s
    out.update(score(results, data["sources"]))
    out["truth_agreement"] = agreement(results, data["truth"])
    out.update(mmap_figures(index, data, workdir / "ours-index"))
    return out


def mmap_figures(index: Any, data: dict[str, Any], directory: Path) -> dict[str, Any]:
    """Save, re-open memory-mapped, and query again: what a worker process does at start."""
    from tipline.media.matcher import PDQIndex

    _, save_s = timed(lambda: index.save(directory))
    loaded, load_s = timed(lambda: PDQIndex.load(directory))
    disk = sum(f.stat().st_size for f in directory.rglob("*.npy"))

    def query(h: str) -> set[int]:
        return {i for i, _ in loaded.query(h)}

    results, qps = run_single(query, data)
    return {
        "save_s": save_s,
        "mmap_load_s": load_s,
        "disk_mb": disk / 2**20,
        "qps_single_mmap": qps,
        "recall_le31_mmap": score(results, data["sources"])["recall_le31"],
    }


def worker_hma(data: dict[str, Any], bank: U8) -> dict[str, Any]:
    import faiss
    from threatexchange.signal_type.pdq.pdq_index import PDQIndex as HMAIndex

    faiss.omp_set_num_threads(1)
    entries = [(h.tobytes().hex(), i) for i, h in enumerate(bank)]
    gc.collect()
    rss0 = proc_status_mb("VmRSS")
    index, build_s = timed(lambda: HMAIndex(entries))
    out = {"build_s": build_s, "added_rss_mb": proc_status_mb("VmRSS") - rss0}
    out["peak_added_rss_mb"] = proc_status_mb("VmHWM") - rss0

    def query(h: str) -> set[int]:
        return {int(m.metadata) for m in index.query(h)}

    results, out["qps_single"] = run_single(query, data)
    everything = [h.tobytes().hex() for k in KINDS for h in data[k]]
    _, batch_s = timed(lambda: index.index.search_with_distance_in_result(everything, THRESHOLD))
    out["qps_batched"] = len(everything) / batch_s
    out.update(score(results, data["sources"]))
    out["truth_agreement"] = agreement(results, data["truth"])
    return out


def worker_main(which: str, workdir: Path) -> None:
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    bank = np.load(workdir / "bank.npy")
    data = dict(np.load(workdir / "queries.npz"))
    data["truth"] = json.loads((workdir / "truth.json").read_text())
    out = worker_ours(data, bank, workdir) if which == "ours" else worker_hma(data, bank)
    print(json.dumps(out))


# --- driver -----------------------------------------------------------------------------------


def hma_available() -> str | None:
    """None if HMA's index can be imported here, else the reason it cannot."""
    try:
        import faiss  # noqa: F401
        from threatexchange.signal_type.pdq.pdq_index import PDQIndex  # noqa: F401
    except ImportError as exc:
        return f"threatexchange/faiss-cpu not importable: {exc}"
    return None


def spawn(which: str, workdir: Path) -> dict[str, Any]:
    env = {**os.environ, **dict.fromkeys(THREAD_VARS, "1")}
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        which,
        "--workdir",
        str(workdir),
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        raise RuntimeError(f"{which} worker failed:\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def prepare(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    rng = np.random.default_rng(args.seed)
    (bank, gen_s) = timed(lambda: make_bank(args.n, rng))
    queries = make_queries(bank, args.queries, rng)
    sample = min(TRUTH_SAMPLE, args.queries)
    truth, truth_s = timed(lambda: {k: brute_force(bank, queries[k][:sample]) for k in KINDS})
    np.save(workdir / "bank.npy", bank)
    np.savez(workdir / "queries.npz", **queries)
    (workdir / "truth.json").write_text(json.dumps(truth))
    return {"generate_s": gen_s, "brute_force_s": truth_s, "truth_sample_per_kind": sample}


def ratios(ours: dict[str, Any], hma: dict[str, Any]) -> dict[str, float]:
    return {
        "qps_ratio_ours_over_hma": ours["qps_single"] / hma["qps_single"],
        "qps_batched_ratio_ours_over_hma": ours["qps_batched"] / hma["qps_batched"],
        "memory_ratio_ours_over_hma": ours["added_rss_mb"] / hma["added_rss_mb"],
        "build_ratio_ours_over_hma": ours["build_s"] / hma["build_s"],
    }


def report(summary: dict[str, Any]) -> None:
    rows = [("ours", summary["ours"]), ("hma", summary.get("hma"))]
    keys = ["build_s", "added_rss_mb", "peak_added_rss_mb", "qps_single", "qps_batched"]
    keys += ["recall_le31", "hits_at_32", "random_queries_with_hits", "truth_agreement"]
    print(f"n={summary['n']} queries={summary['queries']} per kind, threshold={THRESHOLD}")
    for name, figures in rows:
        if figures:
            print(f"  {name:5s} " + "  ".join(f"{k}={_fmt(figures[k])}" for k in keys))
    for key, value in summary.items():
        if key.endswith("_over_hma") or key.startswith("ours_mmap"):
            print(f"  {key} = {_fmt(value)}")


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="hashes in the bank")
    parser.add_argument("--queries", type=int, default=1000, help="queries of each kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-hma", action="store_true", help="bench our matcher only")
    parser.add_argument("--worker", choices=["ours", "hma"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main(args.worker, args.workdir)
        return 0
    with tempfile.TemporaryDirectory(prefix="hashmatch-") as tmp:
        workdir = Path(tmp)
        summary: dict[str, Any] = {"n": args.n, "queries": args.queries, "threshold": THRESHOLD}
        summary.update(prepare(args, workdir))
        summary["ours"] = spawn("ours", workdir)
        reason = "skipped with --skip-hma" if args.skip_hma else hma_available()
        summary["hma"] = None if reason else spawn("hma", workdir)
        summary["hma_skipped_reason"] = reason
        if summary["hma"]:
            summary.update(ratios(summary["ours"], summary["hma"]))
    report(summary)
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
