"""Cost per item of `choice` (log-likelihood) vs `generate` (open answer) through the harness (goal >= 20x).

    .venv/bin/python benchmarks/choice_vs_generate.py [--model embedded] [--limit 4] [--max-tokens 128]

Both modes run the same samples (all 18 conditions, `limit` items per family) with the same batch size;
the model is loaded before the clocks start. Cost = wall seconds per sample.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from warmlab.models import parse_spec
from warmlab.provider import load_local
from warmlab.results.runner import EvalSettings, run_eval


def per_sample(model_spec: str, mode: str, settings: EvalSettings) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        path = run_eval([model_spec], [mode], Path(out), settings)
        dt = time.perf_counter() - t0
        n = sum(1 for line in path.read_text().splitlines() if line.strip())
    return dt / n, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--limit", type=int, default=4, help="items per family")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--max-tokens", type=int, default=128)
    a = ap.parse_args()
    spec = parse_spec(a.model)
    load_local(spec.base or "", spec.adapter)
    settings = EvalSettings(limit=a.limit, batch_size=a.batch_size, max_tokens=a.max_tokens)
    choice, n = per_sample(a.model, "choice", settings)
    gen, _ = per_sample(a.model, "generate", settings)
    print(f"samples per mode={n} batch={a.batch_size} generate max_tokens={a.max_tokens} model={a.model}")
    print(f"choice:   {1000 * choice:.1f} ms/sample")
    print(f"generate: {1000 * gen:.1f} ms/sample")
    print(f"choice is {gen / choice:.1f}x cheaper per item  (goal >= 20x)")


if __name__ == "__main__":
    main()
