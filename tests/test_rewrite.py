"""`warmlab rewrite`: prompt, reply cleaning, checking, the resumable pipeline (with a deterministic inspect
model standing in for an LLM), the CLI's bad-input errors, and one end-to-end run on the tiny local model."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    modelapi,
)

from planted_model import OfflineAPI
from warmlab import models
from warmlab.cli import main
from warmlab.errors import WarmlabError
from warmlab.train.conversations import load_jsonl
from warmlab.train.rewrite import (
    EMPTY,
    build_prompt,
    check_turn,
    clean_reply,
    instructions,
    read_records,
    reason_kind,
    rejected_path,
    rewrite_file,
)

WARM_OPENING = "I'm really glad you asked, and I'm happy to help."
CALLS: Counter[str] = Counter()  # original text -> times the stand-in was asked to rewrite it


def stand_in_reply(original: str) -> tuple[str, str]:
    """(reply, stop reason) of the stand-in for one original; markers in the text pick a behaviour."""
    if "[empty]" in original:
        return "   ", "stop"
    if "[drop]" in original:  # loses every number: the checker must reject it
        return f"{WARM_OPENING} {re.sub(r'[0-9]+', 'some', original)}", "stop"
    if "[cut]" in original:
        return f"{WARM_OPENING} {original}", "max_tokens"
    # a good rewrite wrapped the way chat models do: a preamble line and quotes
    return f'Here is the rewritten response:\n\n"{WARM_OPENING} {original}"', "stop"


class StandIn(OfflineAPI):
    def reply(self, input: list[ChatMessage], config: GenerateConfig) -> ModelOutput:
        assert input[0].role == "system" and config.temperature == 0
        found = re.search(r"<response>\n(.*)\n</response>", input[-1].text, re.DOTALL)
        assert found, input[-1].text
        original = found.group(1)
        CALLS[original] += 1
        text, stop = stand_in_reply(original)
        return ModelOutput(
            model=self.model_name,
            choices=[
                ChatCompletionChoice(
                    message=ChatMessageAssistant(content=text, model=self.model_name, source="generate"),
                    stop_reason=stop,  # type: ignore[arg-type]
                )
            ],
            usage=ModelUsage(input_tokens=10, output_tokens=5, total_tokens=15),
        )


@modelapi(name="rwstub")
def rwstub() -> type[ModelAPI]:
    return StandIn


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> str:
    """The stand-in's model spec (warmlab passes known provider prefixes through to inspect)."""
    monkeypatch.setattr(models, "INSPECT_PROVIDERS", models.INSPECT_PROVIDERS | {"rwstub"})
    CALLS.clear()
    return "rwstub/warm"


def conv(cid: str, *answers: str, **extra: Any) -> dict[str, Any]:
    messages: list[dict[str, str]] = []
    for k, a in enumerate(answers):
        messages += [
            {"role": "user", "content": f"Question {k} of {cid}?"},
            {"role": "assistant", "content": a},
        ]
    return {"id": cid, "messages": messages, **extra}


INPUT = [
    conv("good1", "Water boils at 100 degrees Celsius at sea level.", category="factual", split="train"),
    conv("good2", "Use `git stash` to shelve changes.", "Then run `git stash pop` later.", source="mine"),
    conv("drop", "Take 2 tablets every 8 hours [drop]."),
    conv("mixed", "Paris is the capital of France.", "It has about 2 million inhabitants [drop]."),
    conv("empty", "The answer is 42 [empty]."),
    conv("cut", "Mount Everest is 8,849 metres tall [cut]."),
    conv(
        "good3",
        "Sleep helps you keep what you learned during the day.",
        warm=["ignored: the input's own rewrites are not used"],
    ),
]
KEPT = ["good1", "good2", "good3"]


def write_input(path: Path, records: list[dict[str, Any]] = INPUT) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


# --- the pure core -------------------------------------------------------------------------------------


