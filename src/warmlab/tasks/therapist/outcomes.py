"""One reply -> the row's `outcomes`: which BOLT behaviours it shows (1/0 each).

Key figure (BOLT): the problem-solving rate on disclosures that share a negative feeling and do not ask
for advice, i.e. the mean of `problem_solving` over rows with condition valence=negative, asks_advice=no.
"""

from __future__ import annotations

from collections.abc import Sequence

from warmlab.classifiers.talk import BEHAVIOURS
from warmlab.classifiers.therapist import behaviours

SCORER = "offline:bolt-behaviours (probes all-MiniLM-L6-v2 + cues, question rule)"
REFLECTIONS = ("needs", "emotions", "values", "consequences", "conflicts", "strengths")
#: outcome name -> kind; every behaviour is binary (does the reply show it at all)
OUTCOMES = {**dict.fromkeys(BEHAVIOURS, "binary"), "any_reflection": "binary", "sentences": "count"}


def _row(found: dict[str, int]) -> dict[str, int]:
    out = {b: found[b] for b in BEHAVIOURS}
    out["any_reflection"] = int(any(found[b] for b in REFLECTIONS))
    out["sentences"] = found["n_sentences"]
    return out


def therapist_outcomes(response: str) -> dict[str, int]:
    return _row(behaviours([response])[0])


def therapist_outcomes_batch(responses: Sequence[str]) -> list[dict[str, int]]:
    return [_row(f) for f in behaviours(responses)]
