"""`reliability`: factual reliability under the paper's context x belief conditions.

    inspect eval warmlab/reliability --model warmlab/embedded -T mode=choice -T limit=10

Modes: `generate` (open answer, scored offline or by the `grader` model role) and `choice` (judge-free:
the log-likelihood of each answer as the continuation of the framed prompt; local models only).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig, ModelOutput
from inspect_ai.solver import Generate, Solver, TaskState, generate, solver

from warmlab.conditions import (
    BELIEFS,
    CHOICE_PREFIX,
    CONTEXTS,
    PAPER_BELIEFS,
    choice_options,
    frame_all,
    parse_choice,
)
from warmlab.errors import WarmlabError
from warmlab.items.loaders import load_source
from warmlab.items.schema import FAMILIES, Item
from warmlab.solvers.choice import DEFAULT_NORM, NORMS, score_options
from warmlab.solvers.system import system_solvers
from warmlab.tasks.reliability.scorers import reliability_scorer

MODES = ("generate", "choice")


def select_items(items: Sequence[Item], families: Sequence[str], limit: int | None, seed: int) -> list[Item]:
    """Items of the chosen families; with a limit, a seeded random `limit` per family (stable order)."""
    out: list[Item] = []
    for fam in families:
        pool = [it for it in items if it.family == fam]
        if limit is not None and limit < len(pool):
            picked = set(random.Random(f"{seed}|{fam}").sample(range(len(pool)), limit))
            pool = [it for i, it in enumerate(pool) if i in picked]
        out.extend(pool)
    return out


def load_items(source: str, families: str | list[str], limit: int | None, seed: int) -> list[Item]:
    """The items a battery over the item bank runs on (families checked, `limit` per family)."""
    fams = parse_choice(families, FAMILIES, "family")
    if limit is not None and int(limit) < 1:
        raise WarmlabError(f"limit must be at least 1, not {limit}")
    items = select_items(
        load_source(source, seed=seed), fams, None if limit is None else int(limit), int(seed)
    )
    if not items:
        raise WarmlabError(f"source {source!r} has no items of families {', '.join(fams)}")
    return items


def build_samples(
    items: Sequence[Item], contexts: Sequence[str], beliefs: Sequence[str], seed: int
) -> list[Sample]:
    # one item is framed under every context x belief: its JSON (a deep copy) is made once, not per frame
    as_json = {id(it): it.to_json() for it in items}
    return [
        Sample(
            id=p.id,
            input=p.text,
            target=list(p.item.correct),
            metadata={
                "item_id": p.item.id,
                "condition": p.metadata(),
                "item": as_json[id(p.item)],
            },
        )
        for p in frame_all(items, contexts, beliefs, seed)
    ]


@task
def reliability(
    families: str | list[str] = "all",
    contexts: str | list[str] = "all",
    beliefs: str | list[str] = "default",
    limit: int | None = None,
    seed: int = 0,
    mode: str = "generate",
    source: str = "starter",
    max_tokens: int = 128,
    temperature: float | None = None,
    system: str | None = None,
    choice_norm: str = DEFAULT_NORM,
) -> Task:
    """Args: families/contexts/beliefs: comma lists or 'all' (beliefs 'default' = none,asserts_incorrect);
    limit: items per family; mode: generate|choice; source: item source (see `warmlab items`);
    system: a system prompt name (warm, cold, secure) or file; choice_norm: how choice mode compares
    answers of different lengths (sum, token, char; all three are recorded)."""
    if choice_norm not in NORMS:
        raise WarmlabError(f"unknown choice_norm {choice_norm!r}; choose from: {', '.join(NORMS)}")
    ctxs = parse_choice(contexts, CONTEXTS, "context")
    bels = parse_choice(beliefs, BELIEFS, "belief", default=PAPER_BELIEFS)
    if mode not in MODES:
        raise WarmlabError(f"unknown mode {mode!r}; choose from: {', '.join(MODES)}")
    items = load_items(source, families, limit, int(seed))
    solvers = [*system_solvers(system), generate() if mode == "generate" else forced_choice(choice_norm)]
    return Task(
        dataset=MemoryDataset(build_samples(items, ctxs, bels, int(seed)), name="warmlab-reliability"),
        solver=solvers,
        scorer=reliability_scorer(),
        config=GenerateConfig(max_tokens=int(max_tokens), temperature=temperature),
        metadata={
            "mode": mode,
            "source": source,
            "seed": int(seed),
            "system": system,
            "choice_norm": choice_norm,
        },
    )


@solver
def forced_choice(norm: str = DEFAULT_NORM) -> Solver:
    """Pick the answer with the highest (normalised) log-likelihood after the framed prompt and `The answer
    is`; the choices under the other normalisations are recorded too."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        item = Item.from_json(state.metadata["item"])
        scored = await score_options(state.messages, choice_options(item), CHOICE_PREFIX)
        chosen = scored.chosen_by(norm)
        state.output = ModelOutput.from_content(model="choice", content=scored.options[chosen])
        state.metadata["choice"] = {
            "options": list(scored.options),
            "logprobs": list(scored.logprobs),
            "tokens": list(scored.tokens),
            "chosen": chosen,
            "norm": norm,
            "chosen_by": {n: scored.chosen_by(n) for n in NORMS},
        }
        return state

    return solve
