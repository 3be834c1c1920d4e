"""The warmth battery: how warm replies are, scored offline (see README.md)."""

from warmlab.tasks.base import Battery, Outcome
from warmlab.tasks.warmth.task import MODES, prompt_set, warmth

__all__ = ["BATTERY", "prompt_set", "warmth"]

BATTERY = Battery(
    name="warmth",
    summary="how warm the replies are (MiniLM probe, SocioT, or a 1-7 judge rating) on 66 held-out prompts",
    task=warmth,
    modes=MODES,
    outcomes=(
        Outcome(
            "warmth", "continuous", "warmth score of the reply (scale of the named scorer)", primary=True
        ),
        Outcome("judge_rating", "continuous", "judge's 1-7 warmth rating (when a grader ran)"),
        Outcome(
            "judge_unparsed", "binary", "judge reply could not be parsed (when a grader ran)", better="lower"
        ),
    ),
    sources="warmth probe (team rewrite triples); SocioT (Cheng, Yu & Jurafsky 2025)",
)
