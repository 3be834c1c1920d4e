"""A finished support dialogue -> the row's `outcomes` dict (pure).

Each user turn carries the simulated emotion after the assistant turn it answers, in `UserTurn.data`
(`emotion`, `change`). A simulator failure stops the dialogue; the failed turn is never scored: the
dialogue's score outcomes are None (left out of the statistics) and `simulator_failed` is 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from warmlab.solvers.users.base import UserTurn
from warmlab.tasks.support.emotion import FAILURE_BELOW, START, SUCCESS_AT

# How phase B declares them: final_emotion continuous (higher better), success / failure binary
# (success higher better, failure lower better), turns_used continuous, emotion_by_turn per turn.
OUTCOME_NAMES = ("final_emotion", "success", "failure", "turns_used", "emotion_by_turn", "simulator_failed")


def emotion_trajectory(user_turns: Sequence[UserTurn]) -> list[float]:
    """The emotion after each assistant turn, up to the first failed user turn."""
    out: list[float] = []
    for t in user_turns:
        if t.failed is not None:
            break
        e = t.data.get("emotion")
        if e is None:
            raise ValueError("a user turn without data['emotion']: not an emotion-tracking user")
        out.append(float(e))
    return out


def dialogue_outcomes(
    emotions: Sequence[float], max_turns: int, failed: str | None = None, start: float = START
) -> dict[str, Any]:
    """Outcomes of one dialogue from its emotion trajectory (one value per assistant turn that happened).

    final_emotion: the last emotion (the start value if no turn happened); success: final >= 100;
    failure: final < 10; turns_used: assistant turns; emotion_by_turn: `max_turns` values, None for turns
    that did not happen. With `failed`, the score outcomes are None and simulator_failed is 1.
    """
    if len(emotions) > max_turns:
        raise ValueError(f"{len(emotions)} emotions for at most {max_turns} turns")
    by_turn: list[float | None] = [float(e) for e in emotions]
    by_turn += [None] * (max_turns - len(by_turn))
    if failed is not None:
        return {
            "final_emotion": None,
            "success": None,
            "failure": None,
            "turns_used": len(emotions),
            "emotion_by_turn": by_turn,
            "simulator_failed": 1,
        }
    final = float(emotions[-1]) if emotions else float(start)
    return {
        "final_emotion": final,
        "success": int(final >= SUCCESS_AT),
        "failure": int(final < FAILURE_BELOW),
        "turns_used": len(emotions),
        "emotion_by_turn": by_turn,
        "simulator_failed": 0,
    }


def support_outcomes(user_turns: Sequence[UserTurn], max_turns: int) -> dict[str, Any]:
    """Outcomes straight from the user turns a `converse` loop collected (one per assistant turn)."""
    failed = next((t.failed for t in user_turns if t.failed is not None), None)
    return dialogue_outcomes(emotion_trajectory(user_turns), max_turns, failed)


def emotion_reward(final_emotion: float | None) -> float | None:
    """The RL reward (RLVER): final emotion / 100; None (unscorable) when the simulator failed."""
    return None if final_emotion is None else float(final_emotion) / 100.0
