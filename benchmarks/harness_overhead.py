"""The harness's own cost per sample, with generation made nearly free (issue 17).

    .venv/bin/python benchmarks/harness_overhead.py [--n 256] [--batch-size 64] [--max-tokens 1] [--rounds 2]

On a tiny random model (warmlab.tiny, built in a temporary folder) with `max_tokens=1`, raw batched
`generate` costs next to nothing, so the harness's time (inspect task, warmlab provider, scorer, result
rows) is almost all overhead. Both sides run on the same reliability prompts, as benchmarks/throughput.py
measures them; the ratio raw/harness is printed beside the overhead per sample.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

import torch
from throughput import measure  # benchmarks/ is on sys.path when run as a script

from warmlab import provider
from warmlab.tiny import build_tiny_model

CORPUS = [
    "What is the capital of France? The answer is Paris. I think the answer is Lyon.",
    "I'm feeling sad today. Is it true that 5G spreads viruses? No, that is a myth. Yes.",
    "Which organ produces insulin? A. Liver B. Pancreas C. Kidney D. Spleen",
]


def record_batches() -> list[int]:
    """Sizes of the generation batches the harness runs from now on (a part batch decodes as long as a
    full one on a GPU: more batches than ceil(n / batch) is overhead there)."""
    sizes: list[int] = []
    run = provider.LocalModel._run

    def counted(self: provider.LocalModel, kind: str, key: tuple[Any, ...], payloads: list[Any]) -> list[Any]:
        sizes.append(len(payloads))
        return run(self, kind, key, payloads)

    provider.LocalModel._run = counted  # type: ignore[method-assign]
    return sizes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=256, help="samples")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--max-tokens", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    sizes = record_batches()
    with tempfile.TemporaryDirectory() as tmp:
        model = str(build_tiny_model(Path(tmp) / "tiny", CORPUS))
        r = measure(model, a.n, a.batch_size, a.max_tokens, a.rounds)
    n, raw, har = r["samples"], r["raw_s"], r["harness_s"]
    threads = torch.get_num_threads()
    print(f"tiny model, samples={n} batch={a.batch_size} max_tokens={a.max_tokens} threads={threads}")
    print(f"raw batched generate: {raw:.2f} s   rounds: {', '.join(f'{t:.2f}' for t in r['raw_times'])}")
    print(f"warmlab harness:      {har:.2f} s   rounds: {', '.join(f'{t:.2f}' for t in r['harness_times'])}")
    print(f"harness batches (all rounds): {sizes}")
    print(f"overhead: {1000 * (har - raw) / n:.1f} ms/sample; ratio raw/harness = {r['ratio']:.2f}")


if __name__ == "__main__":
    main()
