"""Every confidence interval warmlab reports, in one place.

- `wilson`: a proportion (95% Wilson score interval).
- `newcombe_paired`: a difference of paired proportions (Newcombe 1998, method 10).
- `bootstrap_mean`: a mean, percentile bootstrap over units (iid).
- `cluster_bootstrap`: any statistic of clustered data, resampling whole clusters (items), percentile.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

ALPHA = 0.05
Z95 = 1.959963984540054
Interval = tuple[float | None, float | None]


def wilson(k: int, n: int, alpha: float = ALPHA) -> Interval:
    """Wilson score interval of k/n; (None, None) when n = 0."""
    if n <= 0:
        return None, None
    from scipy.stats import norm

    z = float(norm.ppf(1 - alpha / 2))
    p = k / n
    den = 1 + z**2 / n
    mid = (p + z**2 / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def newcombe_paired(both: int, a_only: int, b_only: int, neither: int) -> Interval:
    """95% interval for a difference of paired proportions (a − b): Newcombe's (1998) method 10,
    square-and-add of the two Wilson intervals with the pairs' phi correlation (not continuity-corrected).
    Counts: both events, a only, b only, neither."""
    n = both + a_only + b_only + neither
    if n == 0:
        return None, None
    p1, p2 = (both + a_only) / n, (both + b_only) / n
    l1, u1 = wilson(both + a_only, n)
    l2, u2 = wilson(both + b_only, n)
    assert l1 is not None and u1 is not None and l2 is not None and u2 is not None
    den = (both + a_only) * (b_only + neither) * (both + b_only) * (a_only + neither)
    phi = (both * neither - a_only * b_only) / math.sqrt(den) if den > 0 else 0.0
    d = p1 - p2
    dl = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    du = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return max(-1.0, d - dl), min(1.0, d + du)


def bootstrap_mean(
    values: Sequence[float | None], n: int = 2000, seed: int = 0, level: float = 0.95
) -> Interval:
    """Percentile bootstrap CI of the mean of iid values (None and NaN dropped)."""
    v = np.asarray([x for x in values if x is not None and not math.isnan(x)], dtype=float)
    if v.size == 0:
        return None, None
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, size=(n, v.size))].mean(axis=1)
    a = (1 - level) / 2
    return float(np.quantile(means, a)), float(np.quantile(means, 1 - a))


def cluster_bootstrap(
    values: Sequence[float],
    clusters: Sequence[Any],
    stat: Callable[[np.ndarray, np.ndarray], float] | None = None,
    n: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> Interval:
    """Percentile bootstrap CI of `stat` (default: the mean), resampling whole clusters with replacement.

    Units that share a cluster (the same item under several conditions, or a dialogue's turns) are not
    independent: resampling clusters keeps that dependence in the interval. Draws that leave the
    statistic undefined (NaN) are skipped. (None, None) with fewer than two clusters."""
    v = np.asarray(values, dtype=float)
    keep = ~np.isnan(v)
    v = v[keep]
    cl = np.asarray([c for c, k in zip(clusters, keep, strict=True) if k], dtype=object)
    ids, inverse = np.unique(cl.astype(str), return_inverse=True) if v.size else (np.array([]), np.array([]))
    if len(ids) < 2:
        return None, None
    sums = np.bincount(inverse, weights=v, minlength=len(ids))
    counts = np.bincount(inverse, minlength=len(ids)).astype(float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(ids), size=(n, len(ids)))
    if stat is None:
        w = np.zeros((n, len(ids)))
        np.add.at(w, (np.arange(n)[:, None], draws), 1.0)
        tot = w @ counts
        est = np.where(tot > 0, (w @ sums) / np.maximum(tot, 1e-12), np.nan)
    else:
        groups = [np.flatnonzero(inverse == i) for i in range(len(ids))]
        est = np.array([stat(v, np.concatenate([groups[i] for i in d])) for d in draws])
    est = est[~np.isnan(est)]
    if est.size == 0:
        return None, None
    a = (1 - level) / 2
    return float(np.quantile(est, a)), float(np.quantile(est, 1 - a))
