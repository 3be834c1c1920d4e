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
    """Per-text mean of each foundation per 1,000 words, of all five, and of sentiment, each with its
    standard deviation over texts (`*_sd`); n texts and words."""
    lex = lexicon if isinstance(lexicon, MoralLexicon) else load_lexicon(lexicon)
    kept = [t for t in texts if t.strip()]
    scores = [lex.score(t) for t in kept]
    if not scores:
        return {"n": 0}
    values = {f"{f}_per_1k": [s.per_1k[f] for s in scores] for f in FOUNDATIONS}
    values["moral_per_1k"] = [s.total_per_1k for s in scores]
    values["sentiment"] = [V.compound(t) for t in kept]
    out: dict[str, Any] = {"n": len(scores), "words": sum(s.words for s in scores), "lexicon": lex.name}
    for k, v in values.items():
        out[k] = statistics.fmean(v)
        out[f"{k}_sd"] = statistics.stdev(v) if len(v) > 1 else None
    return out


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


def human_profiles(path: Path | str, lexicon: MoralLexicon | str | None = None) -> list[dict[str, Any]]:
    """The human baselines a task argument names, as labelled profiles: a folder holding `oasst_sample/`
    (the shared data folder), an OpenAssistant sample folder, or a JSONL file of human texts."""
    from warmlab.errors import WarmlabError

    p = Path(path).expanduser()
    if p.is_file() and p.suffix == ".jsonl":
        return [{"label": f"human texts ({p.name})", **texts_moral(p, lexicon)}]
    for oasst in (p / "oasst_sample", p):
        if (oasst / "en_100_tree.jsonl").is_file():
            b = oasst_moral(oasst, lexicon)
            return [
                {"label": "OpenAssistant human replies", "source": str(oasst), **b["all"]},
                {
                    "label": "OpenAssistant replies to requests for a view",
                    "source": str(oasst),
                    **b["opinion_requests"],
                },
            ]
    raise WarmlabError(
        f"moral baselines {p}: expected a folder with oasst_sample/ (e.g. ../shared/data), an OpenAssistant "
        "sample folder (en_100_tree.jsonl) or a JSONL file of human texts"
    )
