"""The grounding scorer: the offline act counts of the reply (batched over replies that finish together)
and, with a `grader` role bound, the judge's counts beside them (`by_scorer`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import TaskState

from warmlab.tasks.grounding.outcomes import SCORER, grounding_outcomes_batch
from warmlab.tasks.grounding.prompts import judge_prompt, parse_judge
from warmlab.tasks.replies import Batcher, Judge, grader, score_reply


def judge_outcomes(found: Mapping[str, int]) -> dict[str, int]:
    """The judge's counts under the offline scorer's outcome names."""
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


JUDGE = Judge(prompt=judge_prompt, parse=parse_judge, outcomes=judge_outcomes)


def explain(o: Mapping[str, Any]) -> str:
    return (
        f"clarifications {o.get('clarifications')}, acknowledgements {o.get('acknowledgements')}, "
        f"follow-ups {o.get('follow_ups')}"
    )


@scorer(metrics=[mean()])
def grounding_scorer(reference: Mapping[str, Any] | None = None) -> Scorer:
    """Value: 1 when the reply has any grounding act (offline); the outcomes carry the counts."""
    offline = Batcher(grounding_outcomes_batch)

    async def score(state: TaskState, target: Target) -> Score:
        reply = state.output.completion if state.output else ""
        return await score_reply(
            reply,
            state.input_text,
            offline,
            SCORER,
            JUDGE,
            grader(),
            value="any_grounding",
            explain=explain,
            reference=reference,
        )

    return score
