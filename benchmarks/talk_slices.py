"""What the grounding and therapist demo slices cost beside the warmth slice the demo already runs, measured
side by side in one process (the model and the encoder loaded once, as in a study unit).

    .venv/bin/python benchmarks/talk_slices.py [--model embedded] [--threads 1]

CPU seconds per slice and their ratio to warmth's (18 prompts, 40 tokens). One torch thread by default:
on a shared machine, CPU time with more threads counts threads spinning while they wait for each other.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from warmlab.results.runner import EvalSettings, run_eval

#: (task, limit, max_tokens): the demo's slices (src/warmlab/studies/embedded.toml)
SLICES = (("warmth", 18, 40), ("grounding", 6, 40), ("therapist", 6, 40))


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    import torch

    torch.set_num_threads(a.threads)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t, c = time.time(), cpu()
        run_eval(
            [a.model], ["generate"], out / "warmup", EvalSettings(task="grounding", limit=1, max_tokens=8)
        )
        print(f"load model and encoder: wall {time.time() - t:.0f} s, cpu {cpu() - c:.1f} s")
        costs = {}
        for task, limit, max_tokens in SLICES:
            t, c = time.time(), cpu()
            settings = EvalSettings(task=task, limit=limit, max_tokens=max_tokens, batch_size=64)
            run_eval([a.model], ["generate"], out / task, settings)
            costs[task] = cpu() - c
            print(
                f"{task} (limit {limit}, {max_tokens} tokens): wall {time.time() - t:.0f} s, "
                f"cpu {costs[task]:.1f} s, {costs[task] / costs['warmth']:.2f} x warmth's slice"
            )


if __name__ == "__main__":
    main()
