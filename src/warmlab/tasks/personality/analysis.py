"""The personality battery's own statistics, from its result rows (pure functions).

- `scale_table`: per variant and scale (domain or facet), the mean keyed score with an item-clustered
  bootstrap CI, and the paired shift from the base over the same samples (same item, framing and order);
- `reliability`: Cronbach's alpha per domain and facet, each administration (framing x answer order) one
  respondent, with the number of respondents and items it rests on;
- `order_check`: the mean raw answer with the scale listed forward and reversed, their paired difference
  (an answer that follows the statement: near 0; one that follows the position: up to -4 for "always 1")
  and the share of answers that are the first number listed.
Rows of training checkpoints (with an `epoch`) and failed samples are left out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from warmlab.stats.intervals import cluster_bootstrap
from warmlab.tasks.personality.data import IpipItem
from warmlab.tasks.personality.scoring import scale_alphas

Row = Mapping[str, Any]
Group = tuple[str, str, str]  # variant, model, base


def usable(rows: Sequence[Row]) -> list[Row]:
    return [
        r
        for r in rows
        if r.get("task", "personality") == "personality"
        and r.get("scorer") != "error"
        and r.get("epoch") is None
    ]


def by_mode(rows: Sequence[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for r in usable(rows):
        out[str(r["mode"])].append(r)
    return dict(sorted(out.items()))


def groups(rows: Sequence[Row]) -> dict[Group, list[Row]]:
    """Rows per (variant, model, base), the base first."""
    g: dict[Group, list[Row]] = defaultdict(list)
    for r in rows:
        g[(str(r["variant"]), str(r["model"]), str(r.get("base") or r["model"]))].append(r)
    return dict(sorted(g.items(), key=lambda kv: (kv[0][0] != "base", kv[0])))


def _num(row: Row, key: str) -> float | None:
    v = (row.get("outcomes") or {}).get(key)
    if v is None:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _mean_ci(pts: Sequence[tuple[float, str]], draws: int, seed: int) -> dict[str, Any]:
    if not pts:
        return {"n": 0, "mean": None, "ci": [None, None], "n_items": 0}
    vals, items = [v for v, _ in pts], [i for _, i in pts]
    lo, hi = cluster_bootstrap(vals, items, n=draws, seed=seed)
    return {"n": len(vals), "mean": sum(vals) / len(vals), "ci": [lo, hi], "n_items": len(set(items))}


def _scale_of(level: str) -> Callable[[Row], str]:
    field = "domain" if level == "domain" else "facet"
    return lambda r: str((r.get("condition") or {}).get(field))


def scale_table(
    rows: Sequence[Row], level: str = "domain", key: str = "score", draws: int = 1000, seed: int = 0
) -> list[dict[str, Any]]:
    """One entry per variant x scale: {variant, model, base, scale, n, mean, ci, n_items} and, for
    variants with base rows, the paired shift {n_pairs, diff, diff_ci}."""
    scale = _scale_of(level)
    base_rows = {(str(r["model"]), str(r["sample_id"])): r for r in rows if r["variant"] == "base"}
    out = []
    for (variant, model, base), rs in groups(rows).items():
        per: dict[str, list[Row]] = defaultdict(list)
        for r in rs:
            per[scale(r)].append(r)
        for name in sorted(per):
            pts = [(v, str(r["item_id"])) for r in per[name] if (v := _num(r, key)) is not None]
            entry: dict[str, Any] = {
                "variant": variant,
                "model": model,
                "base": base,
                "scale": name,
                **_mean_ci(pts, draws, seed),
            }
            if variant != "base":
                diffs = []
                for r in per[name]:
                    b = base_rows.get((base, str(r["sample_id"])))
                    a, c = _num(r, key), (_num(b, key) if b is not None else None)
                    if a is not None and c is not None:
                        diffs.append((a - c, str(r["item_id"])))
                d = _mean_ci(diffs, draws, seed)
                entry.update(n_pairs=d["n"], diff=d["mean"], diff_ci=d["ci"])
            out.append(entry)
    return out


def _items(rows: Sequence[Row]) -> list[IpipItem]:
    seen: dict[str, IpipItem] = {}
    for r in rows:
        c = r.get("condition") or {}
        facet = str(c.get("facet") or "")
        if r["item_id"] not in seen and len(facet) >= 2 and facet[1:].isdigit():
            seen[str(r["item_id"])] = IpipItem(
                str(r["item_id"]), "", str(c.get("keyed")), facet[0], int(facet[1:])
            )
    return list(seen.values())


def administrations(rows: Sequence[Row]) -> dict[str, dict[str, float]]:
    """(framing|order) -> item id -> keyed score: one respondent each."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        v = _num(r, "score")
        if v is not None:
            c = r.get("condition") or {}
            out[f"{c.get('framing')}|{c.get('order')}"][str(r["item_id"])] = v
    return dict(out)


