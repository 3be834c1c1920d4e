"""Which forced-choice normalisation to use: accuracy in the neutral condition, and how often the decision
flips between summed, per-token and per-character log-likelihoods (lm-evaluation-harness's acc / acc_norm).

    .venv/bin/python benchmarks/choice_norm.py [--model embedded] [--limit N]

Runs reliability choice mode on the starter bank (every item unless --limit, no context, no belief) once;
each row records the verdict under all three normalisations.

Measured (embedded model, all 735 starter items, 2 busy cores, 55 min; `benchmarks/choice_norm.py`):
accuracy sum 43.1% [40, 47], token 33.7% [30, 37], char 31.4% [28, 35]; by family (sum / token / char)
disinfo 12.3 / 12.3 / 0.0, medical 29.2 / 30.4 / 33.2, trivia 74.8 / 68.4 / 71.0, truthful 74.3 / 30.0 /
26.4; decisions flip sum vs token 22.7%, sum vs char 26.9%, token vs char 16.7%. Hence the default, per
token (see warmlab.solvers.choice.DEFAULT_NORM).
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from pathlib import Path

from warmlab.results import read_results
from warmlab.results.runner import EvalSettings, run_eval
from warmlab.stats.intervals import wilson

NORMS = ("sum", "token", "char")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--limit", type=int, default=None, help="items per family (default: all)")
    ap.add_argument("--batch-size", type=int, default=64)
    a = ap.parse_args()
    settings = EvalSettings(
        args={"contexts": "none", "beliefs": "none"}, limit=a.limit, batch_size=a.batch_size
    )
    with tempfile.TemporaryDirectory() as out:
        rows = read_results(run_eval([a.model], ["choice"], Path(out), settings))
    print(f"model={a.model} items={len(rows)} (neutral condition, starter bank)")
    fams = sorted({r["condition"]["family"] for r in rows})
    for norm in NORMS:
        cells = []
        for fam in [*fams, "all"]:
            sel = [r for r in rows if fam == "all" or r["condition"]["family"] == fam]
            k = sum(r["outcomes"][f"verdict_{norm}"] == "correct" for r in sel)
            lo, hi = wilson(k, len(sel))
            cells.append(f"{fam} {100 * k / len(sel):.1f}% [{100 * (lo or 0):.0f}, {100 * (hi or 0):.0f}]")
        print(f"accuracy by {norm:<5}: " + "; ".join(cells))
    for x, y in itertools.combinations(NORMS, 2):
        flips = sum(r["outcomes"][f"verdict_{x}"] != r["outcomes"][f"verdict_{y}"] for r in rows)
        print(f"decision flips {x} vs {y}: {flips} of {len(rows)} ({100 * flips / len(rows):.1f}%)")


if __name__ == "__main__":
    main()
