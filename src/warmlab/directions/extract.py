"""Extract a trait direction: per layer, mean residual state over reply tokens, positive minus negative;
the layer is the one whose direction (fitted on the training contrasts) best separates held-out ones.

Separation on the held-out contrasts: Cohen's d of the projections (positive vs negative replies, pooled
SD) and the share of pairs whose positive reply projects higher. The saved vector is the one fitted on the
training part, so the held-out figures are those of the saved file. The base's distribution (for capping)
is the per-token projection of the model's own greedy replies, without a system prompt, to the same prompts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from warmlab.directions.store import Direction
from warmlab.errors import WarmlabError


@dataclass(frozen=True)
class LayerScore:
    layer: int
    d: float  # Cohen's d of held-out projections, positive vs negative replies (unpaired)
    pair_accuracy: float  # held-out pairs with positive > negative
    d_paired: float = 0.0  # mean / SD of the held-out pairs' differences (the prompt's own level removed)


def split_groups(groups: Sequence[str], heldout: float, seed: int) -> np.ndarray:
    """A boolean mask of held-out rows: a seeded `heldout` share of the groups (at least one, and at least
    one left for training)."""
    if not 0 < heldout < 1:
        raise WarmlabError(f"--heldout must be a fraction between 0 and 1, not {heldout:g}")
    names = sorted(set(groups))
    if len(names) < 2:
        raise WarmlabError("need contrasts from at least 2 prompts to hold some out")
    rng = np.random.default_rng(seed)
    n_held = min(len(names) - 1, max(1, round(heldout * len(names))))
    held = {names[i] for i in rng.permutation(len(names))[:n_held]}
    return np.array([g in held for g in groups])


def cohens_d(a: np.ndarray, b: np.ndarray) -> float:
    diff = float(a.mean() - b.mean())
    dof = len(a) + len(b) - 2
    pooled = (
        math.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / dof) if dof > 0 else 0.0
    )
    if pooled < 1e-12:
        return math.copysign(math.inf, diff) if diff else 0.0
    return diff / pooled


def score_layers(pos: np.ndarray, neg: np.ndarray, held: np.ndarray) -> tuple[list[LayerScore], np.ndarray]:
    """Per layer: the train-part mean difference (layers, hidden) and its held-out separation.

    `pos`/`neg`: (pairs, layers, hidden) mean reply states; `held`: the held-out pairs."""
    vectors = pos[~held].mean(0) - neg[~held].mean(0)
    scores = []
    for layer in range(pos.shape[1]):
        scores.append(separation(pos[held, layer], neg[held, layer], vectors[layer], layer))
    return scores, vectors


def separation(pos: np.ndarray, neg: np.ndarray, vector: np.ndarray, layer: int = 0) -> LayerScore:
    """How well projections on `vector` separate paired positive and negative states (pairs, hidden)."""
    norm = np.linalg.norm(vector)
    if norm == 0:
        return LayerScore(layer, 0.0, 0.0, 0.0)
    u = vector / norm
    p, n = pos @ u, neg @ u
    diff = p - n
    sd = float(diff.std(ddof=1)) if len(diff) > 1 else 0.0
    dz = (
        float(diff.mean()) / sd
        if sd > 1e-12
        else (math.copysign(math.inf, diff.mean()) if diff.mean() else 0.0)
    )
    return LayerScore(layer, cohens_d(p, n), float((diff > 0).mean()), dz)


def best_layer(scores: Sequence[LayerScore]) -> LayerScore:
    """Highest held-out d; ties (e.g. several perfectly separating layers) go to the higher pair accuracy,
    then the earlier layer."""
    return max(scores, key=lambda s: (s.d, s.pair_accuracy, -s.layer))


def extract(
    spec_text: str,
    trait: str,
    sources: str | None = None,
    limit: int | None = 32,
    heldout: float = 0.25,
    seed: int = 0,
    max_tokens: int = 48,
    batch_size: int = 32,
    log: Callable[[str], None] = lambda s: None,
) -> tuple[Direction, list[LayerScore]]:
    """The `trait` direction of a local model from the team's contrasts, and every layer's separation."""
    from warmlab.directions.contrast import contrast_set, parse_sources
    from warmlab.models import parse_spec, resolve_base_path
    from warmlab.provider import LocalModel, load_local

    spec = parse_spec(spec_text)
    if not spec.is_local or spec.base is None:
        raise WarmlabError(
            f"directions need a local model (embedded, a folder, BASE+ADAPTER), not {spec_text!r}"
        )
    if spec.system or spec.interventions:
        raise WarmlabError("extract from the model itself: drop @system=, @cap= and @steer= from --model")
    parts = parse_sources(trait, sources)
    contrasts = contrast_set(trait, "+".join(parts), limit)
    t0 = time.perf_counter()
    local = LocalModel(load_local(spec.base, spec.adapter))
    t_loaded = time.perf_counter()
    log(f"{len(contrasts)} contrasts ({'+'.join(parts)}); the model writes its own replies where asked")
    label = spec.base + (f"+{spec.adapter}" if spec.adapter else "")
    direction, scores = fit(local, contrasts, trait, label, heldout, seed, max_tokens, batch_size)
    meta = {
        "model_path": resolve_base_path(spec.base),
        "adapter": spec.adapter,
        "sources": list(parts),
        **direction.meta,
        "settings": {"limit": limit, "heldout": heldout, "seed": seed, "max_tokens": max_tokens},
    }
    meta["seconds"] = {
        "total": round(time.perf_counter() - t0, 3),
        "load": round(t_loaded - t0, 3),
        **direction.meta["seconds"],
    }
    return replace(direction, meta=meta), scores


def fit(
    local: Any,
    contrasts: Sequence[Any],
    trait: str,
    model_label: str,
    heldout: float = 0.25,
    seed: int = 0,
    max_tokens: int = 48,
    batch_size: int = 32,
) -> tuple[Direction, list[LayerScore]]:
    """Fit a direction on `contrasts` (`contrast.Contrast`) with a loaded `provider.LocalModel`: replies
    the model writes itself are generated, the layer is chosen on the held-out groups, and the cap is
    calibrated on the model's own replies to the prompts."""
    from warmlab.directions.activations import projections, response_means
    from warmlab.directions.contrast import fill_replies, generate, prompt_set_hash
    from warmlab.directions.hooks import model_shape

    t0 = time.perf_counter()
    digest = prompt_set_hash(contrasts)
    hidden, n_layers = model_shape(local.loaded.model)
    contrasts = fill_replies(local, contrasts, max_tokens, batch_size)
    empty = [c.id for c in contrasts if not (c.pos or "").strip() or not (c.neg or "").strip()]
    contrasts = [c for c in contrasts if c.id not in set(empty)]
    held = split_groups([c.group for c in contrasts], heldout, seed)
    t_gen = time.perf_counter()
    layers = list(range(n_layers))
    ctx = [local.chat_text(list(c.prompt)) for c in contrasts]
    pos = response_means(local, [(x, c.pos or "") for x, c in zip(ctx, contrasts, strict=True)], layers)
    neg = response_means(local, [(x, c.neg or "") for x, c in zip(ctx, contrasts, strict=True)], layers)
    scores, vectors = score_layers(pos, neg, held)
    best = best_layer(scores)
    t_act = time.perf_counter()
    # The base's own distribution: its greedy replies with no system prompt, one per prompt.
    first = {c.group: ctx[i] for i, c in reversed(list(enumerate(contrasts)))}
    prompts = list(first.values())
    replies = generate(local, prompts, max_tokens, batch_size)
    calib = [(p, r) for p, r in zip(prompts, replies, strict=True) if r.strip()]
    if not calib:
        raise WarmlabError("the model wrote no reply to calibrate the cap on")
    vector = vectors[best.layer]
    unit = vector / np.linalg.norm(vector)
    tokens = np.concatenate([p.response for p in projections(local, calib, best.layer, unit)])
    meta: dict[str, Any] = {
        "architecture": type(local.loaded.model).__name__,
        "prompt_set_sha256": digest,
        "n_pairs": len(contrasts),
        "n_train": int((~held).sum()),
        "n_heldout": int(held.sum()),
        "left_out_empty_replies": empty,
        "heldout": {
            "d": _num(best.d),
            "d_paired": _num(best.d_paired),
            "pair_accuracy": best.pair_accuracy,
            "by_source": _by_source(contrasts, pos, neg, held, vector, best.layer),
        },
        "per_layer": [
            {"layer": s.layer, "d": _num(s.d), "d_paired": _num(s.d_paired), "pair_accuracy": s.pair_accuracy}
            for s in scores
        ],
        "calibration": {
            "replies": len(calib),
            "tokens": int(tokens.size),
            "what": "per-token projections of the model's own greedy replies (no system prompt)",
        },
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": {
            "generate": round(t_gen - t0, 3),
            "activations": round(t_act - t_gen, 3),
            "calibrate": round(time.perf_counter() - t_act, 3),
        },
        "versions": _versions(),
    }
    pct = np.percentile(tokens, np.arange(101))
    return Direction(trait, model_label, hidden, n_layers, best.layer, vector, pct, "", meta), scores


def _by_source(
    contrasts: Sequence[Any],
    pos: np.ndarray,
    neg: np.ndarray,
    held: np.ndarray,
    vector: np.ndarray,
    layer: int,
) -> dict[str, dict[str, Any]]:
    out = {}
    for source in dict.fromkeys(c.source for c in contrasts):
        rows = held & np.array([c.source == source for c in contrasts])
        if rows.sum() >= 2:
            s = separation(pos[rows, layer], neg[rows, layer], vector, layer)
            out[source] = {"n": int(rows.sum()), "d": _num(s.d), "d_paired": _num(s.d_paired)}
            out[source]["pair_accuracy"] = s.pair_accuracy
    return out


def _num(x: float) -> float | str:
    """JSON has no infinity: a perfectly separated held-out part (zero spread) is written as "inf"."""
    return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("warmlab", "torch", "transformers"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "?"
    return out