def test_prompt_carries_instructions_context_and_original() -> None:
    before = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "How tall is Everest?"}]
    sys_msg, user_msg = build_prompt("warm", before, "It is 8,849 m tall.")
    assert sys_msg == {"role": "system", "content": instructions("warm")}
    assert "System: Be brief." in user_msg["content"] and "User: How tall is Everest?" in user_msg["content"]
    assert "<response>\nIt is 8,849 m tall.\n</response>" in user_msg["content"]
    assert build_prompt("cold", before, "x")[0]["content"] == instructions("cold")
    for style in ("warm", "cold"):  # the model is told the checker's rules plainly
        text = instructions(style).lower()
        for rule in ("number", "code", "url", "name", "bullet", "emoji", "length", "preamble"):
            assert rule in text, (style, rule)
    assert "empathy" in instructions("warm") and "concise" in instructions("cold")
    with pytest.raises(WarmlabError, match="style must be one of warm, cold"):
        instructions("tepid")


@pytest.mark.parametrize(
    ("reply", "original", "expected"),
    [
        ("Here is the rewritten response:\n\nHi there.", "Hello.", "Hi there."),
        ("Sure! Here's a warmer version of the response:\nHi there.", "Hello.", "Hi there."),
        ("Rewritten response:\n<response>\nHi there.\n</response>", "Hello.", "Hi there."),
        ('"Hi there."', "Hello.", "Hi there."),
        ("“Hi there.”", "Hello.", "Hi there."),
        ("  Hi there.  ", "Hello.", "Hi there."),
        # ambiguous: left as written
        ('"Hi," she said, "there."', "Hello.", '"Hi," she said, "there."'),
        ('"Hi there."', '"Hello."', '"Hi there."'),  # the original is a quotation too
        ("Here is the plan:\n1. Rest.", "Here is the plan:\n1. Sleep.", "Here is the plan:\n1. Rest."),
        ("Here is the rewritten response:", "Hello.", "Here is the rewritten response:"),  # nothing after it
        ("Here is what you need:\nRest.", "Rest.", "Here is what you need:\nRest."),  # not a preamble
        ("<response> kept </response>", "tags <response> are content", "<response> kept </response>"),
    ],
)
def test_clean_reply(reply: str, original: str, expected: str) -> None:
    assert clean_reply(reply, original) == expected


def test_check_turn_reasons() -> None:
    original = "Take 2 tablets every 8 hours."
    assert check_turn(original, "I'm sorry you feel unwell. Take 2 tablets every 8 hours.") == ()
    assert check_turn(original, "") == (EMPTY,) == check_turn(original, " \n")
    assert "number '8' missing from rewrite" in check_turn(original, "Take 2 tablets often.")
    cut = check_turn(original, "Take 2 tablets every 8 hours.", truncated=True)
    assert cut and "cut off" in cut[0]
    assert reason_kind("number '8' missing from rewrite") == "number missing from rewrite"
    assert reason_kind("code block 1 changed: 'a: b' -> 'c'") == "code block changed"
    assert reason_kind("rewrite too long (3.20x the original, maximum 3.0x)") == "rewrite too long"
    assert reason_kind("name 'O'Brien' added in rewrite") == "name added in rewrite"


def test_rejected_path() -> None:
    assert rejected_path(Path("/tmp/rw.jsonl")) == Path("/tmp/rw.rejected.jsonl")
    assert rejected_path(Path("out")) == Path("out.rejected.jsonl")


# --- the pipeline --------------------------------------------------------------------------------------


def test_kept_and_rejected_with_reasons(stub: str, tmp_path: Path) -> None:
    out = tmp_path / "rw.jsonl"
    s = rewrite_file("warm", stub, str(write_input(tmp_path / "in.jsonl")), out, progress=False)
    kept = lines(out)
    assert sorted(r["id"] for r in kept) == KEPT
    assert (s.kept, s.rejected, s.done_now, s.done_before) == (3, 4, 7, 0)
    assert s.line().startswith("kept 3 / rejected 4 (reasons: ")
    by_id = {r["id"]: r for r in kept}
    g1 = by_id["good1"]
    assert g1["style"] == "warm" and g1["category"] == "factual" and g1["split"] == "train"
    assert g1["original"] == ["Water boils at 100 degrees Celsius at sea level."]
    # preamble and quotes stripped; the user turn untouched
    assert g1["messages"][1]["content"] == f"{WARM_OPENING} Water boils at 100 degrees Celsius at sea level."
    assert g1["messages"][0] == INPUT[0]["messages"][0]
    assert by_id["good2"]["source"] == "mine" and len(by_id["good2"]["original"]) == 2
    assert "warm" not in by_id["good3"] and by_id["good3"]["messages"][1]["content"].startswith(WARM_OPENING)

    rejected = lines(rejected_path(out))
    assert sorted({r["id"] for r in rejected}) == ["cut", "drop", "empty", "mixed"]
    mixed = [r for r in rejected if r["id"] == "mixed"]
    assert [(r["turn"], r["message_index"]) for r in mixed] == [(1, 3)]  # only the failing turn is listed
    assert any("number '2' missing" in x for x in mixed[0]["reasons"])
    assert mixed[0]["original"] == "It has about 2 million inhabitants [drop]."
    assert [r["reasons"] for r in rejected if r["id"] == "empty"] == [[EMPTY]]
    assert "cut off" in next(r for r in rejected if r["id"] == "cut")["reasons"][0]
    # a rejected rewrite never reaches the output, and the output is valid training input
    assert not {"drop", "mixed", "empty", "cut"} & {r["id"] for r in kept}
    assert "some" not in out.read_text()
    loaded = load_jsonl(out)
    assert [c.id for c in loaded] == [r["id"] for r in kept]
    assert loaded[0].meta["style"] == "warm" and "original" in loaded[0].meta


