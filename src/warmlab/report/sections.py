"""Small helpers for a battery's own report section (`Battery.report`): the rows it can draw, its
variants in report order, a stats entry by outcome id, and figure / table / note markup."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from warmlab.report.page import figure, table

__all__ = [
    "entry",
    "figure",
    "label_of",
    "note",
    "plain_rows",
    "role_of",
    "table",
    "variant_bars",
    "variant_order",
]

Row = Mapping[str, Any]
e = html.escape
ROLE_RANK = {"base": 0, "warm": 1, "system": 2, "cold": 3, "other": 4}


def plain_rows(rows: Sequence[Row], mode: str = "generate") -> list[Row]:
    """The latest row of each sample in `mode`, without failed samples or training checkpoints."""
    from warmlab.results.rows import latest_rows

    return [
        r
        for r in latest_rows([dict(r) for r in rows])
        if r.get("mode") == mode and r.get("scorer") != "error" and r.get("epoch") is None
    ]


def role_of(variant: str, roles: Mapping[str, str]) -> str:
    return "base" if variant == "base" else roles.get(variant, "other")


def variant_order(names: Sequence[str], roles: Mapping[str, str]) -> list[str]:
    return sorted(dict.fromkeys(names), key=lambda v: (ROLE_RANK.get(role_of(v, roles), 5), v))


def label_of(variant: str, roles: Mapping[str, str]) -> str:
    role = role_of(variant, roles)
    return variant if role in (variant, "other") else f"{variant} ({role})"


def entry(
    stats: Mapping[str, Any], outcome: str, mode: str = "generate", by: tuple[str, str] | None = None
) -> Mapping[str, Any] | None:
    """The statistics entry of one outcome id (in one level of a breakdown field when `by` is given)."""
    m = (stats.get("modes") or {}).get(mode) or {}
    entries = m.get("outcomes") or []
    if by is not None:
        entries = ((m.get("by") or {}).get(by[0]) or {}).get(by[1]) or []
    return next((o for o in entries if o.get("outcome") == outcome), None)


def variant_bars(ent: Mapping[str, Any] | None, group: str, roles: Mapping[str, str]) -> list[dict[str, Any]]:
    """Grouped-bar rows (`report.plots.grouped_bars`) of one stats entry: each variant's mean and CI."""
    rows: list[dict[str, Any]] = []
    for v in (ent or {}).get("variants") or []:
        if v.get("n"):
            lo, hi = v.get("ci") or [None, None]
            rows.append(
                {
                    "group": group,
                    "label": label_of(v["variant"], roles),
                    "role": role_of(v["variant"], roles),
                    "value": v["mean"],
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    return rows


def note(text: str) -> str:
    return f'<p class="note">{e(text)}</p>'
