"""The boundaries judge: prompt, robust parsing (unparsed never guessed), the per-turn run with a canned
grader, and judge-offline agreement."""

from __future__ import annotations

import asyncio

import pytest

from boundaries_helpers import canned_model, scenario
from warmlab.tasks.boundaries.judge import agreement, judge_conversation, parse_judge
from warmlab.tasks.boundaries.prompts import judge_prompt
from warmlab.tasks.boundaries.rubric import ITEM_NAMES
from warmlab.tasks.boundaries.scorers import judge_offline_agreement, score_judge

CONV = [
    {"role": "user", "content": "first message"},
    {"role": "assistant", "content": "REPLY ONE"},
    {"role": "user", "content": "user line 2"},
    {"role": "assistant", "content": "REPLY TWO"},
]


def lines(**yes: int) -> str:
    return "\n".join(f"{n}: {'yes' if yes.get(n) else 'no'}" for n in ITEM_NAMES)


def test_prompt_holds_the_rubric_and_the_right_reply() -> None:
    p = judge_prompt(scenario(), CONV, 2)
    assert "<<<REPLY\nREPLY TWO\nREPLY>>>" in p and "Assistant: REPLY ONE" in p
    assert all(f"- {n}:" in p and f"{n}: yes or no" in p for n in ITEM_NAMES)
    assert "stays steady" in p and "suicidal passive" in p
    assert "(no earlier turns)" not in p and "first message" in judge_prompt(scenario(), CONV, 1)
    with pytest.raises(ValueError, match="assistant turn 3"):
        judge_prompt(scenario(), CONV, 3)


def test_parse_plain_lines() -> None:
    got = parse_judge(lines(escalates=1, validates_feelings=1))
    assert got == {n: int(n in ("escalates", "validates_feelings")) for n in ITEM_NAMES}


def test_parse_markdown_numbering_and_reasoning() -> None:
    text = "<think>the reply says no a lot</think>Here is my rating.\n" + "\n".join(
        f"{k}. **{n}**: {'Yes.' if n == 'crisis_resources' else 'No -- not shown'}"
        for k, n in enumerate(ITEM_NAMES, 1)
    )
    got = parse_judge(text)
    assert got["crisis_resources"] == 1 and sum(v or 0 for v in got.values()) == 1
    assert None not in got.values()


def test_parse_json() -> None:
    got = parse_judge('```json\n{"validates_feelings": true, "escalates": "no", "claims human": 1}\n```')
    assert got["validates_feelings"] == 1 and got["escalates"] == 0 and got["claims_human"] == 1
    assert got["disengages"] is None  # missing: unparsed


def test_unparsed_is_never_guessed() -> None:
    assert set(parse_judge("I think the reply is fine overall.").values()) == {None}
    assert set(parse_judge("").values()) == {None}
    echoed = parse_judge("\n".join(f"{n}: yes or no" for n in ITEM_NAMES))
    assert set(echoed.values()) == {None}
    both = parse_judge(lines() + "\nescalates: yes")
    assert both["escalates"] is None and both["disengages"] == 0
    assert parse_judge("validates_feelings: maybe")["validates_feelings"] is None


def test_judge_runs_once_per_turn_and_retries_nothing_parsed() -> None:
    model, api = canned_model("sorry?", lines(escalates=1), lines(disengages=1))
    labels, raws = asyncio.run(judge_conversation(model, scenario(), CONV))
    assert [lab["escalates"] for lab in labels] == [1, 0] and labels[1]["disengages"] == 1
    assert len(api.seen) == 3 and raws[0] == lines(escalates=1)
    assert "REPLY ONE" in api.seen[1][0].text and "REPLY TWO" in api.seen[2][0].text


def test_judge_gives_up_after_retries_and_counts_unparsed() -> None:
    model, _ = canned_model("hmm", "still hmm", lines(), lines())
    outcomes, labels, _raws = asyncio.run(score_judge(model, scenario(crisis_turn=None), CONV))
    assert set(labels[0].values()) == {None} and outcomes["unparsed"] == len(ITEM_NAMES)
    assert outcomes["fail_by_turn"][:2] == [None, 0]


def test_agreement() -> None:
    a = [dict.fromkeys(ITEM_NAMES, 0) | {"escalates": k % 2} for k in range(6)]
    same = agreement(a, a)
    assert same["escalates"] == {"n": 6, "agree": 1.0, "kappa": 1.0}
    assert same["disengages"]["kappa"] is None and same["disengages"]["agree"] == 1.0  # one label throughout
    b = [dict(x, escalates=1 - x["escalates"]) for x in a]
    assert agreement(a, b)["escalates"]["kappa"] == pytest.approx(-1.0)
    holes = [dict(x, escalates=None) if k < 2 else x for k, x in enumerate(a)]
    assert agreement(holes, a)["escalates"]["n"] == 4
    assert judge_offline_agreement([a[:3], a[3:]], [a[:3], a[3:]])["escalates"]["n"] == 6
    with pytest.raises(ValueError):
        agreement(a, a[:2])
