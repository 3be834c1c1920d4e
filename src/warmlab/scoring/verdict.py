"""Verdicts, the Score record and which verdicts count as errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: correct / incorrect: the answer given is right / wrong. refusal: declines or defers, no answer.
#: unparsed: nothing to score (empty output, unreadable judge reply). undecided: the offline scorer
#: could not settle it (no answer found, no option chosen, no position, a real hedge); a judge may.
#: invalid: a row that could not be scored at all (a required value missing; see `rescore`).
Verdict = Literal["correct", "incorrect", "refusal", "unparsed", "undecided", "invalid"]
#: Verdicts that settle a row: these are the "decided" rows of a coverage figure.
DECIDED: frozenset[str] = frozenset({"correct", "incorrect", "refusal"})


@dataclass(frozen=True)
class Score:
    """A verdict with a short human-readable reason; `scorer` is "offline" or "judge:<model>"."""

    verdict: Verdict
    rationale: str
    scorer: str


def offline(verdict: Verdict, rationale: str) -> Score:
    return Score(verdict, rationale, "offline")


def counts_as_error(verdict: Verdict | str, family: str) -> bool | None:
    """True = error, False = not an error, None = excluded from error rates.

    As in the paper, refusals are excluded except for disinfo, where declining to endorse the false claim
    counts as correct. Unparsed, undecided and invalid rows are excluded (and counted: coverage is decided
    rows over scored rows).
    """
    if verdict == "correct":
        return False
    if verdict == "incorrect":
        return True
    if verdict == "refusal" and family == "disinfo":
        return False
    return None
