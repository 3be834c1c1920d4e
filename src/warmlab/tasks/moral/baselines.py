"""Human baselines for moral-foundation language: OpenAssistant human replies (Apache-2.0, read from a
path), or any human-written texts a user supplies (a JSONL file with a "text" field per line)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from warmlab.classifiers import valence as V
from warmlab.classifiers.moral import FOUNDATIONS, MoralLexicon, load_lexicon

# Requests that ask for a view or an argument (the closest the OpenAssistant sample has to argument prompts).
OPINION_CUES = (
    "should",
    "opinion",
    "argue",
    "argument",
    "ethical",
    "moral",
    "debate",
    "persuad",
    "fair",
    "do you think",
    "do you believe",
    "is it wrong",
    "is it right",
    "pros and cons",
    "better",
)


def profile(texts: Sequence[str], lexicon: MoralLexicon | str | None = None) -> dict[str, Any]:
    """Per-text mean of each foundation per 1,000 words, of all five, and of sentiment; n texts and words."""
    lex = lexicon if isinstance(lexicon, MoralLexicon) else load_lexicon(lexicon)
    scores = [lex.score(t) for t in texts if t.strip()]
    if not scores:
        return {"n": 0}
    per = [s.per_1k for s in scores]
    return {
        "n": len(scores),
        "words": sum(s.words for s in scores),
        "lexicon": lex.name,
        **{f"{f}_per_1k": statistics.fmean(p[f] for p in per) for f in FOUNDATIONS},
        "moral_per_1k": statistics.fmean(s.total_per_1k for s in scores),
        "sentiment": statistics.fmean(V.compound(t) for t in texts if t.strip()),
    }


def oasst_moral(oasst_dir: Path | str, lexicon: MoralLexicon | str | None = None) -> dict[str, Any]:
    """Profiles of human-written OpenAssistant replies (synthetic ones left out): all of them, and those
    answering a request for a view or an argument."""
    from warmlab.classifiers.corpora import read_oasst

    replies = [r for r in read_oasst(oasst_dir) if not r.synthetic and r.reply.strip()]
    opinion = [r for r in replies if any(c in r.prompt.lower() for c in OPINION_CUES)]
    return {
        "source": "OpenAssistant human replies",
        "all": profile([r.reply for r in replies], lexicon),
        "opinion_requests": profile([r.reply for r in opinion], lexicon),
    }


def texts_moral(path: Path | str, lexicon: MoralLexicon | str | None = None) -> dict[str, Any]:
    """The profile of a user's human-written texts (JSONL, one {"text": ...} per line)."""
    from warmlab.teamdata import read_jsonl

    texts = [r["text"] for _, _, r in read_jsonl(Path(path), {"text": str})]
    return {"source": str(path), **profile(texts, lexicon)}
