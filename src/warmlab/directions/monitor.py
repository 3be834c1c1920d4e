"""Monitor: how far a variant sits from its base along a direction, measured without generating.

On a fixed prompt set (the first exchange of each held-out team conversation: the warmth measure's prompts
and the team's neutral reply to each), for each model: the projection at the last prompt token (the state the
reply starts from) and the mean projection over the tokens of the fixed neutral reply. The shift is the
per-prompt difference from the base, averaged, with a paired bootstrap CI. Persona vectors (arXiv:2507.21509)
found such shifts predict the trait a fine-tune will show before any evaluation.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warmlab.directions.store import Direction
from warmlab.errors import WarmlabError


@dataclass(frozen=True)
class MonitorPrompt:
    id: str
    category: str
    user: str
    reference: str  # the team's neutral reply


@dataclass(frozen=True)
class Target:
    spec: str
    variant: str
    epoch: float | None = None


@dataclass(frozen=True)
class Shift:
    spec: str
    variant: str
    epoch: float | None
    n: int
    prompt: float
    prompt_ci: tuple[float, float]
    response: float
    response_ci: tuple[float, float]


def monitor_prompts(limit: int | None = None) -> list[MonitorPrompt]:
    """Held-out team conversations' first user turn and original reply (in turn by category with a limit)."""
    from warmlab.directions.contrast import _in_turn
    from warmlab.train.conversations import load_starter

    convs = _in_turn([c for c in load_starter() if c.split == "heldout"], lambda c: c.category, limit)
    out = []
    for c in sorted(convs, key=lambda c: c.id):
        turns = [m for m in c.messages if m["role"] != "system"]
        out.append(MonitorPrompt(c.id, c.category, turns[0]["content"], turns[1]["content"]))
    return out


def targets(base: str, models: Sequence[str] = (), checkpoints: str | None = None) -> list[Target]:
    """The base first, then each model, then every checkpoint of a run folder (its checkpoints.json)."""
    from warmlab.models import parse_spec

    out = [Target(base, "base", 0.0 if checkpoints else None)]
    out += [Target(m, parse_spec(m).variant) for m in models]
    if checkpoints:
        from warmlab.train.checkpoints import checkpoint_targets

        out += [Target(t.spec, t.variant, t.epoch) for t in checkpoint_targets(checkpoints, base)[1:]]
    unique: dict[str, Target] = {}
    for t in out:
        unique.setdefault(t.spec, t)  # a model given twice is measured once
    return list(unique.values())


def project(
    spec_text: str, direction: Direction, prompts: Sequence[MonitorPrompt], batch_size: int = 16
) -> list[dict[str, Any]]:
    """One row per prompt: the model's projections at the direction's layer (no generation)."""
    from warmlab.directions.activations import projections
    from warmlab.directions.hooks import model_shape
    from warmlab.models import parse_spec
    from warmlab.provider import LocalModel, load_local, release

    spec = parse_spec(spec_text)
    if not spec.is_local or spec.base is None:
        raise WarmlabError(f"monitor needs local models (activations), not {spec_text!r}")
    local = LocalModel(load_local(spec.base, spec.adapter, spec.interventions))
    try:
        direction.check_model(*model_shape(local.loaded.model), spec_text)
        system = spec.system_text()
        items = []
        for p in prompts:
            msgs = ([{"role": "system", "content": system}] if system else []) + [
                {"role": "user", "content": p.user}
            ]
            items.append((local.chat_text(msgs), p.reference))
        proj = projections(local, items, direction.layer, direction.unit, batch_size)
    finally:
        release(spec.base, spec.adapter)
    return [
        {"prompt_id": p.id, "category": p.category, "prompt_proj": x.prompt, "response_proj": x.response_mean}
        for p, x in zip(prompts, proj, strict=True)
    ]


def monitor(
    targets: Sequence[Target],
    direction: Direction,
    prompts: Sequence[MonitorPrompt],
    out: Path | None = None,
    log: Callable[[str], None] = lambda s: None,
) -> tuple[list[dict[str, Any]], list[Shift]]:
    """Rows for every target (base first) and each non-base target's shift from the base."""
    rows: list[dict[str, Any]] = []
    for t in targets:
        log(f"{t.spec} [{t.variant}]: {len(prompts)} prompts")
        for r in project(t.spec, direction, prompts):
            rows.append(
                {
                    "model": t.spec,
                    "variant": t.variant,
                    "epoch": t.epoch,
                    "trait": direction.trait,
                    "direction": direction.path,
                    "layer": direction.layer,
                    **r,
                }
            )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return rows, shifts(rows, targets)


def shifts(rows: Sequence[dict[str, Any]], targets: Sequence[Target]) -> list[Shift]:
    """Mean per-prompt difference from the first target (the base), with 95% paired bootstrap CIs."""
    from warmlab.stats.intervals import bootstrap_mean

    def bootstrap_ci(v: list[float]) -> tuple[float, float]:
        lo, hi = bootstrap_mean(v)
        return (math.nan if lo is None else lo, math.nan if hi is None else hi)

    base = targets[0].spec
    ref = {r["prompt_id"]: r for r in rows if r["model"] == base}
    out = []
    for t in targets[1:]:
        mine = [r for r in rows if r["model"] == t.spec and r["prompt_id"] in ref]
        dp = [r["prompt_proj"] - ref[r["prompt_id"]]["prompt_proj"] for r in mine]
        dr = [r["response_proj"] - ref[r["prompt_id"]]["response_proj"] for r in mine]
        mean = lambda v: sum(v) / len(v) if v else math.nan  # noqa: E731
        out.append(
            Shift(
                t.spec, t.variant, t.epoch, len(mine), mean(dp), bootstrap_ci(dp), mean(dr), bootstrap_ci(dr)
            )
        )
    return out
