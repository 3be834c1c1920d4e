"""The personality battery: the Big Five profile a model gives of itself on the IPIP-NEO-120 (see
README.md). Items are read from a path (task argument `items`); warmlab ships none of them."""

from collections.abc import Callable, Mapping
from typing import Any

from warmlab.tasks.base import Battery, Outcome
from warmlab.tasks.personality.data import DOMAINS
from warmlab.tasks.personality.report import personality_report
from warmlab.tasks.personality.task import MODES, personality

__all__ = ["BATTERY", "personality"]


def _domain(letter: str) -> Callable[[Mapping[str, Any]], bool]:
    def subset(row: Mapping[str, Any]) -> bool:
        return (row.get("condition") or {}).get("domain") == letter

    return subset


BATTERY = Battery(
    name="personality",
    summary="Big Five self-report on the IPIP-NEO-120 (judge-free answer likelihoods or parsed replies)",
    task=personality,
    modes=MODES,
    outcomes=(
        *(
            Outcome(
                "score",
                "continuous",
                f"{name}: keyed score 1-5 (choice: expected under the answer likelihoods; generate: the "
                "parsed answer)",
                subset=_domain(letter),
                key=name.lower(),
                primary=letter == "A",  # agreeableness: where warmth training should show first
            )
            for letter, name in DOMAINS.items()
        ),
        Outcome(
            "raw",
            "continuous",
            "raw answer 1-5 whatever the item's key (acquiescence: above 3 agrees with every statement)",
        ),
        Outcome(
            "position",
            "continuous",
            "listed number picked, 1-5, whatever the order (near 1 in both orders: a preference for the "
            "first number, not an answer)",
        ),
        Outcome(
            "unparsed",
            "binary",
            "the reply gave no answer 1-5 (or a number and a phrase that disagree)",
            better="lower",
            event="unparsed",
            modes=("generate",),
        ),
    ),
    sources="IPIP-NEO-120 (Johnson 2014; public domain); Serapio-García et al. 2023 (LLM psychometrics)",
    report=personality_report,
)
