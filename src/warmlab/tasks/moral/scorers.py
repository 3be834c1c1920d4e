"""The moral scorer: the lexicon's counts per 1,000 words and VADER's sentiment for one reply, and, with
a `grader` role bound, the judge's foundations and sentiment beside them (`by_scorer`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import TaskState

from warmlab.classifiers import valence as V
from warmlab.classifiers.moral import FOUNDATIONS, load_lexicon
from warmlab.tasks import judging
from warmlab.tasks.moral.outcomes import moral_outcomes, scorer_name
from warmlab.tasks.moral.prompts import judge_prompt, parse_judge


def with_flags(outcomes: dict[str, Any]) -> dict[str, Any]:
    """Adds what the judge also gives: `appeals_<foundation>` (1 when the reply uses any of its terms) and
    `sentiment_label` (VADER's label of the same compound)."""
    for f in FOUNDATIONS:
        outcomes[f"appeals_{f}"] = int(outcomes[f"{f}_per_1k"] > 0)
    outcomes["sentiment_label"] = V.label(float(outcomes["sentiment"]))
    return outcomes


def judge_outcomes(parsed: Mapping[str, Any]) -> dict[str, Any]:
    """The judge's parsed reply under the offline outcomes' names."""
    out: dict[str, Any] = {f"appeals_{f}": parsed.get(f) for f in FOUNDATIONS}
    out["sentiment_label"] = parsed.get("sentiment")
    return out


@scorer(metrics=[mean()])
def moral_scorer(lexicon: str | None = None, reference: Mapping[str, Any] | None = None) -> Scorer:
    """Value: moral-foundation terms per 1,000 words (all five)."""
    lex = load_lexicon(lexicon)
    name = scorer_name(lex)

    async def score(state: TaskState, target: Target) -> Score:
        reply = state.output.completion if state.output else ""
        outcomes = with_flags(moral_outcomes(reply, lex))  # a lexicon and VADER: milliseconds, no encoder
        judged = await judging.judge(judge_prompt(reply), lambda t: judge_outcomes(parse_judge(t)))
        why = f"{outcomes['moral_per_1k']:.1f} moral terms per 1,000 words ({outcomes['words']} words), " + (
            f"sentiment {outcomes['sentiment']:+.2f}"
        )
        if judged is not None:
            found = [f for f in FOUNDATIONS if judged[1].get(f"appeals_{f}")]
            why += f"; {judged[0]}: {', '.join(found) or 'none'}, sentiment {judged[1]['sentiment_label']}"
        shared = {k: outcomes[k] for k in (*(f"appeals_{f}" for f in FOUNDATIONS), "sentiment_label")}
        return Score(
            value=float(outcomes["moral_per_1k"]),
            explanation=why,
            metadata=judging.metadata(name, outcomes, judged, shared, reference),
        )

    return score
