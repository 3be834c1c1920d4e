"""Grounding acts in a reply (after Shaikh et al., arXiv:2311.09144): clarification requests,
acknowledgements and follow-up questions, counted per sentence.

Definitions (the team's, used to label `data/talk.jsonl` and given to judges):
- clarification request: asks the user to specify, disambiguate or supply something in their message that
  the reply needs in order to help ("Which version are you using?", "Do you mean the 9am train?", "Please
  paste the code"). It may be a question or an imperative.
- acknowledgement: a sentence whose job is to show the user's message was received and understood:
  receipt ("Got it."), understanding ("That makes sense."), thanks for sharing, sympathy for what was
  said ("I'm so sorry about your dad."), or a restatement of what the user said or felt ("It sounds like
  the move has been exhausting."). Politeness formulas ("Great question!", "Sure!") are not.
- follow-up question: asks the user to say more about something they said (their situation, feelings,
  what happened, what they tried) when the reply does not need the answer to help. Offers of more help
  ("Would you like a shorter version?") are neither.
Rules where exact: a follow-up is a question (the sentence ends in "?"), so a sentence without one is
never counted as a follow-up; the stock clarification phrases ("do you mean", "could you clarify", "just
to check") make a clarification request; a short politeness formula ("Sure!", "Happy to help.", "Here's a
draft.") is no act. Otherwise the act is read by a probe over sentence embeddings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

ACT_NAMES = ("clarification", "acknowledgement", "follow_up")
CLARIFICATION_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(p, re.IGNORECASE))
    for name, p in (
        ("what_do_you_mean", r"\bwhat do you mean by\b"),
        ("do_you_mean", r"(?<!what )\b(do|did) you mean\b"),
        ("could_you_clarify", r"\b(could|can|would) you (please )?(clarify|specify)\b"),
        ("just_to_check", r"\bjust to (check|clarify|confirm|make sure)\b"),
    )
)

# A short opener that only signals compliance; not when it goes on to reflect ("Of course you're worried").
_FORMULA = re.compile(
    r"^\W*(sure( thing)?|of course|certainly|absolutely|no problem|great question|good question|"
    r"(i'?m |i am )?(happy|glad) to help|here'?s|here is|here are)\b"
    r"(?!.*\byou('re| are| must| sound| seem|'ve been)\b)",
    re.IGNORECASE,
)
FORMULA_MAX_WORDS = 8


def is_formula(sentence: str) -> bool:
    """A politeness formula: not a grounding act by definition."""
    s = sentence.replace("\u2019", "'")
    return bool(_FORMULA.search(s)) and len(s.split()) <= FORMULA_MAX_WORDS


def is_question(sentence: str) -> bool:
    """The sentence ends in a question mark (closing quotes, brackets and markdown aside)."""
    from warmlab.classifiers.cues import QUESTION

    return bool(QUESTION.search(sentence.strip()))


@dataclass(frozen=True)
class GroundingCounts:
    """Grounding acts in one reply, and how many sentences and questions it had."""

    clarification: int
    acknowledgement: int
    follow_up: int
    questions: int
    sentences: int

    @property
    def total(self) -> int:
        return self.clarification + self.acknowledgement + self.follow_up


def sentence_acts(sentences: Sequence[str], probe: Any = None) -> list[str]:
    """The act of each sentence: one of ACT_NAMES or "none"."""
    from warmlab.classifiers.talk import load_weights, talk_features

    if not sentences:
        return []
    probe = probe or load_weights("grounding")["grounding_act"]
    proba = probe.proba_from_features(talk_features(sentences))
    return [_decide(s, p, probe.labels) for s, p in zip(sentences, proba, strict=True)]


def clarification_rule(sentence: str) -> str | None:
    """The name of the first stock clarification phrase in a sentence, or None."""
    for name, pat in CLARIFICATION_RULES:
        if pat.search(sentence.replace("\u2019", "'")):
            return name
    return None


def _decide(sentence: str, proba: np.ndarray, labels: Sequence[str]) -> str:
    if clarification_rule(sentence):
        return "clarification"
    if is_formula(sentence):
        return "none"
    p = proba.copy()
    if not is_question(sentence) and "follow_up" in labels:
        p[list(labels).index("follow_up")] = -1.0  # a follow-up is a question, by definition
    return str(labels[int(p.argmax())])


def count_acts(replies: Sequence[str], probe: Any = None) -> list[GroundingCounts]:
    """Grounding-act counts for each reply."""
    from warmlab.classifiers.talk import by_owner, sentences_of

    sents, owner = sentences_of(replies)
    acts = sentence_acts(sents, probe)
    out = []
    for group in by_owner(owner, len(replies)):
        mine = [(sents[k], acts[k]) for k in group]
        out.append(
            GroundingCounts(
                clarification=sum(a == "clarification" for _, a in mine),
                acknowledgement=sum(a == "acknowledgement" for _, a in mine),
                follow_up=sum(a == "follow_up" for _, a in mine),
                questions=sum(is_question(s) for s, _ in mine),
                sentences=len(mine),
            )
        )
    return out