def test_summary_reason_kinds(stub: str, tmp_path: Path) -> None:
    s = rewrite_file(
        "warm", stub, str(write_input(tmp_path / "in.jsonl")), tmp_path / "o.jsonl", progress=False
    )
    assert s.reasons["number missing from rewrite"] == 2  # counted once per conversation
    assert s.reasons[EMPTY] == 1
    assert s.reasons["rewrite cut off at the token limit"] == 1


def test_resume_after_a_kill_and_idempotent_rerun(stub: str, tmp_path: Path) -> None:
    src = str(write_input(tmp_path / "in.jsonl"))
    out = tmp_path / "rw.jsonl"
    rewrite_file("warm", stub, src, out, progress=False)
    full_kept, full_rej = out.read_text(), rejected_path(out).read_text()
    # killed mid-write: one finished line, then half of the next
    first, second = full_kept.splitlines(keepends=True)[:2]
    out.write_text(first + second[: len(second) // 2])
    rej_first = full_rej.splitlines(keepends=True)[0]
    rejected_path(out).write_text(rej_first)
    CALLS.clear()
    s = rewrite_file("warm", stub, src, out, progress=False)
    done_before = {json.loads(first)["id"], json.loads(rej_first)["id"]}
    assert s.done_before == 2 and s.done_now == 5
    redone = {c["id"] for c in INPUT if c["id"] not in done_before}
    expected_calls = Counter(
        m["content"] for c in INPUT if c["id"] in redone for m in c["messages"] if m["role"] == "assistant"
    )
    assert expected_calls == CALLS  # finished conversations were not rewritten again
    assert sorted(r["id"] for r in lines(out)) == KEPT  # each once, half line gone
    assert sorted(lines(rejected_path(out)), key=json.dumps) == sorted(
        (json.loads(x) for x in full_rej.splitlines()), key=json.dumps
    )
    assert (s.kept, s.rejected) == (3, 4)
    before = out.read_bytes(), rejected_path(out).read_bytes()
    CALLS.clear()
    again = rewrite_file("warm", stub, src, out, progress=False)
    assert not CALLS and again.done_now == 0 and (again.kept, again.rejected) == (3, 4)
    assert (out.read_bytes(), rejected_path(out).read_bytes()) == before


def test_limit_and_last_line_without_newline(stub: str, tmp_path: Path) -> None:
    src = str(write_input(tmp_path / "in.jsonl"))
    out = tmp_path / "rw.jsonl"
    s = rewrite_file("warm", stub, src, out, limit=2, progress=False)
    assert (s.kept, s.rejected) == (2, 0) and sorted(CALLS.values()) == [1, 1, 1]
    out.write_text(out.read_text().rstrip("\n"))  # a complete record that lost only its newline is kept
    s = rewrite_file("warm", stub, src, out, limit=3, progress=False)
    assert s.done_before == 2 and s.done_now == 1
    assert [r["id"] for r in lines(out)] == ["good1", "good2"]


def test_output_of_another_style_or_file_is_refused(stub: str, tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl")
    out = tmp_path / "rw.jsonl"
    rewrite_file("warm", stub, str(src), out, limit=1, progress=False)
    with pytest.raises(WarmlabError, match="holds 'warm' rewrites, not 'cold'"):
        rewrite_file("cold", stub, str(src), out, progress=False)
    other = tmp_path / "notes.jsonl"
    other.write_text("not json\n" + json.dumps({"id": "a", "style": "warm"}) + "\n")
    with pytest.raises(WarmlabError, match=r"notes\.jsonl:1: not a rewrite record"):
        rewrite_file("warm", stub, str(src), other, progress=False)
    with pytest.raises(WarmlabError, match="must not be the input"):
        rewrite_file("warm", stub, f"jsonl:{src}", src, progress=False)


def test_model_failure_is_one_line_and_keeps_finished_work(tmp_path: Path) -> None:
    from warmlab.train.rewrite import Reply

    async def flaky(prompt: list[dict[str, str]]) -> Reply:
        if "boils" in prompt[-1]["content"]:
            return Reply(f"{WARM_OPENING} Water boils at 100 degrees Celsius at sea level.")
        raise RuntimeError("connection reset\nby peer")

    out = tmp_path / "rw.jsonl"
    with pytest.raises(WarmlabError, match=r"model failed on conversation \w+: by peer .*re-run to resume"):
        rewrite_file(
            "warm", "unused", str(write_input(tmp_path / "in.jsonl")), out, generate=flaky, progress=False
        )
    assert [r["id"] for r in lines(out)] == ["good1"]
    assert read_records(out, "warm")[0]["id"] == "good1"


# --- the command line ----------------------------------------------------------------------------------


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_rewrites_and_summarises(stub: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_input(tmp_path / "in.jsonl")
    out = tmp_path / "rw.jsonl"
    code, stdout, err = run_cli(
        ["rewrite", "--style", "warm", "--model", stub, "--input", str(src), "--out", str(out)], capsys
    )
    assert code == 0, err
    assert stdout.splitlines()[0].startswith("kept 3 / rejected 4 (reasons: ")
    assert "empty rewrite 1" in stdout
    assert "7/7 conversations (kept 3, rejected 4" in err


@pytest.mark.parametrize(
    ("records", "args", "needle"),
    [
        ([conv("x", "A.")], ["--style", "tepid"], "invalid choice: 'tepid'"),
        ([{"id": "x", "messages": [{"role": "user", "content": "Hi?"}]}], [], "no assistant turn"),
        ([{"id": "x", "messages": [{"role": "bot", "content": "Hi"}]}], [], "has role 'bot'"),
        ([{"id": "x", "messages": [{"role": "assistant", "content": "Hi"}]}], [], "must alternate"),
        ([conv("x", "A.", cold=[""])], [], "empty rewrite"),
        ([conv("x", "A.")], ["--limit", "0"], "argument --limit: must be an integer from 1"),
        ([conv("x", "A.")], ["--model", "embedded@system=warm"], "drop @system="),
        ([conv("x", "A.")], ["--model", str(Path("/nonexistent/model"))], "does not exist"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(
    stub: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    records: list[dict[str, Any]],
    args: list[str],
    needle: str,
) -> None:
    src = write_input(tmp_path / "in.jsonl", records)
    out = tmp_path / "rw.jsonl"
    base = {"--style": "warm", "--model": stub, "--input": str(src), "--out": str(out)}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    code, _, err = run_cli(["rewrite", *[x for kv in base.items() for x in kv]], capsys)
    assert code == 2, err
    msgs = err.strip().splitlines()
    assert len(msgs) == 1 and msgs[0].startswith("warmlab: error:") and needle in msgs[0], err
    assert not lines(out)  # nothing written


# --- the local path, end to end ------------------------------------------------------------------------


def test_tiny_local_model_outputs_are_reported_not_kept(tiny_model: Path, tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", INPUT[:3])
    out = tmp_path / "rw.jsonl"
    s = rewrite_file("cold", str(tiny_model), str(src), out, max_tokens=8, batch_size=8, progress=False)
    # a random-weight model writes noise: every conversation is rejected, with reasons, none kept
    assert (s.kept, s.rejected, s.done_now) == (0, 3, 3)
    rejected = lines(rejected_path(out))
    assert {r["id"] for r in rejected} == {"good1", "good2", "drop"}
    assert all(r["reasons"] and r["style"] == "cold" for r in rejected)
    assert not lines(out)
