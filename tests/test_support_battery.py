"""The support battery on the run path: profile selection, the scorer, dialogues with the scripted user
on the tiny model, an LLM user through the `user` role, statistics, the report section and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import ChatMessage, GenerateConfig, ModelAPI, get_model, modelapi

from planted_model import OfflineAPI
from support_profiles import bad_profile_files
from warmlab.errors import WarmlabError
from warmlab.results import latest_rows, read_results
from warmlab.results.runner import EvalSettings, run_eval
from warmlab.stats.outcomes import analyse_battery
from warmlab.tasks import get_battery
from warmlab.tasks.support.profiles import EMOTIONAL, INTENTION_KINDS, RATIONAL
from warmlab.tasks.support.scorers import dialogue_outcomes, user_turns
from warmlab.tasks.support.task import parse_kinds, select_profiles

WARM = "That sounds really hard. What happened next?"


class Canned(OfflineAPI):
    """Replies `reply(messages)`: a fixed assistant, or a simulated user following a script."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.script: list[str] = list(self.model_args.get("script") or [])
        self.calls = 0

    def reply(self, input: list[ChatMessage], config: GenerateConfig) -> str:
        self.calls += 1
        return self.script[(self.calls - 1) % len(self.script)] if self.script else WARM


@modelapi(name="supportcanned")
def supportcanned() -> type[ModelAPI]:
    return Canned


def _eval(task: Any, user: Any = None, tmp: Path | None = None, model: Any = None) -> list[Any]:
    import inspect_ai

    logs = inspect_ai.eval(
        task,
        model=model or get_model("supportcanned/assistant", memoize=False),
        model_roles={"user": user} if user is not None else None,
        log_dir=str(tmp) if tmp else None,
        display="none",
    )
    assert logs[0].status == "success", logs[0].error
    return list(logs[0].samples or [])


def test_kinds_and_profile_selection() -> None:
    assert parse_kinds("all") == INTENTION_KINDS
    assert parse_kinds("rational") == RATIONAL and parse_kinds(["emotional"]) == EMOTIONAL
    assert parse_kinds("vent, praise") == ("praise", "vent")
    with pytest.raises(WarmlabError, match="unknown intention kind 'cuddles'"):
        parse_kinds("vent,cuddles")
    test = select_profiles("builtin", "test", "all", None, 0)
    assert len(test) == 80 and {p.split for p in test} == {"test"}
    one = select_profiles("builtin", "test", "all", 1, 0)
    assert [p.intention_kind for p in one] == list(INTENTION_KINDS)  # balanced: one per kind
    three = select_profiles("builtin", "test", "all", 3, 0)
    assert {p.id for p in one} < {p.id for p in three}  # a larger slice extends a smaller one
    assert [p.id for p in select_profiles("builtin", "test", "all", 3, 1)] != [p.id for p in three]
    assert len(select_profiles("builtin", "all", "vent", None, 0)) == 20
    for bad, msg in (
        (("builtin", "dev", "all", None, 0), "split"),
        (("builtin", "test", "all", 0, 0), "limit"),
    ):
        with pytest.raises(WarmlabError, match=msg):
            select_profiles(*bad)


def _dialogue(emotions: list[float], stop: str = "user_ended", failure: str | None = None) -> dict[str, Any]:
    turns = [
        {
            "turn": i + 1,
            "text": "ok",
            "end": False,
            "emotion": e,
            "change": 3.0,
            "features": ["reflects_feeling"],
        }
        for i, e in enumerate(emotions)
    ]
    if turns and stop != "user_failed":
        turns[-1].update(end=True, stop="max_turns")
    return {"user_turns": turns, "stop": stop, "failure": failure, "user": "scripted:support"}


def test_scorer_outcomes_and_failures() -> None:
    o = dialogue_outcomes(_dialogue([43.0, 46.0, 49.0]), 3)
    assert o["final_emotion"] == 49.0 and o["emotion_by_turn"] == [43.0, 46.0, 49.0]
    assert (o["success"], o["failure"], o["turns_used"], o["stop"]) == (0, 0, 3, "max_turns")
    assert "user_failure" not in o
    # the simulator failed on turn 2: that turn is never scored, nor is the dialogue
    failed = _dialogue([43.0, 50.0], stop="user_failed", failure="reply after 3 tries: empty message")
    ut = user_turns(failed)
    assert ut[0].failed is None and ut[1].failed is not None
    o = dialogue_outcomes(failed, 3)
    assert o["final_emotion"] is None and o["success"] is None and o["simulator_failed"] == 1
    assert o["emotion_by_turn"] == [43.0, None, None] and o["stop"] == "user_failed"
    assert o["user_failure"].startswith("reply after")
    sat = _dialogue([100.0])
    sat["user_turns"][-1]["stop"] = "satisfied"
    assert dialogue_outcomes(sat, 10)["success"] == 1 and dialogue_outcomes(sat, 10)["stop"] == "satisfied"


