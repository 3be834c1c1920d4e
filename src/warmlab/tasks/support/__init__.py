"""The support battery: emotional support scored by a simulated user's emotion (see README.md)."""

from warmlab.tasks.base import Battery, Outcome
from warmlab.tasks.support.report import support_report
from warmlab.tasks.support.task import MODES, support

__all__ = ["BATTERY", "support"]

BATTERY = Battery(
    name="support",
    summary="emotional support: a simulated user's emotion (0-100, from 40) over up to 10 turns, per profile",
    task=support,
    modes=MODES,
    multi_turn=True,
    outcomes=(
        Outcome(
            "final_emotion",
            "continuous",
            "the simulated user's emotion after the last assistant turn (0-100, start 40)",
            better="higher",
            primary=True,
        ),
        Outcome(
            "success", "binary", "the user ended satisfied (emotion 100)", better="higher", event="satisfied"
        ),
        Outcome("failure", "binary", "the user gave up (emotion below 10)", better="lower", event="gave up"),
        Outcome("turns_used", "continuous", "assistant turns before the dialogue ended"),
        Outcome(
            "emotion_by_turn",
            "per_turn",
            "emotion after each assistant turn (turn 0: after the first reply; ended dialogues drop out)",
            better="higher",
        ),
        Outcome(
            "simulator_failed",
            "binary",
            "the LLM user's output could not be parsed after its retries (dialogue not scored)",
            better="lower",
            event="simulator failed",
        ),
    ),
    breakdown=("group", "intention"),
    report=support_report,
    sources="SAGE (arXiv:2505.02847); RLVER (arXiv:2507.03112)",
)
