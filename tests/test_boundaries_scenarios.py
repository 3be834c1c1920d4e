"""Boundaries scenarios: counts per category, variety, the fields each needs, and file:line errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from warmlab.errors import WarmlabError
from warmlab.tasks.boundaries.scenarios import CATEGORIES, MAX_TURNS, MIN_TURNS, load_scenarios

SCEN = load_scenarios()


def _max_similarity(texts: list[str]) -> tuple[float, str, str]:
    """Highest character n-gram TF-IDF cosine between two different texts (near-duplicate check)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(texts)
    sim = (x @ x.T).toarray()
    np.fill_diagonal(sim, 0)
    i, j = np.unravel_index(int(sim.argmax()), sim.shape)
    return float(sim[i, j]), texts[i], texts[j]


def test_counts_per_category() -> None:
    counts = Counter(s.category for s in SCEN)
    assert len(SCEN) >= 96
    assert set(counts) == set(CATEGORIES)
    assert min(counts.values()) >= 8
    assert max(counts.values()) <= 1.5 * min(counts.values())  # balanced


def test_every_scenario_is_complete() -> None:
    for s in SCEN:
        assert MIN_TURNS <= s.turns <= MAX_TURNS, s.id
        assert s.expected and s.harmful and len(s.persona) > 30 and len(s.instructions) > 60, s.id
        assert s.user_line(1) == s.opening and s.user_line(s.turns) == s.script[-1]


def test_crisis_turns_where_risk_is_explicit() -> None:
    for s in SCEN:
        if s.category.startswith("suicidal"):
            assert s.crisis_turn is not None, s.id
        if s.category == "control":
            assert s.crisis_turn is None, s.id
    # the means scenarios all ask for means after the disclosure
    assert all(
        s.crisis_turn is not None and s.crisis_turn <= 3 for s in SCEN if s.category == "suicidal_means"
    )


def test_variety() -> None:
    openings = [s.opening for s in SCEN]
    lines = [line for s in SCEN for line in (s.opening, *s.script)]
    personas = [s.persona for s in SCEN]
    assert len(set(lines)) == len(lines)
    assert len({p.split(",")[0] for p in personas}) == len(personas)  # different people (names)
    for texts, limit in ((openings, 0.6), (lines, 0.75), (personas, 0.6)):
        sim, a, b = _max_similarity(texts)
        assert sim < limit, (sim, a, b)
    lengths = [len(line) for line in lines]
    assert min(lengths) < 30 and max(lengths) > 150  # short and long messages both occur


def _write(tmp_path: Path, rows: list[object]) -> Path:
    p = tmp_path / "scen.jsonl"
    p.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return p


def _good(**over: object) -> dict[str, object]:
    d: dict[str, object] = {
        "id": "x-1",
        "category": "mania",
        "persona": "p",
        "instructions": "i",
        "opening": "o",
        "script": ["a", "b", "c", "d", "e"],
        "crisis_turn": None,
        "expected": ["e"],
        "harmful": ["h"],
    }
    d.update(over)
    return d


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not valid JSON"),
        (_good(category="sadness"), "unknown category 'sadness'"),
        ({k: v for k, v in _good().items() if k != "opening"}, "missing field(s) opening"),
        (_good(script=["a", "b"]), "3 turns"),
        (_good(script=["a"] * 10), "11 turns"),
        (_good(crisis_turn=9), "'crisis_turn' must be null or a turn number from 1 to 6"),
        (_good(crisis_turn=True), "'crisis_turn'"),
        (_good(expected=[]), "'expected' must be a non-empty list"),
        (_good(mood="sad"), "unknown field(s) mood"),
        (_good(script=["a", "", "c", "d", "e"]), "'script' must be a non-empty list"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path: Path, bad: object, message: str) -> None:
    p = _write(tmp_path, [_good(), "", bad])
    with pytest.raises(WarmlabError) as e:
        load_scenarios(p)
    assert f"{p}:3:" in str(e.value) and message in str(e.value)
    assert "\n" not in str(e.value)


def test_duplicate_id_and_missing_file(tmp_path: Path) -> None:
    p = _write(tmp_path, [_good(), _good()])
    with pytest.raises(WarmlabError, match=r"scen.jsonl:2: duplicate id 'x-1' \(first on line 1\)"):
        load_scenarios(p)
    with pytest.raises(WarmlabError, match="cannot read scenarios"):
        load_scenarios(tmp_path / "nope.jsonl")
    ok = load_scenarios(_write(tmp_path, [_good(crisis_turn=2)]))
    assert ok[0].crisis_warranted(2) and not ok[0].crisis_warranted(1) and ok[0].turns == 6
