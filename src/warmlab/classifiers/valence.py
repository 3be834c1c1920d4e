"""Valence of a text: negative, neutral or positive.

Default: VADER (vaderSentiment, MIT, lexicon included), averaged over sentences so that a long reply is
not pushed to the extremes by its length (VADER's compound grows with the number of cues), labelled
with VADER's usual cut-offs (compound >= 0.05 positive, <= -0.05 negative). A GoEmotions probe (fitted on
GoEmotions' grouped labels, read from a path) is the alternative; both are scored on GoEmotions' test
split and on the team's rebound prompts (their framing is the label).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

VALENCES = ("negative", "neutral", "positive")
CUTOFF = 0.05


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def compound(text: str, per_sentence: bool = True) -> float:
    """VADER's compound score in [-1, 1]: the mean over sentences (default) or of the whole text."""
    from warmlab.classifiers.encoder import split_sentences

    if not text.strip():
        return 0.0
    sia = _analyzer()
    if not per_sentence:
        return float(sia.polarity_scores(text)["compound"])
    scores = [sia.polarity_scores(s)["compound"] for s in split_sentences(text)]
    return float(sum(scores) / len(scores))


def label(score: float, cutoff: float = CUTOFF) -> str:
    if score >= cutoff:
        return "positive"
    if score <= -cutoff:
        return "negative"
    return "neutral"


def valence(text: str) -> tuple[str, float]:
    """(label, compound) of a text by VADER."""
    c = compound(text)
    return label(c), c


def probe_valence(texts: Sequence[str]) -> list[str]:
    """Labels by the GoEmotions probe (the shipped weights)."""
    from warmlab.classifiers.talk import load_weights

    if not texts:
        return []
    return load_weights("valence")["goemotions_valence"].predict(list(texts))
