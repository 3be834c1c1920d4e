"""warmlab's GPU paths on one accelerator, in one run of about 6 minutes (issue 17). README.md beside this
file says how the device call carries the wheels and the embedded model's GGUF.

    python benchmarks/gpu/check.py --out DIR               # on the GPU machine (run.sh sets it up)
    python benchmarks/gpu/check.py --out DIR --cpu-smoke   # here: the same code paths at tiny sizes

Parts, each on its own (a failure prints FAIL and the next part runs; a re-run with the same --out skips
the parts already recorded in DIR/figures.json, so run.sh restarts the script after a hard crash):

  warm      the embedded model: GGUF parts joined and checked, converted by warmlab.embedded, a warm LoRA
            adapter trained by warmlab.train.sft with the GPU study's settings (examples/gpu-study.toml),
            base and warm evaluated by warmlab's provider in choice and generate mode on a reliability slice
  sft       SFT tokens/s, warmlab vs a bare TRL script (benchmarks/sft_throughput.py), random ~0.5B Llama
  gen       generation throughput, harness vs raw batched generate (benchmarks/throughput.py), same model
  pushback  the pushback battery in choice mode, base and warm (only if the time budget allows)
  rl        a short RL run: skipped, `warmlab train rl` was not on main when this was written

Files in DIR: figures.json (every figure), results.jsonl (rows of the warm run), stats.txt (`warmlab stats`
tables), summary.txt (the table printed last).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the CPU benchmarks' functions, reused as they are

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
PARTS = ("warm", "sft", "gen", "pushback", "rl")


@dataclass(frozen=True)
class Sizes:
    """How big each part runs: GPU sizes fit about 6 minutes on an H200; smoke sizes a minute or two here."""

    # the random-weight Llama of the throughput parts (vocab: BPE target on the starter conversations)
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    intermediate: int
    vocab: int
    sft_steps: int
    sft_rounds: int
    sft_overrides: dict[str, Any]
    gen_n: int
    gen_batch: int
    gen_tokens: int
    gen_rounds: int
    # the warm run on the embedded model
    train: dict[str, Any]
    choice_limit: int
    choice_contexts: str
    gen_limit: int
    gen_contexts: str
    gen_max_tokens: int
    pushback_limit: int
    pushback_args: dict[str, Any]
    eval_batch: int
    budget_s: float
    pushback_needs_s: float = 60.0
    extra: dict[str, Any] = field(default_factory=dict)


GPU = Sizes(
    hidden=1536,
    layers=20,
    heads=12,
    kv_heads=4,
    intermediate=4096,
    vocab=32000,
    sft_steps=30,
    sft_rounds=2,
    sft_overrides={},  # the paper's / GPU study's SFT settings as they are
    gen_n=256,
    gen_batch=64,
    gen_tokens=64,
    gen_rounds=2,
    train={"batch_size": 4, "epochs": 10.0},  # examples/gpu-study.toml; the rest are the paper's defaults
    choice_limit=25,
    choice_contexts="all",
    gen_limit=10,
    gen_contexts="none,sad,close,high",
    gen_max_tokens=192,
    pushback_limit=5,
    pushback_args={},
    eval_batch=64,
    budget_s=330.0,
)
SMOKE = Sizes(
    hidden=64,
    layers=2,
    heads=2,
    kv_heads=1,
    intermediate=128,
    vocab=600,
    sft_steps=2,
    sft_rounds=1,
    sft_overrides={"batch_size": 1, "effective_batch": 2, "max_length": 128, "limit": 8},
    gen_n=8,
    gen_batch=4,
    gen_tokens=8,
    gen_rounds=1,
    train={"batch_size": 1, "effective_batch": 2, "max_length": 128, "limit": 4, "max_steps": 4},
    choice_limit=1,
    choice_contexts="none",
    gen_limit=1,
    gen_contexts="none",
    gen_max_tokens=8,
    pushback_limit=1,
    pushback_args={"families": "trivia", "schedules": "plain,hurt", "turns": 2},
    eval_batch=16,
    budget_s=3600.0,  # no time limit that matters here: every part runs
)


@dataclass
class Ctx:
    out: Path
    work: Path
    sizes: Sizes
    smoke: bool
    gguf_parts: list[Path]
    cache: Path
    t0: float
    figures: dict[str, Any]

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def save(self) -> None:
        tmp = self.out / "figures.json.tmp"
        tmp.write_text(json.dumps(self.figures, indent=2, default=str) + "\n")
        tmp.replace(self.out / "figures.json")


class Skip(Exception):
    """A part that cannot run here (not a failure of warmlab)."""


def say(msg: str) -> None:
    print(f"[gpu-check] {msg}", flush=True)


# ------------------------------------------------------------------------------------------------ env


def environment() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    import torch

    env: dict[str, Any] = {"python": sys.version.split()[0], "cuda": torch.cuda.is_available()}
    for name in ("warmlab", "torch", "transformers", "trl", "peft", "accelerate", "inspect_ai", "datasets"):
        try:
            env[name] = version(name)
        except PackageNotFoundError:
            env[name] = None
    if env["cuda"]:
        env["device"] = torch.cuda.get_device_name(0)
        env["bf16"] = bool(torch.cuda.is_bf16_supported())
        env["gpu_memory_gib"] = round(torch.cuda.get_device_properties(0).total_memory / 2**30, 1)
    return env


def cuda_peak_gib() -> float | None:
    import torch

    if not torch.cuda.is_available():
        return None
    return round(torch.cuda.max_memory_allocated() / 2**30, 2)


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


def part_warm(ctx: Ctx) -> dict[str, Any]:
    from warmlab.embedded import embedded_dir, ensure_embedded
    from warmlab.provider import load_local, release
    from warmlab.results.runner import EvalSettings, run_eval
    from warmlab.train.sft import resolve_settings, run_sft

    z = ctx.sizes
    fig: dict[str, Any] = {}
    t = time.perf_counter()
    gguf = ctx.cache / GGUF_NAME
    fig["gguf_sha256"] = join_gguf(ctx.gguf_parts, gguf)
    os.environ["WARMLAB_GGUF"] = str(gguf)
    os.environ["WARMLAB_CACHE"] = str(ctx.cache)
    fig["join_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    ensure_embedded()
    fig["convert_s"] = round(time.perf_counter() - t, 1)
    say(f"embedded model converted into {embedded_dir()} in {fig['convert_s']} s")

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
    if r.status != "trained":
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


def part_rl(ctx: Ctx) -> dict[str, Any]:
    if importlib.util.find_spec("warmlab.train.rl") is None:
        raise Skip("`warmlab train rl` is not on main yet (issue 13)")
    raise Skip("warmlab.train.rl exists now, but this script predates it: add an RL part")


# ------------------------------------------------------------------------------------------------ run


RUNNERS: dict[str, Callable[[Ctx], dict[str, Any]]] = {
    "warm": part_warm,
    "sft": part_sft,
    "gen": part_gen,
    "pushback": part_pushback,
    "rl": part_rl,
}


def run_part(ctx: Ctx, name: str) -> None:
    parts = ctx.figures["parts"]
    if name in parts:
        say(f"{name}: already recorded ({parts[name]['status']}); skipped")
        return
    if ctx.figures.get("running") == name:  # the process died inside this part last time
        parts[name] = {"status": "FAIL", "error": "the process died during this part (see check.log)"}
        ctx.figures.pop("running")
        ctx.save()
        return
    ctx.figures["running"] = name
    ctx.save()
    say(f"{name}: start at {ctx.elapsed():.0f} s")
    t = time.perf_counter()
    try:
        fig = RUNNERS[name](ctx)
        entry = {"status": "PASS", **fig}
    except Skip as e:
        entry = {"status": "SKIP", "error": str(e)}
    except Exception as e:
        traceback.print_exc()
        entry = {
            "status": "FAIL",
            "error": f"{type(e).__name__}: {str(e).strip().splitlines()[0][:300] if str(e).strip() else ''}",
        }
    entry["seconds"] = round(time.perf_counter() - t, 1)
    parts[name] = entry
    ctx.figures.pop("running", None)
    ctx.save()
    say(
        f"{name}: {entry['status']} in {entry['seconds']} s"
        + (f" ({entry['error']})" if "error" in entry else "")
    )


def describe(name: str, p: dict[str, Any]) -> str:
    """One line of figures for a part."""
    if p["status"] != "PASS":
        return p.get("error", "")
    if name == "warm":
        tr = p["train"]
        loss = tr["loss_first_last"]
        return (
            f"convert {p['convert_s']} s; train {tr['steps']} steps {tr['train_s']} s "
            f"({tr['tokens_per_s']} tok/s"
            + (f", loss {loss[0]:.3f} -> {loss[1]:.3f}" if loss else "")
            + f"); eval choice {p['eval_choice_s']} s, generate {p['eval_generate_s']} s; "
            f"provider {p['provider']['device']} {p['provider']['dtype']}"
        )
    if name == "sft":
        met = "met" if p["ratio"] >= p["goal"] else "NOT met"
        return (
            f"warmlab {p['warmlab_tok_s']:.0f} tok/s vs bare TRL {p['bare_tok_s']:.0f} tok/s: "
            f"ratio {p['ratio']:.3f} (goal >= 0.9 {met}; {p['steps']} steps, batch {p['batch_size']}x"
            f"{p['effective_batch'] // p['batch_size']}, max length {p['max_length']})"
        )
    if name == "gen":
        met = "met" if p["ratio"] >= p["goal"] else "NOT met"
        n = p["samples"]
        return (
            f"harness {n / p['harness_s']:.1f} vs raw {n / p['raw_s']:.1f} samples/s: ratio {p['ratio']:.3f} "
            f"(goal >= 0.9 {met}; {n} prompts, batch {p['batch_size']}, {p['max_tokens']} new tokens)"
        )
    if name == "pushback":
        return f"{p['rows']} dialogues in {p['eval_s']} s; held final answer: {p['held_final']} (n {p['n']})"
    return ""


def summary(ctx: Ctx) -> str:
    f = ctx.figures
    env = f.get("env", {})
    lines = [
        "== warmlab GPU check: "
        + ", ".join(
            f"{k} {env.get(k)}"
            for k in ("device", "torch", "transformers", "trl", "peft", "accelerate", "inspect_ai", "warmlab")
        )
        + f"; total {f.get('total_s', 0):.0f} s",
    ]
    if "random_model" in f:
        m = f["random_model"]
        lines.append(
            f"random Llama for sft/gen: {m['params_m']}M params (hidden {m['hidden_size']}, "
            f"{m['num_hidden_layers']} layers, vocab {m['vocab_size']})"
        )
    lines.append(f"{'part':<9} {'status':<6} {'seconds':>7}  figures")
    for name in PARTS:
        p = f["parts"].get(name, {"status": "-", "seconds": 0})
        lines.append(f"{name:<9} {p['status']:<6} {p.get('seconds', 0):>7.1f}  {describe(name, p)}")
    warm = f["parts"].get("warm", {})
    if warm.get("status") == "PASS":
        lines.append("reliability slice (offline scorer, rules only: no encoder wheel), error rate [95% CI]:")
        lines.append(
            f"  {'mode':<9} {'variant':<8} {'scored':>6} {'errors':>6} {'rate':>7} {'95% CI':<15} "
            f"{'vs base pp':>10} {'p':>7}"
        )
        for r in warm["reliability"]:
            ci = r["ci"]
            ci_s = f"[{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]" if None not in ci else "-"
            rate = "-" if r["rate"] is None else f"{100 * r['rate']:.1f}%"
            diff = "-" if r["diff_pp"] is None else f"{r['diff_pp']:+.1f}"
            pv = "-" if r["p_value"] is None else f"{r['p_value']:.3f}"
            lines.append(
                f"  {r['mode']:<9} {r['variant']:<8} {r['n_scored']:>6} {r['errors']:>6} {rate:>7} "
                f"{ci_s:<15} {diff:>10} {pv:>7}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path, help="where figures and logs go ($OUT on the device)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/warmlab-gpu"), help="scratch: models, runs")
    ap.add_argument("--cache", type=Path, default=Path("/root/warmlab-cache"), help="WARMLAB_CACHE; part 1")
    ap.add_argument("--part2", type=Path, default=ROOT / ".gguf-b", help="folder of GGUF part 2 + SHA256")
    ap.add_argument("--parts", default=",".join(PARTS), help=f"comma list of {', '.join(PARTS)}")
    ap.add_argument("--cpu-smoke", action="store_true", help="tiny sizes, no GPU needed (a test run here)")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    a.work.mkdir(parents=True, exist_ok=True)
    fig_path = a.out / "figures.json"
    figures = json.loads(fig_path.read_text()) if fig_path.is_file() else {"parts": {}}
    sizes = SMOKE if a.cpu_smoke else GPU
    gguf_parts = [a.cache / f"{GGUF_NAME}.part1", a.part2 / f"{GGUF_NAME}.part2"]
    ctx = Ctx(a.out, a.work, sizes, a.cpu_smoke, gguf_parts, a.cache, time.perf_counter(), figures)
    ctx.t0 -= float(figures.get("total_s", 0.0))  # a restarted run keeps counting against the budget
    figures["sizes"] = asdict(sizes)
    figures["env"] = environment()
    say("env: " + json.dumps(figures["env"]))
    if not figures["env"]["cuda"] and not a.cpu_smoke:
        say("WARNING: no CUDA device: this run measures the CPU (use --cpu-smoke for the small sizes)")
    for name in [p.strip() for p in a.parts.split(",") if p.strip()]:
        if name not in RUNNERS:
            raise SystemExit(f"unknown part {name!r}; known: {', '.join(PARTS)}")
        run_part(ctx, name)
        figures["total_s"] = round(ctx.elapsed(), 1)
        ctx.save()
    text = summary(ctx)
    (a.out / "summary.txt").write_text(text + "\n")
    print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
