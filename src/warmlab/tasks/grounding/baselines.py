"""Human baselines for grounding acts, computed with the same classifier as the models' replies:
counsellor turns in AnnoMI (high- vs low-quality sessions) and OpenAssistant human replies to requests."""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from warmlab.classifiers.grounding import GroundingCounts, count_acts


def rates(counts: Sequence[GroundingCounts]) -> dict[str, float]:
    """Mean acts per reply and the share of replies with at least one of each act."""
    n = len(counts)
    if not n:
        return {"n": 0}
    return {
        "n": n,
        "clarifications": sum(c.clarification for c in counts) / n,
        "acknowledgements": sum(c.acknowledgement for c in counts) / n,
        "follow_ups": sum(c.follow_up for c in counts) / n,
        "any_clarification": sum(c.clarification > 0 for c in counts) / n,
        "any_acknowledgement": sum(c.acknowledgement > 0 for c in counts) / n,
        "any_follow_up": sum(c.follow_up > 0 for c in counts) / n,
        "any_grounding": sum(c.total > 0 for c in counts) / n,
    }


def _sample(texts: list[str], limit: int | None, seed: int) -> list[str]:
    return texts if limit is None or len(texts) <= limit else random.Random(seed).sample(texts, limit)


def annomi_grounding(annomi_dir: Path | str, limit: int | None = None, seed: int = 0) -> dict[str, Any]:
    """Rates over counsellor turns of high- and of low-quality AnnoMI sessions (turns of 3 words or
    fewer, "Mm-hmm." and the like, are kept: they are acknowledgements too). `limit` samples that many
    turns per quality (for quick checks); None uses all."""
    from warmlab.classifiers.corpora import read_annomi

    turns = [t for t in read_annomi(annomi_dir) if t.speaker == "therapist" and t.text]
    out: dict[str, Any] = {"source": "AnnoMI counsellor turns", "limit": limit}
    for q in ("high", "low"):
        texts = _sample([t.text for t in turns if t.quality == q], limit, seed)
        out[q] = rates(count_acts(texts))
    return out


def oasst_grounding(oasst_dir: Path | str, limit: int | None = None, seed: int = 0) -> dict[str, Any]:
    """Rates over human-written OpenAssistant replies to a conversation's first message (mostly task
    requests); replies flagged synthetic are left out."""
    from warmlab.classifiers.corpora import read_oasst

    texts = [r.reply for r in read_oasst(oasst_dir) if r.depth == 1 and not r.synthetic and r.reply.strip()]
    return {
        "source": "OpenAssistant human replies (first level)",
        "limit": limit,
        "all": rates(count_acts(_sample(texts, limit, seed))),
    }


#: what the baselines read under the shared data folder
FILES = ("annomi/AnnoMI-simple.csv", "oasst_sample/en_100_tree.jsonl")


@lru_cache(maxsize=4)
def human_reference(path: str | None, limit: int) -> dict[str, Any] | None:
    """What every row of a run carries as its `reference`: both baselines from the shared data folder at
    `path` (None: not asked for; a path that does not exist gives a reference saying so), at most `limit`
    texts per source and quality (0: all); cached on disk."""
    from warmlab.tasks.human import cached, human_baselines

    def compute(root: Path, lim: int | None) -> dict[str, Any]:
        return {
            "annomi": cached(
                "grounding-annomi",
                root,
                FILES[:1],
                ("grounding",),
                {"limit": lim},
                lambda: annomi_grounding(root / "annomi", limit=lim),
            ),
            "oasst": cached(
                "grounding-oasst",
                root,
                FILES[1:],
                ("grounding",),
                {"limit": lim},
                lambda: oasst_grounding(root / "oasst_sample", limit=lim),
            ),
        }

    return human_baselines("grounding", path, FILES, limit, compute)
