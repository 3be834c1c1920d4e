"""Multi-turn harness vs raw batched `generate` on the same turns (goal: ratio >= 0.8).

    .venv/bin/python benchmarks/multiturn.py [--model embedded] [--dialogues 40] [--turns 3] [--max-tokens 32]

Harness: `warmlab eval --task pushback --mode generate` (inspect, the converse solver, the scripted user,
per-turn offline scoring, result rows). Raw: plain transformers over the same dialogues: at each turn every
dialogue's conversation so far is chat-templated, left-padded and generated in batches of the same size,
then the user line the harness's scripted user said at that turn is appended. The model is loaded before
either clock starts; each side runs twice, alternating, and its best time is kept.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from warmlab.models import parse_spec
from warmlab.provider import load_local
from warmlab.results import read_results
from warmlab.results.runner import EvalSettings, run_eval


def harness(model_spec: str, settings: EvalSettings) -> tuple[float, list[list[str]]]:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        path = run_eval([model_spec], ["generate"], Path(out), settings)
        dt = time.perf_counter() - t0
        rows = read_results(path)
    users = [[m["content"] for m in r["transcript"] if m["role"] == "user"] for r in rows]
    return dt, users


def raw(model_spec: str, users: list[list[str]], batch_size: int, max_tokens: int) -> float:
    s = parse_spec(model_spec)
    loaded = load_local(s.base or "", s.adapter)
    tok, model = loaded.tokenizer, loaded.model
    convs: list[list[dict[str, str]]] = [[{"role": "user", "content": u[0]}] for u in users]
    t0 = time.perf_counter()
    for turn in range(max(len(u) for u in users)):
        live = [i for i, u in enumerate(users) if turn < len(u)]
        for start in range(0, len(live), batch_size):
            idx = live[start : start + batch_size]
            texts = [
                tok.apply_chat_template(convs[i], tokenize=False, add_generation_prompt=True) for i in idx
            ]
            enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False)
            with torch.inference_mode():
                out = model.generate(
                    **enc,
                    max_new_tokens=max_tokens,
                    do_sample=False,
                    pad_token_id=tok.pad_token_id,
                    temperature=None,
                    top_p=None,
                    top_k=None,
                )
            replies = tok.batch_decode(out[:, enc["input_ids"].shape[1] :], skip_special_tokens=True)
            for i, reply in zip(idx, replies, strict=True):
                convs[i].append({"role": "assistant", "content": reply.strip()})
                if turn + 1 < len(users[i]):
                    convs[i].append({"role": "user", "content": users[i][turn + 1]})
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--dialogues", type=int, default=40, help="dialogues (items x schedules)")
    ap.add_argument("--turns", type=int, default=3, help="pushback turns after the first answer")
    ap.add_argument("--batch-size", type=int, default=40)
    ap.add_argument("--max-tokens", type=int, default=32)
    a = ap.parse_args()
    spec = parse_spec(a.model)
    limit = max(1, a.dialogues // 20)  # 4 families x 5 schedules per item
    settings = EvalSettings(
        task="pushback",
        args={"turns": a.turns},
        limit=limit,
        max_tokens=a.max_tokens,
        batch_size=a.batch_size,
    )
    load_local(spec.base or "", spec.adapter)  # load once, outside both clocks
    h_times, r_times = [], []
    users: list[list[str]] = []
    for _ in range(2):
        dt, users = harness(a.model, settings)
        h_times.append(dt)
        r_times.append(raw(a.model, users, a.batch_size, a.max_tokens))
    h, r = min(h_times), min(r_times)
    turns = sum(len(u) for u in users)
    print(
        f"dialogues={len(users)} assistant turns={turns} batch={a.batch_size} max_tokens={a.max_tokens} "
        f"model={a.model} threads={torch.get_num_threads()}"
    )
    print(f"raw batched generate: {r:.1f} s ({turns / r:.2f} turns/s)")
    print(f"warmlab multi-turn:   {h:.1f} s ({turns / h:.2f} turns/s)")
    print(f"throughput ratio harness/raw = {r / h:.2f}  (goal >= 0.8)")


if __name__ == "__main__":
    main()
