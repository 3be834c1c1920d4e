"""`warmlab report`: one self-contained HTML report (headline, figures, regression tables, metadata)."""

from __future__ import annotations

import argparse


def cmd_report(a: argparse.Namespace) -> None:
    from pathlib import Path

    from warmlab.errors import WarmlabError
    from warmlab.report import build_report

    if a.bootstrap < 0:
        raise WarmlabError("--bootstrap must be 0 (off) or a positive number of draws")
    results = Path(a.results)
    folder = results.parent if results.is_file() else results
    out = Path(a.out) if a.out else folder / "report.html"
    path = build_report(results, out, bootstrap=a.bootstrap)
    print(f"report: {path}")


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser(
        "report",
        help="one self-contained HTML report of a run (headline, figures, regression tables, metadata)",
        description="Reads DIR/results.jsonl and, when present, stats.json, warmth.json and study.json "
        "(statistics are computed when stats.json is missing or older than the results).",
    )
    r.add_argument("--results", required=True, metavar="DIR", help="results folder (with results.jsonl)")
    r.add_argument(
        "--out", default=None, metavar="FILE", help="HTML file to write (default: DIR/report.html)"
    )
    r.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="item-clustered bootstrap draws when statistics are computed here (0: off)",
    )
    r.set_defaults(func=cmd_report)
