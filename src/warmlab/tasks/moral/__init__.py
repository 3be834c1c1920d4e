"""The moral battery: moral-foundation language in arguments, beside sentiment and human text (see
README.md)."""

from collections.abc import Mapping
from typing import Any

from warmlab.classifiers.moral import FOUNDATIONS
from warmlab.tasks.base import Battery, Outcome
from warmlab.tasks.moral.report import moral_report
from warmlab.tasks.moral.task import MODES, moral

__all__ = ["BATTERY", "moral"]


def _positive(row: Mapping[str, Any]) -> float | None:
    label = (row.get("outcomes") or {}).get("sentiment_label")
    return None if label not in ("negative", "neutral", "positive") else float(label == "positive")


BATTERY = Battery(
    name="moral",
    summary="moral-foundation terms per 1,000 words in arguments, beside sentiment and human-written text",
    task=moral,
    modes=MODES,
    outcomes=(
        Outcome(
            "moral_per_1k",
            "continuous",
            "moral-foundation terms per 1,000 words (care, fairness, loyalty, authority, sanctity together)",
            primary=True,
        ),
        Outcome("sentiment", "continuous", "sentiment: VADER compound, mean over sentences (-1 to 1)"),
        *(Outcome(f"{f}_per_1k", "continuous", f"{f} terms per 1,000 words") for f in FOUNDATIONS),
        *(
            Outcome(
                f"appeals_{f}",
                "binary",
                f"appeals to {f} (offline: uses one of its terms; judge: names it)",
                event="appeals",
            )
            for f in FOUNDATIONS
        ),
        Outcome(
            "sentiment_label",
            "verdict",
            "positive sentiment (offline: VADER compound >= 0.05; judge: its label)",
            event="positive",
            flag=_positive,
            key="positive_sentiment",
        ),
        Outcome("words", "continuous", "length of the argument in words"),
        Outcome(
            "judge_unparsed",
            "binary",
            "judge reply missing a field (when a grader ran)",
            better="lower",
            event="unparsed",
        ),
    ),
    breakdown=("stance",),
    report=moral_report,
    sources="LLM arguments use more moral-foundation language than human ones at similar sentiment "
    "(issue 15); Moral Foundations Theory",
)
