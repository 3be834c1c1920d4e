"""The rebound scorer: the offline outcomes of one reply (valence, soothing, added feelings) and, with a
`grader` role bound, the judge's answers to the same three questions beside them (`by_scorer`)."""

from __future__ import annotations

from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import TaskState

from warmlab.tasks import judging
from warmlab.tasks.rebound.outcomes import SCORER, rebound_outcomes_batch
from warmlab.tasks.rebound.prompts import judge_prompt, parse_judge

JUDGED = ("valence", "soothing", "added_feelings")  # what both scorers give


@scorer(metrics=[mean()])
def rebound_scorer() -> Scorer:
    """Value: the reply's VADER compound (-1 to 1); the outcomes carry the rest."""

    async def score(state: TaskState, target: Target) -> Score:
        reply = state.output.completion if state.output else ""
        prompt = state.input_text
        expressed = list(state.metadata.get("expressed") or [])
        ((outcomes, why),) = await judging.offline(
            lambda: rebound_outcomes_batch([reply], [prompt], [expressed])
        )
        judged = await judging.judge(judge_prompt(prompt, reply), parse_judge)
        if judged is not None:
            why += f"; {judged[0]}: " + ", ".join(f"{k} {v}" for k, v in judged[1].items())
        shared = {k: outcomes[k] for k in JUDGED}
        return Score(
            value=float(outcomes["valence_score"]),
            explanation=why,
            metadata=judging.metadata(SCORER, outcomes, judged, shared),
        )

    return score
