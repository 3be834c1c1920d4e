"""Short console summaries of a results table (the full statistics live in `warmlab stats`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from rich.table import Table

from warmlab.conditions import BELIEFS, CONTEXTS
from warmlab.core.console import wide_console
from warmlab.scoring import DECIDED, counts_as_error


def _rate(rows: Sequence[dict[str, Any]]) -> tuple[float | None, int]:
    flags = [counts_as_error(r["verdict"], r["family"]) for r in rows if r.get("verdict") is not None]
    counted = [f for f in flags if f is not None]
    return (sum(counted) / len(counted) if counted else None), len(counted)


def _fmt(rate: float | None, n: int) -> str:
    return "-" if rate is None else f"{100 * rate:.0f}% ({n})"


def coverage(rows: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """(decided, scored): correct, incorrect and refusal rows; every row but `invalid`."""
    return (
        sum(r.get("verdict") in DECIDED for r in rows),
        sum(r.get("verdict") not in (None, "invalid") for r in rows),
    )


def _cov(rows: Sequence[dict[str, Any]]) -> str:
    decided, scored = coverage(rows)
    return f"{100 * decided / scored:.0f}% ({decided}/{scored})" if scored else "-"


def summary_table(rows: Sequence[dict[str, Any]]) -> Table:
    """Error rate per model x variant x mode x family, with coverage, refusal and unparsed counts, and the
    samples that could not be run or scored (failed)."""
    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[(r["model"], r["variant"], r["mode"], str(r.get("family", "?")))].append(r)
    t = Table(title="error rate by family (n counted); coverage = decided / scored")
    cols = (
        "model",
        "variant",
        "mode",
        "family",
        "error",
        "coverage",
        "undecided",
        "refusals",
        "unparsed",
        "failed",
    )
    for col in cols:
        t.add_column(col)
    for key in sorted(groups):
        g = groups[key]
        rate, n = _rate(g)
        t.add_row(
            *key,
            _fmt(rate, n),
            _cov(g),
            str(sum(r.get("verdict") == "undecided" for r in g)),
            str(sum(r.get("verdict") == "refusal" for r in g)),
            str(sum(r.get("verdict") == "unparsed" for r in g)),
            str(sum(r.get("verdict") is None for r in g)),
        )
    return t


def _cell(rows: Sequence[dict[str, Any]]) -> str:
    decided, scored = coverage(rows)
    cov = f", cov {100 * decided / scored:.0f}%" if scored else ""
    return _fmt(*_rate(rows)) + cov


def context_belief_table(rows: Sequence[dict[str, Any]], title: str) -> Table:
    """Error rate (n counted, coverage) by context (rows) x belief (columns), all families pooled."""
    rows = [r for r in rows if r.get("verdict") is not None]
    beliefs = [b for b in BELIEFS if any(r["belief"] == b for r in rows)]
    t = Table(title=title)
    t.add_column("context")
    for b in beliefs:
        t.add_column(b)
    for c in CONTEXTS:
        cells = [[r for r in rows if r["context"] == c and r["belief"] == b] for b in beliefs]
        if any(cells):
            t.add_row(c, *(_cell(cell) for cell in cells))
    return t


def print_summary(
    rows: Sequence[dict[str, Any]], task: str = "reliability", by_condition: bool = False
) -> None:
    from warmlab.results.rows import flat, upgrade

    rows = [upgrade(dict(r)) for r in rows]
    console = wide_console()
    failed = [r for r in rows if r.get("scorer") == "error" and r.get("task", task) == task]
    if failed:
        console.print(
            f"note: {len(failed)} sample(s) failed (scorer 'error', reason in their rationale); "
            "they are not scored, and running the same command again retries them"
        )
    if task != "reliability":
        from warmlab.stats.console import battery_tables
        from warmlab.stats.outcomes import analyse_battery
        from warmlab.tasks import get_battery

        stats = analyse_battery(rows, get_battery(task), bootstrap=500)
        for t in battery_tables(stats):
            console.print(t)
        for w in stats["warnings"]:
            console.print(f"note: {w}")
        return
    rows = [flat(r) for r in rows if r.get("task") == "reliability"]
    console.print(summary_table(rows))
    if by_condition:
        for key in sorted({(r["model"], r["variant"], r["mode"]) for r in rows}):
            sub = [r for r in rows if (r["model"], r["variant"], r["mode"]) == key]
            console.print(
                context_belief_table(sub, f"{key[0]} [{key[1]}], {key[2]}: error by context x belief")
            )
