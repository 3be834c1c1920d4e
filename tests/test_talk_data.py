"""Team data of the grounding, therapist, rebound and moral batteries and the talk classifiers: loaders
(one-line errors naming file and line), sizes, balance and variety (no duplicates or near-duplicates)."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from warmlab.classifiers.feelings import FAMILIES, NEGATIVE
from warmlab.classifiers.moral_check import labelled_sentences
from warmlab.classifiers.talk import ACTS, BEHAVIOURS, load_talk, read_talk
from warmlab.errors import WarmlabError
from warmlab.tasks.grounding.items import KINDS, load_openings
from warmlab.tasks.moral.items import load_prompts
from warmlab.tasks.rebound.items import FRAMINGS, framed, load_triples
from warmlab.tasks.therapist.items import load_disclosures


def _tokens(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9']+", text.lower()))


def near_duplicates(texts: Sequence[str], threshold: float = 0.8) -> list[tuple[str, str]]:
    """Pairs whose word sets overlap by `threshold` or more (Jaccard), exact repeats included."""
    toks = [_tokens(t) for t in texts]
    return [
        (texts[i], texts[j])
        for i, j in itertools.combinations(range(len(texts)), 2)
        if len(toks[i] & toks[j]) / max(1, len(toks[i] | toks[j])) >= threshold
    ]


def test_near_duplicate_check_catches_a_rewording() -> None:
    assert near_duplicates(["How do I cancel my order?", "how do I cancel my order"])
    assert not near_duplicates(["How do I cancel my order?", "What's the best phone to buy?"])


# ------------------------------------------------------------------------------------------ sizes


def test_openings_size_balance_variety() -> None:
    items = load_openings()
    assert len(items) >= 150
    kinds = Counter(i.kind for i in items)
    assert set(kinds) == set(KINDS) and min(kinds.values()) >= 50
    assert 0.5 < sum(i.task for i in items) / len(items) < 0.9  # mostly requests, some sharing
    assert not near_duplicates([i.text for i in items])
    assert len({len(i.text.split()) for i in items}) >= 15  # lengths vary


def test_disclosures_size_emotions_advice_variety() -> None:
    items = load_disclosures()
    assert len(items) >= 150
    emotions = Counter(i.emotion for i in items)
    assert len(emotions) >= 10 and max(emotions.values()) <= 0.12 * len(items)
    advice = sum(i.asks_advice for i in items)
    assert 0.1 * len(items) < advice < 0.4 * len(items)  # some ask for advice, most do not
    neg_no_advice = [i for i in items if i.valence == "negative" and not i.asks_advice]
    assert len(neg_no_advice) >= 100  # the key figure's denominator
    assert not near_duplicates([i.text for i in items])


def test_triples_size_framings_variety() -> None:
    triples = load_triples()
    assert len(triples) >= 60
    prompts = framed(triples)
    assert len(prompts) == 3 * len(triples)
    assert Counter(p.framing for p in prompts) == dict.fromkeys(FRAMINGS, len(triples))
    for f in FRAMINGS:
        assert not near_duplicates([t.text(f) for t in triples])
    # the neutral framing expresses no feeling; the others mostly name one of their own valence
    assert all(p.expressed == () for p in prompts if p.framing == "neutral")
    neg = [t for t in triples if t.negative_emotions]
    assert len(neg) >= 0.95 * len(triples)
    assert all(set(t.negative_emotions) <= NEGATIVE for t in triples)
    assert all(not set(t.positive_emotions) & NEGATIVE for t in triples)
    # the request is the same: the neutral text's last sentence re-appears in the framed ones (mostly)
    same = sum(t.neutral.split("?")[0][-15:].lower() in (t.negative + t.positive).lower() for t in triples)
    assert same >= 0.5 * len(triples)


def test_moral_prompts_balance_variety() -> None:
    items = load_prompts()
    assert len(items) >= 60
    assert Counter(i.stance for i in items) == {"for": len(items) // 2, "against": len(items) // 2}
    assert all(n == 2 for n in Counter(i.topic for i in items).values())  # each topic argued both ways
    assert not near_duplicates([i.text for i in items])


def test_talk_corpus_labels_balance_and_variety() -> None:
    replies = load_talk()
    sentences = [s for r in replies for s in r.sentences]
    assert len(replies) >= 180 and len(sentences) >= 600
    acts = Counter(s.act for s in sentences)
    assert set(acts) == set(ACTS) and min(acts.values()) >= 50
    behaviours = Counter(b for s in sentences for b in s.behaviours)
    assert set(behaviours) == set(BEHAVIOURS) and min(behaviours.values()) >= 15
    assert sum(s.soothing for s in sentences) >= 60
    assert sum(bool(s.feelings) for s in sentences) >= 100
    added = [r for r in replies if {f for s in r.sentences for f in s.feelings} - set(r.user_emotions)]
    assert len(added) >= 30
    assert not near_duplicates([r.text for r in replies])
    held = [r for r in replies if r.heldout]
    assert 0.15 * len(replies) < len(held) < 0.35 * len(replies)
    # the split keeps replies to one message together
    assert not {r.scenario for r in held} & {r.scenario for r in replies if not r.heldout}


def test_moral_sentences_balance_and_split() -> None:
    both = labelled_sentences()
    assert len(both) >= 140
    counts = Counter(f for _, fs in both for f in fs)
    assert min(counts.values()) >= 20
    assert sum(not fs for _, fs in both) >= 40  # non-moral sentences, some with trap words
    assert len(labelled_sentences("dev")) == len(labelled_sentences("test"))
    assert not near_duplicates([t for t, _ in both])


def test_emotion_families_terms_unique() -> None:
    data = json.loads((Path(__file__).parents[1] / "src/warmlab/classifiers/data/emotions.json").read_text())
    terms = [t for fam in data["families"].values() for t in fam["terms"]]
    assert len(terms) == len(set(terms))
    assert set(FAMILIES.values()) == {"negative", "positive"}


# ---------------------------------------------------------------------------------------- loaders


@pytest.mark.parametrize(
    ("loader", "good", "bad", "message"),
    [
        (
            load_openings,
            {"id": "a", "kind": "emotional", "task": False, "text": "hi"},
            {"kind": "vague"},
            "kind",
        ),
        (
            load_openings,
            {"id": "a", "kind": "emotional", "task": False, "text": "hi"},
            {"task": "no"},
            "task",
        ),
        (
            load_disclosures,
            {"id": "a", "emotion": "anger", "asks_advice": True, "text": "x"},
            {"emotion": "rage"},
            "unknown emotion",
        ),
        (
            load_prompts,
            {"id": "a", "topic": "t", "stance": "for", "text": "x"},
            {"stance": "maybe"},
            "stance",
        ),
        (
            load_triples,
            {
                "id": "a",
                "topic": "t",
                "negative": "n",
                "neutral": "u",
                "positive": "p",
                "negative_emotions": ["anger"],
                "positive_emotions": [],
            },
            {"negative_emotions": ["grumpy"]},
            "unknown emotion",
        ),
    ],
)
def test_loaders_name_file_and_line(loader, good, bad, message, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({**good, "id": "b", **bad}) + "\n")
    with pytest.raises(WarmlabError, match=rf"items.jsonl:3: .*{message}"):
        loader(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n")
    with pytest.raises(WarmlabError, match=r"items.jsonl:2: id 'a' repeats line 1"):
        loader(path)
    path.write_text(json.dumps(good) + "\n{not json\n")
    with pytest.raises(WarmlabError, match=r"items.jsonl:2: invalid JSON"):
        loader(path)
    assert len(loader(_one(path, good))) == 1
    with pytest.raises(WarmlabError, match="does not exist"):
        loader(tmp_path / "missing.jsonl")


def _one(path: Path, row: dict) -> Path:  # type: ignore[type-arg]
    path.write_text(json.dumps(row) + "\n")
    return path


def test_talk_corpus_reader_rejects_unknown_labels(tmp_path: Path) -> None:
    row = {
        "id": "x-1",
        "scenario": "x",
        "kind": "emotional",
        "asks_advice": False,
        "user": "u",
        "user_emotions": [],
        "sentences": [{"text": "Hi.", "act": "none", "behaviours": ["hugging"]}],
    }
    path = tmp_path / "talk.jsonl"
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(WarmlabError, match=r"talk.jsonl:1: sentence 1: unknown behaviour 'hugging'"):
        read_talk(path)
    row["sentences"] = [{"text": "Hi.", "act": "greeting"}]
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(WarmlabError, match=r"talk.jsonl:1: sentence 1: act must be"):
        read_talk(path)
