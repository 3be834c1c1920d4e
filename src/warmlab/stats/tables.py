"""Error rates with Wilson intervals and coverage, and paired variant-vs-base tests per cell (exact McNemar +
BH FDR)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from warmlab.scoring.verdict import DECIDED
from warmlab.stats.intervals import ALPHA, wilson

CELL = ("family", "context", "belief")


def coverage(verdicts: pd.Series) -> dict[str, Any]:
    """Decided (correct, incorrect, refusal) over scored rows (every row but `invalid`: those the scorer
    could not run on), with the undecided, unparsed and invalid counts."""
    invalid = int((verdicts == "invalid").sum())
    decided = int(verdicts.isin(sorted(DECIDED)).sum())
    scored = len(verdicts) - invalid
    return {
        "n_decided": decided,
        "undecided": int((verdicts == "undecided").sum()),
        "unparsed": int((verdicts == "unparsed").sum()),
        "invalid": invalid,
        "coverage": decided / scored if scored else None,
    }


def _rate_entry(g: pd.DataFrame) -> dict[str, Any]:
    ok = g[np.isfinite(g["error"].to_numpy())]
    n, errors = len(ok), int(ok["error"].sum())
    lo, hi = wilson(errors, n)
    return {
        "n_rows": len(g),
        "n_scored": n,
        "errors": errors,
        "refusals": int(g["refused"].sum()),
        **coverage(g["verdict"]),
        "rate": errors / n if n else None,
        "ci_low": lo,
        "ci_high": hi,
    }


def error_rates(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Per mode x model (variant, base) x family x context x belief, plus pooled rows ("all")."""
    out: list[dict[str, Any]] = []
    key = ["mode", "model", "variant", "base"]
    levels: Sequence[tuple[str, ...]] = (CELL, ("family",), ())
    for cols in levels:
        for vals, g in df.groupby(key + list(cols), sort=True):
            d = dict(zip(key + list(cols), vals, strict=True))
            entry = {**d, **{c: d.get(c, "all") for c in CELL}, **_rate_entry(g)}
            entry["level"] = {3: "cell", 1: "family", 0: "overall"}[len(cols)]
            out.append(entry)
    return out


def mcnemar_exact(variant_only: int, base_only: int) -> tuple[float, str | None]:
    """Two-sided exact McNemar p-value from the discordant pairs; no discordant pairs -> p = 1 with a note."""
    if variant_only + base_only == 0:
        return 1.0, "no discordant pairs: the variant and base agree on every pair (p = 1)"
    from statsmodels.stats.contingency_tables import mcnemar

    # rows: base wrong/right; columns: variant wrong/right; only the off-diagonal matters
    res = mcnemar([[0, base_only], [variant_only, 0]], exact=True)
    return float(res.pvalue), None


def cohens_g(variant_only: int, base_only: int) -> float | None:
    """Cohen's g: the share of discordant pairs in the more frequent direction minus 0.5 (0 to 0.5)."""
    d = variant_only + base_only
    return None if d == 0 else abs(max(variant_only, base_only) / d - 0.5)


def paired_odds_ratio(
    variant_only: int, base_only: int, alpha: float = ALPHA
) -> tuple[float | None, list[float | None]]:
    """Conditional (matched-pairs) odds ratio variant_only / base_only and its exact CI (Clopper-Pearson
    on the discordant split); None stands for an infinite or undefined bound."""
    d = variant_only + base_only
    if d == 0:
        return None, [None, None]
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(variant_only, d, alpha=alpha, method="beta")

    def odds(p: float) -> float | None:
        return None if p >= 1 else float(p / (1 - p))

    return (None if base_only == 0 else variant_only / base_only), [odds(float(lo)), odds(float(hi))]


