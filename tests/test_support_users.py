"""Emotion-tracking simulated users: the scripted stand-in's table and dialogues, and the LLM-backed user's
two steps, parsing, retries and failure (on a scripted inspect ModelAPI)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from warmlab.solvers.users import SimulatedUser, UserTurn
from warmlab.tasks.support.features import TurnFeatures
from warmlab.tasks.support.llm_user import LLMEmotionUser, ParseError, parse_analysis, parse_reply
from warmlab.tasks.support.profiles import Profile, load_profiles
from warmlab.tasks.support.scripted import ScriptedEmotionUser, emotion_change


def _profile(kind: str) -> Profile:
    return next(p for p in load_profiles(split="test") if p.intention_kind == kind)


def _talk(user: Any, replies: Sequence[str], first: str = "hi") -> list[UserTurn]:
    async def run() -> list[UserTurn]:
        conv = [{"role": "user", "content": first}]
        out: list[UserTurn] = []
        for turn, text in enumerate(replies, 1):
            conv.append({"role": "assistant", "content": text})
            t = await user.reply(conv, turn)
            out.append(t)
            if t.end or t.failed:
                break
            conv.append({"role": "user", "content": t.text})
        return out

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("features", "kind", "demanding", "change"),
    [
        (TurnFeatures(fits_intention=True, reflects_feeling=True, open_question=True), "vent", False, 10),
        (TurnFeatures(reflects_feeling=True), "praise", False, 3),
        (TurnFeatures(open_question=True), "praise", False, 2),
        (TurnFeatures(), "praise", False, -2),
        (TurnFeatures(), "praise", True, -3),
        (TurnFeatures(reflects_feeling=True, open_question=True), "praise", True, -3),
        (TurnFeatures(fits_intention=True, reflects_feeling=True), "praise", True, 6),
        (TurnFeatures(advice=True), "vent", False, -4),  # jumps to unwanted advice
        (TurnFeatures(advice=True, reflects_feeling=True), "vent", False, 1),
        (TurnFeatures(advice=True, fits_intention=True), "concrete_advice", False, 5),
        (TurnFeatures(advice=True), "analyse_problem", False, -2),  # tolerated, but flat
        (TurnFeatures(minimises=True, reflects_feeling=True), "vent", False, -2),
        (TurnFeatures(dismisses=True, reflects_feeling=True), "vent", False, -8),
        (TurnFeatures(repeats=True, reflects_feeling=True, open_question=True), "vent", False, -3),
        (TurnFeatures(empty=True), "vent", False, -6),
    ],
)
def test_scripted_change_table(features: TurnFeatures, kind: str, demanding: bool, change: float) -> None:
    assert emotion_change(features, kind, demanding) == change


WARM = [
    "I'm so sorry. That sounds really exhausting. Tell me more?",
    "That's so unfair, no wonder you're fed up. What happened after that?",
    "I'm listening. It makes sense that you feel angry. How did you get through the day?",
    "Go on, take your time. That sounds draining. What was the worst part?",
    "I hear you. That sounds infuriating. Tell me what happened next.",
    "You sound really frustrated, and that's understandable. What else is weighing on you?",
    "That's outrageous. I'm so sorry. What would you like to say to them?",
]


def test_scripted_user_reaches_success_and_says_goodbye() -> None:
    p = _profile("vent")
    user = ScriptedEmotionUser(p, max_turns=8)
    assert isinstance(user, SimulatedUser) and user.scripted and user.name.startswith("scripted:")
    turns = _talk(user, WARM, p.first_message)
    emotions = [t.data["emotion"] for t in turns]
    assert emotions == [50, 60, 70, 80, 90, 100]
    assert turns[-1].end and turns[-1].data["stop"] == "satisfied" and "better" in turns[-1].text
    # the story comes out one sentence per turn, after a short reaction
    assert p.story_sentences()[0] in turns[0].text and p.story_sentences()[1] in turns[1].text


def test_scripted_user_gives_up_when_dismissed() -> None:
    user = ScriptedEmotionUser(_profile("deep_empathy"), max_turns=10)
    turns = _talk(user, ["As an AI I don't have feelings. Calm down."] * 10)
    assert [t.data["emotion"] for t in turns] == [32, 22, 12, 2]  # repeating costs 3 more
    assert turns[-1].end and turns[-1].data["stop"] == "gave_up"


def test_scripted_user_stops_at_the_turn_cap_and_is_deterministic() -> None:
    replies = ["Have you tried a budget app?", "You should make a list.", "What do you think?"]
    runs = [_talk(ScriptedEmotionUser(_profile("concrete_advice"), max_turns=3), replies) for _ in range(2)]
    assert [t.text for t in runs[0]] == [t.text for t in runs[1]]
    assert [t.data["emotion"] for t in runs[0]] == [45, 50, 52]
    assert runs[0][-1].end and runs[0][-1].data["stop"] == "max_turns" and runs[0][-1].text == ""


def test_demanding_user_only_moves_on_a_fit() -> None:
    p = _profile("not_to_blame")
    generic = "I'm so sorry. That sounds really hard. What happened?"
    assert [t.data["emotion"] for t in _talk(ScriptedEmotionUser(p, demanding=True), [generic] * 2)] == [
        37,
        34,
    ]
    fit = "It wasn't your fault. No one could have predicted that."
    easy = _talk(ScriptedEmotionUser(p), [fit])[0].data
    hard = _talk(ScriptedEmotionUser(p, demanding=True), [fit])[0].data
    assert (easy["emotion"], hard["emotion"]) == (45, 46)
    assert ScriptedEmotionUser(p, demanding=True).name == "scripted:support-demanding"


# --- LLM-backed user ------------------------------------------------------------------------------------


def _model(outputs: list[str | Exception]) -> Any:
    """An inspect Model whose API returns `outputs` in order (and records the prompts it got)."""
    from inspect_ai.model import get_model

    m = get_model("scripteduser/test", memoize=False, outputs=outputs)
    m.prompts = m.api.prompts  # type: ignore[attr-defined]
    return m


def _register() -> None:
    from inspect_ai.model import ModelAPI, ModelOutput, modelapi

    @modelapi(name="scripteduser")
    class Scripted(ModelAPI):
        def __init__(self, model_name: str, outputs: list[Any], **kw: Any) -> None:
            super().__init__(model_name)
            self.outputs = outputs
            self.prompts: list[str] = []

        async def generate(self, input: Any, tools: Any, tool_choice: Any, config: Any) -> ModelOutput:
            self.prompts.append(str(input[-1].text))
            item = self.outputs.pop(0)
            if isinstance(item, Exception):
                raise item
            return ModelOutput.from_content(model="scripted-user", content=item)


_register()


def test_parse_analysis_forms() -> None:
    assert parse_analysis("REASONING: they get it\nCHANGE: +4") == ("they get it", 4)
    assert parse_analysis("**Reasoning:** meh\n**Change:** -15") == ("meh", -10)
    assert parse_analysis("Feels preachy.\nChange: −3") == ("Feels preachy.", -3)
    for bad in ("REASONING: fine", "CHANGE: 4", "REASONING: x\nCHANGE: 250", ""):
        with pytest.raises(ParseError):
            parse_analysis(bad)


def test_parse_reply_forms() -> None:
    p = _profile("vent")
    assert parse_reply('"Yeah, it was a lot."', p) == ("Yeah, it was a lot.", False)
    assert parse_reply("Message: Thanks, that's all. [END]", p) == ("Thanks, that's all.", True)
    for bad in ("", "   ", "REASONING: I feel heard", f"Honestly I {p.intention}"):
        with pytest.raises(ParseError):
            parse_reply(bad, p)


def test_llm_user_two_steps() -> None:
    p = _profile("praise")
    model = _model(["REASONING: Finally someone noticed.\nCHANGE: +8", "Thanks. It was scary, honestly."])
    user = LLMEmotionUser(model, p, max_turns=4)
    assert isinstance(user, SimulatedUser) and not user.scripted and user.name == "llm:scripteduser/test"
    [t] = _talk(user, ["That took real courage."], p.first_message)
    assert t.text == "Thanks. It was scary, honestly." and not t.end and t.failed is None
    assert t.data["emotion"] == 48 and t.data["change"] == 8 and "noticed" in t.data["reasoning"]
    analysis, reply = model.prompts
    assert p.story in analysis and p.intention in analysis and "That took real courage." in analysis
    assert "40 on a scale" in analysis and "CHANGE:" in analysis
    assert "48/100" in reply and "Finally someone noticed." in reply and "[END]" in reply


def test_llm_user_retries_then_fails() -> None:
    p = _profile("vent")
    ok = _model(["I dunno", "REASONING: fine\nCHANGE: 2", "Sure."])
    [t] = _talk(LLMEmotionUser(ok, p, retries=1), ["Okay."])
    assert t.failed is None and t.data["emotion"] == 42
    bad = _model(["nonsense", RuntimeError("provider down"), "still nonsense"])
    [t] = _talk(LLMEmotionUser(bad, p, retries=2), ["Okay."])
    assert t.failed is not None and "3 tries" in t.failed and t.text == ""
    leak = _model(["REASONING: ok\nCHANGE: 1", "CHANGE: 5", "REASONING: hm"])
    [t] = _talk(LLMEmotionUser(leak, p, retries=1), ["Okay."])
    assert t.failed is not None and t.failed.startswith("reply after 2 tries")


def test_llm_user_stops_by_the_rules() -> None:
    p = _profile("vent")
    # at the turn cap: no reply step
    m = _model(["REASONING: ok\nCHANGE: 1"])
    [t] = _talk(LLMEmotionUser(m, p, max_turns=1), ["Okay."])
    assert t.end and t.text == "" and t.data["stop"] == "max_turns" and len(m.prompts) == 1
    # a goodbye
    [t] = _talk(LLMEmotionUser(_model(["REASONING: ok\nCHANGE: 1", "Gotta go. [END]"]), p), ["Okay."])
    assert t.end and t.text == "Gotta go." and t.data["stop"] == "goodbye"
    # below 10: the reply step is told to say goodbye
    m = _model(["REASONING: awful\nCHANGE: -10", "Bye then. [END]"])
    user = LLMEmotionUser(m, p)
    user.emotion = 15
    [t] = _talk(user, ["Calm down."])
    assert t.end and t.data["stop"] == "gave_up" and t.data["emotion"] == 5
    assert "this is your last message" in m.prompts[-1]
