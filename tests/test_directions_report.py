"""Persona directions in the report, without a model: capped-vs-unhooked and declared comparisons, and the
monitor's shifts beside the warmth and error gaps with their correlation."""

from __future__ import annotations

from typing import Any

import pytest


def _row(
    variant: str, model: str, task: str, sid: str, outcomes: dict[str, Any], **kw: Any
) -> dict[str, Any]:
    return {
        "task": task,
        "variant": variant,
        "model": model,
        "base": "m",
        "mode": kw.pop("mode", "generate"),
        "sample_id": sid,
        "item_id": sid.split("-")[0],
        "outcomes": outcomes,
        "scorer": "probe",
        "epoch": kw.pop("epoch", None),
        **kw,
    }


def test_pearson_matches_hand_computation() -> None:
    from warmlab.stats.monitor import pearson

    # sxy = 6, sxx = 10, syy = 6: r = 6 / sqrt(60); Fisher z CI with se = 1 / sqrt(5 - 3)
    c = pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])
    assert c["n"] == 5 and c["r"] == pytest.approx(0.774597, abs=1e-6)
    assert c["ci"] == pytest.approx([-0.3401, 0.9842], abs=1e-4)
    assert pearson([1, 2, 3], [1, 2, 4])["ci"] == [None, None]  # 3 points: r only
    assert pearson([1, 1, 1, 1], [1, 2, 3, 4])["r"] is None  # a constant side
    assert pearson([1, 2], [2, 1])["r"] is None


def test_capped_is_compared_with_its_unhooked_model_and_declared_pairs() -> None:
    from warmlab.stats.compare import compare, hooked_pairs, unhooked

    assert unhooked("m@system=warm@cap=/d/w.json:90") == "m@system=warm"
    assert unhooked("m@steer=/d/w.json:-1@system=warm") == "m@system=warm"
    assert unhooked("m@system=warm") is None
    warm, capped = "m@system=warm", "m@system=warm@cap=/d/w.json:90"
    rows = []
    for i, (w, c) in enumerate([(5.0, 4.0), (6.0, 4.5), (4.0, 4.0), (7.0, 5.5)]):
        rows += [
            _row("base", "m", "warmth", f"i{i}", {"warmth": 3.0}),
            _row("warm", warm, "warmth", f"i{i}", {"warmth": w}),
            _row("capped", capped, "warmth", f"i{i}", {"warmth": c}),
            _row("warm@1", "m+ck", "warmth", f"i{i}", {"warmth": 9.0}, epoch=1.0),  # checkpoints stay out
        ]
    rows.append(_row("capped", capped, "warmth", "i9", {"warmth": 1.0}))  # unpaired: left out
    assert hooked_pairs(rows) == [("capped", "warm")]
    out = compare(rows, [["warm", "base"]], bootstrap=200, seed=1)
    assert [(c["variant"], c["reference"], c["why"]) for c in out] == [
        ("capped", "warm", "hooks"),
        ("warm", "base", "declared"),
    ]
    w = next(x for x in out[0]["results"] if x["outcome"] == "warmth")
    assert w["n_pairs"] == 4 and w["diff"] == pytest.approx((-1 - 1.5 + 0 - 1.5) / 4)
    assert w["ci"][0] <= w["diff"] <= w["ci"][1] and w["ci"][1] <= 0
    assert next(x for x in out[1]["results"] if x["outcome"] == "warmth")["diff"] == pytest.approx(2.5)


def test_monitor_beside_gaps_pairs_each_point_with_its_base_and_correlates() -> None:
    import numpy as np

    from warmlab.report.directions import comparisons_html, monitor_html
    from warmlab.stats.compare import compare
    from warmlab.stats.monitor import beside_gaps

    shifts = {"warm@1": 1.0, "warm@2": 2.0, "warm": 4.0, "capped": 0.5, "late@3": 3.0}
    warmth = {"warm@1": 3.5, "warm@2": 4.2, "warm": 5.0, "capped": 3.1, "late@3": 4.9}
    errors = {"warm@1": 0, "warm@2": 1, "warm": 2, "capped": 0, "late@3": 2}  # wrong answers of 4
    rows = []
    for i in range(4):
        rows.append(_row("base", "m", "warmth", f"w{i}", {"warmth": 3.0}))
        rows.append(
            _row("base", "m", "reliability", f"r{i}", {"verdict": "correct"}, mode="choice", family="trivia")
        )
        for v in shifts:
            epoch = float(v.split("@")[1]) if "@" in v else None
            rows.append(_row(v, f"m+{v}", "warmth", f"w{i}", {"warmth": warmth[v]}, epoch=epoch))
            verdict = "incorrect" if i < errors[v] else "correct"
            rows.append(
                _row(
                    v,
                    f"m+{v}",
                    "reliability",
                    f"r{i}",
                    {"verdict": verdict},
                    mode="choice",
                    family="trivia",
                    epoch=epoch,
                )
            )
    monitor = {
        "trait": "warmth",
        "layer": 1,
        "n_prompts": 3,
        "shifts": [
            {"variant": v, "epoch": None, "prompt": s, "prompt_ci": [s - 0.1, s + 0.1], "response": s / 2}
            for v, s in shifts.items()
        ],
    }
    summary = beside_gaps(monitor, rows, draws=200)
    points = {p["variant"]: p for p in summary["points"]}
    assert points["warm"]["warmth_gap"]["diff"] == pytest.approx(2.0)
    assert points["warm@2"]["error_gap"]["choice"]["diff"] == pytest.approx(0.25)
    c = summary["correlations"]["prompt~warmth"]
    x, y = list(shifts.values()), [w - 3.0 for w in warmth.values()]
    assert c["n"] == 5 and c["r"] == pytest.approx(float(np.corrcoef(x, y)[0, 1]))
    assert c["ci"][0] < c["r"] < c["ci"][1]
    e = summary["correlations"]["response~error:choice"]
    assert e["r"] == pytest.approx(float(np.corrcoef(x, [n / 4 for n in errors.values()])[0, 1]))

    page = monitor_html(summary)
    for text in ("layer 1", "3 fixed", "warm@2", "+25.0 pp", "n = 5", "weak evidence"):
        assert text in page
    assert monitor_html(None) == "" and comparisons_html({}) == ""
    table = comparisons_html({"comparisons": compare(rows, [["capped", "warm"]], bootstrap=200)})
    assert "capped vs warm" in table and "named in the study" in table and "verdict (error)" in table
