"""Statistics for any battery's outcomes, each variant paired with its base on the same samples.

Per mode and declared outcome (see warmlab.tasks.base.Outcome):
- binary and verdict outcomes: rate with a Wilson interval; paired with the base: the difference in
  percentage points with an item-clustered bootstrap CI (Newcombe's paired interval beside it) and the
  exact McNemar p-value;
- continuous outcomes: mean with an item-clustered bootstrap CI; paired: mean difference, same CI;
- per-turn outcomes: a curve, the mean per turn with its CI; paired: the difference per turn.
A pair is one sample answered by both the variant and its base model (same mode), both inside the
outcome's subset with a value. Item-clustered: samples of the same item are resampled together.
Rows of training checkpoints (with an `epoch`) are summarised per run and epoch, not paired.
Where a second scorer ran on the same samples (`by_scorer`, e.g. an LLM judge beside the offline scorer),
each binary or verdict outcome reports the scorers' agreement: raw, Cohen's kappa and n; an outcome
declared with `scorer` (e.g. "judge:") is read from that scorer's entry, with its own CIs and pairs.
A battery's `breakdown` fields (e.g. the category) repeat each outcome's entries per level.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from warmlab.stats.intervals import cluster_bootstrap, newcombe_paired, wilson
from warmlab.stats.tables import mcnemar_exact
from warmlab.tasks.base import Battery, Outcome

Row = Mapping[str, Any]


def value(row: Row, o: Outcome) -> Any:
    """The outcome's value in a row: 0/1 (or None) for binary and verdict outcomes, a float for
    continuous ones, a list for per-turn ones; None when the row has none or is outside the subset."""
    if o.subset is not None and not o.subset(row):
        return None
    outs = row.get("outcomes") or {}
    if o.scorer:  # the outcome as a second scorer (e.g. a judge beside the offline one) gave it
        by = row.get("by_scorer") or {}
        outs = next((v for k, v in sorted(by.items()) if str(k).startswith(o.scorer)), None) or {}
        row = {**row, "outcomes": outs}
    if o.kind == "verdict":
        return o.flag(row) if o.flag else None
    raw = outs.get(o.name)
    if raw is None:
        return None
    if o.kind == "per_turn":
        return list(raw) if isinstance(raw, list) else None
    try:
        x = float(raw)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _summary(
    vals: Sequence[float], items: Sequence[str], binary: bool, draws: int, seed: int
) -> dict[str, Any]:
    n = len(vals)
    if n == 0:
        return {"n": 0, "mean": None, "ci": [None, None], "n_items": 0}
    mean = sum(vals) / n
    if binary:
        ci = list(wilson(round(sum(vals)), n))
        method = "Wilson"
    else:
        ci = list(cluster_bootstrap(vals, items, n=draws, seed=seed))
        method = "item-clustered bootstrap"
    return {"n": n, "mean": mean, "ci": ci, "ci_method": method, "n_items": len(set(items))}


def _is_binary(vals: Sequence[float]) -> bool:
    return all(v in (0.0, 1.0) for v in vals)


def _per_turn(
    lists: Sequence[list[Any]], items: Sequence[str], draws: int, seed: int
) -> list[dict[str, Any]]:
    width = max((len(x) for x in lists), default=0)
    curve = []
    for t in range(width):
        pts = [
            (float(x[t]), it) for x, it in zip(lists, items, strict=True) if t < len(x) and x[t] is not None
        ]
        vals = [v for v, _ in pts]
        curve.append({"turn": t, **_summary(vals, [i for _, i in pts], _is_binary(vals), draws, seed)})
    return curve


def _paired_binary(pairs: Sequence[tuple[float, float, str]], draws: int, seed: int) -> dict[str, Any]:
    v = [a for a, _, _ in pairs]
    b = [c for _, c, _ in pairs]
    both = sum(1 for x, y in zip(v, b, strict=True) if x == 1 and y == 1)
    v_only = sum(1 for x, y in zip(v, b, strict=True) if x == 1 and y == 0)
    b_only = sum(1 for x, y in zip(v, b, strict=True) if x == 0 and y == 1)
    neither = len(pairs) - both - v_only - b_only
    p, note = mcnemar_exact(v_only, b_only)
    d = [x - y for x, y in zip(v, b, strict=True)]
    lo, hi = cluster_bootstrap(d, [i for _, _, i in pairs], n=draws, seed=seed)
    nlo, nhi = newcombe_paired(both, v_only, b_only, neither)
    return {
        "n_pairs": len(pairs),
        "n_items": len({i for _, _, i in pairs}),
        "variant_mean": sum(v) / len(v),
        "base_mean": sum(b) / len(b),
        "diff": sum(d) / len(d),
        "ci": [lo, hi],
        "ci_method": "item-clustered bootstrap",
        "ci_newcombe": [nlo, nhi],
        "discordant": {"variant_only": v_only, "base_only": b_only},
        "p_value": p,
        "test": "exact McNemar",
        "note": note,
    }


def _paired_continuous(pairs: Sequence[tuple[float, float, str]], draws: int, seed: int) -> dict[str, Any]:
    d = [a - b for a, b, _ in pairs]
    lo, hi = cluster_bootstrap(d, [i for _, _, i in pairs], n=draws, seed=seed)
    return {
        "n_pairs": len(pairs),
        "n_items": len({i for _, _, i in pairs}),
        "variant_mean": sum(a for a, _, _ in pairs) / len(pairs),
        "base_mean": sum(b for _, b, _ in pairs) / len(pairs),
        "diff": sum(d) / len(d),
        "ci": [lo, hi],
        "ci_method": "item-clustered bootstrap",
    }


def _paired_curve(
    pairs: Sequence[tuple[list[Any], list[Any], str]], draws: int, seed: int
) -> list[dict[str, Any]]:
    width = max((min(len(a), len(b)) for a, b, _ in pairs), default=0)
    out = []
    for t in range(width):
        pts = [
            (float(a[t]), float(b[t]), i)
            for a, b, i in pairs
            if t < len(a) and t < len(b) and a[t] is not None and b[t] is not None
        ]
        if pts:
            out.append({"turn": t, **_paired_continuous(pts, draws, seed)})
    return out


def _groups(rows: Sequence[Row]) -> dict[tuple[str, str, str], list[Row]]:
    g: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for r in rows:
        g[(str(r["variant"]), str(r["model"]), str(r.get("base") or r["model"]))].append(r)
    return g


def agreement(o: Outcome, rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Per pair of scorers that both gave this outcome on a row: raw agreement, Cohen's kappa and n
    (binary and verdict outcomes; rows where either value is excluded are left out)."""
    if o.kind not in ("binary", "verdict") or o.scorer:  # a second scorer's copy: agreement is on the first
        return []
    pairs: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for r in rows:
        by = r.get("by_scorer") or {}
        vals = {}
        for name, outs in by.items():
            v = value({**r, "outcomes": outs}, o)
            if v is not None:
                vals[name] = float(v)
        names = sorted(vals)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                pairs[(a, b)].append((vals[a], vals[b]))
    out = []
    for (a, b), pts in sorted(pairs.items()):
        n = len(pts)
        agree = sum(x == y for x, y in pts) / n
        pa, pb = sum(x for x, _ in pts) / n, sum(y for _, y in pts) / n
        chance = pa * pb + (1 - pa) * (1 - pb)
        kappa = None if chance >= 1 else (agree - chance) / (1 - chance)
        out.append({"scorers": [a, b], "n": n, "agreement": agree, "kappa": kappa})
    return out


