"""The grounding battery: do warm variants still ask, acknowledge and follow up? (see README.md)"""

from warmlab.tasks.base import Battery, Outcome
from warmlab.tasks.grounding.report import grounding_report
from warmlab.tasks.grounding.task import MODES, grounding
from warmlab.tasks.judging import JUDGE_UNPARSED

__all__ = ["BATTERY", "grounding"]

BATTERY = Battery(
    name="grounding",
    summary="grounding acts (clarification requests, acknowledgements, follow-up questions) in replies to "
    "158 openings that call for them",
    task=grounding,
    modes=MODES,
    outcomes=(
        Outcome(
            "any_grounding",
            "binary",
            "reply has at least one grounding act (clarification, acknowledgement or follow-up)",
            better="higher",
            event="grounds",
            primary=True,
        ),
        Outcome(
            "any_clarification",
            "binary",
            "reply asks the user to specify or supply what it needs",
            better="higher",
            event="clarifies",
        ),
        Outcome(
            "any_acknowledgement",
            "binary",
            "reply shows the message was received and understood (receipt, sympathy, restating)",
            better="higher",
            event="acknowledges",
        ),
        Outcome(
            "any_follow_up",
            "binary",
            "reply asks the user to say more about what they said",
            better="higher",
            event="follows up",
        ),
        Outcome("grounding_acts", "continuous", "grounding acts per reply (the three together)"),
        Outcome("clarifications", "continuous", "clarification requests per reply"),
        Outcome("acknowledgements", "continuous", "acknowledgements per reply"),
        Outcome("follow_ups", "continuous", "follow-up questions per reply"),
        Outcome(
            "any_grounding",
            "binary",
            "reply has at least one grounding act, as the judge (grader role) counted",
            better="higher",
            event="grounds",
            key="any_grounding_judge",
            scorer="judge:",
        ),
        JUDGE_UNPARSED,
    ),
    breakdown=("kind", "task"),
    report=grounding_report,
    sources="Shaikh et al. 2024, Grounding Gaps in Language Model Generations (arXiv:2311.09144)",
)