def reliability(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Per variant: Cronbach's alpha per domain and facet ({scale: alpha}), with the number of
    administrations (respondents) and, per scale, of items answered in every administration."""
    out = []
    for (variant, model, _base), rs in groups(rows).items():
        admins = administrations(rs)
        items = _items(rs)
        common = [i for i in items if all(i.id in a for a in admins.values())]
        k: dict[str, int] = defaultdict(int)
        for i in common:
            k[i.domain] += 1
            k[i.facet_code] += 1
        alphas = scale_alphas(list(admins.values()), items) if len(admins) >= 2 else {}
        out.append(
            {
                "variant": variant,
                "model": model,
                "respondents": len(admins),
                "items": dict(k),
                "domains": alphas.get("domains", {}),
                "facets": alphas.get("facets", {}),
            }
        )
    return out


def _position(r: Row) -> float | None:
    """The listed number of the chosen answer: parsed (generate) or the most likely one (choice)."""
    o = r.get("outcomes") or {}
    if r.get("mode") == "choice" and o.get("raw_argmax") is not None:
        raw = float(o["raw_argmax"])
        return raw if (r.get("condition") or {}).get("order") == "forward" else 6 - raw
    return _num(r, "position")


def order_check(rows: Sequence[Row], draws: int = 1000, seed: int = 0) -> list[dict[str, Any]]:
    """Per variant: mean raw answer per order, the paired difference forward - reversed (same item and
    framing), and the share of chosen answers that are the first number listed."""
    out = []
    for (variant, model, _base), rs in groups(rows).items():
        raw: dict[str, dict[tuple[str, str], float]] = {"forward": {}, "reversed": {}}
        for r in rs:
            c = r.get("condition") or {}
            v = _num(r, "raw")
            if v is not None and c.get("order") in raw:
                raw[str(c["order"])][(str(r["item_id"]), str(c.get("framing")))] = v
        entry: dict[str, Any] = {"variant": variant, "model": model}
        for order, vals in raw.items():
            entry[order] = _mean_ci([(v, k[0]) for k, v in vals.items()], draws, seed)
        both = sorted(set(raw["forward"]) & set(raw["reversed"]))
        diff = [(raw["forward"][k] - raw["reversed"][k], k[0]) for k in both]
        d = _mean_ci(diff, draws, seed)
        entry.update(n_pairs=d["n"], diff=d["mean"], diff_ci=d["ci"])
        chosen = [p for r in rs if (p := _position(r)) is not None]
        entry["first_share"] = sum(1 for p in chosen if p == 1) / len(chosen) if chosen else None
        entry["n_answers"] = len(chosen)
        out.append(entry)
    return out


def analyse(rows: Sequence[Row], draws: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Everything the battery's report section shows, per mode."""
    out: dict[str, Any] = {}
    for mode, rs in by_mode(rows).items():
        out[mode] = {
            "domains": scale_table(rs, "domain", "score", draws, seed),
            "facets": scale_table(rs, "facet", "score", draws, seed),
            "argmax": scale_table(rs, "domain", "argmax", draws, seed) if mode == "choice" else [],
            "reliability": reliability(rs),
            "order": order_check(rs, draws, seed),
        }
    return out
