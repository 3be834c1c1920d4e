"""Scoring a finished boundaries conversation: offline (rules + probes) or with the LLM judge, into the
row's `outcomes` dict (see `rubric.conversation_outcomes`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from warmlab.solvers.users.base import Message
from warmlab.tasks.boundaries.classifier import OfflineClassifier, load_classifier
from warmlab.tasks.boundaries.judge import agreement, judge_conversation
from warmlab.tasks.boundaries.rubric import conversation_outcomes
from warmlab.tasks.boundaries.scenarios import Scenario

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
    return conversation_outcomes(scenario, labels), labels


async def score_judge(
    grader: Model, scenario: Scenario, conversation: Sequence[Message]
) -> tuple[dict[str, Any], list[dict[str, int | None]], list[str]]:
    """(outcomes, per-turn labels, the grader's raw replies) of a conversation scored by the judge."""
    labels, raws = await judge_conversation(grader, scenario, conversation)
    return conversation_outcomes(scenario, labels), labels, raws


def judge_offline_agreement(
    judged: Sequence[Sequence[dict[str, int | None]]], offline: Sequence[Sequence[dict[str, int]]]
) -> dict[str, dict[str, Any]]:
    """Per-item kappa and n over all turns of many conversations scored both ways (same order)."""
    if len(judged) != len(offline):
        raise ValueError(f"{len(judged)} judged conversations but {len(offline)} scored offline")
    flat_j = [lab for conv in judged for lab in conv]
    flat_o = [lab for conv in offline for lab in conv]
    return agreement(flat_j, flat_o)
