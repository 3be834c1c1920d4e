"""Forced choice without a length bias: summed, per-token and per-character log-likelihoods."""

from __future__ import annotations

import pytest

from warmlab.errors import WarmlabError
from warmlab.solvers.choice import OptionScores


def test_each_normalisation_can_change_the_choice() -> None:
    s = OptionScores(("Paris", "the city of Lyon"), (-3.0, -6.0), (1, 4))
    assert s.chosen_by("sum") == 0  # the longer option loses for being long
    assert s.scores("token") == (-3.0, -1.5) and s.chosen_by("token") == 1
    assert s.scores("char") == pytest.approx((-0.5, -6 / 17)) and s.chosen_by("char") == 1
    assert s.chosen == s.chosen_by("token")  # the default, chosen from the measured comparison
    with pytest.raises(WarmlabError, match="unknown choice normalisation"):
        s.scores("bytes")


def test_equal_lengths_agree() -> None:
    s = OptionScores(("Red", "Tan"), (-2.0, -4.0), (1, 1))
    assert {s.chosen_by(n) for n in ("sum", "token", "char")} == {0}


def test_per_character_favours_the_longer_word_among_one_token_answers() -> None:
    """Why the default is per token: for one-token answers per token equals the sum, while per character
    divides by the word's length (measured: disinfo's No/Yes items, 0.0% correct by char, 12.3% by token)."""
    s = OptionScores(("No", "Yes"), (-2.0, -2.5), (1, 1))
    assert s.chosen_by("sum") == s.chosen_by("token") == s.chosen == 0
    assert s.chosen_by("char") == 1  # -2.0 / 3 < -2.5 / 4
