"""The team-labelled talk corpus and what the sentence-level classifiers share.

`data/talk.jsonl`: replies written by the team to user messages (disclosures, vague requests, requests on a
false premise), one sentence per entry, each labelled with its grounding act, its therapist behaviours
(BOLT's scheme), whether it soothes a negative feeling away, and the feeling it attributes to the user.
The held-out split is by scenario (the user message): replies to one message never straddle the split.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from warmlab.classifiers.encoder import split_sentences
from warmlab.errors import WarmlabError
from warmlab.teamdata import check_unique, packaged, read_jsonl

ACTS = ("clarification", "acknowledgement", "follow_up", "none")
BEHAVIOURS = (
    "needs",
    "emotions",
    "values",
    "consequences",
    "conflicts",
    "strengths",
    "questions",
    "problem_solving",
    "planning",
    "normalizing",
    "psychoeducation",
)
HELDOUT_SHARE = 4  # one scenario in four (by a hash of its id) is held out


@dataclass(frozen=True)
class Sentence:
    text: str
    act: str
    behaviours: tuple[str, ...]
    soothing: bool
    feelings: tuple[str, ...]


@dataclass(frozen=True)
class Reply:
    id: str
    scenario: str
    kind: str
    asks_advice: bool
    user: str
    user_emotions: tuple[str, ...]
    sentences: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def heldout(self) -> bool:
        return is_heldout(self.scenario)


def bucket(group: str) -> int:
    """A group's bucket, 0 to HELDOUT_SHARE - 1, by a hash of its id (stable across runs and machines)."""
    return int(hashlib.sha256(group.encode()).hexdigest(), 16) % HELDOUT_SHARE


def is_heldout(group: str) -> bool:
    """Deterministic split by group id (scenario, transcript, utterance): bucket 0 is held out; the other
    buckets serve as cross-validation folds inside the training split."""
    return bucket(group) == 0


_FIELDS = {"id": str, "scenario": str, "kind": str, "asks_advice": bool, "user": str, "sentences": list}


@lru_cache(maxsize=1)
def load_talk() -> tuple[Reply, ...]:
    return tuple(read_talk(packaged("warmlab.classifiers", "talk.jsonl")))


def read_talk(path: Any) -> list[Reply]:
    from warmlab.classifiers.feelings import FAMILIES

    out: list[Reply] = []
    ids: list[tuple[int, str]] = []
    label = str(path)
    for label, lineno, r in read_jsonl(path, _FIELDS):
        ids.append((lineno, r["id"]))
        emos = tuple(r.get("user_emotions") or ())
        sents = []
        for k, s in enumerate(r["sentences"], 1):
            where = f"{label}:{lineno}: sentence {k}"
            if not isinstance(s, dict) or not str(s.get("text", "")).strip():
                raise WarmlabError(f"{where}: needs a non-empty 'text'")
            if s.get("act") not in ACTS:
                raise WarmlabError(f"{where}: act must be one of {', '.join(ACTS)}")
            bad = [b for b in s.get("behaviours", []) if b not in BEHAVIOURS]
            if bad:
                raise WarmlabError(f"{where}: unknown behaviour {bad[0]!r}")
            feels = tuple(s.get("feelings") or ())
            bad = [f for f in feels if f not in FAMILIES]
            if bad:
                raise WarmlabError(f"{where}: unknown feeling {bad[0]!r}")
            sents.append(
                Sentence(s["text"], s["act"], tuple(s.get("behaviours", [])), bool(s.get("soothing")), feels)
            )
        bad_emo = [e for e in emos if e not in FAMILIES]
        if bad_emo:
            raise WarmlabError(f"{label}:{lineno}: unknown user emotion {bad_emo[0]!r}")
        out.append(Reply(r["id"], r["scenario"], r["kind"], r["asks_advice"], r["user"], emos, tuple(sents)))
    check_unique(label, ids)
    return out


# ------------------------------------------------------------------------- features and probes

_CACHE: dict[str, np.ndarray] = {}
_CACHE_MAX = 50_000


def embed_cached(texts: Sequence[str]) -> np.ndarray:
    """Sentence embeddings, cached per text: the grounding, therapist and feeling probes read the same
    sentences of the same reply."""
    from warmlab.classifiers.encoder import embed

    todo = list(dict.fromkeys(t for t in texts if t not in _CACHE))
    if todo:
        if len(_CACHE) + len(todo) > _CACHE_MAX:
            _CACHE.clear()
        for t, v in zip(todo, np.asarray(embed(todo)), strict=True):
            _CACHE[t] = v
    if not texts:
        return np.zeros((0, 384))
    return np.stack([_CACHE[t] for t in texts])


SENTENCE_FEATURES = "sentence+cues"  # recorded as each talk probe's feature_kind
TURN_FEATURES = "whole+cues"


def talk_features(texts: Sequence[str]) -> np.ndarray:
    """What the talk probes read: a text's embedding (cached) and its surface cues."""
    from warmlab.classifiers.cues import cue_features

    return np.hstack([embed_cached(texts), cue_features(texts)])


def sentences_of(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """All sentences of all texts, and for each sentence the index of its text."""
    sents: list[str] = []
    owner: list[int] = []
    for i, t in enumerate(texts):
        for s in split_sentences(t) if t.strip() else []:
            sents.append(s)
            owner.append(i)
    return sents, owner


def by_owner(owner: Sequence[int], n: int) -> list[list[int]]:
    """Sentence indices grouped by the text they came from."""
    groups: list[list[int]] = [[] for _ in range(n)]
    for k, o in enumerate(owner):
        groups[o].append(k)
    return groups


def fit_on_features(
    name: str,
    x_train: np.ndarray,
    y_train: Sequence[str],
    x_test: np.ndarray,
    y_test: Sequence[str],
    *,
    c: float = 1.0,
    feature_kind: str = SENTENCE_FEATURES,
    extra: dict[str, Any] | None = None,
) -> Any:
    """A `TextProbe` fitted on precomputed features (one embedding pass serves many probes), with the
    same held-out record as `probe.fit_probe`."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score

    from warmlab.classifiers.probe import TextProbe

    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    clf.fit(x_train, list(y_train))
    probe = TextProbe(
        name,
        tuple(str(k) for k in clf.classes_),
        np.asarray(clf.coef_),
        np.asarray(clf.intercept_),
        feature_kind,
    )
    pred = [probe.labels[i] for i in probe.proba_from_features(x_test).argmax(axis=1)]
    gold = list(y_test)
    probe.heldout = {
        "n": len(gold),
        "n_train": len(y_train),
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
        **(extra or {}),
    }
    return probe


@lru_cache(maxsize=8)
def load_meta(name: str) -> dict[str, Any]:
    """Everything but the probes in `classifiers/weights/<name>.json` (thresholds, held-out summaries)."""
    import json
    from importlib.resources import files

    data = json.loads((files("warmlab.classifiers") / "weights" / f"{name}.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k != "probes"}


@lru_cache(maxsize=8)
def load_weights(name: str) -> dict[str, Any]:
    """Probes shipped in `classifiers/weights/<name>.json`, by probe name."""
    from importlib.resources import files

    from warmlab.classifiers.probe import load_probes

    return dict(load_probes(files("warmlab.classifiers") / "weights" / f"{name}.json"))
