"""IPIP-NEO-120 pieces of the personality battery: item loading, prompts, and hand-computed scores."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from warmlab.errors import WarmlabError
from warmlab.tasks.personality.data import FACETS, IpipItem, facet_name, load_items
from warmlab.tasks.personality.prompts import ANSWERS, CHOICES, FRAMINGS, item_prompt, statement
from warmlab.tasks.personality.scoring import (
    answer_probabilities,
    choice_outcomes,
    cronbach_alpha,
    keyed_score,
    parse_answer,
    scale_alphas,
    scale_scores,
)

PLUS = IpipItem("p", "Make friends easily", "plus", "E", 1)
MINUS = IpipItem("m", "Avoid contacts with others", "minus", "E", 2)


def test_loads_the_120_items(shared_data: Path) -> None:
    items = load_items(shared_data / "ipip_neo_120")
    assert len(items) == 120 and len({i.id for i in items}) == 120
    assert {d: sum(i.domain == d for i in items) for d in "NEOAC"} == dict.fromkeys("NEOAC", 24)
    facets = {i.facet_code for i in items}
    assert len(facets) == 30 and all(sum(i.facet_code == f for i in items) == 4 for f in facets)
    assert {i.keyed for i in items} == {"plus", "minus"}
    assert all(statement(i).startswith("I ") and statement(i).endswith(".") for i in items)
    assert load_items(shared_data / "ipip_neo_120" / "questions.json") == items


def test_bad_item_files(tmp_path: Path) -> None:
    f = tmp_path / "q.json"
    with pytest.raises(WarmlabError, match="not found"):
        load_items(tmp_path / "missing.json")
    f.write_text("[\n{oops")
    with pytest.raises(WarmlabError, match=r"q.json:2: invalid JSON"):
        load_items(f)
    good = {"id": "a", "text": "Trust others", "keyed": "plus", "domain": "A", "facet": 1}
    for bad, message in (
        ({**good, "keyed": "up"}, "plus or minus"),
        ({**good, "domain": "X"}, "N E O A C"),
        ({**good, "facet": 7}, "facet 1-6"),
        ({k: v for k, v in good.items() if k != "text"}, "needs id, text"),
    ):
        f.write_text(json.dumps([good, bad]))
        with pytest.raises(WarmlabError, match=message) as e:
            load_items(f)
        assert "item 1" in str(e.value) and "\n" not in str(e.value)
    f.write_text(json.dumps([good, good]))
    with pytest.raises(WarmlabError, match="occurs twice"):
        load_items(f)


def test_prompts() -> None:
    assert statement(MINUS) == "I avoid contacts with others."
    assert (
        statement(IpipItem("x", "Am the life of the party", "plus", "E", 2)) == "I am the life of the party."
    )
    text = item_prompt(PLUS)
    assert "How accurately does this describe you?" in text and "I make friends easily." in text
    assert all(f"{n}. {a}" in text for n, a in zip(CHOICES, ANSWERS, strict=True))
    texts = [item_prompt(PLUS, f, 3) for f in FRAMINGS]
    assert len(set(texts)) == len(FRAMINGS) >= 4
    assert all("How accurately does this describe you?" in t for t in texts)
    with pytest.raises(ValueError, match="unknown framing"):
        item_prompt(PLUS, "casual")
    assert facet_name("A3") == "Altruism" and all(len(v) == 6 for v in FACETS.values())


def test_keyed_scores_reverse_minus_items() -> None:
    assert [keyed_score(PLUS, r) for r in (1, 2, 3, 4, 5)] == [1, 2, 3, 4, 5]
    assert [keyed_score(MINUS, r) for r in (1, 2, 3, 4, 5)] == [5, 4, 3, 2, 1]
    assert keyed_score(MINUS, 4.25) == pytest.approx(1.75)
    with pytest.raises(ValueError):
        keyed_score(PLUS, 0)


def test_expected_score_and_argmax_by_hand() -> None:
    # Probabilities 0.1, 0.2, 0.4, 0.2, 0.1 (as log-likelihoods, shifted: softmax ignores the shift).
    ll = [math.log(p) - 7.0 for p in (0.1, 0.2, 0.4, 0.2, 0.1)]
    assert answer_probabilities(ll) == pytest.approx([0.1, 0.2, 0.4, 0.2, 0.1])
    out = choice_outcomes(PLUS, ll)
    assert out == pytest.approx(
        {"expected": 3.0, "argmax": 3.0, "raw_argmax": 3.0, "p_argmax": 0.4, "raw": 3.0, "position": 3.0}
    )
    # Skewed to "very accurate": raw expectation 1*.05 + 2*.05 + 3*.1 + 4*.3 + 5*.5 = 4.15.
    ll = [math.log(p) for p in (0.05, 0.05, 0.1, 0.3, 0.5)]
    plus, minus = choice_outcomes(PLUS, ll), choice_outcomes(MINUS, ll)
    assert (
        plus["expected"] == pytest.approx(4.15)
        and plus["argmax"] == 5
        and plus["p_argmax"] == pytest.approx(0.5)
    )
    assert minus["expected"] == pytest.approx(6 - 4.15) and minus["argmax"] == 1 and minus["raw_argmax"] == 5
    # A tie goes to the lower answer.
    assert choice_outcomes(PLUS, [0.0, -1.0, -1.0, 0.0, -5.0])["raw_argmax"] == 1
    with pytest.raises(ValueError, match="5 log-likelihoods"):
        answer_probabilities([0.0, 0.0])


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("4", 4),
        ("4.", 4),
        ("Answer: 2", 2),
        ("(5) Very accurate", 5),
        ("Moderately accurate", 4),
        ("moderately INACCURATE, I would say", 2),
        ("Neither accurate nor inaccurate.", 3),
        ("very inaccurate", 1),
        ("I'd say 4 out of 5.", 4),
        ("3/5", 3),
        ("5 - Very accurate", 5),
        # no answer, or not one of the five
        ("", None),
        ("I am an AI and do not have personal traits.", None),
        ("Accurate", None),
        ("7", None),
        ("12 people", None),
        ("2.5", None),
        # a digit and a phrase that disagree
        ("2. Very accurate", None),
    ],
)
def test_parse_answer(text: str, raw: int | None) -> None:
    assert parse_answer(text) == raw


def test_domain_and_facet_scores_by_hand() -> None:
    items = [
        IpipItem("e1", "a", "plus", "E", 1),
        IpipItem("e2", "b", "minus", "E", 1),
        IpipItem("e3", "c", "plus", "E", 2),
        IpipItem("a1", "d", "minus", "A", 1),
        IpipItem("a2", "e", "plus", "A", 1),
    ]
    raw = {"e1": 5, "e2": 2, "e3": 3, "a1": 1, "a2": 4}
    keyed = {i.id: keyed_score(i, raw[i.id]) for i in items}
    assert keyed == {"e1": 5, "e2": 4, "e3": 3, "a1": 5, "a2": 4}
    s = scale_scores(keyed, items)
    assert s["domains"] == pytest.approx({"A": 4.5, "E": 4.0})
    assert s["facets"] == pytest.approx({"A1": 4.5, "E1": 4.5, "E2": 3.0})
    partial = scale_scores({"e1": 5.0, "a1": float("nan")}, items)  # unanswered items are left out
    assert partial == {"domains": {"E": 5.0}, "facets": {"E1": 5.0}}


def test_cronbach_alpha_by_hand() -> None:
    # 4 respondents x 3 items. Item variances (sample): 5/3, 2/3, 11/12 -> sum 3.25;
    # totals 6, 9, 10, 12 -> variance 18.75/3 = 6.25; alpha = 3/2 * (1 - 3.25/6.25) = 0.72.
    m = [[1, 2, 3], [3, 3, 3], [2, 4, 4], [4, 3, 5]]
    assert cronbach_alpha(m) == pytest.approx(0.72)
    assert cronbach_alpha([[1, 1], [2, 2], [3, 3]]) == pytest.approx(1.0)  # perfectly consistent items
    assert math.isnan(cronbach_alpha([[1, 2]]))  # one respondent
    assert math.isnan(cronbach_alpha([[3, 3], [3, 3]]))  # no variance


def test_scale_alphas_per_domain_and_facet() -> None:
    items = [IpipItem(f"i{k}", "x", "plus", "E", 1 + k // 3) for k in range(3)] + [
        IpipItem("j", "y", "plus", "A", 1)
    ]
    admins = [
        {"i0": 1.0, "i1": 2.0, "i2": 3.0, "j": 1.0},
        {"i0": 3.0, "i1": 3.0, "i2": 3.0, "j": 2.0},
        {"i0": 2.0, "i1": 4.0, "i2": 4.0, "j": 5.0},
        {"i0": 4.0, "i1": 3.0, "i2": 5.0},  # j unanswered here: dropped from every respondent
    ]
    a = scale_alphas(admins, items)
    assert a["domains"]["E"] == pytest.approx(0.72) and "A" not in a["domains"]
    assert a["facets"]["E1"] == pytest.approx(0.72)


def test_administer_on_a_local_model(tiny_model: Path) -> None:
    from warmlab.provider import LocalModel, load_local
    from warmlab.tasks.personality.local import administer

    local = LocalModel(load_local(str(tiny_model)))
    # The same statement keyed both ways (and asked as item 1 both times: the same prompt).
    a = administer(local, [PLUS], "plain")["p"]
    b = administer(local, [IpipItem("m", PLUS.text, "minus", "E", 1)], "plain")["m"]
    assert 1 <= a["expected"] <= 5 and a["expected"] + b["expected"] == pytest.approx(6.0)
    assert a["argmax"] + b["argmax"] == 6
    both = administer(local, [PLUS, MINUS], "survey", system="Be brief.")
    assert set(both) == {"p", "m"}
