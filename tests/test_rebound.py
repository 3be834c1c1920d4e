"""The rebound battery wired into the run path: samples, a planted reply's outcomes (offline and judge,
recorded with by_scorer), rows on the tiny model, statistics and the report section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from planted_model import rows_of, run_planted
from warmlab.errors import WarmlabError
from warmlab.stats.outcomes import analyse_battery
from warmlab.tasks import get_battery
from warmlab.tasks.rebound import rebound
from warmlab.tasks.rebound.report import matrix_panels, rebound_report
from warmlab.tasks.rebound.task import build_samples, parse_framings

SOOTHING_REPLY = (
    "Don't worry, everything will be fine! You must feel so lonely and abandoned right now. "
    "Try a quick omelette."
)
PLAIN_REPLY = "Whisk two eggs, cook them in a pan for two minutes, fold and serve with toast."
CHEERY_REPLY = "What a wonderful idea! A quick pasta with garlic and olive oil is delicious and easy."
JUDGE_REPLY = "The reply is upbeat.\nVALENCE: positive\nSOOTHING: yes\nADDED_FEELINGS: no"


def planted(text: str) -> str:
    if text.startswith("You are annotating the tone"):
        return JUDGE_REPLY
    if "awful day" in text:
        return SOOTHING_REPLY
    return CHEERY_REPLY if "great day" in text else PLAIN_REPLY


def test_samples_are_triples_in_each_framing() -> None:
    every = build_samples(parse_framings("all"))
    assert len(every) == 3 * 62 and len({str(s.id) for s in every}) == len(every)
    some = build_samples(parse_framings("negative,positive"), limit=2)
    assert [str(s.id) for s in some] == ["r001|negative", "r001|positive", "r002|negative", "r002|positive"]
    assert all(s.metadata and s.metadata["item_id"] == str(s.id).split("|")[0] for s in some)
    assert some[0].metadata is not None and some[0].metadata["condition"] == {"framing": "negative"}
    with pytest.raises(WarmlabError, match="unknown framing 'sad'"):
        parse_framings("negative,sad")
    with pytest.raises(WarmlabError, match="limit must be at least 1"):
        rebound(limit=0)


def test_a_planted_reply_gives_known_outcomes_and_the_judge_sits_beside_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import warmlab.tasks.rebound.scorers as S

    batches: list[int] = []
    real = S.rebound_outcomes_batch

    def counted(replies: Any, *rest: Any) -> Any:
        batches.append(len(replies))
        return real(replies, *rest)

    monkeypatch.setattr(S, "rebound_outcomes_batch", counted)
    samples = run_planted(rebound(limit=1), planted, tmp_path)
    assert batches == [3]  # the three replies finished together: one classifier batch
    rows = {r["sample_id"]: r for r in rows_of(samples, "rebound", tmp_path)}
    neg, neu, pos = (rows[f"r001|{f}"] for f in ("negative", "neutral", "positive"))
    assert neg["outcomes"]["soothing"] == 1 and neg["outcomes"]["added_feelings"] == 1
    assert "dont_worry" in neg["rationale"] and "loneliness" in neg["rationale"]
    assert (neu["outcomes"]["valence"], neu["outcomes"]["soothing"], neu["outcomes"]["added_feelings"]) == (
        "neutral",
        0,
        0,
    )
    assert pos["outcomes"]["valence"] == "positive"
    judge = next(k for k in neg["by_scorer"] if k.startswith("judge:"))
    assert neg["by_scorer"][judge] == {"valence": "positive", "soothing": 1, "added_feelings": 0}
    assert neg["by_scorer"][neg["scorer"]] == {
        k: neg["outcomes"][k] for k in ("valence", "soothing", "added_feelings")
    }
    assert all(r["outcomes"]["judge_unparsed"] == 0 for r in rows.values())
    json.dumps(list(rows.values()))  # rows are plain JSON
    # the judge saw the user's message and the reply, fenced
    from planted_model import Planted

    asked = [t for t in Planted.seen if t.startswith("You are annotating the tone")]
    assert len(asked) == 3 and any(SOOTHING_REPLY in t and "awful day" in t for t in asked)


def test_rows_on_the_tiny_model_carry_outcomes_and_an_unparsed_judge(
    tiny_model: Path, tmp_path: Path
) -> None:
    from warmlab.results import read_results
    from warmlab.results.runner import EvalSettings, run_eval

    s = EvalSettings(task="rebound", args={"framings": "negative"}, limit=2, max_tokens=6, batch_size=4)
    rows = read_results(run_eval([str(tiny_model)], ["generate"], tmp_path, s, judge=str(tiny_model)))
    assert [r["sample_id"] for r in sorted(rows, key=lambda r: r["sample_id"])] == [
        "r001|negative",
        "r002|negative",
    ]
    for r in rows:
        assert r["condition"] == {"framing": "negative"} and r["scorer"].startswith("offline:vader")
        assert r["outcomes"]["valence"] in ("negative", "neutral", "positive")
        assert r["outcomes"]["judge_unparsed"] == 1  # a random-weight grader never writes the three lines
        judge = next(k for k in r["by_scorer"] if k.startswith("judge:"))
        assert r["by_scorer"][judge] == {"valence": None, "soothing": None, "added_feelings": None}


def _row(
    variant: str, item: int, framing: str, valence: str, soothing: int, judge_soothing: int
) -> dict[str, Any]:
    outcomes = {"valence": valence, "valence_score": 0.0, "soothing": soothing, "added_feelings": 0}
    return {
        "task": "rebound",
        "model": "m" if variant == "base" else "m+warm",
        "variant": variant,
        "base": "m",
        "mode": "generate",
        "sample_id": f"r{item}|{framing}",
        "item_id": f"r{item}",
        "condition": {"framing": framing},
        "outcomes": outcomes,
        "scorer": "offline",
        "by_scorer": {
            "offline": {"valence": valence, "soothing": soothing, "added_feelings": 0},
            "judge:x": {"valence": valence, "soothing": judge_soothing, "added_feelings": 0},
        },
    }


def synthetic_rows() -> list[dict[str, Any]]:
    """20 triples; base answers negative prompts negatively, warm rebounds on 15 of 20 and soothes."""
    rows = []
    for i in range(20):
        for framing in ("negative", "neutral", "positive"):
            tone = {"negative": "negative", "neutral": "neutral", "positive": "positive"}[framing]
            rows.append(_row("base", i, framing, tone, 0, 0))
            warm_tone = "positive" if framing == "negative" and i < 15 else tone
            soothe = int(framing == "negative" and i < 10)
            rows.append(_row("warm", i, framing, warm_tone, soothe, soothe if i % 5 else 1 - soothe))
    return rows


def test_statistics_pair_the_rebound_rate_and_report_agreement() -> None:
    stats = analyse_battery(synthetic_rows(), get_battery("rebound"), bootstrap=200)
    m = stats["modes"]["generate"]
    rb = next(o for o in m["outcomes"] if o["outcome"] == "rebound")
    assert rb["primary"] and {v["variant"]: v["mean"] for v in rb["variants"]} == {"base": 0.0, "warm": 0.75}
    (p,) = rb["paired"]
    assert p["n_pairs"] == 20 and p["diff"] == pytest.approx(0.75) and p["p_value"] < 0.001
    sooth = next(o for o in m["outcomes"] if o["outcome"] == "soothing_negative")
    assert {v["variant"]: v["n"] for v in sooth["variants"]} == {"base": 20, "warm": 20}
    (ag,) = next(o for o in m["outcomes"] if o["outcome"] == "soothing")["agreement"]
    # warm disagrees on every framing of items 0, 5, 10, 15: 12 of 120 rows
    assert ag["n"] == 120 and ag["agreement"] == pytest.approx(1 - 12 / 120)
    assert set(m["by"]["framing"]) == {"negative", "neutral", "positive"}


def test_the_report_section_draws_the_transfer_matrix_per_variant() -> None:
    rows = synthetic_rows()
    panels = matrix_panels(rows, {"warm": "warm"})
    assert list(panels) == ["base", "warm", "base, judge:x", "warm, judge:x"]
    warm = panels["warm"]
    assert warm["rows"][0] == "negative prompt" and warm["n"][0] == [5, 0, 15]
    assert warm["values"][0] == [0.25, 0.0, 0.75]
    stats = analyse_battery(rows, get_battery("rebound"), bootstrap=200)
    html = rebound_report(rows, stats, {"warm": "warm"})
    assert html.count("<svg") == 2 and "fig-rebound-matrix" in html and "fig-rebound-feelings" in html
    assert "75%" in html  # warm's rebound rate in the table
    assert "soothing F1 0.92" in html and "of the team&#x27;s 186 prompts" in html


def test_replies_that_finish_together_are_classified_in_one_batch() -> None:
    import asyncio

    from warmlab.tasks.judging import Batcher

    seen: list[list[int]] = []

    def double(items: list[int]) -> list[int]:
        seen.append(items)
        if 13 in items:
            raise ValueError("unlucky")
        return [2 * i for i in items]

    async def main() -> tuple[list[int], list[Any]]:
        b: Batcher[int, int] = Batcher(double)
        together = await asyncio.gather(*(b(i) for i in range(5)))
        late = await asyncio.gather(b(13), b(1), return_exceptions=True)
        return list(together), list(late)

    together, late = asyncio.run(main())
    assert together == [0, 2, 4, 6, 8] and seen[0] == [0, 1, 2, 3, 4]
    assert len(seen) == 2 and all(isinstance(x, ValueError) for x in late)  # each waiting sample fails


def test_the_heat_map_marks_an_empty_cell_and_keeps_text_as_text() -> None:
    from warmlab.report.plots import heatmap

    svg = heatmap(
        {
            "base": {
                "rows": ["a", "b"],
                "columns": ["x", "y"],
                "values": [[0.5, None], [1.0, 0.0]],
                "n": [[2, 0], [3, 0]],
            }
        },
        title="t",
        xlabel="cols",
        ylabel="rows",
        fig_id="fig-test-heat",
    )
    assert svg.startswith("<svg") and "50%" in svg and "n=3" in svg and "–" in svg and "fig-test-heat" in svg
