"""Choice mode's cost per item against its floor: one bare forward pass over the same prompts in the same
batches (goal <= 1.3x).

    .venv/bin/python benchmarks/choice_floor.py [--model embedded] [--limit 2] [--batch-size 64] [--repeat 3]

The prompts are reliability's choice-mode samples (`limit` items per family, the paper's 18 conditions).
Batches are formed as the provider forms them: the options of the samples in order, `batch-size` scoring
requests per batch, each batch run as the provider runs it (on a CPU: 16 contexts at a time, sorted by
length). Three clocks, the model loaded before any of them starts:
- floor: per batch and chunk, one forward pass over the padded contexts alone (no options scored, no KV
  cache kept, only the last position's logits);
- kernel: the provider's log-likelihood scoring of every option on the same batches (`loglik_chunked` /
  `loglik_batch`);
- harness: `warmlab eval --mode choice` end to end (inspect, solver, scorer, rows written).
floor and kernel alternate `repeat` times; the median of each is used.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from warmlab.conditions import CHOICE_PREFIX, choice_options
from warmlab.items.schema import Item
from warmlab.models import parse_spec
from warmlab.provider import CPU_LOGLIK_CONTEXTS, LocalModel, load_local, to_chat
from warmlab.results.runner import EvalSettings, build_task, even_batch, run_eval
from warmlab.tasks import get_battery


def batches(local: LocalModel, task: Any, batch_size: int) -> list[list[tuple[str, str]]]:
    """(context, " " + option) pairs of every sample, cut into batches of `batch_size` requests."""
    pairs: list[tuple[str, str]] = []
    from inspect_ai.model import ChatMessageUser

    for s in task.dataset:
        item = Item.from_json(s.metadata["item"])
        msgs = [ChatMessageUser(content=str(s.input))]
        context = local.chat_text(to_chat(msgs)) + CHOICE_PREFIX
        pairs += [(context, " " + o) for o in choice_options(item)]
    return [pairs[i : i + batch_size] for i in range(0, len(pairs), batch_size)]


def chunks(pairs: Sequence[tuple[str, str]], contexts: int) -> list[list[str]]:
    """The distinct contexts of a batch, sorted by length, `contexts` at a time (as `loglik_chunked`)."""
    order = sorted(dict.fromkeys(c for c, _ in pairs), key=len)
    return [order[i : i + contexts] for i in range(0, len(order), contexts)]


def floor(local: LocalModel, groups: Sequence[Sequence[tuple[str, str]]], contexts: int) -> float:
    import torch

    tok, model, dev = local.loaded.tokenizer, local.loaded.model, local.loaded.device
    t0 = time.perf_counter()
    with torch.inference_mode():
        for pairs in groups:
            for chunk in chunks(pairs, contexts):
                enc = tok(chunk, return_tensors="pt", padding=True, add_special_tokens=False).to(dev)
                model(**enc, use_cache=False, logits_to_keep=1)
    return time.perf_counter() - t0


def kernel(local: LocalModel, groups: Sequence[Sequence[tuple[str, str]]], contexts: int) -> float:
    t0 = time.perf_counter()
    for pairs in groups:
        if local.loaded.device == "cpu":
            local.loglik_chunked(list(pairs), contexts)
        else:
            local.loglik_batch(list(pairs))
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--limit", type=int, default=2, help="items per family")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-harness", action="store_true")
    a = ap.parse_args()
    spec = parse_spec(a.model)
    if spec.system:
        raise SystemExit("give a spec without @system= (the prompts here carry no system prompt)")
    local = LocalModel(load_local(spec.base or "", spec.adapter))
    settings = EvalSettings(limit=a.limit, batch_size=a.batch_size)
    task = build_task(get_battery("reliability"), settings, "choice", spec)
    n = len(task.dataset)
    groups = batches(local, task, even_batch(n, a.batch_size))  # the runner's batch size for n samples
    contexts = CPU_LOGLIK_CONTEXTS if local.loaded.device == "cpu" else 10**9
    kernel(local, groups[:1], contexts)  # warm-up
    fl, ke = [], []
    for _ in range(a.repeat):
        fl.append(floor(local, groups, contexts))
        ke.append(kernel(local, groups, contexts))
    f, k = statistics.median(fl), statistics.median(ke)
    print(
        f"model={a.model} device={local.loaded.device} items={n} batches={len(groups)} "
        f"(batch={len(groups[0])} requests) repeat={a.repeat}"
    )
    print(
        f"floor  (bare forward pass): {1000 * f / n:.1f} ms/item  runs: {', '.join(f'{x:.1f}s' for x in fl)}"
    )
    print(
        f"kernel (choice scoring):    {1000 * k / n:.1f} ms/item  runs: {', '.join(f'{x:.1f}s' for x in ke)}"
    )
    print(f"kernel / floor = {k / f:.2f}x  (goal <= 1.3x)")
    if not a.no_harness:
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            run_eval([a.model], ["choice"], Path(out), settings)
            h = time.perf_counter() - t0
        print(f"harness (warmlab eval --mode choice): {1000 * h / n:.1f} ms/item")
        print(f"harness / floor = {h / f:.2f}x  (goal <= 1.3x)")


if __name__ == "__main__":
    main()
