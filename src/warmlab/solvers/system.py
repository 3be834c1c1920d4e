"""The system prompt of a `SPEC@system=NAME` variant, put first in the conversation."""

from __future__ import annotations

from inspect_ai.model import ChatMessageSystem
from inspect_ai.solver import Generate, Solver, TaskState, solver

from warmlab.models import load_system_prompt


@solver
def system_prompt(text: str) -> Solver:
    """Put a system message first (no template formatting: prompt texts may contain braces)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.messages.insert(0, ChatMessageSystem(content=text))
        return state

    return solve


def system_solvers(system: str | None) -> list[Solver]:
    """[] without a system prompt; else the solver that adds it (a name like `warm` or a file)."""
    return [system_prompt(load_system_prompt(system))] if system else []
