"""Pure scoring functions: offline answer matching, refusal detection, and the LLM-judge rubric + parser.

No inspect_ai or torch here; stdlib only.
"""

from warmlab.scoring.judge import judge_prompt, parse_judge
from warmlab.scoring.match import Score, Verdict, counts_as_error, normalize, score_offline
from warmlab.scoring.refusal import is_refusal, refusal_phrase

__all__ = [
    "Score",
    "Verdict",
    "counts_as_error",
    "is_refusal",
    "judge_prompt",
    "normalize",
    "parse_judge",
    "refusal_phrase",
    "score_offline",
]