def bh(pvalues: Sequence[float], alpha: float = ALPHA) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values)."""
    if not len(pvalues):
        return []
    from statsmodels.stats.multitest import multipletests

    return [float(q) for q in multipletests(list(pvalues), alpha=alpha, method="fdr_bh")[1]]


def _paired_entry(m: pd.DataFrame) -> dict[str, Any]:
    b, v = m["error_base"].to_numpy(), m["error_variant"].to_numpy()
    variant_only, base_only = int(((v == 1) & (b == 0)).sum()), int(((v == 0) & (b == 1)).sum())
    p, note = mcnemar_exact(variant_only, base_only)
    odds, odds_ci = paired_odds_ratio(variant_only, base_only)
    n = len(m)
    notes = [note] if note else []
    if variant_only and not base_only:
        notes.append("no base-only errors: the odds ratio is infinite (reported as null)")
    return {
        "n_pairs": n,
        "both_wrong": int(((v == 1) & (b == 1)).sum()),
        "variant_only": variant_only,
        "base_only": base_only,
        "both_right": int(((v == 0) & (b == 0)).sum()),
        "base_rate": float(b.mean()) if n else None,
        "variant_rate": float(v.mean()) if n else None,
        "diff_pp": float(100 * (v.mean() - b.mean())) if n else None,
        "p_value": p,
        "q_value": None,
        "cohens_g": cohens_g(variant_only, base_only),
        "odds_ratio": odds,
        "odds_ratio_ci": odds_ci,
        "direction": (
            "variant worse"
            if variant_only > base_only
            else "variant better"
            if base_only > variant_only
            else "none"
        ),
        "note": "; ".join(notes) or None,
    }


def pair_rows(df: pd.DataFrame, mode: str, base: str, variant: str) -> pd.DataFrame:
    """Scored item x condition pairs of `variant` and its base (same base model, same mode)."""
    key = ["family", "item_id", "context", "belief", "pair_key"]
    sel = df[(df["mode"] == mode) & (df["base"] == base)]
    ok = sel[np.isfinite(sel["error"].to_numpy())]
    b = ok[ok["variant"] == "base"].drop_duplicates(key)[[*key, "error"]]
    v = ok[ok["variant"] == variant].drop_duplicates(key)[[*key, "error"]]
    return b.merge(v, on=key, suffixes=("_base", "_variant"))


def paired(df: pd.DataFrame, comparisons: Sequence[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Exact McNemar per cell for each (mode, base, variant); BH over the cells of one comparison.

    An "overall" entry per comparison pools every pair (its q_value stays null: it is not one of the cells).
    """
    out: list[dict[str, Any]] = []
    for mode, base, variant in comparisons:
        pairs = pair_rows(df, mode, base, variant)
        sel = df[(df["mode"] == mode) & (df["base"] == base)]
        cov = _coverages(sel, variant)
        head = {"mode": mode, "base": base, "variant": variant}
        cells = [
            {**head, **dict(zip(CELL, vals, strict=True)), "level": "cell", **_paired_entry(g), **cov(vals)}
            for vals, g in pairs.groupby(list(CELL), sort=True)
        ]
        for e, q in zip(cells, bh([e["p_value"] for e in cells]), strict=True):
            e["q_value"] = q
        out.extend(cells)
        if len(pairs):
            overall = {**head, **dict.fromkeys(CELL, "all"), "level": "overall", **_paired_entry(pairs)}
            out.append({**overall, **cov(None)})
    return out


def _coverages(sel: pd.DataFrame, variant: str) -> Any:
    """cell values (None: every cell) -> {base_coverage, variant_coverage} of the rows in that cell."""

    def of(vals: tuple[str, ...] | None) -> dict[str, Any]:
        rows = sel
        if vals is not None:
            for col, v in zip(CELL, vals, strict=True):
                rows = rows[rows[col] == v]
        return {
            "base_coverage": coverage(rows.loc[rows["variant"] == "base", "verdict"])["coverage"],
            "variant_coverage": coverage(rows.loc[rows["variant"] == variant, "verdict"])["coverage"],
        }

    return of
