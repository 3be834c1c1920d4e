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
  rl        a short `warmlab train rl` run (GRPO, embedded policy, scripted user, the cpu profile's
            dialogues): the reward curve, first vs last quarter of the steps (skipped without RL in warmlab)
  pushback  the pushback battery in choice mode, base and warm
  (rl and pushback start only while the time budget allows; rl stops when it is spent)

Files in DIR: figures.json (every figure), results.jsonl (rows of the warm run), stats.txt (`warmlab stats`
tables), summary.txt (the table printed last).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the CPU benchmarks' functions, reused as they are
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gpu_parts import part_gen, part_pushback, part_rl, part_sft, part_warm  # noqa: E402
from gpu_setup import GGUF_NAME, GPU, PARTS, SMOKE, Ctx, Skip, environment, say  # noqa: E402

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
    if name == "rl":
        ci = p["diff_ci"]
        return (
            f"{p['steps']}/{p['max_steps']} steps x {p['dialogues_per_step']} dialogues, {p['train_s']} s "
            f"({p['s_per_step']} s/step); reward first quarter {p['first_quarter']:.3f} "
            f"(n {p['n_first']}) -> last {p['last_quarter']:.3f} (n {p['n_last']}): "
            f"{p['diff']:+.3f} [{ci[0]:+.3f}, {ci[1]:+.3f}]; "
            f"user {', '.join(p['users'])} (scripted stand-in)"
            + ("; stopped by the time budget" if p["stopped_by_budget"] else "")
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
        if name not in f["parts"] and f.get("running") == name:
            p = {"status": "KILLED", "seconds": 0, "error": "stopped inside this part (time limit or crash)"}
        else:
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
    ap.add_argument("--cache", type=Path, default=Path.home() / "warmlab-cache", help="WARMLAB_CACHE; part 1")
    ap.add_argument("--part2", type=Path, default=ROOT / ".gguf-b", help="folder of GGUF part 2 + SHA256")
    ap.add_argument("--parts", default=",".join(PARTS), help=f"comma list of {', '.join(PARTS)}")
    ap.add_argument("--cpu-smoke", action="store_true", help="tiny sizes, no GPU needed (a test run here)")
    ap.add_argument("--summary", action="store_true", help="only print the summary of DIR/figures.json")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    fig_path = a.out / "figures.json"
    figures = json.loads(fig_path.read_text()) if fig_path.is_file() else {"parts": {}}
    # A scratch folder of this run's own (a restart after a crash finds it in figures.json; a later call on
    # the same machine starts afresh rather than finding a finished training).
    work = Path(figures.setdefault("work", str(a.work / time.strftime("run-%Y%m%d-%H%M%S"))))
    work.mkdir(parents=True, exist_ok=True)
    sizes = SMOKE if a.cpu_smoke else GPU
    gguf_parts = [a.cache / f"{GGUF_NAME}.part1", a.part2 / f"{GGUF_NAME}.part2"]
    ctx = Ctx(a.out, work, sizes, a.cpu_smoke, gguf_parts, a.cache, time.perf_counter(), figures)
    if a.summary:  # after a kill: what the parts recorded
        return write_summary(ctx)
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
    return write_summary(ctx)


def write_summary(ctx: Ctx) -> int:
    text = summary(ctx)
    (ctx.out / "summary.txt").write_text(text + "\n")
    print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
