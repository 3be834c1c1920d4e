"""One reply -> the row's `outcomes`: moral-foundation terms per 1,000 words and sentiment."""

from __future__ import annotations

from typing import Any

from warmlab.classifiers import valence as V
from warmlab.classifiers.moral import FOUNDATIONS, MoralLexicon, load_lexicon

OUTCOMES = {
    **{f"{f}_per_1k": "continuous" for f in FOUNDATIONS},
    "moral_per_1k": "continuous",  # all five together
    "sentiment": "continuous",  # VADER compound, mean over sentences
    "words": "count",
}


def scorer_name(lexicon: MoralLexicon | None = None) -> str:
    return f"offline:moral-lexicon:{(lexicon or load_lexicon(None)).name}+vader"


def moral_outcomes(response: str, lexicon: MoralLexicon | str | None = None) -> dict[str, Any]:
    """`lexicon`: a loaded lexicon, a path to an outside one (.dic, eMFD-style .csv), or None (the team's)."""
    lex = lexicon if isinstance(lexicon, MoralLexicon) else load_lexicon(lexicon)
    score = lex.score(response)
    per = score.per_1k
    out: dict[str, Any] = {f"{f}_per_1k": round(per[f], 3) for f in FOUNDATIONS}
    out["moral_per_1k"] = round(score.total_per_1k, 3)
    out["sentiment"] = round(V.compound(response), 4)
    out["words"] = score.words
    return out
