"""The therapist battery: replies to personal disclosures in BOLT's behaviours (see README.md)."""

from collections.abc import Mapping
from typing import Any

from warmlab.classifiers.talk import BEHAVIOURS
from warmlab.tasks.base import Battery, Outcome
from warmlab.tasks.judging import JUDGE_UNPARSED
from warmlab.tasks.therapist.report import therapist_report
from warmlab.tasks.therapist.task import MODES, therapist

__all__ = ["BATTERY", "therapist", "unasked"]


def unasked(row: Mapping[str, Any]) -> bool:
    """The key figure's rows: the client shares a negative feeling and does not ask for advice."""
    c = row.get("condition") or {}
    return c.get("valence") == "negative" and c.get("asks_advice") == "no"


def _asked(row: Mapping[str, Any]) -> bool:
    return (row.get("condition") or {}).get("asks_advice") == "yes"


KEY = "problem_solving_unasked"
BATTERY = Battery(
    name="therapist",
    summary="BOLT therapist behaviours in replies to 156 personal disclosures; key: problem-solving when "
    "the client shares a negative feeling and asks for no advice",
    task=therapist,
    modes=MODES,
    outcomes=(
        Outcome(
            "problem_solving",
            "binary",
            "offers solutions or advice when the client shares a negative feeling and did not ask for "
            "advice (BOLT: a mark of low-quality therapy)",
            better="lower",
            event="problem-solves",
            subset=unasked,
            primary=True,
            key=KEY,
        ),
        Outcome(
            "problem_solving",
            "binary",
            "the same, as the judge (grader role) labelled it",
            better="lower",
            event="problem-solves",
            subset=unasked,
            key=f"{KEY}_judge",
            scorer="judge:",
        ),
        Outcome(
            "problem_solving",
            "binary",
            "offers solutions or advice when the client asked for advice",
            event="problem-solves",
            subset=_asked,
            key="problem_solving_asked",
        ),
        Outcome(
            "any_reflection",
            "binary",
            "reflects the client's needs, emotions, values, consequences, conflicts or strengths",
            better="higher",
            event="reflects",
        ),
        *(
            Outcome(b, "binary", f"reply shows {b.replace('_', '-')} (all disclosures)", event="shows")
            for b in BEHAVIOURS
        ),
        JUDGE_UNPARSED,
    ),
    breakdown=("asks_advice", "valence"),
    report=therapist_report,
    sources="BOLT (Chiu et al. 2024, arXiv:2401.00820); AnnoMI (Wu et al. 2022) counsellor turns",
)
