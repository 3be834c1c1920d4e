"""The multi-turn solver: the model under test and a simulated user alternate.

The sample's input is the user's opening. After each assistant turn an optional `assess` hook scores that
turn (its results are in `state.metadata["assessments"]`, where the user may read them: a scripted
user can choose its next line from them), then the user replies. The dialogue stops when the user ends
it, when the user simulator fails (recorded; that turn never happened), or after `max_turns` assistant
turns. The whole transcript stays in `state.messages` (so in the inspect log) and the record of the
dialogue in `state.metadata["dialogue"]`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from inspect_ai.model import ChatMessageUser
from inspect_ai.solver import Generate, Solver, TaskState, solver

from warmlab.solvers.users.base import Message, SimulatedUser

UserFactory = Callable[[TaskState], SimulatedUser]
Assess = Callable[[TaskState, int], Awaitable[dict[str, Any]]]


def conversation(state: TaskState) -> list[Message]:
    """The user and assistant turns so far (system prompts are not shown to the simulated user)."""
    return [{"role": m.role, "content": m.text} for m in state.messages if m.role in ("user", "assistant")]


@solver
def converse(make_user: UserFactory, max_turns: int, assess: Assess | None = None) -> Solver:
    if max_turns < 1:
        raise ValueError("max_turns must be at least 1")

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        user = make_user(state)
        state.metadata["assessments"] = []
        user_turns: list[dict[str, Any]] = []
        stop, failure = "max_turns", None
        turns = 0
        for turn in range(1, max_turns + 1):
            state = await generate(state)
            turns = turn
            if assess is not None:
                state.metadata["assessments"].append(await assess(state, turn))
            if turn == max_turns:
                break
            reply = await user.reply(conversation(state), turn)
            user_turns.append({"turn": turn, "text": reply.text, "end": reply.end, **reply.data})
            if reply.failed is not None:
                stop, failure = "user_failed", reply.failed
                break
            if reply.end:
                if reply.text:
                    state.messages.append(ChatMessageUser(content=reply.text))
                stop = "user_ended"
                break
            state.messages.append(ChatMessageUser(content=reply.text))
        state.metadata["multi_turn"] = True
        state.metadata["dialogue"] = {
            "assistant_turns": turns,
            "stop": stop,
            "failure": failure,
            "user": user.name,
            "scripted": user.scripted,
            "user_turns": user_turns,
        }
        return state

    return solve
