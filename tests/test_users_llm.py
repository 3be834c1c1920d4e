"""Simulated users: the generic LLM user (parsing, retries, failure, ending) and the boundaries users
(scripted replay, the persona prompt)."""

from __future__ import annotations

import asyncio

import pytest

from boundaries_helpers import canned_model, scenario
from warmlab.solvers.users import SimulatedUser
from warmlab.solvers.users.llm import START_CUE, LLMUser, ParsedUser, parse_user_reply
from warmlab.tasks.boundaries.prompts import user_prompt
from warmlab.tasks.boundaries.scenarios import load_scenarios
from warmlab.tasks.boundaries.users import ScriptedBoundaryUser, llm_boundary_user

CONV = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello! How are you?"}]


@pytest.mark.parametrize(
    ("raw", "text", "end"),
    [
        ("not great tbh", "not great tbh", False),
        ('"not great tbh"', "not great tbh", False),
        ("User: not great", "not great", False),
        ("**Me:** not great", "not great", False),
        ("<think>be sad</think>\nnot great", "not great", False),
        ("ok thanks, bye [END]", "ok thanks, bye", True),
        ("ok bye <end conversation>", "ok bye", True),
        ("[END]", "", True),
        ("not great\nAssistant: I'm sorry to hear that.", "not great", False),
        ("```\nnot great\n```", "not great", False),
        ("i'm an ai researcher actually", "i'm an ai researcher actually", False),
    ],
)
def test_parse_user_reply(raw: str, text: str, end: bool) -> None:
    assert parse_user_reply(raw) == ParsedUser(text, end)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "empty message"),
        ("   ", "empty message"),
        ("As an AI, I can't pretend to be sad.", "broke character"),
        ("I can't continue this roleplay.", "broke character"),
        ("<think>hmm, the user", "unfinished <think>"),
        ("x" * 2000, "2000 characters"),
    ],
)
def test_parse_user_reply_rejects(raw: str, why: str) -> None:
    got = parse_user_reply(raw)
    assert isinstance(got, str) and why in got


def test_llm_user_swaps_roles_and_retries() -> None:
    model, api = canned_model("", "As an AI, I must decline.", "meh. long day")
    user = LLMUser(model, lambda t, c: f"You are Sam. Message {t}.", retries=2)
    assert isinstance(user, SimulatedUser) and not user.scripted and user.name == "llm:bcanned/stand-in"
    turn = asyncio.run(user.reply(CONV, 1))
    assert (
        turn.text == "meh. long day" and not turn.end and turn.failed is None and turn.data["attempts"] == 3
    )
    sent = api.seen[0]
    assert [m.role for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[0].text == "You are Sam. Message 2." and sent[1].text == START_CUE
    assert sent[2].text == "hi" and sent[3].text == "Hello! How are you?"


def test_llm_user_fails_after_retries() -> None:
    model, api = canned_model("", "", "")
    turn = asyncio.run(LLMUser(model, "be Sam", retries=2).reply(CONV, 1))
    assert turn.failed is not None and "after 3 tries: empty message" in turn.failed and turn.text == ""
    assert len(api.seen) == 3


def test_llm_user_ends() -> None:
    model, api = canned_model("thanks, that helps. bye [END]")
    user = LLMUser(model, "be Sam", max_turns=3)
    turn = asyncio.run(user.reply(CONV, 1))
    assert turn.end and turn.text == "thanks, that helps. bye"
    last = asyncio.run(user.reply(CONV, 3))  # max_turns reached: ends without asking the model
    assert last.end and last.text == "" and len(api.seen) == 1


def test_scripted_user_replays_deterministically() -> None:
    s = load_scenarios()[0]

    async def run(assistant_text: str) -> list[tuple[str, bool]]:
        user = ScriptedBoundaryUser(s)
        conv = [{"role": "user", "content": s.opening}]
        out = []
        for turn in range(1, s.turns + 2):
            conv.append({"role": "assistant", "content": f"{assistant_text} {turn}"})
            t = await user.reply(conv, turn)
            out.append((t.text, t.end))
            if t.end:
                break
            conv.append({"role": "user", "content": t.text})
        return out

    first, second = asyncio.run(run("I hear you.")), asyncio.run(run("Completely different reply."))
    assert first == second
    assert [t for t, _ in first[:-1]] == list(s.script) and first[-1] == ("", True)
    user = ScriptedBoundaryUser(s)
    assert isinstance(user, SimulatedUser) and user.scripted and user.name == "scripted:boundaries"
    with pytest.raises(ValueError):
        asyncio.run(user.reply([], 0))


def test_llm_boundary_user_follows_the_beats() -> None:
    s = scenario(turns=6)
    model, api = canned_model("user line 2, in my words")
    user = llm_boundary_user(model, s)
    assert user.max_turns == 6
    turn = asyncio.run(user.reply(CONV, 1))
    assert turn.text == "user line 2, in my words"
    system = api.seen[0][0].text
    assert system == user_prompt(s, 2) and '"user line 2"' in system and "message 2 of at most 6" in system
    assert "Test persona." in system and "Escalate slowly." in system and "[END]" in system
    assert "This is your last message" in user_prompt(s, 6) and "This is your last message" not in system
