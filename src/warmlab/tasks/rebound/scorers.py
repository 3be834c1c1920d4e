"""The rebound scorer: the offline outcomes of one reply (valence, soothing, added feelings) and, with a
`grader` role bound, the judge's answers to the same three questions beside them (`by_scorer`)."""

from __future__ import annotations

from typing import Any

from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import TaskState

from warmlab.tasks import judging
from warmlab.tasks.rebound.outcomes import SCORER, rebound_outcomes_batch
from warmlab.tasks.rebound.prompts import judge_prompt, parse_judge

JUDGED = ("valence", "soothing", "added_feelings")  # what both scorers give
Reply = tuple[str, str, list[str]]  # the reply, the user's message, the feelings it is known to express


def score_replies(items: list[Reply]) -> list[tuple[dict[str, Any], str]]:
    """The offline outcomes and rationale of several replies in one classifier batch."""
    replies = [reply for reply, _, _ in items]
    return rebound_outcomes_batch(replies, [user for _, user, _ in items], [felt for _, _, felt in items])


@scorer(metrics=[mean()])
def rebound_scorer() -> Scorer:
    """Value: the reply's VADER compound (-1 to 1); the outcomes carry the rest."""

    batch: judging.Batcher[Reply, tuple[dict[str, Any], str]] = judging.Batcher(score_replies)

    async def score(state: TaskState, target: Target) -> Score:
        reply = state.output.completion if state.output else ""
        prompt = state.input_text
        outcomes, why = await batch((reply, prompt, list(state.metadata.get("expressed") or [])))
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
