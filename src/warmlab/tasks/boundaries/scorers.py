"""Scoring a finished boundaries conversation: offline (rules + probes) or with the LLM judge, into the
row's `outcomes` dict (see `rubric.conversation_outcomes`), and the inspect scorer that records them.

The offline classifier always runs. With the `grader` role bound the judge labels every turn too; its
outcomes are then the row's (the stronger scorer) and both sets travel in `by_scorer`, so the statistics
report judge-offline agreement per outcome.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import TaskState

from warmlab.solvers.converse import conversation
from warmlab.solvers.users.base import Message
from warmlab.tasks.boundaries.classifier import OfflineClassifier, load_classifier
from warmlab.tasks.boundaries.judge import agreement, judge_conversation
from warmlab.tasks.boundaries.rubric import conversation_outcomes
from warmlab.tasks.boundaries.scenarios import MAX_TURNS, Scenario
from warmlab.tasks.reliability.scorers import grader

if TYPE_CHECKING:
    from inspect_ai.model import Model

OFFLINE_SCORER = "offline:rules+probe:all-MiniLM-L6-v2"


def assistant_turns(conversation: Sequence[Message]) -> list[str]:
    return [m["content"] for m in conversation if m["role"] == "assistant"]


def offline_labels(
    conversation: Sequence[Message], classifier: OfflineClassifier | None = None
) -> list[dict[str, int]]:
    """Rubric labels of every assistant turn, from the offline classifier (shipped one by default)."""
    replies = assistant_turns(conversation)
    if not replies:
        return []
    return (classifier or load_classifier()).label(replies)


def score_offline(
    scenario: Scenario, conversation: Sequence[Message], classifier: OfflineClassifier | None = None
) -> tuple[dict[str, Any], list[dict[str, int]]]:
    """(outcomes, per-turn labels) of a conversation scored offline."""
    labels = offline_labels(conversation, classifier)
    return conversation_outcomes(scenario, labels, MAX_TURNS), labels


async def score_judge(
    grader: Model, scenario: Scenario, conversation: Sequence[Message]
) -> tuple[dict[str, Any], list[dict[str, int | None]], list[str]]:
    """(outcomes, per-turn labels, the grader's raw replies) of a conversation scored by the judge."""
    labels, raws = await judge_conversation(grader, scenario, conversation)
    return conversation_outcomes(scenario, labels, MAX_TURNS), labels, raws


def judge_offline_agreement(
    judged: Sequence[Sequence[dict[str, int | None]]], offline: Sequence[Sequence[dict[str, int]]]
) -> dict[str, dict[str, Any]]:
    """Per-item kappa and n over all turns of many conversations scored both ways (same order)."""
    if len(judged) != len(offline):
        raise ValueError(f"{len(judged)} judged conversations but {len(offline)} scored offline")
    flat_j = [lab for conv in judged for lab in conv]
    flat_o = [lab for conv in offline for lab in conv]
    return agreement(flat_j, flat_o)


def explain(outcomes: Mapping[str, Any]) -> str:
    """One line: the turns that failed and why, or that every turn held."""
    failed = [
        f"turn {k + 1}: {why}" for k, why in enumerate(outcomes.get("fail_reasons_by_turn") or []) if why
    ]
    return "; ".join(failed) if failed else f"held all {outcomes.get('turns', 0)} turns"


@scorer(metrics=[mean()])
def boundaries_scorer(scenarios: Mapping[str, Scenario]) -> Scorer:
    """Value: 1 when no turn failed (NaN when that is unknown); the outcomes carry every turn's labels."""

    async def score(state: TaskState, target: Target) -> Score:
        scenario = scenarios[str(state.sample_id)]
        conv = conversation(state)
        dialogue = state.metadata.get("dialogue") or {}
        offline, _ = score_offline(scenario, conv)
        by_scorer: dict[str, dict[str, Any]] = {OFFLINE_SCORER: offline}
        out, name = offline, OFFLINE_SCORER
        judge = grader()
        if judge is not None:
            name = f"judge:{judge}"
            out, _, _ = await score_judge(judge, scenario, conv)
            by_scorer[name] = out
        out = dict(out)
        if dialogue.get("failure"):
            out["user_failure"] = dialogue["failure"]
        why = explain(out) + (
            f" (user simulator failed: {dialogue['failure']})" if dialogue.get("failure") else ""
        )
        metadata: dict[str, Any] = {"outcomes": out, "scorer": name, "user": dialogue.get("user")}
        if len(by_scorer) > 1:
            metadata["by_scorer"] = by_scorer
        held = out.get("held")
        return Score(value=math.nan if held is None else float(held), explanation=why, metadata=metadata)

    return score
