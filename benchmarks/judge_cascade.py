"""Judge calls per 1,000 rows: the cascade (undecided rows + an agreement sample per model x mode) against
judging every row, counted through the cascade itself (warmlab.tasks.reliability.cascade.run_cascade).

    .venv/bin/python benchmarks/judge_cascade.py [--shapes 1x1,1x4,4x1] [--sample 50] [--encoder]
    .venv/bin/python benchmarks/judge_cascade.py --rows runs/x/results.jsonl   # a real run's rows

Default rows: the hand-labelled long answers (tests/data/long_answers, 240 rows), scored offline, laid out
as GxC: G model x mode groups (a study compares a base with a few variants: each group draws its own
agreement sample) of C copies of the set each (a group of 240 x C rows: the sample's fixed cost of 50
calls per group weighs less in larger runs). The judge is a stand-in that counts its calls and answers
with the hand label, so the agreement the cascade would report from its sample can be set beside the
agreement on every decided row.
With --rows, the generate-mode reliability rows of a run are used as they are (the stand-in judge only
counts; items are rebuilt from the starter bank).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from offline_scoring import labelled  # the same hand-labelled rows (run as a script: a sibling)

from warmlab.items import load_starter
from warmlab.scoring import DECIDED, default_similarity, score_item
from warmlab.scoring.cascade import CascadeSettings
from warmlab.tasks.reliability.cascade import Judge, run_cascade

RESPONSE = re.compile(r"<<<RESPONSE\n(.*)\nRESPONSE>>>", re.S)
REPLY = {"correct": "VERDICT: CORRECT", "incorrect": "VERDICT: INCORRECT"}


class Reply:
    def __init__(self, text: str) -> None:
        self.completion = text


class StandIn:
    """Counts judge calls; answers with the hand label of the response (NO ANSWER for undecided and
    refusals outside disinfo), or CORRECT when there is none."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels, self.calls = labels, 0

    async def generate(self, prompt: str, config: Any = None) -> Reply:
        self.calls += 1
        m = RESPONSE.search(prompt)
        label = self.labels.get(m.group(1).strip() if m else "", "correct")
        return Reply(REPLY.get(label, "VERDICT: NO ANSWER"))


def long_answer_rows(
    groups: int, copies: int, encoder: bool
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, str]]:
    sim = default_similarity() if encoder else None
    data = labelled()
    rows, samples, labels = [], {}, {}
    scored = [(it, text, label, score_item(it, text, similarity=sim)) for it, text, label in data]
    for g in range(groups):
        for n, (it, text, label, s) in enumerate(scored * copies):
            sid = f"{it.id}|{n}"
            samples[sid] = {"item": it.to_json()}
            labels[text.strip()] = "correct" if label == "refusal" and it.family == "disinfo" else label
            rows.append(
                {
                    "model": f"model-{g}",
                    "variant": "base" if g == 0 else f"v{g}",
                    "mode": "generate",
                    "sample_id": sid,
                    "outcomes": {"verdict": s.verdict},
                    "condition": {"family": it.family},
                    "scorer": s.scorer,
                    "output": text,
                }
            )
    return rows, samples, labels


def run_rows(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from warmlab.results import latest_rows, read_results

    bank = {it.id: it for it in load_starter()}
    rows = [
        r
        for r in latest_rows(read_results(path))
        if r.get("task") == "reliability" and r.get("mode") == "generate" and r.get("item_id") in bank
    ]
    samples = {str(r["sample_id"]): {"item": bank[str(r["item_id"])].to_json()} for r in rows}
    return rows, samples


def count(
    rows: Sequence[dict[str, Any]], samples: dict[str, Any], labels: dict[str, str], s: CascadeSettings
) -> tuple[int, list[dict[str, Any]]]:
    judge = StandIn(labels)
    judged: list[dict[str, Any]] = []
    asyncio.run(run_cascade(rows, samples, Judge("stand-in", judge), s, judged.extend))
    return judge.calls, judged


def agreement(pairs: Sequence[tuple[str, str]]) -> str:
    pairs = [(a, b) for a, b in pairs if a in ("correct", "incorrect") and b in ("correct", "incorrect")]
    if not pairs:
        return "-"
    return f"{100 * sum(a == b for a, b in pairs) / len(pairs):.1f}% (n={len(pairs)})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=Path, default=None, help="a run's results.jsonl (default: long answers)")
    ap.add_argument("--shapes", default="1x1,1x4,4x1", help="GxC: groups x copies of the long answers")
    ap.add_argument("--sample", type=int, default=50)
    ap.add_argument("--encoder", action="store_true", help="offline scorer with the encoder step")
    a = ap.parse_args()
    settings = CascadeSettings(sample=a.sample)
    runs: list[tuple[str, list[dict[str, Any]], dict[str, Any], dict[str, str]]] = []
    if a.rows:
        rows, samples = run_rows(a.rows)
        groups = len({(r["model"], r["variant"], r["mode"]) for r in rows})
        runs.append((f"{a.rows} ({groups} groups)", rows, samples, {}))
    else:
        for shape in a.shapes.split(","):
            g, c = (int(x) for x in shape.split("x"))
            rows, samples, labels = long_answer_rows(g, c, a.encoder)
            runs.append((f"long answers, {g} group(s) of {240 * c} rows", rows, samples, labels))
    print(
        f"agreement sample: {a.sample} decided rows per group; offline scorer: "
        f"{'rules + encoder' if a.encoder else 'rules'}"
    )
    for name, rows, samples, labels in runs:
        t0 = time.perf_counter()
        cascade, judged = count(rows, samples, labels, settings)
        every, _ = count(rows, samples, labels, CascadeSettings(judge_all=True, sample=0))
        dt = time.perf_counter() - t0
        n = len(rows)
        undecided = sum(r["outcomes"]["verdict"] == "undecided" for r in rows)
        decided = sum(r["outcomes"]["verdict"] in DECIDED for r in rows)
        print(f"{name}: {n} rows, {decided} decided, {undecided} undecided ({dt:.1f} s)")
        print(f"  judge calls, cascade:   {cascade} = {1000 * cascade / n:.0f} per 1,000 rows")
        print(
            f"  judge calls, every row: {every} = {1000 * every / n:.0f} per 1,000 rows (refusals and "
            "empty answers are never sent)"
        )
        print(f"  the cascade makes {100 * cascade / every:.0f}% of the calls ({every / cascade:.1f}x fewer)")
        if labels:
            sample = [
                (r["by_scorer"]["offline"]["verdict"], r["judge"]["verdict"])
                for r in judged
                if r["judge"]["role"] == "agreement"
            ]
            every_decided = [(r["outcomes"]["verdict"], labels[r["output"].strip()]) for r in rows]
            settled = [r for r in judged if r["judge"]["role"] == "undecided"]
            decided_by_judge = sum(r["judge"]["verdict"] in ("correct", "incorrect") for r in settled)
            print(
                "  offline vs hand label (rows both call correct or incorrect): the agreement sample "
                f"{agreement(sample)}; every row {agreement(every_decided)}"
            )
            print(
                f"  a judge that matched the hand labels settles {decided_by_judge} of {len(settled)} "
                "undecided rows (the others are labelled undecided or refusal by hand too)"
            )


if __name__ == "__main__":
    main()
