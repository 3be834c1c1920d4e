"""The report's head-to-head (base vs SFT vs RL vs system prompt), read from statistics built from rows."""

from __future__ import annotations

import re
from typing import Any

from warmlab.report.compare import compare_html, compared_variants, measures
from warmlab.report.data import roles
from warmlab.stats.outcomes import analyse_battery
from warmlab.tasks import get_battery

VARIANTS = ("base", "warm", "rl", "warm-system")
STUDY = {
    "variants": [
        {"name": "warm", "kind": "sft", "style": "warm", "system": ""},
        {"name": "rl", "kind": "rl", "style": "", "system": ""},
        {"name": "warm-system", "kind": "system", "style": "", "system": "warm"},
    ]
}


def _rows(
    task: str, outcome: str, values: dict[str, list[float]], extra: dict[str, Any]
) -> list[dict[str, Any]]:
    rows = []
    for variant, vals in values.items():
        for i, x in enumerate(vals):
            rows.append(
                {
                    "task": task,
                    "model": "m" if variant == "base" else f"m+{variant}",
                    "variant": variant,
                    "base": "m",
                    "mode": "generate",
                    "sample_id": f"s{i}",
                    "item_id": f"s{i}",
                    "condition": {"group": "emotional", "intention": "vent"},
                    "outcomes": {outcome: x, **extra},
                    "scorer": "t",
                    "user": "scripted:support" if task == "support" else None,
                }
            )
    return rows


def _stats() -> dict[str, Any]:
    n = 12
    support = _rows(
        "support",
        "final_emotion",
        {
            "base": [40.0] * n,
            "warm": [45.0] * n,
            "rl": [60.0 + i % 3 for i in range(n)],
            "warm-system": [50.0] * n,
        },
        {"direction": "regressive"},
    )
    pushback = _rows(
        "pushback",
        "held_final",
        {
            "base": [1.0] * n,
            "warm": [1.0] * 6 + [0.0] * 6,
            "rl": [1.0] * 10 + [0.0] * 2,
            "warm-system": [1.0] * n,
        },
        {"direction": "regressive"},
    )
    batteries = {
        "support": analyse_battery(support, get_battery("support"), bootstrap=200),
        "pushback": analyse_battery(pushback, get_battery("pushback"), bootstrap=200),
    }
    # reliability: the warm SFT variant's model was fitted; the others fall back to the paired counts
    error_rates = [
        {"level": "overall", "mode": "generate", "variant": "base", "errors": 20, "n_scored": 100},
        {
            "level": "cell",
            "mode": "generate",
            "variant": "base",
            "context": "sad",
            "belief": "asserts_incorrect",
            "errors": 6,
            "n_scored": 20,
        },
    ]
    paired = []
    for v, (vo, bo) in {"warm": (12, 2), "rl": (3, 3), "warm-system": (5, 1)}.items():
        common = {"mode": "generate", "variant": v, "base": "m"}
        paired.append(
            {
                **common,
                "level": "overall",
                "both_wrong": 10,
                "variant_only": vo,
                "base_only": bo,
                "both_right": 78,
            }
        )
        paired.append(
            {
                **common,
                "level": "cell",
                "family": "trivia",
                "context": "sad",
                "belief": "asserts_incorrect",
                "both_wrong": 4,
                "variant_only": vo // 2,
                "base_only": bo // 2,
                "both_right": 10,
            }
        )
    models = {
        "generate": {
            "warm": {
                "belief": {
                    "status": "ok",
                    "n_obs": 200,
                    "ame": {
                        "estimate": 9.5,
                        "ci_cluster": [3.0, 16.0],
                        "base_rate": 0.2,
                        "variant_rate": 0.3,
                    },
                }
            }
        }
    }
    return {
        "schema": "warmlab.stats/2",
        "meta": {"modes": ["generate"], "variants": ["rl", "warm", "warm-system"], "bases": ["m"]},
        "error_rates": error_rates,
        "paired": paired,
        "models": models,
        "batteries": batteries,
    }


def test_roles_know_rl_variants() -> None:
    r = roles(["warm", "rl", "warm-system", "policy-rl-2", "world"], STUDY)
    assert r["warm"] == "warm" and r["rl"] == "rl" and r["warm-system"] == "system"
    assert r["policy-rl-2"] == "rl" and r["world"] == "other"  # by name when study.json says nothing


def test_measures_read_every_number_with_its_ci_and_n() -> None:
    stats = _stats()
    role = roles(list(VARIANTS[1:]), STUDY)
    variants = compared_variants(stats, role)
    assert variants == ["warm", "rl", "warm-system"]  # trait-warm, behaviour-warm, prompt
    ms = {m.key: m for m in measures(stats, variants)}
    assert list(ms) == ["error_gap", "sad_false", "pushback:held_final", "support:final_emotion"]
    gap = ms["error_gap"]
    assert gap.base is not None and gap.base.value == 20.0 and gap.base.n == 100
    assert (gap.diffs["warm"].value, gap.diffs["warm"].lo, gap.diffs["warm"].n) == (9.5, 3.0, 200)
    assert gap.diffs["rl"].value == 0.0 and gap.diffs["rl"].n == 94  # paired counts: 3 - 3 of 94
    assert gap.diffs["warm-system"].lo is not None and gap.diffs["warm-system"].value > 0
    cell = ms["sad_false"]
    assert cell.base is not None and cell.base.value == 30.0 and cell.diffs["warm"].n == 21
    held = ms["pushback:held_final"]
    assert held.diffs["warm"].value == -50.0 and held.diffs["warm"].n == 12 and held.unit == "pp"
    emo = ms["support:final_emotion"]
    assert emo.base is not None and emo.base.value == 40.0 and emo.base.n == 12
    assert emo.diffs["rl"].value == 21.0 and emo.diffs["rl"].lo is not None and emo.diffs["rl"].lo > 15
    assert "scripted stand-in" in emo.label


def test_the_section_has_one_figure_and_one_table() -> None:
    stats = _stats()
    html = compare_html(stats, roles(list(VARIANTS[1:]), STUDY))
    assert html.count("<svg") == 1 and html.count("<table") == 1
    assert "behaviour-warm" in html and "emotion-reward RL" in html and "warm SFT" in html
    assert "scripted stand-in" in html and "not independent evidence" in html
    assert "+21.0 [" in html and "(n=12)" in html  # the RL variant's support difference
    # the error gap: the model's AME where it was fitted, else the raw paired difference, marked
    assert "+9.5 [+3.0, +16.0] (n=200)<" in html and "+0.0 [-5.8, +5.8] (n=94)*" in html
    assert "*rl: raw paired difference" in html
    assert "not in this run" not in html  # all three kinds of warmth are there
    # without an RL variant the section says what is missing
    no_rl = _stats()
    for b in no_rl["batteries"].values():
        for m in b["modes"].values():
            for o in m["outcomes"]:
                o["variants"] = [v for v in o["variants"] if v["variant"] != "rl"]
                o["paired"] = [p for p in o["paired"] if p["variant"] != "rl"]
    no_rl["paired"] = [p for p in no_rl["paired"] if p["variant"] != "rl"]
    no_rl["meta"]["variants"] = ["warm", "warm-system"]
    html = compare_html(no_rl, roles(["warm", "warm-system"], STUDY))
    assert re.search(r"not in this run: behaviour-warm \(RL\)", html)
    # nothing to compare: no section
    assert compare_html({"meta": {"variants": []}, "batteries": {}}, {"base": "base"}) == ""
