"""`warmlab study --config FILE` and `warmlab demo`: variants -> batteries -> stats -> report, restartable."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from warmlab.commands import _args


def run(a: argparse.Namespace) -> None:
    from dataclasses import replace

    from warmlab.study import load_config, run_study

    cfg = load_config(a.config, a.out)
    if a.base:
        cfg = replace(cfg, base=a.base)
    report = run_study(cfg)
    print(f"report: {report}")


def cmd_demo(a: argparse.Namespace) -> None:
    from dataclasses import replace

    from warmlab.study import load_config, run_study

    cfg = load_config("embedded" if a.profile == "cpu" else "paper", a.out)
    if a.base:
        cfg = replace(cfg, base=a.base)
    report = run_study(cfg)
    print_study(cfg.out)
    print(f"report: {report}")


def _ci(mean: float | None, ci: Any, scale: float = 1.0, signed: bool = True, unit: str = "") -> str:
    if mean is None:
        return "-"
    f = "{:+.2f}" if signed else "{:.2f}"
    if scale != 1.0:
        f = "{:+.0f}" if signed else "{:.0f}"
    body = f.format(scale * mean) + unit
    lo, hi = ci or (None, None)
    if lo is None or hi is None:
        return body
    return f"{body} [{f.format(scale * lo)}, {f.format(scale * hi)}]"


def coverage_text(entries: list[dict[str, Any]]) -> str:
    """Decided over scored rows of error-rate entries, pooled: "83% (40/48)"."""
    decided = sum(int(e.get("n_decided") or 0) for e in entries)
    scored = sum(int(e.get("n_rows") or 0) - int(e.get("invalid") or 0) for e in entries)
    if not scored or not all("n_decided" in e for e in entries):
        return "-"
    return f"{100 * decided / scored:.0f}% ({decided}/{scored})"


def print_study(out: Path) -> None:
    """Per variant: warmth, its paired difference from the base, and the error rate by mode (all
    conditions and neutral prompts), then the headline and the other batteries' primary outcomes."""
    import json

    from rich.table import Table

    from warmlab.core.console import wide_console
    from warmlab.report import data as report_data
    from warmlab.stats.console import battery_tables

    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    console = wide_console()
    warmth = (stats.get("batteries") or {}).get("warmth")
    w_var: dict[str, dict[str, Any]] = {}
    w_pair: dict[str, dict[str, Any]] = {}
    scorer = "-"
    if warmth:
        for m in warmth["modes"].values():
            entry = next(o for o in m["outcomes"] if o["outcome"] == "warmth")
            w_var = {v["variant"]: v for v in entry["variants"] if v.get("n")}
            w_pair = {p["variant"]: p for p in entry["paired"] if p.get("n_pairs")}
        scorer = ", ".join(warmth.get("scorers") or {}) or "-"
    t = Table(
        title="warmth and error by variant (error: all conditions / neutral prompts only)",
        caption=f"warmth: {scorer}; vs base = mean paired difference over the same prompts (95% CI); "
        "coverage = decided / scored (undecided and unparsed answers are left out of the error rate)",
    )
    for col in (
        "variant",
        "warmth [95% CI]",
        "vs base [95% CI]",
        "mode",
        "error, all",
        "error, neutral",
        "n",
        "coverage, all",
        "coverage, neutral",
    ):
        t.add_column(col)
    rates = stats.get("error_rates") or []
    variants = sorted({r["variant"] for r in rates} | set(w_var), key=lambda v: (v != "base", v))
    for variant in variants:
        w = w_var.get(variant)
        wtxt = _ci(w["mean"], w["ci"]) if w else "-"
        p = w_pair.get(variant)
        dtxt = _ci(p["diff"], p["ci"]) if p else "-"
        modes = sorted({r["mode"] for r in rates if r["variant"] == variant}) or ["-"]
        for mode in modes:
            sel = [r for r in rates if r["variant"] == variant and r["mode"] == mode]
            overall = next((r for r in sel if r["level"] == "overall"), None)
            neutral = [
                r for r in sel if r["level"] == "cell" and r["context"] == "none" and r["belief"] == "none"
            ]
            k, n = sum(r["errors"] for r in neutral), sum(r["n_scored"] for r in neutral)
            from warmlab.stats.intervals import wilson

            def rate(errors: int, scored: int) -> str:
                if not scored:
                    return "-"
                lo, hi = wilson(errors, scored)
                return _ci(errors / scored, (lo, hi), scale=100, signed=False, unit="%")

            all_txt = rate(overall["errors"], overall["n_scored"]) if overall else "-"
            t.add_row(
                variant,
                wtxt,
                dtxt,
                mode,
                all_txt,
                rate(k, n),
                str(overall["n_scored"] if overall else 0),
                coverage_text([overall] if overall else []),
                coverage_text(neutral),
            )
            wtxt = dtxt = ""
    console.print(t)
    for name, b in (stats.get("batteries") or {}).items():
        if name != "warmth":
            for bt in battery_tables(b):
                console.print(bt)
    study_file = out / "study.json"
    study = json.loads(study_file.read_text()) if study_file.is_file() else None
    if stats.get("headline") is not None:
        head = report_data.headline(stats, report_data.roles(report_data.variants(stats), study), study)
        print(f"headline: {head['text']}")
        for line in head.get("details") or []:
            print(f"  {line}")
    n_warn = len(stats.get("warnings", []))
    if n_warn:
        print(f"{n_warn} statistical note(s) (degenerate cells, dropped terms): see the report or stats.json")


def register(sub: Any) -> None:
    s = sub.add_parser(
        "study",
        help="one command from model to verdict: train/reuse variants, batteries, stats, report",
        description="Stages whose inputs have not changed are skipped; a killed study resumes. "
        "CONFIG is a TOML file or a shipped name (embedded, paper).",
    )
    s.add_argument("--config", required=True, type=_args.path_text, help="a TOML file, or embedded, paper")
    s.add_argument(
        "--out", default=None, type=_args.path_text, help="output folder (default: the config's `out`)"
    )
    s.add_argument("--base", default=None, type=_args.spec_text, help="override the config's base model spec")
    s.set_defaults(func=run)

    d = sub.add_parser(
        "demo",
        help="`warmlab study` with the embedded config: train warm/cold adapters, evaluate the variants on "
        "the batteries, stats, report (about 9 minutes on 2 cores)",
    )
    d.add_argument(
        "--out", default=None, type=_args.path_text, help="output folder (default runs/demo, or runs/paper)"
    )
    d.add_argument(
        "--profile",
        default="cpu",
        choices=["cpu", "paper"],
        help="cpu: small slices for a laptop; paper: the paper's full protocol (for a GPU)",
    )
    d.add_argument(
        "--base", default=None, type=_args.spec_text, help="base model spec (default: the embedded model)"
    )
    d.set_defaults(func=cmd_demo)
