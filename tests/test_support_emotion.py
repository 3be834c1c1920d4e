"""The SAGE emotion rule (clipping, bounds, bands, stop rules) and the dialogue outcome functions."""

from __future__ import annotations

import math

import pytest

from warmlab.solvers.users.base import UserTurn
from warmlab.tasks.support import emotion as emo
from warmlab.tasks.support.outcomes import (
    dialogue_outcomes,
    emotion_reward,
    emotion_trajectory,
    support_outcomes,
)


def test_change_is_clipped() -> None:
    assert emo.clip_change(25) == 10 and emo.clip_change(-25) == -10
    assert emo.clip_change(-3.5) == -3.5 and emo.clip_change(float("nan")) == 0
    assert emo.update(40, 25) == 50 and emo.update(40, -25) == 30


def test_emotion_stays_in_range() -> None:
    assert emo.update(95, 10) == 100 and emo.update(100, 10) == 100
    assert emo.update(4, -10) == 0 and emo.update(0, -1) == 0
    e = emo.START
    for _ in range(20):
        e = emo.update(e, 10)
    assert e == 100 and emo.START == 40


@pytest.mark.parametrize(
    ("emotion", "name"),
    [
        (100, "satisfied"),
        (99.9, "positive"),
        (70, "positive"),
        (69, "neutral"),
        (40, "neutral"),
        (39, "negative"),
        (10, "negative"),
        (9.9, "shut_down"),
        (0, "shut_down"),
    ],
)
def test_bands(emotion: float, name: str) -> None:
    assert emo.band(emotion).name == name


def test_stop_rules() -> None:
    assert emo.stop_reason(100, 1, 8) == "satisfied"
    assert emo.stop_reason(9, 1, 8) == "gave_up"
    assert emo.stop_reason(10, 1, 8) is None
    assert emo.stop_reason(50, 3, 8, goodbye=True) == "goodbye"
    assert emo.stop_reason(50, 8, 8) == "max_turns" and emo.stop_reason(50, 7, 8) is None
    # the bounds decide the outcome even on the last turn or with a goodbye
    assert emo.stop_reason(100, 8, 8, goodbye=True) == "satisfied"
    assert emo.stop_reason(5, 8, 8) == "gave_up"


def test_outcomes_of_a_finished_dialogue() -> None:
    out = dialogue_outcomes([50, 60, 100], max_turns=5)
    assert out == {
        "final_emotion": 100.0,
        "success": 1,
        "failure": 0,
        "turns_used": 3,
        "emotion_by_turn": [50.0, 60.0, 100.0, None, None],
        "simulator_failed": 0,
    }
    low = dialogue_outcomes([30, 20, 9.5], max_turns=3)
    assert low["failure"] == 1 and low["success"] == 0 and low["emotion_by_turn"] == [30, 20, 9.5]
    mid = dialogue_outcomes([45], max_turns=2)
    assert mid["success"] == 0 and mid["failure"] == 0 and mid["final_emotion"] == 45
    assert dialogue_outcomes([], max_turns=2)["final_emotion"] == 40
    with pytest.raises(ValueError):
        dialogue_outcomes([1, 2, 3], max_turns=2)


def test_a_failed_simulator_is_not_scored() -> None:
    turns = [
        UserTurn(text="a", data={"emotion": 45.0}),
        UserTurn(failed="bad output"),
    ]
    assert emotion_trajectory(turns) == [45.0]
    out = support_outcomes(turns, max_turns=4)
    assert out["simulator_failed"] == 1
    assert out["final_emotion"] is None and out["success"] is None and out["failure"] is None
    assert out["emotion_by_turn"] == [45.0, None, None, None] and out["turns_used"] == 1
    assert emotion_reward(out["final_emotion"]) is None


def test_outcomes_from_user_turns_and_reward() -> None:
    turns = [UserTurn(text="a", data={"emotion": e}) for e in (48.0, 55.0)]
    turns.append(UserTurn(text="", end=True, data={"emotion": 62.0}))
    out = support_outcomes(turns, max_turns=3)
    assert out["final_emotion"] == 62 and out["turns_used"] == 3 and out["simulator_failed"] == 0
    assert math.isclose(emotion_reward(out["final_emotion"]) or 0, 0.62)
    with pytest.raises(ValueError, match="not an emotion-tracking user"):
        emotion_trajectory([UserTurn(text="x")])
