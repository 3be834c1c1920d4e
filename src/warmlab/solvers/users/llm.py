"""A simulated user played by an LLM (an inspect `Model`, bound as the `user` role), generic over batteries.

The model sees the conversation with the roles swapped (its own earlier messages as `assistant`, the
assistant-under-test's as `user`) under a system prompt the battery writes for each turn. Its output is
cleaned and checked (`parse_user_reply`: thinking stripped, labels and quotes removed; empty output, a reply
that breaks character or is far too long is unusable, as is one that only echoes the assistant); unusable
output and provider errors are retried, then returned as `UserTurn(failed=...)`, never as a turn that
happened. The user ends the conversation by writing an end marker, or after `max_turns`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from warmlab.errors import GenerationStopped
from warmlab.solvers.users.base import Message, UserTurn

if TYPE_CHECKING:
    from inspect_ai.model import ChatMessage, GenerateConfig, Model

DEFAULT_END = "[END]"
#: the swapped view must open with a user message for most providers; this one stands in for "begin"
START_CUE = "(The chat opens. Write your character's first message.)"

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^```[a-z]*\n(.*)\n```$", re.DOTALL)
_LABEL = re.compile(r"^\s*[*_]*(user|me|human|persona|client|character)[*_]*\s*:[*_]*\s*", re.IGNORECASE)
# The simulator went on to write the assistant's side too: keep only what comes before.
_OTHER_SIDE = re.compile(r"\n\s*[*_]*(assistant|ai|chatbot|bot)[*_]*\s*:", re.IGNORECASE)
# The simulator speaking as an AI or about the role-play instead of as the character.
_BROKE = re.compile(
    r"\b(?:as|i am|i'm) an? (?:ai|artificial intelligence|language model)(?: assistant| model)?\s*[,.!]"
    r"|\bas (?:the|a) simulated user\b|\bi (?:can(?:no|')t|won't) (?:continue|play) (?:this|the) "
    r"(?:role|role-?play|character)\b|\b(?:out of|breaking) character\b",
    re.IGNORECASE,
)
_QUOTES = (('"', '"'), ("“", "”"), ("'", "'"))


@dataclass(frozen=True)
class ParsedUser:
    text: str
    end: bool


def _end_pattern(marker: str) -> re.Pattern[str]:
    word = re.escape(marker.strip("[]<> ").lower())
    return re.compile(
        rf"[\[<]\s*{word}(?:\s+(?:of\s+)?(?:the\s+)?conversation)?\s*[\]>]|{re.escape(marker)}", re.IGNORECASE
    )


def parse_user_reply(raw: str, *, end_marker: str = DEFAULT_END, max_chars: int = 1500) -> ParsedUser | str:
    """The user's message and whether it ends the conversation, or the reason the output is unusable."""
    text = _THINK.sub("", raw or "").strip()
    if re.search(r"<think>", text, re.IGNORECASE):
        return "unfinished <think> block"
    if m := _FENCE.match(text):
        text = m.group(1).strip()
    if m := _OTHER_SIDE.search("\n" + text):
        text = ("\n" + text)[: m.start()].strip()
    text = _LABEL.sub("", text, count=1).strip()
    end_re = _end_pattern(end_marker)
    end = bool(end_re.search(text))
    text = end_re.sub("", text).strip()
    for a, b in _QUOTES:
        once = text.count(a) == 2 if a == b else text.count(a) == text.count(b) == 1
        if len(text) > 1 and text.startswith(a) and text.endswith(b) and once:
            text = text[1:-1].strip()
    if _BROKE.search(text):
        return "the simulated user broke character"
    if not text and not end:
        return "empty message"
    if len(text) > max_chars:
        return f"message of {len(text)} characters (limit {max_chars})"
    return ParsedUser(text, end)


def swap_roles(conversation: Sequence[Message]) -> list[ChatMessage]:
    """The conversation as the simulator sees it: its own turns as `assistant`, the other side's as `user`."""
    from inspect_ai.model import ChatMessageAssistant, ChatMessageUser

    out: list[ChatMessage] = [ChatMessageUser(content=START_CUE)]
    for m in conversation:
        if m["role"] == "user":
            out.append(ChatMessageAssistant(content=m["content"]))
        elif m["role"] == "assistant":
            out.append(ChatMessageUser(content=m["content"]))
    return out


class LLMUser:
    """A `SimulatedUser` played by `model` under `instructions` (a fixed system prompt, or a function of
    the user's next turn number, 2-based after the opening, and the conversation so far)."""

    scripted = False

    def __init__(
        self,
        model: Model,
        instructions: str | Callable[[int, Sequence[Message]], str],
        *,
        name: str | None = None,
        max_turns: int | None = None,
        retries: int = 2,
        config: GenerateConfig | None = None,
        end_marker: str = DEFAULT_END,
        max_chars: int = 1500,
    ) -> None:
        self.model = model
        self.instructions = instructions
        self.name = name or f"llm:{model}"
        self.max_turns = max_turns
        self.retries = retries
        self.config = config
        self.end_marker = end_marker
        self.max_chars = max_chars

    def system_prompt(self, turn: int, conversation: Sequence[Message]) -> str:
        return self.instructions(turn, conversation) if callable(self.instructions) else self.instructions

    async def reply(self, conversation: list[Message], turn: int) -> UserTurn:
        from inspect_ai.model import ChatMessageSystem, GenerateConfig

        if self.max_turns is not None and turn >= self.max_turns:
            return UserTurn(end=True)
        messages = [
            ChatMessageSystem(content=self.system_prompt(turn + 1, conversation)),
            *swap_roles(conversation),
        ]
        why = ""
        last = next((m["content"].strip() for m in reversed(conversation) if m["role"] == "assistant"), "")
        for attempt in range(1, self.retries + 2):
            try:
                out = await self.model.generate(messages, config=self.config or GenerateConfig())
            except GenerationStopped:
                raise  # the run is stopping: this turn did not fail, it never happened
            except Exception as e:  # a provider error is a failed turn, not a crashed sample
                why = f"{type(e).__name__}: {str(e)[:120]}"
                continue
            parsed = parse_user_reply(out.completion, end_marker=self.end_marker, max_chars=self.max_chars)
            if isinstance(parsed, ParsedUser) and parsed.text and parsed.text == last:
                parsed = "the simulated user echoed the assistant"
            if isinstance(parsed, ParsedUser):
                return UserTurn(text=parsed.text, end=parsed.end, data={"attempts": attempt})
            why = parsed
        return UserTurn(failed=f"simulated user output unusable after {self.retries + 1} tries: {why}")
