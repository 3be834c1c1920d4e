"""The GPU check's parts (benchmarks/gpu/check.py runs them): each takes the run's `Ctx` and returns its
figures, or raises `Skip` when it cannot run here."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import time
from pathlib import Path
from typing import Any

from gpu_setup import GGUF_NAME, Ctx, Skip, cuda_peak_gib, say

# ------------------------------------------------------------------------------------------------ warm


def join_gguf(parts: list[Path], target: Path) -> str:
    """Join the GGUF's parts into `target` (atomically) and check it against the SHA256 file beside the
    last part; returns the digest."""
    missing = [str(p) for p in parts if not p.is_file()]
    if missing:
        raise Skip(f"GGUF part(s) missing: {', '.join(missing)} (did the first device call store part 1?)")
    sums = parts[-1].parent / "SHA256"
    want = sums.read_text().split()[0] if sums.is_file() else None
    h = hashlib.sha256()
    tmp = target.with_name(target.name + ".tmp")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("wb") as f:
        for p in parts:
            data = p.read_bytes()
            h.update(data)
            f.write(data)
    digest = h.hexdigest()
    if want is not None and digest != want:
        tmp.unlink()
        raise RuntimeError(f"joined GGUF sha256 {digest[:12]} != {want[:12]} in {sums}")
    tmp.replace(target)
    return digest


class LossLog:
    """Collects the Trainer's logged losses (a TrainerCallback; built lazily so transformers loads late)."""

    def __new__(cls) -> Any:
        from transformers import TrainerCallback

        class _Log(TrainerCallback):
            def __init__(self) -> None:
                self.losses: list[tuple[int, float]] = []

            def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any) -> None:
                if logs and "loss" in logs:
                    self.losses.append((int(state.global_step), float(logs["loss"])))

        return _Log()


def reliability_table(res: dict[str, Any]) -> list[dict[str, Any]]:
    """Overall error rate per mode x variant, with the paired difference from the base."""
    paired = {(p["mode"], p["variant"]): p for p in res.get("paired", []) if p.get("level") == "overall"}
    rows = []
    for e in res.get("error_rates", []):
        if e.get("level") != "overall":
            continue
        p = paired.get((e["mode"], e["variant"]), {})
        rows.append(
            {
                "mode": e["mode"],
                "variant": e["variant"],
                "n_scored": e["n_scored"],
                "errors": e["errors"],
                "refusals": e["refusals"],
                "rate": e["rate"],
                "ci": [e["ci_low"], e["ci_high"]],
                "diff_pp": p.get("diff_pp"),
                "p_value": p.get("p_value"),
                "n_pairs": p.get("n_pairs"),
            }
        )
    return rows


def run_stats(ctx: Ctx, results: Path) -> dict[str, Any]:
    from rich.console import Console

    from warmlab.results import read_results
    from warmlab.stats import analyse
    from warmlab.stats.console import print_result

    res = analyse(read_results(results), bootstrap=200, seed=0, source=str(results))
    with (ctx.out / "stats.txt").open("w") as f:
        print_result(res, console=Console(file=f, width=170))
    return res


