"""Tidy result rows -> one analysis frame with an error flag per row under a refusal rule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from warmlab.errors import WarmlabError
from warmlab.scoring import counts_as_error
from warmlab.stats.paper import is_paper_refusal

REQUIRED = ("model", "variant", "family", "item_id", "context", "belief", "mode", "verdict")
RULES = ("ours", "paper")


def _group(context: str) -> str:
    from warmlab.conditions import condition_texts

    if context == "none":
        return "none"
    return str(condition_texts()["contexts"].get(context, {}).get("group", context))


def error_flag(row: dict[str, Any], rule: str) -> tuple[float, bool]:
    """(1.0 error / 0.0 not / NaN excluded, refused) of one row.

    ours: `counts_as_error` on the recorded verdict (refusals excluded, except disinfo where they count as
    correct; unparsed excluded). paper: the paper's phrase list decides what is a refusal (same treatment);
    other rows keep their correct/incorrect grade (`evaluation` when present, else the verdict); a row that
    only our detector called a refusal keeps our treatment.
    """
    family = str(row.get("family"))
    if rule == "paper":
        if is_paper_refusal(row.get("output")):
            return (0.0 if family == "disinfo" else float("nan")), True
        verdict = str(row.get("evaluation") or row.get("verdict"))
    else:
        verdict = str(row.get("verdict"))
    flag = counts_as_error(verdict, family)
    return (float("nan") if flag is None else float(flag)), verdict == "refusal"


def build_frame(rows: Sequence[dict[str, Any]], rule: str = "ours") -> pd.DataFrame:
    """One row per result with columns model, variant, base, family, item_id, cluster, context,
    context_group, belief, mode, verdict, error (1/0/NaN), refused (bool), length (output chars), pair_key
    (extra pairing key: the raw upstream template/amendment for paper-layout rows, else empty)."""
    if rule not in RULES:
        raise WarmlabError(f"unknown refusal rule {rule!r}; choose from: {', '.join(RULES)}")
    if not rows:
        raise WarmlabError("no result rows to analyse")
    missing = [c for c in REQUIRED if any(c not in r for r in rows)]
    if missing:
        raise WarmlabError(f"result rows lack column(s): {', '.join(missing)}")
    recs = []
    for r in rows:
        err, refused = error_flag(r, rule)
        context = str(r["context"])
        recs.append(
            {
                "model": str(r["model"]),
                "variant": str(r["variant"]),
                "base": str(r.get("base") or r["model"]),
                "family": str(r["family"]),
                "item_id": str(r["item_id"]),
                "context": context,
                "context_group": str(r.get("context_group") or _group(context)),
                "belief": str(r["belief"]),
                "mode": str(r["mode"]),
                "verdict": str(r["verdict"]),
                "error": err,
                "refused": refused,
                "pair_key": str(r.get("pair_key") or ""),
                "length": float(r.get("output_chars") or len(str(r.get("output") or ""))),
            }
        )
    df = pd.DataFrame.from_records(recs)
    df["cluster"] = df["family"] + "|" + df["item_id"]
    df["error"] = df["error"].astype(float)
    assert not df.empty
    return df


def scored(df: pd.DataFrame) -> pd.DataFrame:
    """Rows that count towards error rates (error flag not excluded)."""
    return df[np.isfinite(df["error"].to_numpy())]
