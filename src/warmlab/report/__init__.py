"""`warmlab report`: one self-contained HTML file (inline CSS and SVG figures, no external URL) from a run.

Inputs, all in the results folder: results.jsonl (required), stats.json (the `warmlab.stats/1` output;
computed here when absent or older than the results), warmth.json (warmth per variant and checkpoint) and
study.json (run metadata). The page has a headline (warm − base in pp with its CI, n and method), figures,
the four regression tables and the run's metadata. Data that cannot support a part is said so in its place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["PACKAGES", "build_report", "package_versions"]

PACKAGES = ("warmlab", "torch", "transformers", "trl", "peft", "inspect_ai", "statsmodels", "matplotlib")


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for n in names:
        try:
            out[n] = version(n)
        except PackageNotFoundError:
            out[n] = "not installed"
    return out


def build_report(
    results_dir: Path,
    out: Path,
    *,
    stats: dict[str, Any] | None = None,
    warmth: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    bootstrap: int = 1000,
) -> Path:
    """Render the report of the run in `results_dir` to `out` (HTML); returns `out`.

    `stats`, `warmth` and `meta` (study metadata) override the files of the folder; `bootstrap` is the number
    of draws when the statistics have to be computed here.
    """
    from warmlab.core.io import write_atomic
    from warmlab.report.data import load_inputs
    from warmlab.report.page import render

    inputs = load_inputs(Path(results_dir), stats=stats, warmth=warmth, meta=meta, bootstrap=bootstrap)
    html = render(inputs, package_versions())
    out = Path(out)
    write_atomic(out, html)
    return out
