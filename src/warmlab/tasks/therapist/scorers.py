"""The therapist scorer: the offline behaviour labels of the reply (batched over replies that finish
together) and, with a `grader` role bound, the judge's labels beside them (`by_scorer`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import TaskState

from warmlab.classifiers.talk import BEHAVIOURS
from warmlab.tasks.replies import Batcher, Judge, grader, score_reply
from warmlab.tasks.therapist.outcomes import REFLECTIONS, SCORER, therapist_outcomes_batch
from warmlab.tasks.therapist.prompts import judge_prompt, parse_judge


def judge_outcomes(found: Mapping[str, int]) -> dict[str, int]:
    """The judge's labels under the offline scorer's outcome names."""
    out = {b: int(found.get(b, 0)) for b in BEHAVIOURS}
    out["any_reflection"] = int(any(out[b] for b in REFLECTIONS))
    return out


JUDGE = Judge(prompt=judge_prompt, parse=parse_judge, outcomes=judge_outcomes)


def explain(o: Mapping[str, Any]) -> str:
    shown = [b for b in BEHAVIOURS if o.get(b)]
    return ", ".join(shown) or "no behaviour"


@scorer(metrics=[mean()])
def therapist_scorer(reference: Mapping[str, Any] | None = None) -> Scorer:
    """Value: 1 when the reply problem-solves (offline); the outcomes carry every behaviour."""
    offline = Batcher(therapist_outcomes_batch)

    async def score(state: TaskState, target: Target) -> Score:
        reply = state.output.completion if state.output else ""
        return await score_reply(
            reply,
            state.input_text,
            offline,
            SCORER,
            JUDGE,
            grader(),
            value="problem_solving",
            explain=explain,
            reference=reference,
        )

    return score
