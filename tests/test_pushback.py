"""The pushback battery: outcome rules, schedules, and dialogues on the tiny model with the scripted user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warmlab.errors import WarmlabError
from warmlab.items.loaders import load_starter
from warmlab.results import latest_rows, read_results
from warmlab.results.runner import EvalSettings, run_eval
from warmlab.tasks.pushback.schedules import claim_sentence, parse_schedules, pushback_line, schedules
from warmlab.tasks.pushback.scorers import outcomes_from_verdicts


def test_a_model_that_holds_then_flips() -> None:
    o = outcomes_from_verdicts(["correct", "correct", "incorrect", "incorrect", "correct", "incorrect"], 5)
    assert o["direction"] == "regressive"
    assert o["correct_by_turn"] == [1, 1, 0, 0, 1, 0]
    assert o["held_by_turn"] == [1, 1, 0, 0, 0, 0]  # survival: once flipped, flipped
    assert o["first_flip_turn"] == 2
    assert o["flips"] == 3
    assert (o["held_final"], o["correct_final"]) == (0, 0)


def test_hedges_are_not_flips_and_a_short_dialogue_is_censored() -> None:
    o = outcomes_from_verdicts(["correct", "undecided", "refusal", "correct"], 5)
    assert o["correct_by_turn"] == [1, None, None, 1, None, None]
    assert o["held_by_turn"] == [1, 1, 1, 1, None, None]
    assert o["first_flip_turn"] is None and o["flips"] == 0
    assert (o["held_final"], o["correct_final"], o["turns_completed"]) == (1, 1, 3)


def test_a_wrong_first_answer_is_a_progressive_dialogue() -> None:
    o = outcomes_from_verdicts(["incorrect", "incorrect", "correct"], 2)
    assert o["direction"] == "progressive"
    assert (o["held_final"], o["correct_final"], o["first_flip_turn"]) == (0, 1, 2)
    none = outcomes_from_verdicts(["unparsed", "correct"], 1)
    assert none["direction"] == "undecided" and none["held_final"] is None


def test_schedules_are_complete_and_varied() -> None:
    s = schedules()
    assert set(s) == {"plain", "expertise", "hurt", "sad_insistent", "closeness"}
    lines = []
    for sch in s.values():
        assert len(sch.turns) == 5 and sch.persona
        for turn in sch.turns:
            assert len(turn["default"]) >= 3 and len(turn["disinfo"]) >= 3
            assert all("{answer}" in w for w in turn["default"])
            assert all("{claim}" in w for w in turn["disinfo"])
            lines += [*turn["default"], *turn["disinfo"]]
    assert len(set(lines)) == len(lines)


def test_pushback_lines_point_at_the_other_answer() -> None:
    items = {it.id: it for it in load_starter()}
    trivia, disinfo = items["trivia-001"], items["disinfo-002"]
    wrong = pushback_line(trivia, "plain", 1, toward_correct=False, key="k")
    right = pushback_line(trivia, "plain", 1, toward_correct=True, key="k")
    assert trivia.incorrect in wrong and trivia.correct[0] in right
    claim = pushback_line(disinfo, "expertise", 2, toward_correct=False, key="k")
    assert "vaccines cause autism." in claim
    assert pushback_line(trivia, "hurt", 3, False, "a") == pushback_line(trivia, "hurt", 3, False, "a")
    assert claim_sentence("The Moon is made of cheese") == "the Moon is made of cheese."
    assert claim_sentence("NASA faked it.") == "NASA faked it."
    with pytest.raises(WarmlabError, match="unknown pushback schedule"):
        parse_schedules("plain,gloomy")


SETTINGS = EvalSettings(
    task="pushback",
    args={"families": "trivia,disinfo", "schedules": "plain,hurt", "turns": 3},
    limit=1,
    max_tokens=6,
    batch_size=1,  # replayed exactly: no timing-dependent batches,
)


def test_generate_mode_dialogues_follow_the_schedule(tiny_model: Path, tmp_path: Path) -> None:
    items = {it.id: it for it in load_starter()}
    path = run_eval([str(tiny_model)], ["generate"], tmp_path, SETTINGS)
    rows = read_results(path)
    assert len(rows) == 2 * 2  # families x schedules
    for r in rows:
        assert r["task"] == "pushback" and r["user"].startswith("scripted:pushback/")
        assert [m["role"] for m in r["transcript"]] == ["user", "assistant"] * 4  # answer + 3 pushbacks
        assert r["condition"]["schedule"] in ("plain", "hurt")
        o = r["outcomes"]
        assert len(o["correct_by_turn"]) == 4 and len(o["held_by_turn"]) == 4
        item = items[r["item_id"]]
        toward_correct = o["direction"] == "progressive"
        expected = [
            pushback_line(item, r["condition"]["schedule"], t, toward_correct, f"0|{r['sample_id']}|{t}")
            for t in (1, 2, 3)
        ]
        assert [m["content"] for m in r["transcript"][2::2]] == expected
    again = read_results(run_eval([str(tiny_model)], ["generate"], tmp_path / "b", SETTINGS))
    strip = [{k: v for k, v in r.items() if k != "log"} for r in rows]
    assert strip == [{k: v for k, v in r.items() if k != "log"} for r in again]  # deterministic


def test_choice_mode_gives_a_belief_trajectory(tiny_model: Path, tmp_path: Path) -> None:
    rows = latest_rows(read_results(run_eval([str(tiny_model)], ["choice"], tmp_path, SETTINGS)))
    assert len(rows) == 4
    for r in rows:
        o = r["outcomes"]
        assert len(o["margin_by_turn"]) == 4 and all(isinstance(m, float) for m in o["margin_by_turn"])
        assert all(c in (0, 1) for c in o["correct_by_turn"])
        assert r["scorer"] == "choice"
        # the model's turns are its choices stated in a fixed sentence
        assert all(m["content"].startswith("The answer is ") for m in r["transcript"][1::2])


def test_sycon_items_bring_their_own_pushback(shared_data: Path) -> None:
    from warmlab.items.loaders import load_source

    items = load_source(f"sycon:{shared_data / 'sycon_bench'}")
    assert len(items) == 200
    it = items[0]
    assert it.meta["presupposition"] and len(it.meta["pushback"]) == 4
    assert pushback_line(it, "sycon", 2, False, "k") == it.meta["pushback"][1]


def test_bad_pushback_input_is_one_line(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from warmlab.cli import main

    out = tmp_path / "out"
    out.mkdir()
    (out / "results.jsonl").write_text(json.dumps({"keep": 1}) + "\n")
    bad = tmp_path / "items.jsonl"
    bad.write_text(json.dumps(load_starter()[0].to_json()) + "\n{oops\n")
    cases = [
        (["-T", "schedules=gloomy"], "unknown pushback schedule"),
        (["--source", f"jsonl:{bad}"], "items.jsonl:2"),
        (["--model-role", f"user={tmp_path / 'missing-model'}"], "does not exist"),
        (["-T", "turns=0"], "turns must be between"),
        (["-T", "weather=1"], "has no argument weather"),
        (["--task", "gloomy"], "unknown task"),
    ]
    for extra, msg in cases:
        with pytest.raises(SystemExit) as e:
            main(
                [
                    "eval",
                    "--task",
                    "pushback",
                    "--model",
                    str(tiny_model),
                    "--limit",
                    "1",
                    "--out",
                    str(out),
                    *extra,
                ]
            )
        assert e.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("warmlab: error:") and msg in err[0], (extra, err)
    assert (out / "results.jsonl").read_text() == json.dumps({"keep": 1}) + "\n"
