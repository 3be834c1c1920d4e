"""The grounding scorer: the offline act counts of the reply (batched over replies that finish together)
and, with a `grader` role bound, the judge's counts beside them (`by_scorer`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inspect_ai.scorer import Scorer, mean, scorer

from warmlab.tasks.grounding.outcomes import SCORER, grounding_outcomes_batch
from warmlab.tasks.grounding.prompts import judge_prompt, parse_judge
from warmlab.tasks.judging import reply_score

#: the outcomes the judge gives too (under the offline scorer's names)
SHARED = (
    "clarifications",
    "acknowledgements",
    "follow_ups",
    "grounding_acts",
    "any_clarification",
    "any_acknowledgement",
    "any_follow_up",
    "any_grounding",
)


def judge_outcomes(text: str) -> dict[str, Any]:
    """The judge's counts under the offline scorer's outcome names; all None when its reply is unparsed."""
    found = parse_judge(text)
    if found is None:
        return dict.fromkeys(SHARED)
    c, a, f = found["clarification"], found["acknowledgement"], found["follow_up"]
    return {
        "clarifications": c,
        "acknowledgements": a,
        "follow_ups": f,
        "grounding_acts": c + a + f,
        "any_clarification": int(c > 0),
        "any_acknowledgement": int(a > 0),
        "any_follow_up": int(f > 0),
        "any_grounding": int(c + a + f > 0),
    }


def explain(o: Mapping[str, Any]) -> str:
    return (
        f"clarifications {o.get('clarifications')}, acknowledgements {o.get('acknowledgements')}, "
        f"follow-ups {o.get('follow_ups')}"
    )


@scorer(metrics=[mean()])
def grounding_scorer(reference: Mapping[str, Any] | None = None) -> Scorer:
    """Value: 1 when the reply has any grounding act (offline); the outcomes carry the counts. `reference`:
    the run's human baselines, put on every row."""
    return reply_score(
        SCORER,
        grounding_outcomes_batch,
        judge_prompt,
        judge_outcomes,
        explain,
        SHARED,
        "any_grounding",
        reference,
    )