def _outcome_entry(o: Outcome, rows: Sequence[Row], draws: int, seed: int) -> dict[str, Any]:
    groups = _groups(rows)
    variants = []
    for (variant, model, base), rs in sorted(groups.items(), key=lambda kv: (kv[0][0] != "base", kv[0])):
        pts = [(value(r, o), str(r.get("item_id"))) for r in rs]
        pts = [(v, i) for v, i in pts if v is not None]
        entry: dict[str, Any] = {"variant": variant, "model": model, "base": base}
        if o.kind == "per_turn":
            entry["curve"] = _per_turn([v for v, _ in pts], [i for _, i in pts], draws, seed)
            entry["n"] = len(pts)
        else:
            vals = [float(v) for v, _ in pts]
            entry.update(_summary(vals, [i for _, i in pts], o.kind in ("binary", "verdict"), draws, seed))
        variants.append(entry)
    paired = []
    base_rows = {(str(r["model"]), str(r["sample_id"])): r for r in rows if r["variant"] == "base"}
    for (variant, model, base), rs in sorted(groups.items()):
        if variant == "base":
            continue
        pairs = []
        for r in rs:
            b = base_rows.get((base, str(r["sample_id"])))
            if b is None:
                continue
            va, vb = value(r, o), value(b, o)
            if va is not None and vb is not None:
                pairs.append((va, vb, str(r.get("item_id"))))
        head = {"variant": variant, "model": model, "base": base}
        if not pairs:
            paired.append({**head, "n_pairs": 0, "note": "no sample answered by both with a value"})
        elif o.kind == "per_turn":
            paired.append({**head, "n_pairs": len(pairs), "curve": _paired_curve(pairs, draws, seed)})
        elif o.kind in ("binary", "verdict"):
            paired.append({**head, **_paired_binary(pairs, draws, seed)})
        else:
            paired.append({**head, **_paired_continuous(pairs, draws, seed)})
    return {
        "outcome": o.id,
        "name": o.name,
        "kind": o.kind,
        "description": o.description,
        "better": o.better,
        "event": o.event,
        "primary": o.primary,
        "scorer": o.scorer,
        "variants": variants,
        "paired": paired,
        "agreement": agreement(o, rows),
    }


