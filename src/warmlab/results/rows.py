"""The row contract (`warmlab.row/2`): one row per model x sample x mode, for every battery.

Keys: schema, task, model, variant, base, mode, sample_id, item_id, condition (the battery's condition
fields), outcomes (named values: a verdict string, 0/1, a float, or a per-turn list), scorer, user (the
simulated user, multi-turn only), output (the last model output), transcript (multi-turn: the whole
conversation), rationale, output_chars, by_scorer ({scorer name: outcomes} when more than one scorer ran
on the sample, e.g. a judge beside the offline scorer; `outcomes` are the primary scorer's), reference
(figures the task computed once and put on every row, e.g. a human baseline read from a path the user
gave; a battery's report section reads them), and for training checkpoints `epoch` and `run`. Rows written by
warmlab 0.1 (reliability only, flat condition fields) are converted when read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from warmlab.errors import WarmlabError

SCHEMA = "warmlab.row/2"
KEYS = ("task", "model", "variant", "mode", "sample_id")
_LEGACY_CONDITION = ("family", "context", "context_group", "belief", "statement_id")


def is_legacy(row: dict[str, Any]) -> bool:
    return "task" not in row and "family" in row and "verdict" in row


def upgrade(row: dict[str, Any]) -> dict[str, Any]:
    """A row of any version in the current contract (0.1 reliability rows are converted)."""
    if not is_legacy(row):
        return row
    condition = {k: row[k] for k in _LEGACY_CONDITION if row.get(k) is not None}
    sample_id = row.get("sample_id") or "|".join(str(row.get(k)) for k in ("item_id", "context", "belief"))
    out = {
        "schema": SCHEMA,
        "task": "reliability",
        "model": row.get("model"),
        "variant": row.get("variant"),
        "base": row.get("base") or row.get("model"),
        "mode": row.get("mode"),
        "sample_id": str(sample_id),
        "item_id": row.get("item_id"),
        "condition": condition,
        "outcomes": {"verdict": row.get("verdict")},
        "scorer": row.get("scorer", ""),
        "output": row.get("output", ""),
        "rationale": row.get("rationale", ""),
        "output_chars": row.get("output_chars", len(str(row.get("output") or ""))),
    }
    extra = {k: v for k, v in row.items() if k not in out and k not in _LEGACY_CONDITION and k != "verdict"}
    return {**out, **extra}


def check_row(row: dict[str, Any], where: str) -> None:
    missing = [k for k in KEYS if row.get(k) in (None, "")]
    if missing:
        raise WarmlabError(f"{where}: result row lacks {', '.join(missing)}")
    if not isinstance(row.get("outcomes"), dict) or not isinstance(row.get("condition", {}), dict):
        raise WarmlabError(f"{where}: result row needs `outcomes` and `condition` objects")


def flat(row: dict[str, Any]) -> dict[str, Any]:
    """Condition fields and outcomes lifted to the top level (how tables and the paper's models read)."""
    return {**row, **(row.get("condition") or {}), **(row.get("outcomes") or {})}


def row_key(r: dict[str, Any]) -> tuple[Any, ...]:
    return (r.get("task"), r.get("model"), r.get("variant"), r.get("mode"), r.get("sample_id"))


def latest_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (task, model, variant, mode, sample), the last written winning (a retried error is
    replaced), in first-seen order."""
    keyed: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        keyed[row_key(r)] = r
    return list(keyed.values())


def task_rows(rows: Sequence[dict[str, Any]], task: str) -> list[dict[str, Any]]:
    return [r for r in rows if r.get("task") == task]


def done_sample_ids(
    rows: Iterable[dict[str, Any]], task: str, model: str, variant: str, mode: str
) -> set[str]:
    """Samples finished (not errors) for one task x model x variant x mode: a resumed run skips them."""
    return {
        str(r["sample_id"])
        for r in rows
        if (r.get("task"), r.get("model"), r.get("variant"), r.get("mode")) == (task, model, variant, mode)
        and r.get("scorer") != "error"
    }
