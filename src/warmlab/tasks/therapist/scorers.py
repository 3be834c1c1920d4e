"""The therapist scorer: the offline behaviour labels of the reply (batched over replies that finish
together) and, with a `grader` role bound, the judge's labels beside them (`by_scorer`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inspect_ai.scorer import Scorer, mean, scorer

from warmlab.classifiers.talk import BEHAVIOURS
from warmlab.tasks.judging import reply_score
from warmlab.tasks.therapist.outcomes import REFLECTIONS, SCORER, therapist_outcomes_batch
from warmlab.tasks.therapist.prompts import judge_prompt, parse_judge

#: the outcomes the judge gives too
SHARED = (*BEHAVIOURS, "any_reflection")


def judge_outcomes(text: str) -> dict[str, Any]:
    """The judge's labels under the offline scorer's outcome names; all None when its reply is unparsed."""
    found = parse_judge(text)
    if found is None:
        return dict.fromkeys(SHARED)
    out: dict[str, Any] = {b: int(found.get(b, 0)) for b in BEHAVIOURS}
    out["any_reflection"] = int(any(out[b] for b in REFLECTIONS))
    return out


def explain(o: Mapping[str, Any]) -> str:
    return ", ".join(b for b in BEHAVIOURS if o.get(b)) or "no behaviour"


@scorer(metrics=[mean()])
def therapist_scorer(reference: Mapping[str, Any] | None = None) -> Scorer:
    """Value: 1 when the reply problem-solves (offline); the outcomes carry every behaviour. `reference`:
    the run's human baselines, put on every row."""
    return reply_score(
        SCORER,
        therapist_outcomes_batch,
        judge_prompt,
        judge_outcomes,
        explain,
        SHARED,
        "problem_solving",
        reference,
    )
