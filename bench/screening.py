"""Screening recruitment offers: precision and recall of "medium or above", and texts per second.

Reads the labelled set bench/data/screening_offers.jsonl (440 invented offers, half deceptive, in
English and Nigerian Pidgin; written by bench/screening_offers.py, never scraped) and screens
each with the screening engine, as the API and the pipeline do (identifier extraction included;
the licensed list is passed in as the services pass it, so no database is needed: the engine
never touches one). Beside it, a plain keyword-list baseline: an offer is flagged when it holds
two or more words of a list a careful person might write. Prints both side by side, the recall
by language, and the engine's texts per second on one core (CPU time of this process, single
thread); the last line is one JSON object.

    .venv/bin/python bench/screening.py [--passes 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tipline.config.settings")

DATA = ROOT / "bench" / "data" / "screening_offers.jsonl"
KEYWORDS = (
    "visa", "ticket", "abroad", "overseas", "whatsapp", "free", "sponsor", "passport", "libya",
    "italy", "dubai", "saudi", "urgent", "salary", "travel", "agent", "madam", "no experience",
)  # fmt: skip
_KEYWORD = re.compile("|".join(re.escape(k) for k in KEYWORDS), re.IGNORECASE)
FLAGGED = frozenset({"medium", "high"})


def baseline(text: str) -> bool:
    """The keyword-list baseline: two or more distinct keywords."""
    return len({m.group(0).lower() for m in _KEYWORD.finditer(text)}) >= 2


def scores(rows: list[dict[str, object]], flagged: list[bool]) -> dict[str, float]:
    """Precision, recall and F1 of `flagged` against the labels."""
    tp = sum(1 for r, f in zip(rows, flagged, strict=True) if f and r["deceptive"])
    fp = sum(1 for r, f in zip(rows, flagged, strict=True) if f and not r["deceptive"])
    fn = sum(1 for r, f in zip(rows, flagged, strict=True) if not f and r["deceptive"])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def _recall_by_language(rows: list[dict[str, object]], flagged: list[bool]) -> dict[str, float]:
    out = {}
    for language in ("en", "pcm"):
        pairs = [(r, f) for r, f in zip(rows, flagged, strict=True) if r["language"] == language]
        positives = [f for r, f in pairs if r["deceptive"]]
        out[language] = round(sum(positives) / len(positives), 3) if positives else 0.0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5, help="timed passes over the set")
    args = parser.parse_args()
    from tipline.screening.engine import agency_key, screen_text

    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 400, "the labelled set must hold at least 400 offers"
    licensed = frozenset({agency_key("Bright Future Recruitment")})
    flagged = [screen_text(str(r["text"]), licensed=licensed).level in FLAGGED for r in rows]
    started = time.process_time()
    for _ in range(args.passes):
        for r in rows:
            screen_text(str(r["text"]), licensed=licensed)
    per_second = args.passes * len(rows) / (time.process_time() - started)
    naive = [baseline(str(r["text"])) for r in rows]
    engine, keyword = scores(rows, flagged), scores(rows, naive)
    print(f"{len(rows)} offers, {sum(1 for r in rows if r['deceptive'])} deceptive")
    print(f"{'':<22}{'precision':>10}{'recall':>8}{'F1':>7}")
    for name, s in (("screening (medium+)", engine), ("keyword list (2+)", keyword)):
        print(f"{name:<22}{s['precision']:>10}{s['recall']:>8}{s['f1']:>7}")
    by_language = _recall_by_language(rows, flagged)
    print(f"recall by language: {by_language}")
    print(f"screening: {per_second:.0f} texts/s on one core (CPU time)")
    result = {
        "offers": len(rows),
        "screening": engine,
        "keyword_baseline": keyword,
        "recall_by_language": by_language,
        "texts_per_second": round(per_second),
        "targets_met": engine["precision"] >= 0.9 and engine["recall"] >= 0.8 and per_second >= 500,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