# batch_size 1: which dialogues share a generation batch depends on timing, and left padding changes a random
# tiny model's near-tied greedy choices; one at a time, two runs must match exactly.
SETTINGS = EvalSettings(
    task="support", args={"turns": 3, "kinds": "vent,analyse_problem"}, limit=2, max_tokens=8, batch_size=1
)


def test_dialogues_on_the_tiny_model(tiny_model: Path, tmp_path: Path) -> None:
    rows = latest_rows(read_results(run_eval([str(tiny_model)], ["generate"], tmp_path, SETTINGS)))
    assert len(rows) == 4  # 2 kinds x 2 profiles
    for r in rows:
        assert r["task"] == "support" and r["item_id"] == r["sample_id"]
        assert r["user"] == "scripted:support" and r["scorer"] == "user:scripted:support"
        assert r["condition"]["intention"] in ("vent", "analyse_problem")
        assert r["condition"]["group"] == (
            "emotional" if r["condition"]["intention"] == "vent" else "rational"
        )
        o = r["outcomes"]
        assert len(o["emotion_by_turn"]) == 3 and o["simulator_failed"] == 0
        n = o["turns_used"]
        # every assistant turn is judged, the last one too; the transcript is in the row
        assert [m["role"] for m in r["transcript"][: 2 * n]] == ["user", "assistant"] * n
        assert o["final_emotion"] == o["emotion_by_turn"][n - 1]
        assert r["rationale"].count("turn ") == n
    again = latest_rows(read_results(run_eval([str(tiny_model)], ["generate"], tmp_path / "b", SETTINGS)))
    strip = [{k: v for k, v in r.items() if k != "log"} for r in rows]
    assert strip == [{k: v for k, v in r.items() if k != "log"} for r in again]  # deterministic


def test_warm_replies_raise_the_scripted_users_emotion(tmp_path: Path) -> None:
    from warmlab.tasks.support import support

    [s] = _eval(support(kinds="vent", limit=1, turns=4), tmp=tmp_path)
    o = s.scores["support_scorer"].metadata["outcomes"]
    # the same warm reply every turn: +10 the first time (reflects, invites more, fits venting), then the
    # user notices the repetition (-3 a turn): the last assistant turn is judged too
    assert o["emotion_by_turn"] == [50.0, 47.0, 44.0, 41.0] and o["stop"] == "max_turns"
    assert [m.role for m in s.messages].count("assistant") == 4
    varied = [WARM, "I'm here. No wonder you feel drained.", "That's so unfair. Take your time."]
    assistant = get_model("supportcanned/assistant", memoize=False, script=varied)
    [s] = _eval(support(kinds="vent", limit=1, turns=3), tmp=tmp_path, model=assistant)
    o = s.scores["support_scorer"].metadata["outcomes"]
    assert o["emotion_by_turn"][0] == 50.0 and o["emotion_by_turn"][1] > 50.0 and o["emotion_by_turn"][2] > 50


def test_the_user_never_sees_the_assistants_thinking() -> None:
    import asyncio

    from warmlab.tasks.support.task import VisibleOnly

    seen: list[list[dict[str, str]]] = []

    class Echo:
        name, scripted = "echo", True

        async def reply(self, conversation: list[dict[str, str]], turn: int) -> Any:
            seen.append(conversation)
            return None

    conv = [
        {"role": "user", "content": "<think>not mine</think> hi"},
        {"role": "assistant", "content": "<think>they want praise</think>Well done!"},
        {"role": "user", "content": "thanks"},
        {"role": "assistant", "content": "Go on. <think>unclosed, hidden"},
    ]
    user = VisibleOnly(Echo())
    asyncio.run(user.reply(conv, 2))
    assert [m["content"] for m in seen[0]] == ["<think>not mine</think> hi", "Well done!", "thanks", "Go on."]
    assert user.name == "echo" and user.scripted


