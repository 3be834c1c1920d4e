"""Feelings in replies: emotion families, soothing (minimising or redirecting a negative feeling) and
added feelings (the reply names a feeling the user did not express, cf. CaiTI's "reading into" feelings).

Rules where exact: which emotion a word names (the team's families in `data/emotions.json`) and the
stock soothing phrases ("don't worry", "look on the bright side", "at least ..."). Probes where not:
whether a sentence soothes in other words, and whether a sentence attributes a feeling to the user
(rather than to the speaker, a third party, or nobody: "I'm glad", "don't worry").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np

from warmlab.classifiers.lexicon import Lexicon, tokens

_EMOTIONS = json.loads((files("warmlab.classifiers") / "data" / "emotions.json").read_text(encoding="utf-8"))
#: family -> "negative" | "positive"
FAMILIES: dict[str, str] = {k: v["valence"] for k, v in _EMOTIONS["families"].items()}
NEGATIVE = frozenset(k for k, v in FAMILIES.items() if v == "negative")

# A feeling word is not attributed to the user when the word before it, skipping fillers, negates it
# ("don't worry", "nothing to be scared of", "no need to be upset") or is the speaker ("I'm so glad").
_NEGATORS = frozenset({"don't", "dont", "not", "no", "never", "nothing", "without", "stop"})
_FIRST_PERSON = frozenset(
    {"i", "i'm", "im", "i'd", "i've", "i'll", "we", "we're", "we'd", "we've", "me", "us"}
)
_FILLERS = frozenset(
    [
        "so",
        "really",
        "very",
        "truly",
        "just",
        "absolutely",
        "deeply",
        "genuinely",
        "quite",
        "incredibly",
        "extremely",
        "too",
        "also",
        "a",
        "bit",
        "little",
        "more",
        "most",
        "am",
        "was",
        "were",
        "be",
        "been",
        "being",
        "feel",
        "felt",
        "feeling",
        "would",
        "will",
        "to",
        "need",
    ]
)

# Chosen by grouped cross-validation inside the training split (F1 0.85 at 0.7 against 0.75 at 0.5): the
# soothing probe alone over-fires on warm but validating sentences.
SOOTHING_THRESHOLD = 0.7
ATTRIBUTION_THRESHOLD = 0.5

SOOTHING_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(p, re.IGNORECASE))
    for name, p in (
        ("dont_worry", r"\b(don'?t|do not|no need to|try not to|nothing to) (worry|stress|panic|fret)\b"),
        (
            "dont_feel",
            r"\bdon'?t (be|feel) (so |too )?(sad|upset|down|nervous|scared|afraid|anxious|"
            r"embarrassed|angry|mad|discouraged|guilty|bad|hard on yourself)\b",
        ),
        (
            "nothing_to_fear",
            r"\bnothing to be (scared|afraid|nervous|worried|ashamed|embarrassed) (of|about)\b",
        ),
        (
            "no_need_to_feel",
            r"\bno need to (be|feel) (sad|upset|nervous|scared|afraid|anxious|embarrassed|guilty)\b",
        ),
        ("dont_let_it", r"\bdon'?t let (it|this|that|them|one bad day) (get|bother|ruin|stop|get to)\b"),
        ("cheer_up", r"\b(cheer up|chin up|stay positive|think positive|keep smiling)\b"),
        ("bright_side", r"\b(bright side|look at it this way|silver lining)\b"),
        ("at_least", r"^\W*(well,? )?at least\b"),
        ("for_a_reason", r"\b(everything|things|it all) happens? for a reason\b"),
        ("time_heals", r"\btime heals\b"),
        ("no_big_deal", r"\b(no|not a) big deal\b|\bcould (be|have been) (a lot )?worse\b"),
        ("let_go", r"\b(let it go|try not to (think|dwell)|don'?t dwell|forget about (it|them)|move on)\b"),
        (
            "will_be_fine",
            r"\b(you'?ll|she'?ll|he'?ll|it'?ll|everything will|things will|it will|you will) "
            r"(all )?(be (absolutely |totally |just )?(fine|okay|ok|great|amazing)|work out|get better)\b",
        ),
        ("not_as_bad", r"\bnever as bad as\b|\bnot as bad as (it|they) (seems?|looks?)\b"),
        ("nobody_will_notice", r"\b(nobody|no one) (will|would|even) (even )?(remember|notice|care)\b"),
        ("take_personally", r"\bdon'?t take it (personally|to heart)\b"),
        ("better_place", r"\b(in a better place|all'?s well that ends well|around the corner)\b"),
    )
)


@lru_cache(maxsize=1)
def emotion_lexicon() -> Lexicon:
    return Lexicon.from_mapping({k: v["terms"] for k, v in _EMOTIONS["families"].items()})


def families_in(text: str) -> set[str]:
    """Every emotion family a text names anywhere (how a user's message is read)."""
    return {m.category for m in emotion_lexicon().matches(tokens(text))}


def named_feelings(sentence: str) -> list[str]:
    """Families a sentence names other than under a negation or with the speaker as subject."""
    toks = tokens(sentence)
    out: list[str] = []
    for m in emotion_lexicon().matches(toks):
        k = m.start - 1
        while k >= 0 and toks[k] in _FILLERS:
            k -= 1
        if k >= 0 and (toks[k] in _NEGATORS or toks[k] in _FIRST_PERSON):
            continue
        if m.start == 0 and m.end < len(toks) and toks[m.end] == "to":  # "Happy to help"
            continue
        if m.category not in out:
            out.append(m.category)
    return out


def soothing_rule(sentence: str) -> str | None:
    """The name of the first stock soothing phrase in a sentence, or None."""
    for name, pat in SOOTHING_RULES:
        if pat.search(sentence.replace("\u2019", "'")):
            return name
    return None


@dataclass(frozen=True)
class FeelingReport:
    """Per reply: soothing sentences (by rule or probe), feelings attributed to the user, and those of
    them the user did not express."""

    soothing: int
    soothing_rules: tuple[str, ...]
    attributed: tuple[str, ...]
    expressed: tuple[str, ...]

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(f for f in self.attributed if f not in self.expressed)


def analyse(
    replies: Sequence[str],
    users: Sequence[str],
    expressed: Sequence[Iterable[str] | None] | None = None,
    weights: Mapping[str, Any] | None = None,
) -> list[FeelingReport]:
    """Soothing and attributed/added feelings for each reply to its user message. `expressed` adds
    feelings known to be in a user message (a battery's labels) to those its words name."""
    from warmlab.classifiers.talk import by_owner, load_weights, sentences_of, talk_features

    sents, owner = sentences_of(replies)
    w = weights or load_weights("feelings")
    x = talk_features(sents)
    p_sooth = _positive(w["soothing"], x)
    p_attr = _positive(w["attributes_feeling"], x)
    if len(users) != len(replies):
        raise ValueError("one user message per reply")
    groups = by_owner(owner, len(replies))
    out = []
    for i, user in enumerate(users):
        rules: list[str] = []
        n_sooth = 0
        attributed: list[str] = []
        for k in groups[i]:
            rule = soothing_rule(sents[k])
            if rule:
                rules.append(rule)
            n_sooth += bool(rule) or p_sooth[k] >= SOOTHING_THRESHOLD
            if p_attr[k] >= ATTRIBUTION_THRESHOLD:
                attributed += [f for f in named_feelings(sents[k]) if f not in attributed]
        known = set(families_in(user)) | set((expressed[i] if expressed else None) or ())
        out.append(FeelingReport(n_sooth, tuple(rules), tuple(attributed), tuple(sorted(known))))
    return out


def _positive(probe: object, x: np.ndarray) -> np.ndarray:
    from warmlab.classifiers.probe import TextProbe

    assert isinstance(probe, TextProbe)
    if len(x) == 0:
        return np.zeros(0)
    return probe.proba_from_features(x)[:, probe.labels.index("1")]
