"""The grounding and therapist batteries on the run path: planted replies give known rows (offline and
judge), the tiny model's rows carry every declared outcome, the statistics read the judge's copy of the
key figure, the report sections draw their figures beside human baselines, and bad input is one line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import inspect_ai
import pytest
from inspect_ai.model import Model, ModelOutput, ModelUsage, get_model

from warmlab.classifiers.talk import BEHAVIOURS
from warmlab.errors import WarmlabError
from warmlab.results import latest_rows, read_results
from warmlab.results.recorder import Sink, recording
from warmlab.results.runner import EvalSettings, run_eval
from warmlab.stats.outcomes import analyse_battery
from warmlab.tasks import get_battery
from warmlab.tasks.grounding import grounding
from warmlab.tasks.grounding.outcomes import grounding_outcomes
from warmlab.tasks.human import NOT_COMPUTED
from warmlab.tasks.judging import Batcher
from warmlab.tasks.replies import in_turn, pick
from warmlab.tasks.therapist import therapist, unasked
from warmlab.tasks.therapist.items import load_disclosures
from warmlab.tasks.therapist.outcomes import therapist_outcomes

# Replies written for these tests: one asks and acknowledges, one gives advice and asks a question.
GROUNDS = "I'm so sorry that happened. Do you mean the flat on Kirby Street? What did the landlord say?"
ADVISES = "You could try writing the deadlines on one list tonight. Have you told your manager yet?"


def planted(text: str, n: int = 64) -> Model:
    """A mock model that always answers `text` (usage set: mockllm would count tokens online otherwise)."""
    outs = []
    for _ in range(n):
        o = ModelOutput.from_content("mockllm/model", text)
        o.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
        outs.append(o)
    return get_model("mockllm/model", custom_outputs=outs, memoize=False)


def run_planted(task: Any, reply: str, out: Path, judge: str | None = None) -> list[dict[str, Any]]:
    name = task.name.removeprefix("warmlab-")
    sink = Sink(out / "results.jsonl", name, "mock", "base", "generate", "mock")
    roles = {"grader": planted(judge)} if judge is not None else None
    with recording(sink):
        inspect_ai.eval(
            task,
            model=planted(reply),
            model_roles=roles,
            display="none",
            log_dir=str(out / "logs"),
            log_realtime=False,
        )
    return read_results(out / "results.jsonl")


def test_batteries_are_registered_with_their_key_outcomes() -> None:
    g, t = get_battery("grounding"), get_battery("therapist")
    assert next(o for o in g.outcomes if o.primary).id == "any_grounding"
    key = next(o for o in t.outcomes if o.primary)
    assert key.id == "problem_solving_unasked" and key.better == "lower" and key.subset is unasked
    assert {"baselines", "baseline_limit"} <= set(g.arguments()) & set(t.arguments())
    assert g.breakdown == ("kind", "task") and t.breakdown == ("asks_advice", "valence")
    # the key figure's denominator: negative feelings shared without asking for advice
    rows = [{"condition": d.condition} for d in load_disclosures()]
    assert sum(unasked(r) for r in rows) == 117


def test_in_turn_and_pick() -> None:
    items = [("a", 1), ("a", 2), ("a", 3), ("b", 4), ("c", 5), ("c", 6)]
    assert in_turn(items, lambda x: x[0], 4) == [("a", 1), ("a", 2), ("b", 4), ("c", 5)]
    assert in_turn(items, lambda x: x[0], None) == items
    with pytest.raises(WarmlabError, match="limit must be at least 1"):
        in_turn(items, lambda x: x[0], 0)
    assert pick("all", ("x", "y"), "kind") == ["x", "y"]
    assert pick("y, x", ("x", "y"), "kind") == ["y", "x"]
    with pytest.raises(WarmlabError, match="unknown kind gloomy"):
        pick("x,gloomy", ("x", "y"), "kind")


def test_batcher_runs_replies_that_arrive_together_as_one_batch() -> None:
    seen: list[list[str]] = []

    def upper(texts: list[str]) -> list[str]:
        seen.append(texts)
        return [t.upper() for t in texts]

    async def main() -> list[str]:
        b = Batcher(upper)
        out = await asyncio.gather(*(b(t) for t in ("a", "b", "c")))
        out.append(await b("d"))  # after the first batch: a batch of its own
        return list(out)

    assert asyncio.run(main()) == ["A", "B", "C", "D"]
    assert seen == [["a", "b", "c"], ["d"]]

    def broken(texts: list[str]) -> list[str]:
        raise WarmlabError("classifier weights missing")

    async def fails() -> None:
        b = Batcher(broken)
        await asyncio.gather(b("a"), b("b"))

    with pytest.raises(WarmlabError, match="weights missing"):
        asyncio.run(fails())


def test_a_planted_reply_gives_known_grounding_rows(tmp_path: Path) -> None:
    judge = "Two acts here.\nCOUNTS: clarification=1 acknowledgement=1 follow_up=0"
    rows = run_planted(grounding(limit=3), GROUNDS, tmp_path, judge=judge)
    assert len(rows) == 3 and {r["condition"]["kind"] for r in rows} == {
        "ambiguous",
        "emotional",
        "assumption",
    }
    expected = grounding_outcomes(GROUNDS)
    assert expected["any_clarification"] == 1 and expected["questions"] == 2 and expected["sentences"] == 3
    for r in rows:
        assert r["outcomes"] == {**expected, "judge_unparsed": 0}
        assert r["scorer"].startswith("offline:grounding-acts")
        (jname,) = [k for k in r["by_scorer"] if k.startswith("judge:")]
        assert r["by_scorer"][jname] == {
            "clarifications": 1,
            "acknowledgements": 1,
            "follow_ups": 0,
            "grounding_acts": 2,
            "any_clarification": 1,
            "any_acknowledgement": 1,
            "any_follow_up": 0,
            "any_grounding": 1,
        }
        assert "reference" not in r  # no baselines asked for


def test_a_planted_reply_gives_known_therapist_rows(tmp_path: Path) -> None:
    rows = run_planted(
        therapist(limit=4), ADVISES, tmp_path / "a", judge="BEHAVIOURS: problem-solving, questions"
    )
    expected = therapist_outcomes(ADVISES)
    assert expected["problem_solving"] == 1 and expected["questions"] == 1
    for r in rows:
        assert r["outcomes"] == {**expected, "judge_unparsed": 0}
        (judged,) = [v for k, v in r["by_scorer"].items() if k.startswith("judge:")]
        assert judged == {
            **dict.fromkeys(BEHAVIOURS, 0),
            "problem_solving": 1,
            "questions": 1,
            "any_reflection": 0,
        }
    # a judge that names no list is unparsed: counted, its labels never guessed
    rows = run_planted(therapist(limit=2), ADVISES, tmp_path / "b", judge="I think it is fine advice.")
    for r in rows:
        assert r["outcomes"]["judge_unparsed"] == 1
        (judged,) = [v for k, v in r["by_scorer"].items() if k.startswith("judge:")]
        assert set(judged) == {*BEHAVIOURS, "any_reflection"} and set(judged.values()) == {None}


def test_tiny_model_rows_carry_every_declared_outcome(tiny_model: Path, tmp_path: Path) -> None:
    for name in ("grounding", "therapist"):
        settings = EvalSettings(task=name, limit=3, max_tokens=6, batch_size=4)
        rows = latest_rows(
            read_results(
                run_eval(
                    [str(tiny_model), f"{tiny_model}@system=warm"], ["generate"], tmp_path / name, settings
                )
            )
        )
        assert len(rows) == 6 and {r["variant"] for r in rows} == {"base", "system=warm"}
        declared = {o.name for o in get_battery(name).outcomes if not o.scorer and o.name != "judge_unparsed"}
        for r in rows:
            assert declared <= set(r["outcomes"]), declared - set(r["outcomes"])
            assert isinstance(r["item_id"], str) and r["condition"]
        stats = analyse_battery(rows, get_battery(name), bootstrap=50)
        primary = next(o for o in stats["modes"]["generate"]["outcomes"] if o["primary"])
        assert primary["paired"] and primary["paired"][0]["variant"] == "system=warm"


def _rows(judge: bool) -> list[dict[str, Any]]:
    """Therapist rows for base and warm on every disclosure: warm problem-solves on even ids, base never;
    the judge agrees except on one disclosure in five."""
    out = []
    for variant, model in (("base", "m"), ("warm", "m+w")):
        for i, d in enumerate(load_disclosures()):
            offline = {b: 0 for b in BEHAVIOURS} | {"any_reflection": 0}
            offline["problem_solving"] = int(variant == "warm" and i % 2 == 0)
            row: dict[str, Any] = {
                "task": "therapist",
                "model": model,
                "variant": variant,
                "base": "m",
                "mode": "generate",
                "sample_id": d.id,
                "item_id": d.id,
                "condition": d.condition,
                "outcomes": offline,
                "scorer": "offline",
            }
            if judge:
                judged = dict(offline)
                judged["problem_solving"] = (
                    1 - offline["problem_solving"] if i % 5 == 0 else offline["problem_solving"]
                )
                row["by_scorer"] = {"offline": offline, "judge:m": judged}
                row["outcomes"] = {**offline, "judge_unparsed": 0}
            out.append(row)
    return out


def _entry(stats: dict[str, Any], oid: str) -> dict[str, Any]:
    return next(o for o in stats["modes"]["generate"]["outcomes"] if o["outcome"] == oid)


def test_statistics_read_the_judges_copy_of_the_key_figure() -> None:
    from warmlab.report.batteries import battery_section

    rows = _rows(judge=True)
    stats = analyse_battery(rows, get_battery("therapist"), bootstrap=100)
    key, judged = _entry(stats, "problem_solving_unasked"), _entry(stats, "problem_solving_unasked_judge")
    warm = [r for r in rows if r["variant"] == "warm" and unasked(r)]
    assert key["variants"][1]["n"] == judged["variants"][1]["n"] == len(warm) == 117
    assert key["variants"][1]["mean"] == pytest.approx(
        sum(r["outcomes"]["problem_solving"] for r in warm) / 117
    )
    assert judged["variants"][1]["mean"] == pytest.approx(
        sum(r["by_scorer"]["judge:m"]["problem_solving"] for r in warm) / 117
    )
    assert judged["paired"][0]["n_pairs"] == 117 and judged["agreement"] == []
    (ag,) = key["agreement"]
    assert ag["scorers"] == ["judge:m", "offline"] and ag["n"] == 2 * 117 and 0.7 < ag["agreement"] < 0.9
    assert "problem_solving_unasked_judge" in battery_section(stats, {})
    # without a judge the judge's copy has no values and its table is left out
    bare = analyse_battery(_rows(judge=False), get_battery("therapist"), bootstrap=100)
    assert _entry(bare, "problem_solving_unasked_judge")["variants"][0]["n"] == 0
    assert "problem_solving_unasked_judge" not in battery_section(bare, {})


GROUNDING_REF = {
    "source": "/data",
    "limit": 50,
    "annomi": {
        "high": {
            "n": 50,
            "any_clarification": 0.1,
            "any_acknowledgement": 0.4,
            "any_follow_up": 0.2,
            "any_grounding": 0.6,
        },
        "low": {
            "n": 50,
            "any_clarification": 0.2,
            "any_acknowledgement": 0.3,
            "any_follow_up": 0.2,
            "any_grounding": 0.5,
        },
    },
    "oasst": {
        "all": {
            "n": 50,
            "any_clarification": 0.1,
            "any_acknowledgement": 0.2,
            "any_follow_up": 0.05,
            "any_grounding": 0.3,
        }
    },
}


def test_report_sections_draw_figures_beside_the_human_baselines() -> None:
    g = get_battery("grounding")
    rows = []
    for variant, model in (("base", "m"), ("warm", "m+w")):
        for i in range(12):
            kind = ("ambiguous", "emotional", "assumption")[i % 3]
            acts = {
                "clarification": int(i % 2 == 0),
                "acknowledgement": int(variant == "warm"),
                "follow_up": 0,
            }
            outs = {f"any_{k}": v for k, v in acts.items()} | {"any_grounding": int(any(acts.values()))}
            outs |= {"clarifications": acts["clarification"], "acknowledgements": acts["acknowledgement"]}
            outs |= {"follow_ups": 0, "grounding_acts": sum(acts.values())}
            rows.append(
                {
                    "task": "grounding",
                    "model": model,
                    "variant": variant,
                    "base": "m",
                    "mode": "generate",
                    "sample_id": f"o{i}",
                    "item_id": f"o{i}",
                    "condition": {"kind": kind, "task": "no" if kind == "emotional" else "yes"},
                    "outcomes": outs,
                    "scorer": "offline",
                    "reference": GROUNDING_REF,
                }
            )
    stats = analyse_battery(rows, g, bootstrap=50)
    assert g.report is not None
    html = g.report(rows, stats, {"warm": "warm"})
    assert 'id="fig-grounding-acts"' in html and "<svg" in html
    assert "AnnoMI counsellors, high quality (n=50)" in html and "OpenAssistant human replies (n=50)" in html
    # warm acknowledges on every emotional opening; AnnoMI's high-quality counsellors in 40% of turns
    assert "100.0% / 40.0% = 2.50" in html
    bare = [{k: v for k, v in r.items() if k != "reference"} for r in rows]
    html = g.report(bare, stats, {})
    assert NOT_COMPUTED in html and "AnnoMI counsellors" not in html and "<svg" in html
    gone = [{**r, "reference": {"source": "/x", "missing": "/x not found"}} for r in bare]
    assert "not computed: /x not found" in g.report(gone, stats, {})

    t = get_battery("therapist")
    rows = _rows(judge=True)
    ref = {
        "source": "/data",
        "limit": None,
        "behaviours": {q: {"n": 9, **dict.fromkeys(BEHAVIOURS, 0.1)} for q in ("high", "low")},
        "labels": {
            q: {"n": 9, "reflection": 0.3, "question": 0.3, "therapist_input": 0.1, "other": 0.3}
            for q in ("high", "low")
        },
    }
    for r in rows:
        r["reference"] = ref
    assert t.report is not None
    html = t.report(rows, analyse_battery(rows, t, bootstrap=50), {"warm": "warm"})
    assert all(f'id="fig-therapist-{n}"' in html for n in ("key", "reflections", "other"))
    assert "no advice asked (key)" in html
    assert "Cohen&#x27;s kappa" in html and "F1 0.57" in html  # agreement, and the offline accuracy beside it
    assert "AnnoMI counsellors, low quality (n=9)" in html and "30.0%" in html


def _tiny_shared_data(root: Path) -> Path:
    """A made-up shared-data folder in the upstream formats (two sessions, one reply tree)."""
    (root / "annomi").mkdir(parents=True)
    lines = ["transcript_id,mi_quality,topic,interlocutor,utterance_text,main_therapist_behaviour"]
    turns = [
        ("1", "high", "therapist", "It sounds like the week has worn you down.", "reflection"),
        ("1", "high", "client", "Yeah, it has.", "n/a"),
        ("1", "high", "therapist", "What would make Monday easier?", "question"),
        ("2", "low", "therapist", "You should stop drinking coffee after noon.", "therapist_input"),
        ("2", "low", "therapist", "Okay.", "other"),
    ]
    lines += [f"{t},{q},sleep,{who},{text},{lab}" for t, q, who, text, lab in turns]
    (root / "annomi" / "AnnoMI-simple.csv").write_text("\n".join(lines) + "\n")
    (root / "oasst_sample").mkdir()
    reply = {
        "role": "assistant",
        "text": "Which version of the app do you have?",
        "synthetic": False,
        "replies": [],
    }
    tree = {
        "message_tree_id": "t1",
        "prompt": {"role": "prompter", "text": "My app crashes.", "replies": [reply]},
    }
    (root / "oasst_sample" / "en_100_tree.jsonl").write_text(json.dumps(tree) + "\n")
    return root


def test_human_baselines_are_computed_once_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warmlab.tasks.grounding import baselines as gb
    from warmlab.tasks.therapist import baselines as tb

    monkeypatch.setenv("WARMLAB_CACHE", str(tmp_path / "cache"))
    data = _tiny_shared_data(tmp_path / "data")
    gb.human_reference.cache_clear()
    ref = gb.human_reference(str(data), 0)
    assert ref is not None and ref["limit"] is None
    assert (
        ref["annomi"]["high"]["n"] == 2 and ref["annomi"]["low"]["n"] == 2 and ref["oasst"]["all"]["n"] == 1
    )
    assert ref["oasst"]["all"]["any_clarification"] == 1.0  # "Which version ... do you have?"
    assert len(list((tmp_path / "cache" / "baselines").glob("grounding-*.json"))) == 2

    def no_second_time(*a: Any, **k: Any) -> Any:
        raise AssertionError("computed again")

    monkeypatch.setattr(gb, "annomi_grounding", no_second_time)
    monkeypatch.setattr(gb, "oasst_grounding", no_second_time)
    gb.human_reference.cache_clear()
    assert gb.human_reference(str(data), 0) == ref  # read from the disk cache
    tb.human_reference.cache_clear()
    t = tb.human_reference(str(data), 0)
    assert t is not None and t["labels"]["high"]["reflection"] == 0.5 and t["behaviours"]["low"]["n"] == 2
    assert gb.human_reference(None, 0) is None
    # a path that does not exist (a shipped config on a machine without the data) is noted, not an error
    gone = tb.human_reference(str(tmp_path / "nowhere"), 0)
    assert gone == {"source": str(tmp_path / "nowhere"), "missing": f"{tmp_path / 'nowhere'} not found"}


def test_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from warmlab.cli import main

    bad = tmp_path / "openings.jsonl"
    bad.write_text(
        json.dumps({"id": "x1", "kind": "ambiguous", "task": True, "text": "Fix it."}) + "\n{oops\n"
    )
    (tmp_path / "empty").mkdir()
    cases = [
        ("grounding", ["-T", "kinds=gloomy"], "unknown kind gloomy"),
        ("grounding", ["-T", f"openings={bad}"], "openings.jsonl:2"),
        ("therapist", ["-T", f"baselines={tmp_path / 'empty'}"], "AnnoMI-simple.csv not found"),
        ("therapist", ["-T", "asks_advice=maybe"], "unknown asks_advice value maybe"),
        ("therapist", ["-T", "baseline_limit=-1"], "baseline_limit must be 0"),
        ("therapist", ["--mode", "choice"], "no mode 'choice'"),
    ]
    for task, extra, msg in cases:
        with pytest.raises(SystemExit) as e:
            main(["eval", "--task", task, "--model", "mockllm/model", "--out", str(tmp_path / "o"), *extra])
        assert e.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("warmlab: error:") and msg in err[0], (extra, err)
