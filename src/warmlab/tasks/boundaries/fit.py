"""Refit the boundaries probes on the training split and score the whole classifier on the held-out split.

    python -m warmlab.tasks.boundaries.fit [--out PATH]

Each probe's feature kind, regularisation and decision threshold are chosen by cross-validation within
the training split (folds grouped by scenario, best Cohen's kappa); the held-out split is scored once,
at the end, and the scores are written beside the weights.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from warmlab.classifiers.probe import FEATURES, TextProbe, features, save_probes
from warmlab.tasks.boundaries.classifier import (
    METHOD,
    PROBE_ITEMS,
    LabelledReply,
    OfflineClassifier,
    item_metrics,
    load_replies,
    split_replies,
)
from warmlab.tasks.boundaries.rubric import ITEM_NAMES
from warmlab.tasks.boundaries.scenarios import load_scenarios

GRID_C = (0.3, 1.0, 3.0, 10.0, 30.0)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
FOLDS = 5


def _fit(x: np.ndarray, y: Sequence[int], c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(x, list(y))


def choose(
    xs: dict[str, np.ndarray], y: Sequence[int], groups: Sequence[str]
) -> tuple[str, float, float, float]:
    """(feature kind, C, threshold, kappa) with the best Cohen's kappa on out-of-fold predictions of a
    cross-validation within the training split, folds grouped by scenario."""
    from sklearn.metrics import cohen_kappa_score
    from sklearn.model_selection import GroupKFold

    yy = np.asarray(y)
    best: tuple[str, float, float, float] = ("sentence_mean", 1.0, 0.5, -2.0)
    for kind, x in xs.items():
        for c in GRID_C:
            oof = np.zeros(len(yy))
            for tr, te in GroupKFold(n_splits=FOLDS).split(x, yy, list(groups)):
                oof[te] = _fit(x[tr], yy[tr], c).predict_proba(x[te])[:, 1]
            for t in THRESHOLDS:
                kappa = float(cohen_kappa_score(yy, oof >= t))
                if kappa > best[3]:
                    best = (kind, c, t, kappa)
    return best


def fit_classifier(
    train: Sequence[LabelledReply], heldout: Sequence[LabelledReply]
) -> tuple[OfflineClassifier, dict[str, Any]]:
    texts_tr = [r.reply for r in train]
    texts_ho = [r.reply for r in heldout]
    x_tr = {kind: features(texts_tr, kind) for kind in FEATURES}
    x_ho = {kind: features(texts_ho, kind) for kind in FEATURES}
    groups = [r.scenario for r in train]
    probes: dict[str, TextProbe] = {}
    for name in PROBE_ITEMS:
        y = [r.labels[name] for r in train]
        kind, c, threshold, cv = choose(x_tr, y, groups)
        clf = _fit(x_tr[kind], y, c)
        # Fold the threshold into the intercept (p >= t  <=>  z - logit(t) >= 0), so the probe's own
        # predict() and the classifier's 0.5 cut both apply it.
        shift = np.log(threshold / (1 - threshold))
        intercept = np.asarray(clf.intercept_, dtype=float) - shift
        probe = TextProbe(name, ("0", "1"), np.asarray(clf.coef_), intercept, kind)
        pred = [int(p >= 0.5) for p in probe.proba_from_features(x_ho[kind])[:, 1]]
        probe.heldout = {
            **item_metrics([r.labels[name] for r in heldout], pred),
            "c": c,
            "threshold": threshold,
            "cv_kappa": round(cv, 4),
        }
        probes[name] = probe
    clf_all = OfflineClassifier(probes)
    pred_all = clf_all.label_features(texts_ho, x_ho)
    items = {
        name: {
            "method": METHOD[name],
            **item_metrics([r.labels[name] for r in heldout], [p[name] for p in pred_all]),
        }
        for name in ITEM_NAMES
    }
    meta = {
        "labelled_set": "boundaries/data/replies.jsonl",
        "split": "by scenario: every third scenario of each category (sorted by id, from the second)",
        "n_train": len(train),
        "n_heldout": len(heldout),
        "items": items,
    }
    clf_all.meta = meta
    return clf_all, meta


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m warmlab.tasks.boundaries.fit", description=__doc__)
    default = Path(__file__).parent / "data" / "probes.json"
    ap.add_argument("--out", type=Path, default=default, help=f"probes file to write (default {default})")
    args = ap.parse_args(argv)
    t0 = time.time()
    train, heldout = split_replies(load_replies(), load_scenarios())
    clf, meta = fit_classifier(train, heldout)
    save_probes(args.out, list(clf.probes.values()), meta)
    print(f"{len(train)} train / {len(heldout)} held-out replies, {time.time() - t0:.0f} s -> {args.out}")
    print(f"{'item':20} {'method':12} {'n':>4} {'pos':>4} {'acc':>6} {'bal':>6} {'f1':>6} {'kappa':>6}")
    for name, m in meta["items"].items():
        bal = "-" if m["balanced_accuracy"] is None else f"{m['balanced_accuracy']:.3f}"
        kap = "-" if m["kappa"] is None else f"{m['kappa']:.3f}"
        print(
            f"{name:20} {m['method']:12} {m['n']:4d} {m['positives']:4d} {m['accuracy']:6.3f} {bal:>6} "
            f"{m['f1']:6.3f} {kap:>6}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
