"""Runs bench/hashmatch.py at a small size and checks what it reports.

The bench itself compares our matcher with HMA's; here it only has to run end to end, print
one JSON object last, and show recall 1.0 with no hit at 32 bits for every matcher it ran.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[4] / "bench" / "hashmatch.py"
HMA_MISSING = (
    importlib.util.find_spec("threatexchange") is None or importlib.util.find_spec("faiss") is None
)


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    cmd = [sys.executable, str(BENCH), "--n", "20000", "--queries", "200"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_bench_reports_full_recall_and_no_hit_at_32_for_ours(figures: dict[str, Any]) -> None:
    ours = figures["ours"]
    assert ours["recall_le31"] == 1.0 and ours["recall_le31_mmap"] == 1.0
    assert ours["hits_at_32"] == 0
    assert ours["truth_agreement"] == 1.0
    assert ours["qps_single"] > 0 and ours["build_s"] > 0


@pytest.mark.skipif(HMA_MISSING, reason="threatexchange / faiss-cpu (bench deps) not installed")
def test_bench_reports_full_recall_for_hma_too(figures: dict[str, Any]) -> None:
    hma = figures["hma"]
    assert hma is not None, figures["hma_skipped_reason"]
    assert hma["recall_le31"] == 1.0 and hma["hits_at_32"] == 0
    assert figures["memory_ratio_ours_over_hma"] > 0
