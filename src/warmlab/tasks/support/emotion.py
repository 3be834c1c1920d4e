"""The SAGE emotion rule (arXiv:2505.02847), pure: a simulated user's emotion starts at 40 on a 0-100
scale, moves by a signed change clipped to [-10, +10] after each assistant turn, and its band steers the
user's tone. The dialogue ends on a goodbye, at 100 (satisfied), below 10 (gives up) or at the turn cap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

START = 40.0
LOW, HIGH = 0.0, 100.0
MAX_CHANGE = 10.0
MAX_TURNS = 10  # SAGE's evaluation cap; RLVER trains with 8
SUCCESS_AT = 100.0  # final >= this: success
FAILURE_BELOW = 10.0  # final < this: failure


@dataclass(frozen=True)
class Band:
    name: str
    floor: float  # the band holds emotions >= floor (and below the next band's floor)
    tone: str  # how a user in this band talks (read by the LLM simulator's reply step)


# Highest first. The tone texts are the team's own wording of SAGE's five bands.
BANDS = (
    Band("satisfied", 100.0, "your need has been fully met; you feel much better and want to wrap up warmly"),
    Band("positive", 70.0, "you feel understood and hopeful; you open up and engage readily"),
    Band("neutral", 40.0, "you are unsure whether this helps; polite but guarded, you test the assistant"),
    Band("negative", 10.0, "you feel unheard or frustrated; short, sceptical, you may push back"),
    Band("shut_down", LOW, "you feel dismissed and have had enough; you want to leave the conversation"),
)


def clip_change(change: float) -> float:
    """A change limited to [-MAX_CHANGE, +MAX_CHANGE]; NaN counts as no change."""
    if math.isnan(change):
        return 0.0
    return max(-MAX_CHANGE, min(MAX_CHANGE, float(change)))


def update(emotion: float, change: float) -> float:
    """The next emotion: `emotion` plus the clipped change, kept within [0, 100]."""
    return max(LOW, min(HIGH, emotion + clip_change(change)))


def band(emotion: float) -> Band:
    """The band an emotion falls in (>= 100, >= 70, >= 40, >= 10, < 10)."""
    for b in BANDS:
        if emotion >= b.floor:
            return b
    return BANDS[-1]


def stop_reason(emotion: float, turn: int, max_turns: int, goodbye: bool = False) -> str | None:
    """Why the dialogue ends after assistant turn `turn` (1-based), or None to go on.

    Order matters when several hold: the emotion bounds first (they decide success/failure), then the
    user's goodbye, then the turn cap.
    """
    if emotion >= SUCCESS_AT:
        return "satisfied"
    if emotion < FAILURE_BELOW:
        return "gave_up"
    if goodbye:
        return "goodbye"
    if turn >= max_turns:
        return "max_turns"
    return None
