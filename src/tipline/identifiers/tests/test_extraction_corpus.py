"""The labelled corpus: precision and recall over (kind, normalized) pairs, per snippet."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from tipline.identifiers.extraction import extract_text

CORPUS = Path(__file__).parent / "data" / "corpus.jsonl"
Pair = tuple[str, str]


def load() -> list[tuple[str, str, set[Pair]]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        expected = {(e["kind"], e["normalized"]) for e in row["expected"]}
        rows.append((row["text"], row["lang"], expected))
    return rows


def test_corpus_covers_five_languages_and_has_negatives() -> None:
    rows = load()
    assert len(rows) >= 300
    assert {lang for _, lang, _ in rows} == {"en", "ha", "yo", "ig", "pcm"}
    assert sum(1 for _, _, expected in rows if not expected) >= 50


def test_precision_and_recall_on_the_corpus() -> None:
    true_pos = false_pos = false_neg = 0
    misses = []
    for text, _, expected in load():
        got = {(i.kind, i.normalized) for i in extract_text(text)}
        true_pos += len(got & expected)
        false_pos += len(got - expected)
        false_neg += len(expected - got)
        if got != expected:
            misses.append(f"{text!r}: extra {got - expected}, missing {expected - got}")
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    counts = f"tp {true_pos}, fp {false_pos}, fn {false_neg}"
    print(f"\ncorpus: precision {precision:.4f} recall {recall:.4f} ({counts})")
    print("\n".join(misses))
    assert precision >= 0.98
    assert recall >= 0.95


def test_committed_corpus_is_what_its_generator_writes() -> None:
    """corpus.jsonl is generated: edit build_corpus.py and rerun it rather than the JSONL."""
    spec = importlib.util.spec_from_file_location(
        "build_corpus", CORPUS.with_name("build_corpus.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    assert module.build() == committed
