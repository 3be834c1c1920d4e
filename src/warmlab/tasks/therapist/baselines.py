"""Human baselines from AnnoMI: counsellor turns in high- vs low-quality motivational interviewing.

Two instruments: AnnoMI's own human labels (reflection, question, therapist_input, other; exact but on
AnnoMI's coarser scale) and warmlab's behaviour classifier (the same instrument as the models' replies).
"""

from __future__ import annotations

import random
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

from warmlab.classifiers.talk import BEHAVIOURS
from warmlab.classifiers.therapist import ANNOMI_LABELS


def annomi_label_profile(annomi_dir: Path | str) -> dict[str, Any]:
    """Share of counsellor turns with each AnnoMI label, per session quality (the annotators' labels)."""
    from warmlab.classifiers.corpora import read_annomi

    out: dict[str, Any] = {"source": "AnnoMI human labels, counsellor turns"}
    turns = [t for t in read_annomi(annomi_dir) if t.speaker == "therapist"]
    for q in ("high", "low"):
        mine = [t.behaviour for t in turns if t.quality == q]
        c = Counter(mine)
        out[q] = {"n": len(mine), **{lab: c[lab] / len(mine) for lab in ANNOMI_LABELS}}
    return out


def annomi_behaviour_profile(
    annomi_dir: Path | str, limit: int | None = None, seed: int = 0
) -> dict[str, Any]:
    """Share of counsellor turns showing each BOLT behaviour by warmlab's classifier, per quality.
    `limit` samples that many turns per quality (quick checks); None uses all (a few minutes)."""
    from warmlab.classifiers.corpora import read_annomi
    from warmlab.classifiers.therapist import behaviours

    turns = [t for t in read_annomi(annomi_dir) if t.speaker == "therapist" and t.text]
    out: dict[str, Any] = {"source": "AnnoMI counsellor turns, warmlab behaviour classifier", "limit": limit}
    for q in ("high", "low"):
        texts = [t.text for t in turns if t.quality == q]
        if limit is not None and len(texts) > limit:
            texts = random.Random(seed).sample(texts, limit)
        found = behaviours(texts)
        out[q] = {"n": len(texts), **{b: sum(f[b] for f in found) / len(texts) for b in BEHAVIOURS}}
    return out


#: what the baselines read under the shared data folder
FILES = ("annomi/AnnoMI-simple.csv",)


@lru_cache(maxsize=4)
def human_reference(path: str | None, limit: int) -> dict[str, Any] | None:
    """What every row of a run carries as its `reference`: AnnoMI's own labels and the classifier's behaviour
    profile per session quality from the shared data folder at `path` (None: not asked for; a path that does
    not exist gives a reference saying so), the profile over at most `limit` turns per quality (0: all);
    cached on disk."""
    from warmlab.tasks.human import cached, human_baselines

    def compute(root: Path, lim: int | None) -> dict[str, Any]:
        return {
            "behaviours": cached(
                "therapist-annomi",
                root,
                FILES,
                ("therapist",),
                {"limit": lim},
                lambda: annomi_behaviour_profile(root / "annomi", limit=lim),
            ),
            "labels": annomi_label_profile(root / "annomi"),  # counting the annotators' labels: instant
        }

    return human_baselines("therapist", path, FILES, limit, compute)
