"""Offline text classifiers: logistic probes over the shipped sentence encoder (all-MiniLM-L6-v2).

A probe is fitted with scikit-learn on a training split and evaluated once on a held-out split; the held-out
scores travel with the weights (JSON, numpy-only prediction), so every number a probe produces can name
how accurate the probe is. Batteries keep their probes' JSON beside their data and refit them with a
script or test from their team-labelled sets.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from warmlab.errors import WarmlabError

FEATURES = ("sentence_mean", "whole")


def features(texts: Sequence[str], kind: str = "sentence_mean") -> np.ndarray:
    """Encoder features of texts: the mean of sentence embeddings (default) or one embedding per text."""
    from warmlab.classifiers.encoder import embed, embed_sentence_mean

    if kind not in FEATURES:
        raise ValueError(f"unknown feature kind {kind!r}")
    if not texts:
        return np.zeros((0, 384))
    return np.asarray(embed_sentence_mean(list(texts)) if kind == "sentence_mean" else embed(list(texts)))


@dataclass
class TextProbe:
    """A fitted multinomial (or binary) logistic probe; `labels[i]` is the class of column i."""

    name: str
    labels: tuple[str, ...]
    coef: np.ndarray  # (n_classes, dim); binary: (1, dim), positive class labels[1]
    intercept: np.ndarray
    feature_kind: str = "sentence_mean"
    heldout: dict[str, Any] = field(default_factory=dict)  # accuracy, macro_f1, n, per_label, ...

    def proba_from_features(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.coef.T + self.intercept
        if self.coef.shape[0] == 1:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.stack([1 - p, p], axis=1)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        out: np.ndarray = e / e.sum(axis=1, keepdims=True)
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.proba_from_features(features(texts, self.feature_kind))

    def predict(self, texts: Sequence[str]) -> list[str]:
        p = self.predict_proba(texts)
        return [self.labels[int(i)] for i in p.argmax(axis=1)]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "labels": list(self.labels),
            "coef": np.round(self.coef, 7).tolist(),
            "intercept": np.round(self.intercept, 7).tolist(),
            "feature_kind": self.feature_kind,
            "heldout": self.heldout,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TextProbe:
        return cls(
            name=str(d["name"]),
            labels=tuple(d["labels"]),
            coef=np.asarray(d["coef"], dtype=float),
            intercept=np.asarray(d["intercept"], dtype=float),
            feature_kind=str(d.get("feature_kind", "sentence_mean")),
            heldout=dict(d.get("heldout") or {}),
        )


def fit_probe(
    name: str,
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    heldout_texts: Sequence[str],
    heldout_labels: Sequence[str],
    *,
    feature_kind: str = "sentence_mean",
    c: float = 1.0,
    class_weight: str | None = "balanced",
) -> TextProbe:
    """Fit on the training split only and score the held-out split once (what the shipped weights
    achieve on texts they never saw)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score

    labels = tuple(sorted(set(train_labels)))
    if len(labels) < 2:
        raise ValueError(f"probe {name!r}: the training split needs two or more labels, has {labels}")
    x = features(train_texts, feature_kind)
    clf = LogisticRegression(C=c, class_weight=class_weight, max_iter=2000)
    clf.fit(x, list(train_labels))
    probe = TextProbe(
        name,
        tuple(str(c_) for c_ in clf.classes_),
        np.asarray(clf.coef_, dtype=float),
        np.asarray(clf.intercept_, dtype=float),
        feature_kind,
    )
    if heldout_texts:
        pred = probe.predict(heldout_texts)
        gold = list(heldout_labels)
        probe.heldout = {
            "n": len(gold),
            "accuracy": float(accuracy_score(gold, pred)),
            "macro_f1": float(f1_score(gold, pred, average="macro", zero_division=0)),
            "kappa": float(cohen_kappa_score(gold, pred)) if len(set(gold) | set(pred)) > 1 else None,
            "per_label": {
                lab: {
                    "n": sum(g == lab for g in gold),
                    "f1": float(f1_score(gold, pred, labels=[lab], average="macro", zero_division=0)),
                }
                for lab in probe.labels
            },
        }
    return probe


def save_probes(path: Path, probes: Sequence[TextProbe], meta: dict[str, Any] | None = None) -> None:
    data = {"encoder": "all-MiniLM-L6-v2", **(meta or {}), "probes": [p.to_json() for p in probes]}
    from warmlab.core.io import write_atomic

    write_atomic(path, json.dumps(data, indent=1) + "\n")


def load_probes(path: Path | Any) -> dict[str, TextProbe]:
    """Probes by name from a JSON file written by `save_probes` (a Path or an importlib Traversable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise WarmlabError(f"cannot read probe weights {path}: {e}") from None
    return {p["name"]: TextProbe.from_json(p) for p in data["probes"]}
