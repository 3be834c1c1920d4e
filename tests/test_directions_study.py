"""Phase B of persona directions: the random-drop control, directions and capped variants in a study,
capped-vs-uncapped comparisons, and the monitor beside the measured gaps."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from warmlab.directions.screen import ScreenScore, drop_random, drop_top, screen_conversations
from warmlab.errors import WarmlabError


@dataclass(frozen=True)
class _Conv:
    id: str


def test_random_drop_removes_as_many_as_the_screen_and_is_seeded() -> None:
    convs = [_Conv(f"c{i}") for i in range(12)]
    scores = [ScreenScore(c.id, float(i), 0.0, 0.0, 1) for i, c in enumerate(convs)]
    kept_top, dropped_top = drop_top(convs, scores, 0.25)
    kept, gone = drop_random(convs, 0.25, seed=3)
    assert len(gone) == len(dropped_top) == 3 and len(kept) == len(kept_top) == 9
    assert [c.id for c in kept] == [c.id for c in convs if c.id not in gone]  # order kept
    assert drop_random(convs, 0.25, seed=3) == (kept, gone)
    assert {tuple(drop_random(convs, 0.25, seed=s)[1]) for s in range(6)} != {tuple(gone)}  # seed matters
    kept2, info = screen_conversations(convs, "no-model-needed", "random", 0.25, seed=3)
    assert kept2 == kept and info["direction"] == "random" and [d["id"] for d in info["dropped"]] == gone
    with pytest.raises(WarmlabError, match="fraction"):
        screen_conversations(convs, "x", "random", 1.0)
