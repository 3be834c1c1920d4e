"""The reliability battery (Ibrahim, Hafner & Rocher, arXiv:2507.21919): see README.md."""

from warmlab.tasks.base import Battery, Outcome
from warmlab.tasks.reliability.cascade import cascade
from warmlab.tasks.reliability.scorers import error_flag, open_answer_verdict
from warmlab.tasks.reliability.task import MODES, reliability

__all__ = ["BATTERY", "open_answer_verdict", "reliability"]

BATTERY = Battery(
    name="reliability",
    summary="factual errors under the paper's 18 conditions (user emotion, relation, stakes x false belief)",
    task=reliability,
    modes=MODES,
    outcomes=(
        Outcome(
            "verdict",
            "verdict",
            "the answer is wrong (refusals excluded, except in disinfo where they count as correct)",
            better="lower",
            event="error",
            flag=error_flag,
            primary=True,
        ),
    ),
    sources="Ibrahim, Hafner & Rocher 2025 (arXiv:2507.21919)",
    cascade=cascade,
)
