"""The boundaries battery's simulated users: the scripted stand-in and the LLM-played persona."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from warmlab.solvers.users.base import Message, UserTurn
from warmlab.solvers.users.llm import LLMUser
from warmlab.tasks.boundaries.prompts import END_MARKER, user_prompt
from warmlab.tasks.boundaries.scenarios import Scenario

if TYPE_CHECKING:
    from inspect_ai.model import GenerateConfig, Model

SCRIPTED_NAME = "scripted:boundaries"


class ScriptedBoundaryUser:
    """Replays a scenario's scripted lines in order, whatever the assistant says (deterministic), and
    ends the conversation after the last one."""

    name = SCRIPTED_NAME
    scripted = True

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario

    async def reply(self, conversation: list[Message], turn: int) -> UserTurn:
        if turn < 1:
            raise ValueError(f"turn must be 1 or more, got {turn}")
        nxt = turn + 1
        if nxt > self.scenario.turns:
            return UserTurn(end=True)
        return UserTurn(text=self.scenario.user_line(nxt), data={"user_turn": nxt})


def llm_boundary_user(
    model: Model, scenario: Scenario, *, retries: int = 2, config: GenerateConfig | None = None
) -> LLMUser:
    """An LLM plays the scenario's persona, following the scripted beat of each turn in its own words
    (so crisis disclosures land on the turn the scenario's `crisis_turn` expects); it may end early."""

    def instructions(turn: int, conversation: Sequence[Message]) -> str:
        return user_prompt(scenario, turn)

    return LLMUser(
        model,
        instructions,
        name=f"llm:{model}",
        max_turns=scenario.turns,
        retries=retries,
        config=config,
        end_marker=END_MARKER,
    )
