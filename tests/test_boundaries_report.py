"""The boundaries report section: per-category and per-item tables with paired differences, the survival
curve, judge-offline agreement per item, the secure prompt beside the warm variant, the worst cases."""

from __future__ import annotations

import re
from typing import Any

import pytest

import warmlab
from warmlab.report.batteries import batteries_html
from warmlab.report.data import roles
from warmlab.tasks.boundaries.report import kaplan_meier, survival_time, worst_cases
from warmlab.tasks.boundaries.rubric import ITEM_NAMES, conversation_outcomes
from warmlab.tasks.boundaries.scenarios import load_scenarios
from warmlab.tasks.boundaries.scorers import OFFLINE_SCORER

SCEN = [
    s
    for c in ("delusion", "withdrawal", "control")
    for s in [x for x in load_scenarios() if x.category == c][:3]
]
MODELS = {"base": "m", "warm": "m+runs/warm", "system=secure": "m@system=secure"}


def _labels(turns: int, bad_turn: int | None, item: str = "reinforces_belief") -> list[dict[str, int]]:
    out = []
    for t in range(1, turns + 1):
        lab = dict.fromkeys(ITEM_NAMES, 0) | {"validates_feelings": 1}
        if bad_turn is not None and t >= bad_turn:
            lab[item] = 1
        out.append(lab)
    return out


def _row(variant: str, k: int, bad_turn: int | None) -> dict[str, Any]:
    sc = SCEN[k]
    out = conversation_outcomes(sc, _labels(4, bad_turn))
    transcript = []
    for t in range(1, 5):
        transcript += [
            {"role": "user", "content": sc.user_line(t)},
            {"role": "assistant", "content": f"<reply {t} of {variant}> & more"},
        ]
    row = {
        "task": "boundaries",
        "model": MODELS[variant],
        "variant": variant,
        "base": "m",
        "mode": "generate",
        "sample_id": sc.id,
        "item_id": sc.id,
        "condition": {"category": sc.category},
        "outcomes": out,
        "scorer": OFFLINE_SCORER,
        "user": "scripted:boundaries",
        "transcript": transcript,
    }
    if variant == "base":  # a judge ran beside the offline scorer; it sees one more failure
        judged = conversation_outcomes(sc, _labels(4, 3 if k == 0 else None))
        row["by_scorer"] = {OFFLINE_SCORER: out, "judge:x": judged}
    return row


def _warmth(variant: str, k: int, value: float) -> dict[str, Any]:
    return {
        "task": "warmth",
        "model": MODELS[variant],
        "variant": variant,
        "base": "m",
        "mode": "generate",
        "sample_id": f"w{k}",
        "item_id": f"w{k}",
        "condition": {},
        "outcomes": {"warmth": value},
        "scorer": "probe",
    }


@pytest.fixture(scope="module")
def page() -> str:
    rows = []
    for k in range(len(SCEN)):
        rows.append(_row("base", k, None))
        rows.append(_row("warm", k, 2 if k % 3 else None))  # the warm variant fails two thirds, at turn 2
        rows.append(_row("system=secure", k, 4 if k == 5 else None))
        for v, w in (("base", 0.1), ("warm", 0.6), ("system=secure", 0.5)):
            rows.append(_warmth(v, k, w + 0.01 * k))
    stats = warmlab.analyse(rows, bootstrap=200)
    role = roles(["warm", "system=secure"])
    assert role["system=secure"] == "secure" and role["warm"] == "warm"
    return batteries_html(stats, role, rows)


def test_category_and_item_tables_pair_each_variant_with_the_base(page: str) -> None:
    sec = page[page.index("Boundaries by category") :]
    table = sec[: sec.index("</table>")]
    assert "delusion" in table and "withdrawal" in table and "control" in table
    # the warm variant: 1 of 3 delusion scenarios held, all three held by the base: -67 pp
    assert re.search(r"33% \(n 3\); -67 pp \[", table)
    items = page[page.index("Rubric items") :]
    assert "reinforces_belief (lower better)" in items and "validates_feelings (higher better)" in items
    assert items.count("<details><summary>rubric items in ") == 3


def test_survival_curve_and_turn_level_agreement(page: str) -> None:
    assert 'id="fig-boundaries-survival"' in page and "<svg" in page and "assistant turn" in page
    agree = page[page.index("Judge and offline classifier, turn by turn") :]
    # 9 base conversations x 4 turns; the judge saw reinforces_belief on two turns the offline scorer did not
    assert re.search(r"<td>reinforces_belief</td><td>36</td><td>94%</td><td>0\.\d\d</td>", agree)


def test_secure_panel_shows_boundaries_warmth_and_the_direct_comparison(page: str) -> None:
    sec = page[page.index("The secure system prompt beside the warm variants") :]
    first = sec[: sec.index("</table>")]
    assert "system=secure (secure)" in first and "warm (warm)" in first
    assert "+0.40 [" in first  # secure's warmth − base, from the warmth battery
    direct = sec[sec.index("Secure against each warm variant directly") :]
    assert "system=secure − warm" in direct and "+56 pp" in direct  # 8/9 held vs 3/9


def test_worst_cases_are_linked_and_inline(page: str) -> None:
    links = re.findall(r'<a href="#(boundaries-case-[^"]+)">', page)
    assert len(links) == 3 + 1  # at most three per variant (warm failed six times); secure failed once
    assert all(f'<details id="{a}">' in page for a in links)
    assert "fails: reinforces_belief" in page and "&lt;reply 2 of warm&gt; &amp; more" in page
    assert "the base on the same scenario" in page


def test_worst_cases_pick_variant_failures_where_the_base_held() -> None:
    rows = [_row("base", 0, None), _row("warm", 0, 3), _row("base", 1, 2), _row("warm", 1, 1)]
    rows += [_row("system=secure", 2, 1), _row("base", 2, None)]
    cases = worst_cases(rows)
    assert [(r["variant"], r["sample_id"]) for r, _ in cases] == [
        ("system=secure", SCEN[2].id),
        ("warm", SCEN[0].id),
    ]


def test_survival_times_and_kaplan_meier() -> None:
    assert survival_time({"first_failure_turn": 2, "holding_by_turn": [1, 0, 0]}) == (2, 1)
    assert survival_time({"first_failure_turn": None, "holding_by_turn": [1, 1, 1, None]}) == (3, 0)
    assert survival_time({"first_failure_turn": None, "holding_by_turn": [None, None]}) is None
    curve = kaplan_meier([(1, 1), (2, 1), (4, 0), (4, 0)], 4)
    assert [p["turn"] for p in curve] == [0, 1, 2, 3, 4]
    assert [round(p["mean"], 3) for p in curve] == [1.0, 0.75, 0.5, 0.5, 0.5]
    assert curve[1]["ci"][0] < 0.75 < curve[1]["ci"][1]
    assert [p["n"] for p in curve] == [4, 4, 3, 2, 2]
