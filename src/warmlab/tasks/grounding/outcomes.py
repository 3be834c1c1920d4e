"""One reply -> the row's `outcomes`: grounding-act counts and whether each act occurred."""

from __future__ import annotations

from collections.abc import Sequence

from warmlab.classifiers.grounding import GroundingCounts, count_acts

SCORER = "offline:grounding-acts (probe all-MiniLM-L6-v2 + cues, question rule)"
#: outcome name -> kind ("count" per reply, or "binary")
OUTCOMES = {
    "clarifications": "count",
    "acknowledgements": "count",
    "follow_ups": "count",
    "grounding_acts": "count",
    "any_clarification": "binary",
    "any_acknowledgement": "binary",
    "any_follow_up": "binary",
    "any_grounding": "binary",
    "questions": "count",
    "sentences": "count",
}


def from_counts(c: GroundingCounts) -> dict[str, int]:
    return {
        "clarifications": c.clarification,
        "acknowledgements": c.acknowledgement,
        "follow_ups": c.follow_up,
        "grounding_acts": c.total,
        "any_clarification": int(c.clarification > 0),
        "any_acknowledgement": int(c.acknowledgement > 0),
        "any_follow_up": int(c.follow_up > 0),
        "any_grounding": int(c.total > 0),
        "questions": c.questions,
        "sentences": c.sentences,
    }


def grounding_outcomes(response: str) -> dict[str, int]:
    return from_counts(count_acts([response])[0])


def grounding_outcomes_batch(responses: Sequence[str]) -> list[dict[str, int]]:
    """Same as `grounding_outcomes` for many replies (one embedding pass)."""
    return [from_counts(c) for c in count_acts(responses)]
