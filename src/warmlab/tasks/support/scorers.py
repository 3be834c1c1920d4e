"""The support scorer: a finished dialogue's user turns -> the row's outcomes (`outcomes.support_outcomes`).

The simulated user is the scorer: its emotion after each assistant turn is recorded by `converse` in
`state.metadata["dialogue"]["user_turns"]`. A dialogue whose simulator failed is not scored (its score
outcomes are None; `simulator_failed` = 1; `user_failure` says why, which the statistics count).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import TaskState

from warmlab.solvers.users.base import UserTurn
from warmlab.tasks.support.emotion import MAX_TURNS
from warmlab.tasks.support.outcomes import support_outcomes

_RECORD_KEYS = ("turn", "text", "end")


def user_turns(dialogue: Mapping[str, Any]) -> list[UserTurn]:
    """The user turns `converse` recorded, as `UserTurn`s (the last one failed when the simulator did)."""
    recs: Sequence[Mapping[str, Any]] = dialogue.get("user_turns") or []
    failed = dialogue.get("failure") if dialogue.get("stop") == "user_failed" else None
    out = []
    for i, r in enumerate(recs):
        data = {k: v for k, v in r.items() if k not in _RECORD_KEYS}
        last_failed = failed if i == len(recs) - 1 else None
        out.append(UserTurn(str(r.get("text") or ""), bool(r.get("end")), last_failed, data))
    return out


def stop_reason(dialogue: Mapping[str, Any]) -> str:
    """Why the dialogue ended: satisfied, gave_up, goodbye, max_turns (the user's rules) or user_failed."""
    if dialogue.get("stop") == "user_failed":
        return "user_failed"
    recs = dialogue.get("user_turns") or []
    last = recs[-1].get("stop") if recs else None
    return str(last or dialogue.get("stop") or "max_turns")


def dialogue_outcomes(dialogue: Mapping[str, Any], max_turns: int) -> dict[str, Any]:
    """The row's outcomes of one support dialogue (see outcomes.py), with its stop reason."""
    out = support_outcomes(user_turns(dialogue), max_turns)
    out["stop"] = stop_reason(dialogue)
    if dialogue.get("failure"):
        out["user_failure"] = str(dialogue["failure"])
    return out


def rationale(dialogue: Mapping[str, Any]) -> str:
    """One clause per assistant turn: the change, the emotion after it and what the user saw in it."""
    parts = []
    for r in dialogue.get("user_turns") or []:
        if "emotion" not in r:
            continue
        seen = r.get("features") or ([str(r["reasoning"])[:120]] if r.get("reasoning") else [])
        what = f" ({', '.join(map(str, seen))})" if seen else ""
        parts.append(f"turn {r['turn']}: {float(r.get('change', 0)):+g} -> {float(r['emotion']):g}{what}")
    parts.append(f"stop: {stop_reason(dialogue)}")
    if dialogue.get("failure"):
        parts.append(f"user simulator failed: {dialogue['failure']}")
    return "; ".join(parts)


@scorer(metrics=[mean()])
def support_scorer() -> Scorer:
    """Value: the final emotion (0-100; inspect's own mean counts an unscored dialogue as 0, warmlab's
    statistics leave it out); the outcomes carry the trajectory."""

    async def score(state: TaskState, target: Target) -> Score:
        dialogue = state.metadata.get("dialogue") or {}
        max_turns = int(state.metadata.get("max_turns") or MAX_TURNS)
        out = dialogue_outcomes(dialogue, max_turns)
        user = str(dialogue.get("user") or "")
        return Score(
            value=float(out["final_emotion"] or 0.0),
            explanation=rationale(dialogue),
            metadata={"outcomes": out, "scorer": f"user:{user}", "user": user},
        )

    return score
