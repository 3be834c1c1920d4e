"""The warmth scorer: the offline scorer's warmth (named in every row) and, with a `grader` role bound,
the judge's 1-7 rating beside it."""

from __future__ import annotations

import asyncio

from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import TaskState

from warmlab.measure.warmth import judge_prompt, parse_rating, resolve_scorer


@scorer(metrics=[mean()])
def warmth_scorer(name: str = "probe") -> Scorer:
    sc = resolve_scorer(name)  # a bad scorer name fails when the task is built
    lock = asyncio.Lock()

    async def score(state: TaskState, target: Target) -> Score:
        from warmlab.tasks.reliability.scorers import grader

        text = state.output.completion if state.output else ""
        async with lock:  # the probe's encoder and SocioT's model are not thread-safe
            value = (await asyncio.to_thread(sc.score, [text]))[0]
        outcomes: dict[str, object] = {"warmth": round(float(value), 6)}
        judge = grader()
        explanation = f"{sc.name}: {value:+.3f}"
        if judge is not None:
            reply = await judge.generate(
                judge_prompt(text), config=GenerateConfig(max_tokens=256, temperature=0.0)
            )
            rating = parse_rating(reply.completion)
            outcomes["judge_rating"] = rating
            outcomes["judge_unparsed"] = int(rating is None)
            explanation += f"; judge:{judge} rating {rating if rating is not None else 'unparsed'}"
        return Score(
            value=float(value),
            explanation=explanation,
            metadata={"outcomes": outcomes, "scorer": sc.name, "judge": f"judge:{judge}" if judge else None},
        )

    return score
