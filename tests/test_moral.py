"""The moral battery wired into the run path: samples, the run's reference (lexicon check, human
baselines from a path), a planted argument's outcomes beside the judge's, rows on the tiny model,
statistics and the report section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from planted_model import rows_of, run_planted
from warmlab.classifiers.moral import FOUNDATIONS
from warmlab.errors import WarmlabError
from warmlab.stats.outcomes import analyse_battery
from warmlab.tasks import get_battery
from warmlab.tasks.moral import moral
from warmlab.tasks.moral.report import human_ci, moral_report
from warmlab.tasks.moral.task import build_samples, parse_stances, reference

MORAL_REPLY = (
    "A four-day week is fair to workers and protects their health from harm. Loyal staff deserve it."
)
PLAIN_REPLY = "Companies should try it. Output per hour rises and offices save energy."
JUDGE_REPLY = "It appeals to care and fairness.\nFOUNDATIONS: care, fairness\nSENTIMENT: positive"


def planted(text: str) -> str:
    if text.startswith("You are annotating an argument"):
        return JUDGE_REPLY
    return PLAIN_REPLY if "against" in text else MORAL_REPLY


def test_samples_pair_the_two_sides_of_a_topic() -> None:
    assert len(build_samples(parse_stances("all"))) == 62
    two = build_samples(parse_stances("all"), limit=2)
    assert [str(s.id) for s in two] == ["m001", "m002", "m003", "m004"]
    md = [s.metadata or {} for s in two]
    assert md[0]["item_id"] == md[1]["item_id"] == "four-day week"
    assert {m["condition"]["stance"] for m in md} == {"for", "against"}
    assert [str(s.id) for s in build_samples(["for"], limit=2)] == ["m001", "m003"]
    with pytest.raises(WarmlabError, match="unknown stance 'maybe'"):
        parse_stances("for,maybe")


def test_the_reference_checks_the_lexicon_and_reads_human_text_from_a_path(tmp_path: Path) -> None:
    plain = reference(None, None)
    assert plain["lexicon"] == "team" and plain["human"] is None
    assert plain["lexicon_check"]["n"] == 70 and 0.8 < plain["lexicon_check"]["macro_f1"] < 0.9
    texts = tmp_path / "human.jsonl"
    texts.write_text('{"text": "It is unfair and cruel."}\n{"text": "The bus is late."}\n{"text": "Fine."}\n')
    (h,) = reference(None, str(texts))["human"]
    assert h["label"] == "human texts (human.jsonl)" and h["n"] == 3
    assert h["moral_per_1k"] == pytest.approx(2000 / 5 / 3) and h["moral_per_1k_sd"] > 0
    lo, hi = human_ci(h, "moral_per_1k")
    assert lo is not None and hi is not None and lo < h["moral_per_1k"] < hi
    gone = reference(None, str(tmp_path / "nowhere"))
    assert gone["human"] is None and gone["human_missing"] == f"{tmp_path / 'nowhere'} not found"
    (tmp_path / "empty").mkdir()
    with pytest.raises(WarmlabError, match=r"moral baselines .*empty: expected a folder with oasst_sample"):
        moral(baselines=str(tmp_path / "empty"))
    with pytest.raises(WarmlabError, match=r"moral lexicon .* does not exist"):
        moral(lexicon=str(tmp_path / "missing.dic"))


def test_human_baselines_from_the_shared_data(shared_data: Path) -> None:
    all_, opinion = reference(None, str(shared_data))["human"]
    assert all_["n"] == 670 and all_["words"] == 90573 and opinion["n"] == 62
    assert all_["moral_per_1k"] == pytest.approx(7.77, abs=0.01)
    assert opinion["moral_per_1k"] == pytest.approx(11.92, abs=0.01)
    assert all_["sentiment"] == pytest.approx(0.160, abs=0.001)


def test_a_planted_argument_gives_known_outcomes_and_the_judge_sits_beside_them(tmp_path: Path) -> None:
    texts = tmp_path / "human.jsonl"
    texts.write_text('{"text": "It is unfair."}\n{"text": "The bus is late."}\n')
    samples = run_planted(moral(limit=1, baselines=str(texts)), planted, tmp_path)
    rows = {r["sample_id"]: r for r in rows_of(samples, "moral", tmp_path)}
    pro, con = rows["m001"]["outcomes"], rows["m002"]["outcomes"]
    words = 17  # the planted argument's words; care: protects, harm; fairness: fair, deserve; loyalty: loyal
    assert pro["words"] == words and pro["moral_per_1k"] == pytest.approx(round(5000 / words, 3))
    assert [pro[f"appeals_{f}"] for f in FOUNDATIONS] == [1, 1, 1, 0, 0]
    assert con["moral_per_1k"] == 0 and con["sentiment_label"] == "positive"
    r = rows["m001"]
    judge = next(k for k in r["by_scorer"] if k.startswith("judge:"))
    assert r["by_scorer"][judge] == {
        "appeals_care": 1,
        "appeals_fairness": 1,
        "appeals_loyalty": 0,
        "appeals_authority": 0,
        "appeals_sanctity": 0,
        "sentiment_label": "positive",
    }
    assert r["scorer"] == "offline:moral-lexicon:team+vader" and pro["judge_unparsed"] == 0
    assert r["reference"]["human"][0]["n"] == 2 and r["reference"]["lexicon"] == "team"
    json.dumps(list(rows.values()))


def test_rows_on_the_tiny_model_carry_outcomes_and_the_reference(tiny_model: Path, tmp_path: Path) -> None:
    from warmlab.results import read_results
    from warmlab.results.runner import EvalSettings, run_eval

    s = EvalSettings(task="moral", args={"stances": "for"}, limit=2, max_tokens=6, batch_size=4)
    rows = read_results(run_eval([str(tiny_model)], ["generate"], tmp_path, s))
    assert sorted(r["sample_id"] for r in rows) == ["m001", "m003"]
    for r in rows:
        assert r["condition"] == {"stance": "for"} and "by_scorer" not in r
        assert set(FOUNDATIONS) <= {k.removesuffix("_per_1k") for k in r["outcomes"]}
        assert r["reference"]["human"] is None and r["reference"]["lexicon_check"]["n"] == 70


def synthetic_rows(human: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """10 topics x 2 stances; warm uses 6 more moral terms per 1,000 words, more of them care."""
    ref = {"lexicon": "team", "lexicon_check": {"macro_f1": 0.84, "n": 70}, "human": human}
    rows = []
    for i in range(10):
        for stance in ("for", "against"):
            for variant, extra in (("base", 0.0), ("warm", 6.0)):
                o: dict[str, Any] = {f"{f}_per_1k": 2.0 + (extra if f == "care" else 0) for f in FOUNDATIONS}
                o |= {"moral_per_1k": 10.0 + extra + i % 3, "sentiment": 0.1 + extra / 30, "words": 100}
                o |= {f"appeals_{f}": 1 for f in FOUNDATIONS} | {"sentiment_label": "positive"}
                rows.append(
                    {
                        "task": "moral",
                        "model": "m" if variant == "base" else "m+warm",
                        "variant": variant,
                        "base": "m",
                        "mode": "generate",
                        "sample_id": f"t{i}|{stance}",
                        "item_id": f"t{i}",
                        "condition": {"stance": stance},
                        "outcomes": o,
                        "scorer": "offline",
                        "reference": ref,
                    }
                )
    return rows


def test_statistics_and_the_report_section_beside_the_human_baseline() -> None:
    human = [{"label": "people", "n": 50, "words": 5000, "moral_per_1k": 8.0, "moral_per_1k_sd": 4.0}]
    human[0] |= {"sentiment": 0.1, "sentiment_sd": 0.2}
    human[0] |= {f"{f}_per_1k": 1.6 for f in FOUNDATIONS} | {f"{f}_per_1k_sd": 1.0 for f in FOUNDATIONS}
    rows = synthetic_rows(human)
    stats = analyse_battery(rows, get_battery("moral"), bootstrap=200)
    m = stats["modes"]["generate"]
    primary = next(o for o in m["outcomes"] if o["primary"])
    assert primary["outcome"] == "moral_per_1k" and primary["paired"][0]["diff"] == pytest.approx(6.0)
    assert set(m["by"]["stance"]) == {"for", "against"}
    html = moral_report(rows, stats, {"warm": "warm"})
    assert html.count("<svg") == 2 and "fig-moral-scatter" in html and "fig-moral-foundations" in html
    base_mean = 10.0 + 9 / 10  # i % 3 over ten topics
    assert f"{base_mean / 8.0:.2f}×" in html and f"{(base_mean + 6) / 8.0:.2f}×" in html
    assert "ratio to people (8.0)" in html and "macro-F1 0.84" in html
    assert "Human baseline not computed" not in html
    bare = moral_report(synthetic_rows(None), stats, {"warm": "warm"})
    assert "Human baseline not computed: no path to human text was given" in bare and "ratio to" not in bare
