"""Results: the row contract, the recorder that writes rows as samples finish, and the runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from warmlab.core.io import table_lines
from warmlab.results.rows import SCHEMA, check_row, flat, latest_rows, task_rows, upgrade

__all__ = ["SCHEMA", "flat", "latest_rows", "load_results", "read_results", "task_rows", "write_parquet"]


def read_results(path: Path) -> list[dict[str, Any]]:
    """Rows of a results table in the current contract (older rows converted); a torn last line (a killed
    run) is skipped, and the file is never rewritten. A row without the contract's keys is an error
    naming its line."""
    rows = []
    for lineno, obj in table_lines(Path(path)):
        row = upgrade(obj)
        check_row(row, f"{path}:{lineno}")
        rows.append(row)
    return rows


def load_results(path: str | Path, task: str | None = None) -> list[dict[str, Any]]:
    """The latest row per model x sample x mode of a results folder (or its results.jsonl)."""
    from warmlab.errors import WarmlabError

    p = Path(path)
    table = p / "results.jsonl" if p.is_dir() else p
    if not table.is_file():
        raise WarmlabError(f"{table} does not exist (give a results folder or its results.jsonl)")
    rows = latest_rows(read_results(table))
    return task_rows(rows, task) if task else rows


def write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    import pandas as pd

    from warmlab.core.io import atomic_path

    with atomic_path(path) as tmp:
        pd.DataFrame([flat(r) for r in rows]).to_parquet(tmp, index=False)
