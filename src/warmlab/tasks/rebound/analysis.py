"""The tone-transfer matrix: prompt framing (rows) x reply valence (columns), and the rebound rate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from warmlab.tasks.rebound.items import FRAMINGS

VALENCES = ("negative", "neutral", "positive")


def transfer_matrix(pairs: Iterable[tuple[str, str | None]]) -> dict[str, Any]:
    """Counts and row shares of reply valence per prompt framing; a None valence (unparsed judge) is
    counted apart, never placed in a cell."""
    counts = {f: dict.fromkeys(VALENCES, 0) for f in FRAMINGS}
    missing = dict.fromkeys(FRAMINGS, 0)
    for framing, val in pairs:
        if framing not in counts:
            raise ValueError(f"unknown framing {framing!r}")
        if val is None:
            missing[framing] += 1
        elif val in VALENCES:
            counts[framing][val] += 1
        else:
            raise ValueError(f"unknown valence {val!r}")
    shares = {
        f: {v: (c / n if (n := sum(row.values())) else None) for v, c in row.items()}
        for f, row in counts.items()
    }
    return {
        "rows": list(FRAMINGS),
        "columns": list(VALENCES),
        "counts": counts,
        "shares": shares,
        "unparsed": missing,
    }


def rebound_rate(pairs: Iterable[tuple[str, str | None]]) -> dict[str, Any]:
    """Share of negatively framed prompts answered neutrally or positively (the "emotional rebound"),
    with its n."""
    vals = [v for f, v in pairs if f == "negative" and v is not None]
    n = len(vals)
    return {"n": n, "rate": (sum(v != "negative" for v in vals) / n) if n else None}


def framing_check(probe: bool = True) -> dict[str, Any]:
    """How often the valence classifier reads each team-written prompt as its framing (VADER and, with
    `probe`, the shipped GoEmotions probe): a check of the classifier on the battery's own kind of text."""
    from warmlab.classifiers import valence as V
    from warmlab.tasks.rebound.items import framed

    items = framed()
    preds = {"vader": [V.valence(p.text)[0] for p in items]}
    if probe:
        preds["goemotions_probe"] = V.probe_valence([p.text for p in items])
    out: dict[str, Any] = {"n": len(items)}
    for name, pred in preds.items():
        out[name] = {
            "accuracy": sum(p == i.framing for p, i in zip(pred, items, strict=True)) / len(items),
            "per_framing": {
                f: sum(p == f for p, i in zip(pred, items, strict=True) if i.framing == f)
                / sum(i.framing == f for i in items)
                for f in FRAMINGS
            },
        }
    return out
