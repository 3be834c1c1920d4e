"""The simulated-user interface every multi-turn battery talks to.

A conversation is a list of `{"role": "user" | "assistant", "content": str}` dicts (no system turn: the
model under test's system prompt is not shown to the user). The user is asked for its next turn after
each assistant turn; it answers with a `UserTurn`. A user that fails (an LLM simulator whose output could
not be parsed after its retries) returns `failed`: the conversation stops there and the turn is recorded
as a failure, never scored as if it happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

Message = dict[str, str]


@dataclass
class UserTurn:
    """The user's next move.

    text: the message (may be "" when the user only ends the conversation).
    end: the user ends the conversation; `text`, if any, is its last message and the assistant does not
        answer it.
    failed: why the simulator could not produce a turn (the conversation stops; nothing is scored for it).
    data: per-turn values the battery records (e.g. the simulated emotion and its change).
    """

    text: str = ""
    end: bool = False
    failed: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class SimulatedUser(Protocol):
    """One simulated user for one conversation (make a fresh one per sample: users may keep state)."""

    #: what produced the user's turns, recorded in every row: "scripted:<rules>" or "llm:<model>"
    name: str
    #: True for rule-based stand-ins; their results are labelled "scripted stand-in" wherever they appear
    scripted: bool

    async def reply(self, conversation: list[Message], turn: int) -> UserTurn:
        """The next user turn after the assistant's turn number `turn` (1-based), given the whole
        conversation so far (it ends with that assistant turn)."""
        ...
