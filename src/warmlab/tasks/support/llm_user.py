"""The LLM-backed emotion-tracking user (SAGE): per assistant turn, an emotion-analysis step (reasoning and
a signed change, clipped to [-10, +10]) and a reply step (the next message, toned by the emotion band).

The model is an inspect `Model` (bound as the `user` model role in evaluations; `warmlab train rl --user
SPEC` in training). Malformed output is retried; after the retries the turn comes back as
`UserTurn(failed=...)`: the dialogue stops and that turn is never scored.
"""

from __future__ import annotations

import re
from typing import Any

from warmlab.solvers.users.base import Message, UserTurn
from warmlab.tasks.support import emotion as emo
from warmlab.tasks.support.profiles import Profile
from warmlab.tasks.support.prompts import END_TAG, analysis_prompt, reply_prompt

_CHANGE = re.compile(r"^[\s*#_]*change[\s*_]*[:=][\s*_]*([+\-−]?\s*\d+(?:\.\d+)?)", re.I | re.M)
_REASONING = re.compile(r"^[\s*#_]*reasoning[\s*_]*[:=][\s*_]*(.+)$", re.I | re.M)
_PREFIX = re.compile(r"^\s*(you|me|user|message|person|reply)\s*:\s*", re.IGNORECASE)
_LEAKS = ("REASONING:", "CHANGE:", "Assistant:", "hidden", "emotion score", "/100")


class ParseError(ValueError):
    """The simulator's output did not have the expected form."""


def parse_analysis(text: str) -> tuple[str, float]:
    """(reasoning, change) from the analysis step's output; the change is clipped to [-10, +10].

    Accepts a missing plus sign, a Unicode minus, markdown bold and extra lines; rejects output without a
    CHANGE line or with a number outside [-100, 100] (a scale confusion, not a small overshoot).
    """
    m = _CHANGE.search(text)
    if m is None:
        raise ParseError("no CHANGE: line")
    value = float(m.group(1).replace("−", "-").replace(" ", ""))
    if abs(value) > 100:
        raise ParseError(f"change {value:g} is off the scale")
    r = _REASONING.search(text)
    reasoning = r.group(1).strip().strip("*").strip() if r else ""
    if not reasoning:
        # Some models write their thoughts before the CHANGE line without the label.
        reasoning = text[: m.start()].strip().splitlines()[-1].strip() if text[: m.start()].strip() else ""
    if not reasoning:
        raise ParseError("no reasoning")
    return reasoning, emo.clip_change(value)


def parse_reply(text: str, profile: Profile) -> tuple[str, bool]:
    """(message, ends) from the reply step's output: quotes and a speaker label stripped, [END] read as
    the user leaving. Rejects an empty message, leaked analysis or the hidden intention verbatim."""
    t = text.strip()
    ends = END_TAG.lower() in t.lower()
    t = re.sub(re.escape(END_TAG), "", t, flags=re.IGNORECASE).strip()
    t = _PREFIX.sub("", t).strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "\"'“”":
        t = t[1:-1].strip()
    t = t.strip("“”").strip()
    if not t and not ends:
        raise ParseError("empty message")
    for leak in _LEAKS:
        if leak.lower() in t.lower():
            raise ParseError(f"message leaks {leak!r}")
    if profile.intention.lower() in t.lower():
        raise ParseError("message states the hidden intention")
    return t, ends


class LLMEmotionUser:
    """A `SimulatedUser` driven by an inspect `Model` (one instance per dialogue: it keeps the emotion)."""

    scripted = False

    def __init__(
        self,
        model: Any,
        profile: Profile,
        *,
        demanding: bool = False,
        max_turns: int = emo.MAX_TURNS,
        retries: int = 2,
        max_tokens: int = 200,
        temperature: float = 0.7,
        name: str | None = None,
    ) -> None:
        self.model = model
        self.profile = profile
        self.demanding = demanding
        self.max_turns = max_turns
        self.retries = retries
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.name = name or f"llm:{model}" + ("@demanding" if demanding else "")
        self.emotion = emo.START

    async def _generate(self, prompt: str) -> str:
        from inspect_ai.model import GenerateConfig

        out = await self.model.generate(
            prompt, config=GenerateConfig(max_tokens=self.max_tokens, temperature=self.temperature)
        )
        return str(out.completion)

    async def _ask(self, prompt: str, parse: Any) -> tuple[Any, str | None]:
        """Try the prompt 1 + retries times; (parsed, None) or (None, why it failed)."""
        why = ""
        for _ in range(self.retries + 1):
            try:
                text = await self._generate(prompt)
            except Exception as e:  # a provider error is a simulator failure too, not a crash
                why = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
                continue
            try:
                return parse(text), None
            except ParseError as e:
                why = f"{e} in {text[:80]!r}"
        return None, why

    async def reply(self, conversation: list[Message], turn: int) -> UserTurn:
        before = self.emotion
        prompt = analysis_prompt(self.profile, conversation, before, self.demanding)
        parsed, why = await self._ask(prompt, parse_analysis)
        if parsed is None:
            return UserTurn(failed=f"emotion analysis after {self.retries + 1} tries: {why}")
        reasoning, change = parsed
        self.emotion = emo.update(before, change)
        data: dict[str, Any] = {"emotion": self.emotion, "change": change, "reasoning": reasoning}
        stop = emo.stop_reason(self.emotion, turn, self.max_turns)
        if stop == "max_turns":
            return UserTurn(text="", end=True, data={**data, "stop": stop})
        last = stop is not None
        prompt = reply_prompt(
            self.profile, conversation, self.emotion, reasoning, demanding=self.demanding, last=last
        )
        parsed, why = await self._ask(prompt, lambda t: parse_reply(t, self.profile))
        if parsed is None:
            return UserTurn(failed=f"reply after {self.retries + 1} tries: {why}", data=data)
        text, ends = parsed
        if ends and stop is None:
            stop = "goodbye"
        return UserTurn(text=text, end=stop is not None, data={**data, "stop": stop})
