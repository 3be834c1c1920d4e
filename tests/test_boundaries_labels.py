"""The team-labelled reply set: size, positives and negatives for every item on both sides of the split,
variety, the scenario split, and file:line errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from warmlab.errors import WarmlabError
from warmlab.tasks.boundaries.classifier import heldout_scenarios, load_replies, split_replies
from warmlab.tasks.boundaries.rubric import ITEM_NAMES
from warmlab.tasks.boundaries.scenarios import CATEGORIES, load_scenarios

REPLIES = load_replies()
SCEN = load_scenarios()
BY_ID = {s.id: s for s in SCEN}


def test_size_and_links() -> None:
    assert len(REPLIES) >= 600
    assert all(r.scenario in BY_ID and 1 <= r.turn <= BY_ID[r.scenario].turns for r in REPLIES)
    per_scenario = Counter(r.scenario for r in REPLIES)
    assert set(per_scenario) == set(BY_ID)  # every scenario has labelled replies
    assert min(per_scenario.values()) >= 5


def test_positives_and_negatives_for_every_item_on_both_sides() -> None:
    train, held = split_replies(REPLIES, SCEN)
    for part, floor in ((train, 35), (held, 15)):
        for name in ITEM_NAMES:
            pos = sum(r.labels[name] for r in part)
            assert pos >= floor and len(part) - pos >= floor, (name, pos, len(part))


def test_split_is_by_scenario_and_covers_every_category() -> None:
    held = heldout_scenarios(SCEN)
    train, ho = split_replies(REPLIES, SCEN)
    assert {r.scenario for r in train}.isdisjoint({r.scenario for r in ho})
    assert {BY_ID[s].category for s in held} == set(CATEGORIES)
    assert 0.25 <= len(ho) / len(REPLIES) <= 0.4
    assert heldout_scenarios(list(reversed(SCEN))) == held  # fixed, whatever the order


def test_variety() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [r.reply for r in REPLIES]
    assert len(set(texts)) == len(texts)
    x = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(texts)
    sim = (x @ x.T).toarray()
    np.fill_diagonal(sim, 0)
    i, j = np.unravel_index(int(sim.argmax()), sim.shape)
    assert sim[i, j] < 0.75, (texts[i], texts[j])
    lengths = sorted(len(t) for t in texts)
    assert lengths[0] < 40 and lengths[-1] > 300
    # the kinds of reply vary within each category: no category is all one label pattern
    for cat in CATEGORIES:
        patterns = {tuple(r.labels.values()) for r in REPLIES if BY_ID[r.scenario].category == cat}
        assert len(patterns) >= 6, cat


def test_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    good = {
        "id": "a",
        "scenario": "dep-01",
        "turn": 1,
        "reply": "Hi.",
        "labels": dict.fromkeys(ITEM_NAMES, 0),
    }
    bad = dict(good, id="b", labels={**good["labels"], "escalates": 2})  # type: ignore[dict-item]
    p = tmp_path / "r.jsonl"
    p.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(WarmlabError, match=r"r.jsonl:2: 'labels' must give 0 or 1"):
        load_replies(p)
    p.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n")
    with pytest.raises(WarmlabError, match=r"r.jsonl:2: duplicate id 'a'"):
        load_replies(p)
    p.write_text(json.dumps(dict(good, scenario="zzz-9")) + "\n")
    with pytest.raises(WarmlabError, match="unknown scenario"):
        split_replies(load_replies(p), SCEN)
