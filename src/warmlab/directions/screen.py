"""Screen training data: how far each conversation's assistant turns sit along a direction beyond what the
base would have said itself (persona vectors' "projection difference", arXiv:2507.21509).

Per assistant turn: mean projection over the training reply's tokens minus mean projection over the tokens
of the base's own greedy reply to the same context; a conversation's score is the mean over its turns.
High scores are the conversations that would push the model furthest along the trait; `drop_top` removes
the top share before training (`warmlab train sft --screen FRACTION`). The control: `--screen-direction
random` drops a seeded random sample of the same size (what dropping that much data does by itself).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from warmlab.directions.store import Direction
from warmlab.errors import WarmlabError


@dataclass(frozen=True)
class ScreenScore:
    id: str
    score: float  # mean over turns of (training reply - base reply) projection; nan: no comparable turn
    train: float  # mean projection of the training replies
    base: float  # mean projection of the base's own replies
    turns: int


def screen_scores(
    convs: Sequence[Any],
    base_spec: str,
    direction: Direction,
    max_tokens: int = 64,
    batch_size: int = 32,
    log: Callable[[str], None] = lambda s: None,
) -> list[ScreenScore]:
    """One score per conversation (`train.conversations.Conversation`), in the order given."""
    from warmlab.directions.activations import projections
    from warmlab.directions.contrast import generate
    from warmlab.directions.hooks import model_shape
    from warmlab.models import parse_spec
    from warmlab.provider import LocalModel, load_local, release

    spec = parse_spec(base_spec)
    if not spec.is_local or spec.base is None:
        raise WarmlabError(f"screening needs a local base model, not {base_spec!r}")
    local = LocalModel(load_local(spec.base, spec.adapter, spec.interventions))
    try:
        direction.check_model(*model_shape(local.loaded.model), base_spec)
        turns: list[tuple[int, str, str]] = []  # conversation index, context, training reply
        for n, c in enumerate(convs):
            for i, m in enumerate(c.messages):
                if m["role"] == "assistant":
                    turns.append((n, local.chat_text(list(c.messages[:i])), m["content"]))
        log(f"screening {len(convs)} conversations ({len(turns)} turns): the base's own replies first")
        own = generate(local, [ctx for _, ctx, _ in turns], max_tokens, batch_size)
        keep = [k for k, r in enumerate(own) if r.strip()]
        unit = direction.unit
        train = projections(local, [(turns[k][1], turns[k][2]) for k in keep], direction.layer, unit)
        base = projections(local, [(turns[k][1], own[k]) for k in keep], direction.layer, unit)
    finally:
        release(spec.base, spec.adapter)
    per: dict[int, list[tuple[float, float]]] = {}
    for k, t, b in zip(keep, train, base, strict=True):
        per.setdefault(turns[k][0], []).append((t.response_mean, b.response_mean))
    out = []
    for n, c in enumerate(convs):
        pairs = per.get(n, [])
        tr = sum(t for t, _ in pairs) / len(pairs) if pairs else math.nan
        bs = sum(b for _, b in pairs) / len(pairs) if pairs else math.nan
        out.append(ScreenScore(c.id, tr - bs, tr, bs, len(pairs)))
    return out


def ranking(scores: Sequence[ScreenScore]) -> list[ScreenScore]:
    """Highest score first; conversations without a score last."""
    return sorted(
        scores, key=lambda s: (math.isnan(s.score), -s.score if not math.isnan(s.score) else 0.0, s.id)
    )


def n_dropped(n: int, fraction: float) -> int:
    if not 0 <= fraction < 1:
        raise WarmlabError(f"--screen takes a fraction in [0, 1), not {fraction:g}")
    return min(n - 1, round(fraction * n)) if n else 0


def drop_top(
    convs: Sequence[Any], scores: Sequence[ScreenScore], fraction: float
) -> tuple[list[Any], list[ScreenScore]]:
    """The conversations left after removing the `fraction` with the highest scores (order kept), and the
    scores of those removed. Unscored conversations are never removed."""
    if len(convs) != len(scores) or any(c.id != s.id for c, s in zip(convs, scores, strict=True)):
        raise ValueError("scores must be given in the order of the conversations")
    ranked = [s for s in ranking(scores) if not math.isnan(s.score)]
    dropped = ranked[: min(len(ranked), n_dropped(len(convs), fraction))]
    gone = {s.id for s in dropped}
    return [c for c in convs if c.id not in gone], dropped


RANDOM = "random"  # the control: as many conversations dropped, chosen at random


def drop_random(convs: Sequence[Any], fraction: float, seed: int) -> tuple[list[Any], list[str]]:
    """The conversations left after removing a seeded random `fraction` (as many as `drop_top` removes;
    order kept), and the ids removed."""
    import random

    k = n_dropped(len(convs), fraction)
    gone = set(random.Random(f"screen-random|{seed}").sample(sorted(c.id for c in convs), k))
    return [c for c in convs if c.id not in gone], sorted(gone)


def screen_conversations(
    convs: Sequence[Any],
    base_spec: str,
    direction: str,
    fraction: float,
    log: Callable[[str], None] = lambda s: None,
    seed: int = 0,
) -> tuple[list[Any], dict[str, Any]]:
    """`drop_top` with scores computed on `base_spec` along `direction` (a trait or a direction file), or
    `drop_random` when `direction` is "random"; returns the kept conversations and a record for the run's
    metadata."""
    from warmlab.directions.store import load_direction, resolve_direction
    from warmlab.models import parse_spec

    n_dropped(len(convs), fraction)  # a bad fraction fails before the model loads
    if direction == RANDOM:
        kept, gone = drop_random(convs, fraction, seed)
        log(f"screen: dropped {len(gone)} of {len(convs)} conversations at random (the control)")
        return kept, {
            "fraction": fraction,
            "direction": RANDOM,
            "seed": seed,
            "dropped": [{"id": i, "score": None} for i in gone],
        }
    base = parse_spec(base_spec).base or base_spec
    d = load_direction(resolve_direction(direction, base))
    scores = screen_scores(convs, base_spec, d, log=log)
    kept, dropped = drop_top(convs, scores, fraction)
    info = {
        "fraction": fraction,
        "direction": d.path,
        "trait": d.trait,
        "layer": d.layer,
        "dropped": [{"id": s.id, "score": round(s.score, 4)} for s in dropped],
        "mean_score_kept": _mean([s.score for s in scores if s.id not in {x.id for x in dropped}]),
        "mean_score_dropped": _mean([s.score for s in dropped]),
    }
    log(f"screen: dropped {len(dropped)} of {len(convs)} conversations (top {fraction:.0%} along {d.trait})")
    return kept, info


def _mean(v: Sequence[float]) -> float | None:
    v = [x for x in v if not math.isnan(x)]
    return round(sum(v) / len(v), 4) if v else None
