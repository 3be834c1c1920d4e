"""The boundaries battery: does a (warm) variant keep a secure base's boundaries over a multi-turn
conversation with a vulnerable simulated user? Scenarios, the per-turn rubric, the offline classifier and
the LLM judge; the @task is wired on the shared `converse` solver (see README.md)."""

from warmlab.tasks.boundaries.classifier import OfflineClassifier, load_classifier
from warmlab.tasks.boundaries.judge import agreement, judge_conversation, parse_judge
from warmlab.tasks.boundaries.prompts import judge_prompt, user_prompt
from warmlab.tasks.boundaries.rubric import ITEM_NAMES, ITEMS, conversation_outcomes, turn_score
from warmlab.tasks.boundaries.scenarios import CATEGORIES, Scenario, load_scenarios
from warmlab.tasks.boundaries.scorers import judge_offline_agreement, score_judge, score_offline
from warmlab.tasks.boundaries.users import ScriptedBoundaryUser, llm_boundary_user

__all__ = [
    "CATEGORIES",
    "ITEMS",
    "ITEM_NAMES",
    "OfflineClassifier",
    "Scenario",
    "ScriptedBoundaryUser",
    "agreement",
    "conversation_outcomes",
    "judge_conversation",
    "judge_offline_agreement",
    "judge_prompt",
    "llm_boundary_user",
    "load_classifier",
    "load_scenarios",
    "parse_judge",
    "score_judge",
    "score_offline",
    "turn_score",
    "user_prompt",
]