def _checkpoints(o: Outcome, rows: Sequence[Row], draws: int, seed: int) -> list[dict[str, Any]]:
    by: dict[tuple[str, float], list[Row]] = defaultdict(list)
    for r in rows:
        by[(str(r.get("run") or ""), float(r["epoch"]))].append(r)
    out = []
    for (run, epoch), rs in sorted(by.items()):
        pts = [(value(r, o), str(r.get("item_id"))) for r in rs]
        vals = [float(v) for v, _ in pts if v is not None and not isinstance(v, list)]
        items = [i for v, i in pts if v is not None and not isinstance(v, list)]
        out.append(
            {
                "run": run,
                "epoch": epoch,
                **_summary(vals, items, o.kind in ("binary", "verdict"), draws, seed),
            }
        )
    return out


def analyse_battery(
    rows: Sequence[Row], battery: Battery, *, bootstrap: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """The battery's statistics: per mode, one entry per declared outcome (see the module docstring)."""
    rows = [r for r in rows if r.get("task") == battery.name]
    ok = [r for r in rows if r.get("scorer") != "error"]
    draws = max(bootstrap, 200)
    warnings = []
    if len(ok) < len(rows):
        warnings.append(f"{len(rows) - len(ok)} sample(s) failed and are left out (scorer 'error')")
    failed_users = sum(1 for r in ok if (r.get("outcomes") or {}).get("user_failure"))
    if failed_users:
        warnings.append(f"{failed_users} dialogue(s) stopped early because the user simulator failed")
    modes: dict[str, Any] = {}
    for mode in sorted({str(r["mode"]) for r in ok}):
        in_mode = [r for r in ok if r["mode"] == mode]
        plain = [r for r in in_mode if r.get("epoch") is None]
        ckpt = [r for r in in_mode if r.get("epoch") is not None]
        entries = [_outcome_entry(o, plain, draws, seed) for o in battery.outcomes_for(mode)]
        m: dict[str, Any] = {"outcomes": entries, "n_rows": len(in_mode)}
        for field in battery.breakdown:
            levels = sorted({str((r.get("condition") or {}).get(field)) for r in plain})
            m.setdefault("by", {})[field] = {
                lv: [
                    _outcome_entry(
                        o, [r for r in plain if str((r.get("condition") or {}).get(field)) == lv], draws, seed
                    )
                    for o in battery.outcomes_for(mode)
                    if o.kind != "per_turn"
                ]
                for lv in levels
            }
        if ckpt:
            primary = next((o for o in battery.outcomes_for(mode) if o.primary), None)
            if primary is not None and primary.kind != "per_turn":
                m["checkpoints"] = {"outcome": primary.id, "points": _checkpoints(primary, ckpt, draws, seed)}
        if not any(r["variant"] != "base" for r in plain):
            warnings.append(f"{mode}: no variant besides base: no paired comparisons")
        modes[mode] = m
    users = Counter(str(r.get("user")) for r in ok if r.get("user"))
    return {
        "task": battery.name,
        "summary": battery.summary,
        "sources": battery.sources,
        "n_rows": len(rows),
        "scorers": dict(Counter(str(r.get("scorer")) for r in ok)),
        "users": dict(users),
        "scripted_user": bool(users) and all(u.startswith("scripted:") for u in users),
        "bootstrap": draws,
        "seed": seed,
        "modes": modes,
        "warnings": warnings,
    }
