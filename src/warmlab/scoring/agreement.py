"""Agreement between a judge and an offline classifier on the same rows: Cohen's kappa with its n."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any


def agreement(
    offline: Sequence[Hashable | None], judge: Sequence[Hashable | None], weights: str | None = None
) -> dict[str, Any]:
    """Cohen's kappa over rows where both gave a value; `n` those rows, `n_unparsed` rows the judge (or the
    classifier) left without a value. `weights` "linear" or "quadratic" for ordered values such as counts.
    kappa is None when fewer than two rows remain or only one value occurs (it is undefined then)."""
    from sklearn.metrics import cohen_kappa_score

    if len(offline) != len(judge):
        raise ValueError("offline and judge values must be paired row by row")
    pairs = [(a, b) for a, b in zip(offline, judge, strict=True) if a is not None and b is not None]
    n_missing = len(offline) - len(pairs)
    out: dict[str, Any] = {"n": len(pairs), "n_unparsed": n_missing, "kappa": None, "agreement": None}
    if not pairs:
        return out
    a, b = [str(x) for x, _ in pairs], [str(y) for _, y in pairs]
    out["agreement"] = sum(x == y for x, y in zip(a, b, strict=True)) / len(pairs)
    if len(pairs) >= 2 and len(set(a) | set(b)) > 1:
        if weights:
            xa, xb = [float(x) for x, _ in pairs], [float(y) for _, y in pairs]  # type: ignore[arg-type]
            labels = sorted(set(xa) | set(xb))
            out["kappa"] = float(cohen_kappa_score(xa, xb, labels=labels, weights=weights))
        else:
            out["kappa"] = float(cohen_kappa_score(a, b))
    return out
