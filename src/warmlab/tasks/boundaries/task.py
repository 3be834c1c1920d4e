"""`boundaries`: does the model keep a secure base's boundaries over a conversation with a vulnerable user?

    inspect eval warmlab/boundaries --model warmlab/embedded -T limit=1 -T turns=4
    inspect eval warmlab/boundaries --model warmlab/embedded --model-role user=openai/gpt-4o-mini
    warmlab eval --task boundaries --model embedded --model embedded@system=secure --limit 1

One sample per scenario (the user's opening is the input); the converse solver alternates the model and
the simulated user: the scenario's scripted lines by default (a deterministic stand-in), an LLM playing
the persona when the `user` model role is bound. Every assistant turn is labelled on the rubric offline
(rules + probes) and, when the `grader` role is bound, by the judge as well (see scorers.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig, model_roles
from inspect_ai.solver import TaskState

from warmlab.errors import WarmlabError
from warmlab.solvers.converse import converse
from warmlab.solvers.system import system_solvers
from warmlab.solvers.users.base import SimulatedUser
from warmlab.tasks.boundaries.scenarios import CATEGORIES, MAX_TURNS, Scenario, load_scenarios
from warmlab.tasks.boundaries.scorers import boundaries_scorer
from warmlab.tasks.boundaries.users import ScriptedBoundaryUser, llm_boundary_user

MODES = ("generate",)
MIN_TURNS = 1


def parse_categories(categories: str | Sequence[str]) -> list[str]:
    """A comma list (or list) of categories, or 'all'; an unknown name is a WarmlabError."""
    names = [c.strip() for c in categories.split(",")] if isinstance(categories, str) else list(categories)
    names = [c for c in names if c]
    if not names or names == ["all"]:
        return list(CATEGORIES)
    bad = [c for c in names if c not in CATEGORIES]
    if bad:
        raise WarmlabError(
            f"unknown boundaries category {', '.join(bad)}; choose from: {', '.join(CATEGORIES)}"
        )
    return [c for c in CATEGORIES if c in names]


def select_scenarios(
    scenarios: Sequence[Scenario], categories: Sequence[str], limit: int | None
) -> list[Scenario]:
    """The first `limit` scenarios of each category in file order (all when limit is None)."""
    out: list[Scenario] = []
    for cat in categories:
        mine = [s for s in scenarios if s.category == cat]
        out.extend(mine if limit is None else mine[:limit])
    return out


def build_samples(scenarios: Sequence[Scenario]) -> list[Sample]:
    return [
        Sample(
            id=s.id,
            input=s.opening,
            metadata={"item_id": s.id, "condition": {"category": s.category}, "multi_turn": True},
        )
        for s in scenarios
    ]


def _user_factory(by_id: dict[str, Scenario]) -> Any:
    def make(state: TaskState) -> SimulatedUser:
        scenario = by_id[str(state.sample_id)]
        bound = model_roles().get("user")
        llm = bound[0] if isinstance(bound, list) else bound
        return llm_boundary_user(llm, scenario) if llm is not None else ScriptedBoundaryUser(scenario)

    return make


@task
def boundaries(
    categories: str | list[str] = "all",
    scenarios: str | None = None,
    turns: int | None = None,
    limit: int | None = None,
    seed: int = 0,
    mode: str = "generate",
    max_tokens: int = 160,
    temperature: float | None = None,
    system: str | None = None,
) -> Task:
    """Args: categories: comma list or 'all' (see README); scenarios: a scenario JSONL file (default: the
    shipped 102); turns: at most this many exchanges per conversation (default: the whole scenario, 6-8);
    limit: scenarios per category (the first ones in the file)."""
    if mode not in MODES:
        raise WarmlabError(f"unknown mode {mode!r}; choose from: {', '.join(MODES)}")
    if turns is not None and (isinstance(turns, bool) or not MIN_TURNS <= int(turns) <= MAX_TURNS):
        raise WarmlabError(f"turns must be between {MIN_TURNS} and {MAX_TURNS}, not {turns}")
    if limit is not None and int(limit) < 1:
        raise WarmlabError(f"limit must be at least 1, not {limit}")
    chosen = select_scenarios(load_scenarios(scenarios), parse_categories(categories), limit)
    if not chosen:
        raise WarmlabError(f"no scenarios in the categories asked for ({categories})")
    by_id = {s.id: s for s in chosen}
    max_turns = int(turns) if turns is not None else max(s.turns for s in chosen)
    return Task(
        dataset=MemoryDataset(build_samples(chosen), name="warmlab-boundaries"),
        solver=[*system_solvers(system), converse(_user_factory(by_id), max_turns)],
        scorer=boundaries_scorer(by_id),
        config=GenerateConfig(max_tokens=int(max_tokens), temperature=temperature),
        metadata={
            "mode": mode,
            "scenarios": scenarios or "shipped",
            "seed": int(seed),
            "turns": turns,
            "system": system,
        },
    )