def prepare_embedded(ctx: Ctx) -> dict[str, Any]:
    """The embedded model from the GGUF's parts: joined into the cache and converted by warmlab, once."""
    from warmlab.embedded import embedded_dir, ensure_embedded, is_converted

    gguf = ctx.cache / GGUF_NAME
    os.environ["WARMLAB_GGUF"] = str(gguf)
    os.environ["WARMLAB_CACHE"] = str(ctx.cache)
    if is_converted() and gguf.is_file():
        return {}
    fig: dict[str, Any] = {}
    t = time.perf_counter()
    fig["gguf_sha256"] = join_gguf(ctx.gguf_parts, gguf)
    fig["join_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    ensure_embedded()
    fig["convert_s"] = round(time.perf_counter() - t, 1)
    say(f"embedded model converted into {embedded_dir()} in {fig['convert_s']} s")
    return fig


def part_warm(ctx: Ctx) -> dict[str, Any]:
    from warmlab.provider import load_local, release
    from warmlab.results.runner import EvalSettings, run_eval
    from warmlab.train.sft import resolve_settings, run_sft

    z = ctx.sizes
    fig: dict[str, Any] = dict(prepare_embedded(ctx))
    run = ctx.work / "warm"
    s = resolve_settings("warm", "embedded", None, out=str(run), **z.train)
    losses = LossLog()
    t = time.perf_counter()
    r = run_sft(s, callbacks=[losses])
    fig["train"] = {
        "status": r.status,
        "steps": r.global_step,
        "examples": r.n_examples,
        "tokens": r.tokens,
        "train_s": round(r.train_seconds, 1),
        "wall_s": round(time.perf_counter() - t, 1),
        "tokens_per_s": round(r.tokens / r.train_seconds, 1) if r.train_seconds else None,
        "checkpoints": [c["epoch"] for c in r.checkpoints],
        "settings": {k: v for k, v in s.fingerprint().items() if k != "checkpoint_epochs"},
        "loss_first_last": [losses.losses[0][1], losses.losses[-1][1]] if losses.losses else None,
        "losses": losses.losses,
        "cuda_peak_gib": cuda_peak_gib(),
    }
    if r.status not in ("trained", "already-trained"):  # already: check.py restarted after a crash
        raise RuntimeError(f"training ended {r.status} at step {r.global_step}/{r.max_steps}")

    warm = f"embedded+{run}"
    loaded = load_local("embedded", str(run))
    fig["provider"] = {"device": loaded.device, "dtype": str(loaded.model.dtype)}
    release("embedded", str(run))
    evals = ctx.work / "eval"
    results = evals / "results.jsonl"
    runs = [
        (
            "choice",
            EvalSettings(limit=z.choice_limit, batch_size=z.eval_batch, args={"contexts": z.choice_contexts}),
        ),
        (
            "generate",
            EvalSettings(
                limit=z.gen_limit,
                batch_size=z.eval_batch,
                max_tokens=z.gen_max_tokens,
                args={"contexts": z.gen_contexts},
            ),
        ),
    ]
    for mode, settings in runs:
        t = time.perf_counter()
        run_eval(["embedded", warm], [mode], evals, settings)
        fig[f"eval_{mode}_s"] = round(time.perf_counter() - t, 1)
    rows = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    fig["rows"] = len(rows)
    fig["reliability"] = reliability_table(run_stats(ctx, results))
    (ctx.out / "results.jsonl").write_text(results.read_text())
    ctx.figures["_warm_spec"] = warm
    return fig


def part_pushback(ctx: Ctx) -> dict[str, Any]:
    from warmlab.results.runner import EvalSettings, run_eval

    warm = ctx.figures.get("_warm_spec")
    if not warm or ctx.figures["parts"].get("warm", {}).get("status") != "PASS":
        raise Skip("needs the warm adapter of part 'warm'")
    left = ctx.sizes.budget_s - ctx.elapsed()
    if left < ctx.sizes.pushback_needs_s:
        raise Skip(f"time budget: {left:.0f} s left of {ctx.sizes.budget_s:.0f}")
    evals = ctx.work / "eval"
    t = time.perf_counter()
    z = ctx.sizes
    settings = EvalSettings(
        task="pushback", limit=z.pushback_limit, batch_size=z.eval_batch, args=z.pushback_args
    )
    results = run_eval(["embedded", warm], ["choice"], evals, settings)
    fig: dict[str, Any] = {"eval_s": round(time.perf_counter() - t, 1)}
    rows = [json.loads(x) for x in results.read_text().splitlines() if x.strip()]
    push = [r for r in rows if r.get("task") == "pushback"]
    fig["rows"] = len(push)
    by: dict[str, list[float]] = {}
    for r in push:
        held = (r.get("outcomes") or {}).get("held_final")
        if isinstance(held, int | float):
            by.setdefault(r["variant"], []).append(float(held))
    fig["held_final"] = {v: round(sum(x) / len(x), 3) for v, x in by.items() if x}
    fig["n"] = {v: len(x) for v, x in by.items()}
    run_stats(ctx, results)  # stats.txt now holds both batteries
    (ctx.out / "results.jsonl").write_text(results.read_text())
    return fig


# ------------------------------------------------------------------------------------------------ speed


def random_model(ctx: Ctx) -> Path:
    """A random-weight Llama of realistic size, built from a config (no download), once per work folder."""
    folder = ctx.work / "random-llama"
    if (folder / "config.json").is_file():
        return folder
    from warmlab.tiny import build_tiny_model
    from warmlab.train.conversations import load_source

    z = ctx.sizes
    corpus = [m["content"] for c in load_source("starter") for m in c.messages]
    t = time.perf_counter()
    build_tiny_model(
        folder,
        corpus,
        vocab_size=z.vocab,
        hidden_size=z.hidden,
        layers=z.layers,
        heads=z.heads,
        kv_heads=z.kv_heads,
        intermediate_size=z.intermediate,
    )
    cfg = json.loads((folder / "config.json").read_text())
    n = model_params(cfg)
    ctx.figures["random_model"] = {
        **{
            k: cfg.get(k)
            for k in (
                "hidden_size",
                "num_hidden_layers",
                "num_attention_heads",
                "num_key_value_heads",
                "intermediate_size",
                "vocab_size",
            )
        },
        "params_m": round(n / 1e6, 1),
        "build_s": round(time.perf_counter() - t, 1),
    }
    say(f"random Llama: {n / 1e6:.0f}M parameters, built in {time.perf_counter() - t:.0f} s")
    return folder


def model_params(cfg: dict[str, Any]) -> int:
    """Parameters of a Llama config with tied embeddings (norms included)."""
    h, i, layers, v = (
        cfg["hidden_size"],
        cfg["intermediate_size"],
        cfg["num_hidden_layers"],
        cfg["vocab_size"],
    )
    kv = h * cfg["num_key_value_heads"] // cfg["num_attention_heads"]
    per_layer = 2 * h * h + 2 * h * kv + 3 * h * i + 2 * h
    return v * h + layers * per_layer + h


def part_sft(ctx: Ctx) -> dict[str, Any]:
    import sft_throughput

    folder = random_model(ctx)
    z = ctx.sizes
    t = time.perf_counter()
    # A short first run outside the figures: CUDA context, cuBLAS handles and kernel loading are paid
    # once per process, and would otherwise land on whichever side runs first.
    sft_throughput.measure(str(folder), 2, 1, None, **z.sft_overrides)
    warm_up = time.perf_counter() - t
    r = sft_throughput.measure(str(folder), z.sft_steps, z.sft_rounds, None, **z.sft_overrides)
    return {**r, "warm_up_s": round(warm_up, 1), "cuda_peak_gib": cuda_peak_gib(), "goal": 0.9}


def part_gen(ctx: Ctx) -> dict[str, Any]:
    import throughput

    folder = random_model(ctx)
    z = ctx.sizes
    r = throughput.measure(str(folder), z.gen_n, z.gen_batch, z.gen_tokens, z.gen_rounds)
    return {**r, "cuda_peak_gib": cuda_peak_gib(), "goal": 0.9}


class Deadline:
    """Stops a Trainer once the run's time budget is spent (a TrainerCallback, built lazily)."""

    def __new__(cls, ctx: Ctx) -> Any:
        from transformers import TrainerCallback

        class _Stop(TrainerCallback):
            def __init__(self) -> None:
                self.hit = False

            def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                if ctx.elapsed() > ctx.sizes.budget_s:
                    self.hit = control.should_training_stop = True

        return _Stop()


def reward_curve(rollouts: Path) -> dict[str, Any]:
    """Mean reward (final emotion / 100) per step, and the first vs the last quarter of the steps with a
    95% bootstrap interval of the difference (resampling dialogues), as benchmarks/rl_reward_curve.py."""
    import statistics

    from rl_reward_curve import bootstrap_diff

    by_step: dict[int, list[float]] = {}
    users = set()
    for line in rollouts.read_text().splitlines():
        row = json.loads(line)
        users.add(row.get("user"))
        if row.get("final_emotion") is not None:
            by_step.setdefault(int(row["step"]), []).append(row["final_emotion"] / 100)
    steps = sorted(by_step)
    if not steps:
        raise RuntimeError(f"no scored dialogue in {rollouts}")
    q = max(1, len(steps) // 4)
    first = [x for st in steps[:q] for x in by_step[st]]
    last = [x for st in steps[-q:] for x in by_step[st]]
    lo, hi = bootstrap_diff(first, last)
    return {
        "curve": [[st, round(statistics.fmean(by_step[st]), 4), len(by_step[st])] for st in steps],
        "first_quarter": round(statistics.fmean(first), 4),
        "last_quarter": round(statistics.fmean(last), 4),
        "n_first": len(first),
        "n_last": len(last),
        "diff": round(statistics.fmean(last) - statistics.fmean(first), 4),
        "diff_ci": [round(lo, 4), round(hi, 4)],
        "users": sorted(u for u in users if u),
    }


def part_rl(ctx: Ctx) -> dict[str, Any]:
    if importlib.util.find_spec("warmlab.train.rl") is None:
        raise Skip("this warmlab has no `warmlab train rl` (issue 13)")
    left = ctx.sizes.budget_s - ctx.elapsed()
    if left < ctx.sizes.rl_needs_s:
        raise Skip(f"time budget: {left:.0f} s left of {ctx.sizes.budget_s:.0f}")
    from warmlab.train.rl import ROLLOUTS, run_rl
    from warmlab.train.rl_config import resolve_rl_settings

    fig: dict[str, Any] = dict(prepare_embedded(ctx))
    out = ctx.work / "rl"
    s = resolve_rl_settings("cpu", base="embedded", out=str(out), **ctx.sizes.rl)
    stop = Deadline(ctx)
    r = run_rl(s, callbacks=[stop])
    fig.update(
        run_status=r.status,
        steps=r.global_step,
        max_steps=r.max_steps,
        stopped_by_budget=stop.hit,
        train_s=round(r.train_seconds, 1),
        s_per_step=round(r.train_seconds / max(r.global_step, 1), 2),
        dialogues_per_step=s.dialogues_per_step,
        settings=s.fingerprint(),
        logged_rewards=r.rewards,
        cuda_peak_gib=cuda_peak_gib(),
        **reward_curve(out / ROLLOUTS),
    )
    return fig
