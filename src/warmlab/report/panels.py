"""The data behind the reliability figures of the report (family bars, context and belief levels, the
condition grid, the controls), read from stats.json: plain lists and dicts the figures module draws."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from warmlab.conditions import BELIEFS, CONTEXTS
from warmlab.report.data import (
    HIGHLIGHT,
    ROLE_NAMES,
    ROLE_ORDER,
    is_checkpoint,
    model_entry,
    modes,
    pick_ci,
    variants,
)
from warmlab.stats.intervals import newcombe_paired, wilson


def _label_maker(stats: Mapping[str, Any]) -> Any:
    several = len(stats.get("meta", {}).get("bases") or []) > 1

    def label(e: Mapping[str, Any]) -> str:
        return f"{e['variant']} ({e['model']})" if several else str(e["variant"])

    return label


def _variant_order(names: Sequence[str], role: Mapping[str, str]) -> list[str]:
    def key(v: str) -> tuple[int, str]:
        r = role.get(v, "other")
        return (-1 if v == "base" else ROLE_ORDER.index(r) if r in ROLE_ORDER else len(ROLE_ORDER), v)

    return sorted(set(names), key=key)


def family_panels(stats: Mapping[str, Any], role: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    label = _label_maker(stats)
    out: dict[str, list[dict[str, Any]]] = {}
    fams = list(stats.get("meta", {}).get("families") or [])
    for mode in modes(stats):
        ents = [
            e
            for e in stats.get("error_rates") or []
            if e.get("level") == "family" and e["mode"] == mode and not is_checkpoint(str(e["variant"]))
        ]
        order = _variant_order([e["variant"] for e in ents], role)
        ents.sort(
            key=lambda e: (
                order.index(e["variant"]),
                e["model"],
                fams.index(e["family"]) if e["family"] in fams else 99,
            )
        )
        rows = [
            {
                "family": e["family"],
                "label": label(e),
                "role": role.get(e["variant"], "other"),
                "rate": e.get("rate"),
                "ci_low": e.get("ci_low"),
                "ci_high": e.get("ci_high"),
                "n": e.get("n_scored"),
            }
            for e in ents
        ]
        if rows:
            out[mode] = rows
    return out


def level_panels(
    stats: Mapping[str, Any], variant: str, model_name: str, order: Sequence[str]
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """AME (pp) by level of one model's interacted factor, per mode; plus reasons for modes left out."""
    panels: dict[str, list[dict[str, Any]]] = {}
    missing: list[str] = []
    for mode in modes(stats):
        e = model_entry(stats, mode, variant, model_name)
        if not e or e.get("status") != "ok":
            missing.append(f"{mode}: {(e or {}).get('reason') or 'model not fitted'}")
            continue
        rows = []
        for lv in e.get("ame_by_level") or []:
            lo, hi, _ = pick_ci(lv, prefer_bootstrap=False)
            rows.append(
                {
                    "level": lv["level"],
                    "estimate": lv.get("estimate"),
                    "ci_low": lo,
                    "ci_high": hi,
                    "n": lv.get("n"),
                }
            )
        rank = {v: i for i, v in enumerate(order)}
        rows.sort(key=lambda r: rank.get(r["level"], len(rank)))
        if rows:
            panels[mode] = rows
        else:
            missing.append(f"{mode}: the model has no levels to compare")
    return panels, missing


def grid_panels(stats: Mapping[str, Any], variant: str, role: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Per mode: variant − base (pp) for every context x belief cell from the paired tests (pooled over
    families and base models), the highlighted cell with a paired CI, and base/variant error bars."""
    out: dict[str, dict[str, Any]] = {}
    for mode in modes(stats):
        cells = [
            p
            for p in stats.get("paired") or []
            if p.get("level") == "cell" and p["mode"] == mode and p["variant"] == variant
        ]
        if not cells:
            continue
        sums: dict[tuple[str, str], list[int]] = {}
        for p in cells:
            s = sums.setdefault((p["context"], p["belief"]), [0, 0, 0, 0])
            for i, k in enumerate(("both_wrong", "variant_only", "base_only", "both_right")):
                s[i] += int(p.get(k) or 0)
        ctx = [c for c in CONTEXTS if any(k[0] == c for k in sums)] + sorted(
            {k[0] for k in sums} - set(CONTEXTS)
        )
        bel = [b for b in BELIEFS if any(k[1] == b for k in sums)] + sorted(
            {k[1] for k in sums} - set(BELIEFS)
        )
        gap = [
            [
                None
                if (c, b) not in sums or not sum(sums[c, b])
                else 100 * (sums[c, b][1] - sums[c, b][2]) / sum(sums[c, b])
                for b in bel
            ]
            for c in ctx
        ]
        n = [[sum(sums.get((c, b), [0])) for b in bel] for c in ctx]
        hl = sums.get(HIGHLIGHT)
        cell: dict[str, Any] | None = None
        if hl and sum(hl):
            lo, hi = newcombe_paired(*hl)
            cell = {
                "n_pairs": sum(hl),
                "gap": 100 * (hl[1] - hl[2]) / sum(hl),
                "ci_low": None if lo is None else 100 * lo,
                "ci_high": None if hi is None else 100 * hi,
                "variant_only": hl[1],
                "base_only": hl[2],
            }
        bases = {p["base"] for p in cells}
        bars = []
        for cname, (c, b) in (("neutral", ("none", "none")), ("sad + false belief", HIGHLIGHT)):
            for v in ("base", variant):
                sel = [
                    e
                    for e in stats.get("error_rates") or []
                    if e.get("level") == "cell"
                    and e["mode"] == mode
                    and e["variant"] == v
                    and e["base"] in bases
                    and e["context"] == c
                    and e["belief"] == b
                ]
                n_err = sum(int(e.get("errors") or 0) for e in sel)
                n_sc = sum(int(e.get("n_scored") or 0) for e in sel)
                lo, hi = wilson(n_err, n_sc)
                bars.append(
                    {
                        "cell": cname,
                        "label": v,
                        "role": role.get(v, "other"),
                        "rate": n_err / n_sc if n_sc else None,
                        "ci_low": lo,
                        "ci_high": hi,
                        "n": n_sc,
                    }
                )
        out[mode] = {
            "contexts": ctx,
            "beliefs": bel,
            "gap": gap,
            "n": n,
            "highlight": HIGHLIGHT,
            "bars": bars,
            "cell": cell,
        }
    return out


def control_panels(stats: Mapping[str, Any], role: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for mode in modes(stats):
        rows = []
        for v in _variant_order(
            [
                v
                for v in variants(stats)
                if model_entry(stats, mode, v, "main") or model_entry(stats, mode, v, "belief")
            ],
            role,
        ):
            r: dict[str, Any] = {
                "label": f"{v}\n({ROLE_NAMES.get(role.get(v, 'other'), 'other')})",
                "variant": v,
                "role": role.get(v, "other"),
            }
            for key, name in (("neutral", "main"), ("all", "belief")):
                e = model_entry(stats, mode, v, name)
                if e and e.get("status") == "ok" and e.get("ame"):
                    lo, hi, _ = pick_ci(e["ame"], prefer_bootstrap=False)
                    r[key] = {"estimate": e["ame"].get("estimate"), "ci_low": lo, "ci_high": hi}
            rows.append(r)
        if rows:
            out[mode] = rows
    return out
