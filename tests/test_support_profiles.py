"""Support profiles: the shipped set (size, balance, fixed split, variety) and the loader's errors."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from warmlab.errors import WarmlabError
from warmlab.tasks.support.profiles import (
    EMOTIONAL,
    INTENTION_KINDS,
    RATIONAL,
    by_first_message,
    load_profiles,
)

# sha256 of "id:split" lines of the shipped set: the train/test split must never move (RL trains on
# train, the battery evaluates on test).
SPLIT_DIGEST = "11f153aa6241a527eeadeae018b4997d18d7f757aeccf2be20e786ec57393f71"


def _digest() -> str:
    lines = "".join(f"{p.id}:{p.split}\n" for p in load_profiles())
    return hashlib.sha256(lines.encode()).hexdigest()


def test_size_and_balance() -> None:
    ps = load_profiles()
    assert len(ps) >= 160
    assert len(INTENTION_KINDS) == 8 and set(RATIONAL) | set(EMOTIONAL) == set(INTENTION_KINDS)
    kinds = Counter(p.intention_kind for p in ps)
    assert set(kinds) == set(INTENTION_KINDS) and len(set(kinds.values())) == 1
    for split in ("train", "test"):
        per_kind = Counter(p.intention_kind for p in ps if p.split == split)
        assert set(per_kind.values()) == {len(ps) // 16}, (split, per_kind)


def test_split_is_fixed() -> None:
    assert _digest() == SPLIT_DIGEST
    train, test = load_profiles(split="train"), load_profiles(split="test")
    assert {p.id for p in train}.isdisjoint({p.id for p in test})
    assert len(train) + len(test) == len(load_profiles())


def test_variety() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    ps = load_profiles()
    for field in ("id", "story", "first_message", "persona", "intention"):
        values = [getattr(p, field) for p in ps]
        assert len(set(values)) == len(values), f"duplicate {field}"
    assert len({p.persona.split(",")[0] for p in ps}) == len(ps)  # every person has their own name
    # Near-duplicates: TF-IDF cosine between any two texts of a field (measured maxima: story 0.30,
    # first message 0.33, persona 0.46, intention 0.66).
    for field, ceiling in (("story", 0.45), ("first_message", 0.5), ("persona", 0.6), ("intention", 0.75)):
        x = TfidfVectorizer().fit_transform([getattr(p, field) for p in ps])
        sim = cosine_similarity(x)
        np.fill_diagonal(sim, 0)
        assert sim.max() < ceiling, (field, float(sim.max()))
    topics = Counter(p.topic for p in ps)
    assert len(topics) >= 12 and max(topics.values()) <= 0.2 * len(ps)
    # Stories are several sentences (the scripted user reveals one per turn); openers are short.
    assert all(len(p.story_sentences()) >= 2 for p in ps)
    assert all(len(p.first_message.split()) <= 30 for p in ps)
    assert len(by_first_message(ps)) == len(ps)


def _good() -> dict[str, object]:
    return {
        "id": "x1",
        "split": "test",
        "persona": "Ann, 40",
        "story": "One. Two.",
        "intention": {"kind": "vent", "text": "wants to vent"},
        "first_message": "hi",
    }


def _write(tmp_path: Path, rows: list[str]) -> Path:
    p = tmp_path / "mine.jsonl"
    p.write_text("\n".join(rows) + "\n")
    return p


def test_bad_line_names_file_and_line(tmp_path: Path) -> None:
    p = _write(tmp_path, [json.dumps(_good()), "{not json"])
    with pytest.raises(WarmlabError, match=r"mine\.jsonl:2: invalid JSON"):
        load_profiles(p)


def test_unknown_intention_kind(tmp_path: Path) -> None:
    bad = _good() | {"id": "x2", "intention": {"kind": "hugs", "text": "wants hugs"}}
    p = _write(tmp_path, [json.dumps(_good()), json.dumps(bad)])
    with pytest.raises(WarmlabError, match=r"mine\.jsonl:2: unknown intention kind 'hugs'") as e:
        load_profiles(p)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"split": "dev"}, "split must be train or test"),
        ({"story": ""}, "`story` must be a non-empty string"),
        ({"intention": "vent"}, "`intention` must be an object"),
        ({"intention": {"kind": "vent"}}, "`intention.text`"),
    ],
)
def test_bad_fields(tmp_path: Path, change: dict[str, object], message: str) -> None:
    p = _write(tmp_path, [json.dumps(_good() | change)])
    with pytest.raises(WarmlabError, match=r"mine\.jsonl:1: ") as e:
        load_profiles(p)
    assert message in str(e.value)


def test_duplicate_id_and_missing_file(tmp_path: Path) -> None:
    p = _write(tmp_path, [json.dumps(_good()), json.dumps(_good())])
    with pytest.raises(WarmlabError, match=r"mine\.jsonl:2: duplicate id 'x1' \(first on line 1\)"):
        load_profiles(p)
    with pytest.raises(WarmlabError, match="cannot read profiles"):
        load_profiles(tmp_path / "nope.jsonl")
    with pytest.raises(WarmlabError, match="no train profiles"):
        load_profiles(_write(tmp_path, [json.dumps(_good())]), split="train")
