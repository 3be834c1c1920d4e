"""One reply (and the prompt it answers) -> the row's `outcomes`: valence, soothing, added feelings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from warmlab.classifiers import valence as V
from warmlab.classifiers.feelings import analyse

SCORER = "offline:vader+feelings (VADER per sentence; soothing rules + probe; feelings lexicon + probe)"
OUTCOMES = {
    "valence": "verdict",  # negative | neutral | positive
    "valence_score": "continuous",  # VADER compound, mean over sentences, in [-1, 1]
    "soothing": "binary",
    "soothing_sentences": "count",
    "added_feelings": "binary",
    "added_count": "count",
}


def rebound_outcomes_batch(
    responses: Sequence[str], prompts: Sequence[str], expressed: Sequence[Iterable[str] | None] | None = None
) -> list[tuple[dict[str, Any], str]]:
    """(outcomes, rationale) per reply. `expressed`: feelings the prompt is known to express (the
    triple's labels); words in the prompt that name a feeling count too."""
    reports = analyse(responses, prompts, expressed)
    out = []
    for text, rep in zip(responses, reports, strict=True):
        label, score = V.valence(text)
        outcomes = {
            "valence": label,
            "valence_score": round(score, 4),
            "soothing": int(rep.soothing > 0),
            "soothing_sentences": int(rep.soothing),  # a numpy count: rows are JSON
            "added_feelings": int(bool(rep.added)),
            "added_count": len(rep.added),
        }
        why = [f"valence {label} ({score:+.2f})"]
        if rep.soothing_rules:
            why.append("soothing phrases: " + ", ".join(rep.soothing_rules))
        if rep.added:
            why.append("added feelings: " + ", ".join(rep.added))
        out.append((outcomes, "; ".join(why)))
    return out


def rebound_outcomes(response: str, prompt: str, expressed: Iterable[str] | None = None) -> dict[str, Any]:
    return rebound_outcomes_batch([response], [prompt], [expressed])[0][0]
