"""The monitor beside the measured costs: each variant's or checkpoint's projection shift from the base
(warmlab.directions.monitor, no generation) next to its warmth gap and error gap from the base (paired over
the same samples), and the correlation of shift and gap across them. Can the shift predict the cost before
any evaluation? With a handful of points, only weakly: the CI says how weakly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from warmlab.stats.outcomes import _paired_binary, _paired_continuous, value
from warmlab.tasks.base import Outcome

Row = Mapping[str, Any]
Z95 = 1.959963984540054


def pearson(xs: Sequence[float], ys: Sequence[float]) -> dict[str, Any]:
    """Pearson's r with a 95% CI from Fisher's z (n >= 4; None below, or when either side is constant)."""
    n = len(xs)
    out: dict[str, Any] = {"n": n, "r": None, "ci": [None, None]}
    if n < 3:
        return out
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx, syy = sum((x - mx) ** 2 for x in xs), sum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return out
    r = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    out["r"] = r
    if n >= 4 and abs(r) < 1:
        z, se = math.atanh(r), 1 / math.sqrt(n - 3)
        out["ci"] = [math.tanh(z - Z95 * se), math.tanh(z + Z95 * se)]
    return out


def paired_gap(
    rows: Sequence[Row], task: str, o: Outcome, variant: str, mode: str, draws: int = 1000, seed: int = 0
) -> dict[str, Any] | None:
    """`variant` (a variant or a checkpoint label) minus the base rows of its base model, paired by sample."""
    mine = [
        r for r in rows if r.get("task") == task and r.get("variant") == variant and r.get("mode") == mode
    ]
    if not mine:
        return None
    base_model = str(mine[0].get("base") or "")
    theirs = {
        str(r["sample_id"]): r
        for r in rows
        if r.get("task") == task
        and r.get("variant") == "base"
        and r.get("model") == base_model
        and r.get("mode") == mode
    }
    pairs = []
    for r in mine:
        b = theirs.get(str(r["sample_id"]))
        va, vb = value(r, o), (value(b, o) if b is not None else None)
        if va is not None and vb is not None:
            pairs.append((float(va), float(vb), str(r.get("item_id"))))
    if not pairs:
        return None
    if o.kind in ("binary", "verdict"):
        return _paired_binary(pairs, draws, seed)
    return _paired_continuous(pairs, draws, seed)


def _primary(task: str) -> Outcome | None:
    from warmlab.tasks import batteries

    b = batteries().get(task)
    return next((o for o in b.outcomes if o.primary), None) if b else None


def beside_gaps(
    monitor: Mapping[str, Any], rows: Sequence[Row], draws: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Per monitored point: its shifts and its warmth and error gaps (reliability's error per mode); then
    the correlation of the reply shift with each gap across the points that have both."""
    ok = [r for r in rows if r.get("scorer") != "error"]
    warmth, error = _primary("warmth"), _primary("reliability")
    modes = sorted({str(r["mode"]) for r in ok if r.get("task") == "reliability"})
    points = []
    for s in monitor.get("shifts") or []:
        p: dict[str, Any] = dict(s)
        label = str(s["variant"])
        w = paired_gap(ok, "warmth", warmth, label, "generate", draws, seed) if warmth else None
        p["warmth_gap"] = _gap(w)
        p["error_gap"] = {}
        for mode in modes:
            g = paired_gap(ok, "reliability", error, label, mode, draws, seed) if error else None
            if g is not None:
                p["error_gap"][mode] = _gap(g)
        points.append(p)
    corr: dict[str, Any] = {}
    for shift in ("prompt", "response"):
        have = [p for p in points if p.get(shift) is not None and p["warmth_gap"]]
        corr[f"{shift}~warmth"] = pearson([p[shift] for p in have], [p["warmth_gap"]["diff"] for p in have])
        corr[f"{shift}~warmth"]["points"] = [p["variant"] for p in have]
        for mode in modes:
            have = [p for p in points if p.get(shift) is not None and mode in p["error_gap"]]
            c = pearson([p[shift] for p in have], [p["error_gap"][mode]["diff"] for p in have])
            corr[f"{shift}~error:{mode}"] = {**c, "points": [p["variant"] for p in have]}
    return {
        "trait": monitor.get("trait"),
        "layer": monitor.get("layer"),
        "n_prompts": monitor.get("n_prompts"),
        "points": points,
        "correlations": corr,
    }


def _gap(g: Mapping[str, Any] | None) -> dict[str, Any]:
    if not g:
        return {}
    return {"diff": g["diff"], "ci": g["ci"], "n_pairs": g["n_pairs"]}
