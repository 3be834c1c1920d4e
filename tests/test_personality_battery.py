"""The personality battery: answer orders, the task on a tiny model, its own statistics and report."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from warmlab.errors import WarmlabError
from warmlab.tasks.personality.analysis import analyse, order_check, reliability, scale_table
from warmlab.tasks.personality.data import IpipItem, load_items
from warmlab.tasks.personality.prompts import ORDERS, item_prompt, listed, raw_answer, scale_text
from warmlab.tasks.personality.scoring import choice_outcomes, generate_outcomes, parse_answer
from warmlab.tasks.personality.task import personality, select_items

PLUS = IpipItem("p", "Make friends easily", "plus", "E", 1)
MINUS = IpipItem("m", "Avoid contacts with others", "minus", "E", 2)

# Team-written stand-ins for inventory items (the real ones are read from ../shared/data): two per domain,
# one keyed each way, so a small file exercises every domain and both keys.
ITEMS = [
    ("n1", "Get upset when plans change at the last minute", "plus", "N", 1),
    ("n2", "Stay calm when a deadline slips", "minus", "N", 2),
    ("e1", "Start conversations with strangers at parties", "plus", "E", 1),
    ("e2", "Prefer an evening alone to a crowded dinner", "minus", "E", 2),
    ("o1", "Enjoy trying food I have never heard of", "plus", "O", 1),
    ("o2", "Find museums dull", "minus", "O", 2),
    ("a1", "Lend a hand when a neighbour is moving house", "plus", "A", 1),
    ("a2", "Enjoy winning an argument more than settling it", "minus", "A", 2),
    ("c1", "Finish my chores before I relax", "plus", "C", 1),
    ("c2", "Leave my desk in a mess for weeks", "minus", "C", 2),
]


@pytest.fixture(scope="module")
def item_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    f = tmp_path_factory.mktemp("ipip") / "questions.json"
    keys = ("id", "text", "keyed", "domain", "facet")
    f.write_text(json.dumps([dict(zip(keys, it, strict=True)) for it in ITEMS]))
    return f


def test_reversed_scale_lists_the_answers_the_other_way() -> None:
    assert listed("reversed") == listed("forward")[::-1]
    assert scale_text("reversed").startswith("1. Very accurate") and scale_text().startswith("1. Very inacc")
    assert [raw_answer(n, "reversed") for n in (1, 2, 3, 4, 5)] == [5, 4, 3, 2, 1]
    assert "5. Very inaccurate" in item_prompt(PLUS, "plain", 1, "reversed")
    with pytest.raises(ValueError, match="unknown answer order"):
        raw_answer(1, "sideways")


def test_reversed_order_by_hand() -> None:
    # Numbers 1..5 listed reversed get probabilities .5 .3 .1 .05 .05: raw answers 5 4 3 2 1.
    ll = [math.log(p) for p in (0.5, 0.3, 0.1, 0.05, 0.05)]
    plus, minus = choice_outcomes(PLUS, ll, "reversed"), choice_outcomes(MINUS, ll, "reversed")
    # raw expectation 5*.5 + 4*.3 + 3*.1 + 2*.05 + 1*.05 = 4.15; listed position 1*.5+2*.3+3*.1+4*.05+5*.05
    assert plus["raw"] == pytest.approx(4.15) and plus["position"] == pytest.approx(1.85)
    assert plus["expected"] == pytest.approx(4.15) and plus["argmax"] == 5 and plus["raw_argmax"] == 5
    assert minus["expected"] == pytest.approx(6 - 4.15) and minus["argmax"] == 1
    # The same likelihoods in forward order mean the opposite answer.
    fwd = choice_outcomes(PLUS, ll, "forward")
    assert fwd["raw"] == pytest.approx(1.85) and fwd["position"] == pytest.approx(1.85)


@pytest.mark.parametrize(
    ("text", "order", "number"),
    [
        ("1. Very accurate", "reversed", 1),  # a digit and a phrase that agree in the reversed order
        ("1. Very accurate", "forward", None),  # ... and disagree in the forward one
        ("Moderately inaccurate", "reversed", 4),
        ("5", "reversed", 5),
        ("I can't say.", "reversed", None),
    ],
)
def test_parse_answer_reads_phrases_in_the_order_shown(text: str, order: str, number: int | None) -> None:
    assert parse_answer(text, order) == number


def test_generate_outcomes_by_hand() -> None:
    assert generate_outcomes(MINUS, "2", "reversed") == {
        "score": 2,  # number 2 reversed = raw 4 ("moderately accurate"), minus-keyed: 6 - 4
        "raw": 4,
        "position": 2,
        "answer": 4,
        "unparsed": 0,
    }
    assert generate_outcomes(PLUS, "As an AI I have no personality.")["unparsed"] == 1


def test_items_are_taken_in_turn_from_each_facet(shared_data: Path) -> None:
    items = load_items(shared_data / "ipip_neo_120")
    five = select_items(items, 5)
    assert sorted(i.domain for i in five) == sorted("NEOAC") and {i.facet for i in five} == {1}
    thirty = select_items(items, 30)
    assert len({i.facet_code for i in thirty}) == 30
    assert select_items(items, None) == items


def test_task_arguments_are_checked(item_file: Path) -> None:
    with pytest.raises(WarmlabError, match="needs items=PATH") as e:
        personality()
    assert "\n" not in str(e.value)
    with pytest.raises(WarmlabError, match="unknown framing 'casual'"):
        personality(items=str(item_file), framings="plain,casual")
    with pytest.raises(WarmlabError, match="unknown order"):
        personality(items=str(item_file), orders="upside")
    with pytest.raises(WarmlabError, match="not found"):
        personality(items=str(item_file.parent / "nope.json"))
    t = personality(items=str(item_file), framings="plain,survey", limit=5)
    assert len(t.dataset) == 5 * 2 * len(ORDERS)
    ids = [str(s.id) for s in t.dataset]
    assert len(set(ids)) == len(ids)


def _row(
    variant: str, item: str, order: str, score: float, raw: float, framing: str = "plain", **kw: Any
) -> dict:
    domain, keyed = item[0].upper(), "plus" if item.endswith("1") else "minus"
    return {
        "task": "personality",
        "model": "m" if variant == "base" else f"m+{variant}",
        "variant": variant,
        "base": "m",
        "mode": "choice",
        "sample_id": f"{item}|{framing}|{order}",
        "item_id": item,
        "condition": {
            "domain": domain,
            "facet": f"{domain}1",
            "keyed": keyed,
            "framing": framing,
            "order": order,
        },
        "outcomes": {"score": score, "raw": raw, "raw_argmax": raw, **kw},
        "scorer": "choice",
    }


def _always_first(variant: str) -> list[dict]:
    """A model that always picks the first number listed: raw 1 forward, raw 5 reversed."""
    rows = []
    for item in ("a1", "a2", "e1", "e2"):
        for framing in ("plain", "survey"):
            for order, raw in (("forward", 1.0), ("reversed", 5.0)):
                keyed = raw if item.endswith("1") else 6 - raw
                rows.append(_row(variant, item, order, keyed, raw, framing))
    return rows


def test_order_check_exposes_a_position_responder() -> None:
    (x,) = order_check(_always_first("base"), draws=200)
    assert x["forward"]["mean"] == 1.0 and x["reversed"]["mean"] == 5.0
    assert x["diff"] == -4.0 and x["n_pairs"] == 8 and x["first_share"] == 1.0


def test_scale_scores_and_shifts_by_hand() -> None:
    base = [_row("base", "a1", "forward", 4.0, 4.0), _row("base", "a2", "forward", 2.0, 4.0)]
    warm = [_row("warm", "a1", "forward", 5.0, 5.0), _row("warm", "a2", "forward", 4.0, 2.0)]
    t = {x["variant"]: x for x in scale_table(base + warm, "domain", draws=200)}
    assert t["base"]["mean"] == 3.0 and t["warm"]["mean"] == 4.5 and t["base"]["n_items"] == 2
    assert t["warm"]["diff"] == 1.5 and t["warm"]["n_pairs"] == 2  # (5-4 + 4-2) / 2
    assert "diff" not in t["base"]


def test_alpha_is_undefined_or_low_for_a_position_responder_and_high_for_a_consistent_one() -> None:
    (pos,) = reliability(_always_first("base"))
    assert pos["respondents"] == 4 and pos["items"] == {"A": 2, "A1": 2, "E": 2, "E1": 2}
    assert all(a is None or math.isnan(a) or a <= 0 for a in pos["domains"].values())
    # Consistent: each administration shifts both items of a scale the same way.
    rows = []
    for k, (framing, order) in enumerate(
        [("plain", "forward"), ("plain", "reversed"), ("survey", "forward")]
    ):
        rows += [
            _row("base", "a1", order, 2.0 + k, 0.0, framing),
            _row("base", "a2", order, 1.5 + k, 0.0, framing),
        ]
    (ok,) = reliability(rows)
    assert ok["domains"]["A"] == pytest.approx(1.0)


def test_report_section_renders(tmp_path: Path) -> None:
    from warmlab.tasks.personality.report import personality_report

    rows = _always_first("base") + [  # warm: half its answers (the 1s) half a point higher
        {**r, "outcomes": {**r["outcomes"], "score": min(5.0, r["outcomes"]["score"] + 0.5)}}
        for r in _always_first("warm")
    ]
    html = personality_report(rows, {"bootstrap": 200, "seed": 0}, {"warm": "warm", "base": "base"})
    for text in ("Big Five profile", "Agreeableness", "Cronbach", "Answer order check", "<svg", "Δ +0.25"):
        assert text in html
    assert analyse([]) == {}


def _run(tiny_model: Path, tmp_path: Path, item_file: Path, mode: str) -> list[dict]:
    from warmlab.results import latest_rows, read_results
    from warmlab.results.runner import EvalSettings, run_eval

    settings = EvalSettings(
        task="personality",
        args={"items": str(item_file), "framings": "plain,friend"},
        limit=5,
        max_tokens=4,
        batch_size=16,
    )
    return latest_rows(read_results(run_eval([str(tiny_model)], [mode], tmp_path / mode, settings)))


def test_choice_mode_on_a_tiny_model(tiny_model: Path, tmp_path: Path, item_file: Path) -> None:
    from warmlab.stats.outcomes import analyse_battery
    from warmlab.tasks import get_battery

    rows = _run(tiny_model, tmp_path, item_file, "choice")
    assert len(rows) == 5 * 2 * 2 and {r["scorer"] for r in rows} == {"choice"}
    keyed = dict(ITEMS and {i[0]: i[2] for i in ITEMS})
    for r in rows:
        o, c = r["outcomes"], r["condition"]
        assert r["item_id"] == r["sample_id"].split("|")[0] and c["framing"] in ("plain", "friend")
        assert 1 <= o["score"] <= 5 and 1 <= o["position"] <= 5
        # raw answer = listed position forward, 6 - position reversed; minus-keyed items reversed again
        assert o["raw"] == pytest.approx(
            o["position"] if c["order"] == "forward" else 6 - o["position"], abs=1e-5
        )
        assert o["score"] == pytest.approx(
            o["raw"] if keyed[r["item_id"]] == "plus" else 6 - o["raw"], abs=1e-5
        )
    stats = analyse_battery(rows, get_battery("personality"), bootstrap=200)
    entries = {o["outcome"]: o for o in stats["modes"]["choice"]["outcomes"]}
    assert set(entries) == {
        "neuroticism",
        "extraversion",
        "openness",
        "agreeableness",
        "conscientiousness",
        "raw",
        "position",
    }
    assert (
        entries["agreeableness"]["variants"][0]["n"] == 2 * 2
    )  # limit 5: one item per domain, x framings x orders


def test_generate_mode_on_a_tiny_model(tiny_model: Path, tmp_path: Path, item_file: Path) -> None:
    rows = _run(tiny_model, tmp_path, item_file, "generate")
    assert len(rows) == 20 and {r["scorer"] for r in rows} == {"parse"}
    for r in rows:
        o = r["outcomes"]
        assert o["unparsed"] in (0, 1) and (o["score"] is None) == bool(o["unparsed"])
        assert r["outcomes"] == generate_outcomes(
            IpipItem(r["item_id"], "", r["condition"]["keyed"], "E", 1), r["output"], r["condition"]["order"]
        )
