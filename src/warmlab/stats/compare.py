"""Paired comparisons between two variants other than a variant and its base: a capped or steered model
against the same model without its hooks (found from the model specs), and pairs a study names
(`[stats] compare`, e.g. a screened adapter against the one trained on all the data).

For every battery both variants ran, per mode and declared outcome (per-turn outcomes left out): the
paired difference variant - reference over the samples both answered, with an item-clustered bootstrap CI
(binary outcomes: exact McNemar too), as in warmlab.stats.outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from warmlab.stats.outcomes import _paired_binary, _paired_continuous, value
from warmlab.tasks.base import Battery

Row = Mapping[str, Any]


def unhooked(model: str) -> str | None:
    """The spec without its @cap=/@steer= modifiers (None when it has none): the model they modify."""
    from warmlab.models import split_modifiers

    core, mods = split_modifiers(model)
    if not any(k in ("cap", "steer") for k, _ in mods):
        return None
    return core + "".join(f"@{k}={v}" for k, v in mods if k not in ("cap", "steer"))


def hooked_pairs(rows: Sequence[Row]) -> list[tuple[str, str]]:
    """(hooked variant, the variant of the same model without hooks) for every hooked model in the rows
    whose unhooked model was run too."""
    label = {str(r["model"]): str(r["variant"]) for r in rows if r.get("epoch") is None}
    out = []
    for model, variant in sorted(label.items(), key=lambda kv: kv[1]):
        ref = unhooked(model)
        if ref is not None and ref in label:
            out.append((variant, label[ref]))
    return list(dict.fromkeys(out))


def _paired(
    rows: Sequence[Row], variant: str, reference: str, battery: Battery, draws: int, seed: int
) -> list[dict[str, Any]]:
    mine = [r for r in rows if r.get("variant") == variant and r.get("epoch") is None]
    theirs = {
        (str(r["mode"]), str(r["sample_id"])): r
        for r in rows
        if r.get("variant") == reference and r.get("epoch") is None
    }
    out = []
    for mode in sorted({str(r["mode"]) for r in mine}):
        for o in battery.outcomes_for(mode):
            if o.kind == "per_turn":
                continue
            pairs = []
            for r in mine:
                if str(r["mode"]) != mode:
                    continue
                b = theirs.get((mode, str(r["sample_id"])))
                va, vb = value(r, o), (value(b, o) if b is not None else None)
                if va is not None and vb is not None:
                    pairs.append((float(va), float(vb), str(r.get("item_id"))))
            if not pairs:
                continue
            binary = o.kind in ("binary", "verdict")
            stats = _paired_binary(pairs, draws, seed) if binary else _paired_continuous(pairs, draws, seed)
            out.append(
                {
                    "task": battery.name,
                    "mode": mode,
                    "outcome": o.id,
                    "kind": o.kind,
                    "event": o.event,
                    "better": o.better,
                    "primary": o.primary,
                    "description": o.description,
                    **stats,
                }
            )
    return out


def compare(
    rows: Sequence[Row],
    declared: Sequence[Sequence[str]] = (),
    bootstrap: int = 1000,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """One entry per (variant, reference) pair: {variant, reference, why, results: [per battery, mode and
    outcome]}; pairs with no sample in common are left out."""
    from warmlab.tasks import batteries

    ok = [r for r in rows if r.get("scorer") != "error"]
    pairs = [(v, ref, "hooks") for v, ref in hooked_pairs(ok)]
    pairs += [(str(p[0]), str(p[1]), "declared") for p in declared if len(p) == 2]
    found = batteries()
    out, seen = [], set()
    for variant, reference, why in pairs:
        if (variant, reference) in seen:
            continue
        seen.add((variant, reference))
        results = []
        for task in sorted({str(r.get("task")) for r in ok}):
            if task in found:
                in_task = [r for r in ok if r.get("task") == task]
                results += _paired(in_task, variant, reference, found[task], max(bootstrap, 200), seed)
        if results:
            out.append({"variant": variant, "reference": reference, "why": why, "results": results})
    return out
