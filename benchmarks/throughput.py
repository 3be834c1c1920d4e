"""Harness throughput vs raw batched `generate` on the same prompts and batch size (goal: ratio >= 0.9).

    .venv/bin/python benchmarks/throughput.py [--model embedded] [--n 128] [--batch-size 64] [--max-tokens 48]

Raw: plain transformers, the framed prompts chunked into batches, left padding, greedy decoding.
Harness: `warmlab eval`'s path (inspect task, warmlab provider, scorer, result rows) on the same samples.
The model is loaded before either clock starts; each side runs twice, alternating, and its best time is kept.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch

from warmlab.models import parse_spec
from warmlab.provider import load_local
from warmlab.results.runner import EvalSettings, run_eval, task_args
from warmlab.tasks.reliability import reliability


def raw_generate(model_spec: str, prompts: list[str], batch_size: int, max_tokens: int) -> float:
    s = parse_spec(model_spec)
    loaded = load_local(s.base or "", s.adapter)
    tok, model = loaded.tokenizer, loaded.model
    t0 = time.perf_counter()
    for i in range(0, len(prompts), batch_size):
        chats = [
            tok.apply_chat_template(
                [{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True
            )
            for p in prompts[i : i + batch_size]
        ]
        enc = tok(chats, return_tensors="pt", padding=True, add_special_tokens=False).to(loaded.device)
        with torch.inference_mode():
            model.generate(
                **enc,
                max_new_tokens=max_tokens,
                do_sample=False,
                pad_token_id=tok.pad_token_id,
                temperature=None,
                top_p=None,
                top_k=None,
            )
    return time.perf_counter() - t0


def harness(model_spec: str, settings: EvalSettings) -> float:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        run_eval([model_spec], ["generate"], Path(out), settings)
        return time.perf_counter() - t0


def measure(model: str, n: int = 128, batch_size: int = 64, max_tokens: int = 48, rounds: int = 2) -> dict:
    """Raw and harness seconds for the same `n` reliability prompts (generate mode); best of `rounds`."""
    spec = parse_spec(model)
    settings = EvalSettings(max_tokens=max_tokens, batch_size=batch_size)
    samples = list(reliability(**task_args(settings, "generate", spec)).dataset)
    samples = [samples[i] for i in range(0, len(samples), max(1, len(samples) // n))][:n]
    settings = replace(settings, sample_ids=frozenset(str(s.id) for s in samples))
    prompts = [str(s.input) for s in samples]
    load_local(spec.base or "", spec.adapter)  # load once, outside both clocks
    raw_times, harness_times = [], []
    for _ in range(rounds):
        raw_times.append(raw_generate(model, prompts, batch_size, max_tokens))
        harness_times.append(harness(model, settings))
    raw, har = min(raw_times), min(harness_times)
    return {
        "samples": len(prompts),
        "batch_size": batch_size,
        "max_tokens": max_tokens,
        "raw_s": raw,
        "harness_s": har,
        "raw_times": raw_times,
        "harness_times": harness_times,
        "ratio": raw / har,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--n", type=int, default=128, help="samples")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--max-tokens", type=int, default=48)
    a = ap.parse_args()
    r = measure(a.model, a.n, a.batch_size, a.max_tokens)
    raw, har, n = r["raw_s"], r["harness_s"], r["samples"]
    print(
        f"samples={n} batch={a.batch_size} max_tokens={a.max_tokens} model={a.model} "
        f"threads={torch.get_num_threads()}"
    )
    print(f"raw batched generate: {raw:.1f} s ({n / raw:.2f} samples/s)")
    print(f"warmlab harness:      {har:.1f} s ({n / har:.2f} samples/s)")
    print(f"throughput ratio harness/raw = {r['ratio']:.2f}  (goal >= 0.9)")


if __name__ == "__main__":
    main()
