"""The one intervals module: Wilson, Newcombe's paired difference, and the cluster bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from warmlab.stats.intervals import bootstrap_mean, cluster_bootstrap, newcombe_paired, wilson


def test_wilson_matches_statsmodels() -> None:
    from statsmodels.stats.proportion import proportion_confint

    for k, n in ((0, 10), (3, 10), (10, 10), (17, 50)):
        lo, hi = wilson(k, n)
        slo, shi = proportion_confint(k, n, method="wilson")
        assert lo == pytest.approx(slo) and hi == pytest.approx(shi)
    assert wilson(0, 0) == (None, None)


def test_newcombe_contains_the_difference_and_narrows_with_correlation() -> None:
    lo, hi = newcombe_paired(both=10, a_only=12, b_only=2, neither=76)
    assert lo is not None and hi is not None and lo < 0.10 < hi and lo > 0  # 22% vs 12%: clearly higher
    # about the same margins with (nearly) uncorrelated pairs give a wider interval
    wlo, whi = newcombe_paired(both=3, a_only=19, b_only=9, neither=69)
    assert wlo is not None and whi is not None and whi - wlo > hi - lo


def test_cluster_bootstrap_is_wider_than_iid_when_clusters_repeat() -> None:
    rng = np.random.default_rng(1)
    item_effect = rng.normal(0, 1, 30)
    values = [float(e + rng.normal(0, 0.1)) for e in item_effect for _ in range(6)]
    items = [i for i in range(30) for _ in range(6)]
    clo, chi = cluster_bootstrap(values, items, seed=0)
    ilo, ihi = bootstrap_mean(values, seed=0)
    assert clo is not None and chi is not None and ilo is not None and ihi is not None
    assert clo < float(np.mean(values)) < chi
    assert (chi - clo) > 1.8 * (ihi - ilo)  # six near-copies per item are not six observations


def test_cluster_bootstrap_needs_two_clusters_and_skips_nan() -> None:
    assert cluster_bootstrap([1.0, 2.0], ["a", "a"]) == (None, None)
    lo, hi = cluster_bootstrap([1.0, float("nan"), 3.0, 5.0], ["a", "b", "c", "d"], n=500)
    assert lo is not None and hi is not None and 1.0 <= lo <= hi <= 5.0