def test_an_llm_user_through_the_user_role(tmp_path: Path) -> None:
    from warmlab.tasks.support import support

    script = ["REASONING: they listen\nCHANGE: +6", "Yeah. It's been a lot.", "REASONING: good\nCHANGE: +8"]
    user = get_model("supportcanned/user", memoize=False, script=script)
    [s] = _eval(support(kinds="vent", limit=1, turns=2), user=user, tmp=tmp_path)
    score = s.scores["support_scorer"]
    assert score.metadata["user"] == "llm:supportcanned/user"
    assert score.metadata["outcomes"]["emotion_by_turn"] == [46.0, 54.0]
    assert s.messages[2].text == "Yeah. It's been a lot."
    assert "they listen" in score.explanation


def test_a_failing_llm_user_is_recorded_not_scored(tiny_model: Path, tmp_path: Path) -> None:
    settings = EvalSettings(task="support", args={"turns": 2, "kinds": "praise"}, limit=1, max_tokens=4)
    path = run_eval([str(tiny_model)], ["generate"], tmp_path, settings, user=str(tiny_model))
    [r] = read_results(path)
    o = r["outcomes"]  # the random model cannot write "REASONING: ... CHANGE: ..."
    assert o["simulator_failed"] == 1 and o["final_emotion"] is None and o["stop"] == "user_failed"
    assert r["user"].startswith("llm:warmlab/") and "user simulator failed" in r["rationale"]
    st = analyse_battery([r], get_battery("support"), bootstrap=0)
    assert any("user simulator failed" in w for w in st["warnings"])
    final = st["modes"]["generate"]["outcomes"][0]
    assert final["outcome"] == "final_emotion" and final["variants"][0]["n"] == 0


def _row(variant: str, pid: str, kind: str, final: float, stop: str = "max_turns") -> dict[str, Any]:
    group = "rational" if kind in RATIONAL else "emotional"
    return {
        "task": "support",
        "model": "m+" + variant if variant != "base" else "m",
        "variant": variant,
        "base": "m",
        "mode": "generate",
        "sample_id": pid,
        "item_id": pid,
        "condition": {"intention": kind, "group": group},
        "outcomes": dialogue_outcomes(_dialogue([final]), 1) | {"stop": stop},
        "scorer": "user:scripted:support",
        "user": "scripted:support",
    }


def test_statistics_and_the_report_section() -> None:
    from warmlab.tasks.support.report import support_report

    rows = []
    for i, kind in enumerate(INTENTION_KINDS * 2):
        rows.append(_row("base", f"p{i}", kind, 40.0 + i % 3))
        rows.append(_row("rl", f"p{i}", kind, 50.0 + i % 4, "satisfied" if i == 0 else "max_turns"))
    st = analyse_battery(rows, get_battery("support"), bootstrap=200)
    assert st["scripted_user"] is True
    by = st["modes"]["generate"]["by"]
    assert set(by["group"]) == {"rational", "emotional"} and len(by["intention"]) == 8
    final = next(o for o in st["modes"]["generate"]["outcomes"] if o["outcome"] == "final_emotion")
    [pair] = final["paired"]
    assert pair["n_pairs"] == 16 and pair["diff"] > 0 and pair["ci"][0] > 0
    html = support_report(rows, st, {"base": "base", "rl": "rl"})
    assert "Scripted stand-in" in html and "The RL variant(s) rl" in html
    assert "final emotion by intention group" in html and "emotional" in html and "not_to_blame" in html
    assert "<td>rl</td><td>16</td><td>1</td>" in html  # 16 dialogues, one satisfied


def test_bad_support_input_is_one_line(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from warmlab.cli import main

    out = tmp_path / "out"
    out.mkdir()
    (out / "results.jsonl").write_text(json.dumps({"keep": 1}) + "\n")
    bad_line, kind = bad_profile_files(tmp_path, "test")
    cases = [
        (["-T", f"profiles={bad_line}"], "bad.jsonl:2: invalid JSON"),
        (["-T", f"profiles={kind}"], "kind.jsonl:1: unknown intention kind 'cuddles'"),
        (["-T", "kinds=cuddles"], "unknown intention kind 'cuddles'"),
        (["-T", "turns=0"], "turns must be between"),
        (["--model-role", f"user={tmp_path / 'missing-model'}"], "does not exist"),
    ]
    for extra, msg in cases:
        with pytest.raises(SystemExit) as e:
            main(["eval", "--task", "support", "--model", str(tiny_model), "--out", str(out), *extra])
        assert e.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and msg in err[0], err
    assert (out / "results.jsonl").read_text() == json.dumps({"keep": 1}) + "\n"
