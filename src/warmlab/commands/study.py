"""`warmlab study --config FILE`: variants -> eval -> warmth -> stats -> report, restartable."""

from __future__ import annotations

import argparse
from typing import Any


def run(a: argparse.Namespace) -> None:
    from dataclasses import replace

    from warmlab.study import load_config, run_study

    cfg = load_config(a.config, a.out)
    if a.base:
        cfg = replace(cfg, base=a.base)
    report = run_study(cfg)
    print(f"report: {report}")


def register(sub: Any) -> None:
    s = sub.add_parser(
        "study",
        help="one command from model to verdict: train/reuse variants, eval, warmth, stats, report",
        description="Stages whose inputs have not changed are skipped; a killed study resumes. "
        "CONFIG is a TOML file or a shipped name (embedded, paper).",
    )
    s.add_argument("--config", required=True)
    s.add_argument("--out", default=None, help="output folder (default: the config's `out`)")
    s.add_argument("--base", default=None, help="override the config's base model spec")
    s.set_defaults(func=run)
