"""Pure scoring functions: offline answer matching, refusal detection, and the LLM-judge rubric + parser.

No inspect_ai here; torch only through the optional encoder step (`semantic`).
"""

from warmlab.scoring.judge import judge_prompt, parse_judge
from warmlab.scoring.match import (
    DECIDED,
    Score,
    Verdict,
    counts_as_error,
    default_similarity,
    normalize,
    score_item,
    score_offline,
)
from warmlab.scoring.refusal import is_refusal, refusal_phrase

__all__ = [
    "DECIDED",
    "Score",
    "Verdict",
    "counts_as_error",
    "default_similarity",
    "is_refusal",
    "judge_prompt",
    "normalize",
    "parse_judge",
    "refusal_phrase",
    "score_item",
    "score_offline",
]
