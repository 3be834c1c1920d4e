"""Therapist behaviours in a reply, in BOLT's scheme (Chiu et al., arXiv:2401.00820).

Reflections of needs, emotions, values, consequences, conflicts and strengths; questions; problem-solving;
planning; normalizing; psychoeducation. A reply shows a behaviour when one of its sentences does.
Rule where exact: questions (the sentence ends in "?"; BOLT's three question kinds are one behaviour here).
The other ten: one-vs-rest logistic probes over sentence embeddings, fitted on BOLT's labelled utterances
(read from a path at fit time; the weights ship) and the team's labelled replies.

Also AnnoMI's four therapist labels (reflection, question, therapist_input, other), by a probe fitted on
AnnoMI with whole transcripts held out: the scale AnnoMI's own human labels use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from warmlab.classifiers.grounding import is_question
from warmlab.classifiers.talk import BEHAVIOURS

PROBED = tuple(b for b in BEHAVIOURS if b != "questions")
ANNOMI_LABELS = ("reflection", "question", "therapist_input", "other")
DEFAULT_THRESHOLD = 0.5


def sentence_behaviours(
    sentences: Sequence[str],
    weights: Mapping[str, Any] | None = None,
    thresholds: Mapping[str, float] | None = None,
) -> list[set[str]]:
    """The behaviours of each sentence. Thresholds per behaviour come with the weights (chosen by
    cross-validation inside the training split when they were fitted)."""
    from warmlab.classifiers.talk import load_meta, load_weights, talk_features

    if not sentences:
        return []
    x = talk_features(sentences)
    w = weights or load_weights("therapist")
    th = thresholds if thresholds is not None else load_meta("therapist").get("thresholds", {})
    out: list[set[str]] = [{"questions"} if is_question(s) else set() for s in sentences]
    for b in PROBED:
        probe = w[f"behaviour:{b}"]
        p = probe.proba_from_features(x)[:, probe.labels.index("1")]
        for k in np.flatnonzero(p >= th.get(b, DEFAULT_THRESHOLD)):
            out[int(k)].add(b)
    return out


def behaviours(
    replies: Sequence[str],
    weights: Mapping[str, Any] | None = None,
    thresholds: Mapping[str, float] | None = None,
) -> list[dict[str, int]]:
    """For each reply, 1/0 per behaviour (BEHAVIOURS order) and `n_sentences`."""
    from warmlab.classifiers.talk import by_owner, sentences_of

    sents, owner = sentences_of(replies)
    per = sentence_behaviours(sents, weights, thresholds)
    out = []
    for group in by_owner(owner, len(replies)):
        found: set[str] = set().union(*(per[k] for k in group))
        out.append({**{b: int(b in found) for b in BEHAVIOURS}, "n_sentences": len(group)})
    return out


def annomi_labels(texts: Sequence[str]) -> list[str]:
    """AnnoMI's label for each text (a whole turn), by the AnnoMI probe."""
    from warmlab.classifiers.cues import cue_features
    from warmlab.classifiers.talk import embed_cached, load_weights

    if not texts:
        return []
    probe = load_weights("therapist")["annomi"]
    p = probe.proba_from_features(np.hstack([embed_cached(texts), cue_features(texts)]))
    return [probe.labels[int(i)] for i in p.argmax(axis=1)]
