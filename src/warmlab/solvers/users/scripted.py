"""Scripted simulated users: deterministic stand-ins for an LLM user (tests, the offline demo).

Lines are fixed per turn, or chosen by a rule from the conversation so far (for instance from features of
the assistant's last turn). Results produced with a scripted user are labelled "scripted stand-in".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from warmlab.solvers.users.base import Message, UserTurn

Rule = Callable[[list[Message], int], UserTurn]


class ScriptedUser:
    """Replies line by line (`lines[turn - 1]` after assistant turn `turn`), or by a rule; ends when the
    lines run out."""

    scripted = True

    def __init__(self, name: str, lines: Sequence[str] = (), rule: Rule | None = None) -> None:
        if not name.startswith("scripted:"):
            name = f"scripted:{name}"
        self.name = name
        self.lines = list(lines)
        self.rule = rule

    async def reply(self, conversation: list[Message], turn: int) -> UserTurn:
        if self.rule is not None:
            return self.rule(conversation, turn)
        if turn - 1 < len(self.lines):
            return UserTurn(self.lines[turn - 1])
        return UserTurn(end=True)
