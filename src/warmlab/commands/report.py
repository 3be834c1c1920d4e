"""`warmlab report`: one self-contained HTML report (headline, figures, regression tables, metadata)."""

from __future__ import annotations

import argparse

from warmlab.commands import _args

# Files of a results folder the report reads: --out may not be one of them.
INPUTS = ("results.jsonl", "stats.json", "warmth.json", "study.json")


def cmd_report(a: argparse.Namespace) -> None:
    from pathlib import Path

    from warmlab.core.io import out_file
    from warmlab.report import build_report

    results = Path(a.results)
    folder = results.parent if results.is_file() else results
    inputs = [folder / name for name in INPUTS] + ([results] if results.is_file() else [])
    out = out_file(Path(a.out) if a.out else folder / "report.html", *inputs)
    path = build_report(results, out, bootstrap=a.bootstrap)
    print(f"report: {path}")


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser(
        "report",
        help="one self-contained HTML report of a run (headline, figures, regression tables, metadata)",
        description="Reads DIR/results.jsonl and, when present, stats.json, warmth.json and study.json "
        "(statistics are computed when stats.json is missing or older than the results).",
    )
    r.add_argument(
        "--results",
        required=True,
        metavar="DIR",
        type=_args.path_text,
        help="results folder (with results.jsonl)",
    )
    r.add_argument(
        "--out",
        default=None,
        metavar="FILE",
        type=_args.path_text,
        help="HTML file to write (default: DIR/report.html)",
    )
    _args.add_bootstrap(r, "item-clustered bootstrap draws when statistics are computed here (0: off)")
    r.set_defaults(func=cmd_report)
