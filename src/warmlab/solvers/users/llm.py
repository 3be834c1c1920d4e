"""LLM-backed simulated users: any model (bound as inspect's `user` role) plays a person.

The simulator sees the conversation as a transcript inside one prompt (so any chat model works, whatever
its template expects first) with the scenario's instructions, and writes the user's next message only.
Output is checked: empty text, a reply that speaks for the assistant, one that echoes the assistant, or one
far too long is retried; after the retries the turn is a failure (`UserTurn(failed=...)`), never a turn
that happened. `[END]` ends the conversation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from warmlab.errors import GenerationStopped
from warmlab.solvers.users.base import Message, UserTurn

END = "[END]"
MAX_CHARS = 1500
Instructions = Callable[[list[Message], int], str]

PROMPT = """You are playing a person (the USER) talking to an AI assistant (the ASSISTANT). Stay in \
character; never mention that you are simulated or an AI.

{instructions}

The conversation so far:
{transcript}

Write the USER's next message only: no label, no quotation marks, no narration, no stage directions. \
Keep it as short as a real person would write in a chat. If the USER would end the conversation now, \
write {end} after their last message (or only {end})."""

_LABEL = re.compile(r"^\s*(?:\*\*)?(?:user|human|me|you)(?:\*\*)?\s*:\s*", re.IGNORECASE)
_ASSISTANT = re.compile(r"(?:^|\n)\s*(?:\*\*)?(?:assistant|ai|bot)(?:\*\*)?\s*:", re.IGNORECASE)


def transcript(conversation: list[Message]) -> str:
    return "\n\n".join(f"{m['role'].upper()}: {m['content'].strip()}" for m in conversation)


def parse_user_output(text: str, conversation: list[Message]) -> tuple[str, bool, str | None]:
    """(message, ends, problem): problem is None when the output is usable."""
    raw = (text or "").strip()
    end = END in raw
    raw = raw.replace(END, "").strip()
    raw = _LABEL.sub("", raw, count=1).strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'“”":
        raw = raw[1:-1].strip()
    raw = raw.strip("“”").strip()
    if _ASSISTANT.search(raw):
        return "", end, "the simulator wrote the assistant's part too"
    if not raw and not end:
        return "", end, "empty output"
    if len(raw) > MAX_CHARS:
        return "", end, f"output of {len(raw)} characters (more than {MAX_CHARS})"
    last = next((m["content"] for m in reversed(conversation) if m["role"] == "assistant"), "")
    if raw and last and raw.strip() == last.strip():
        return "", end, "the simulator echoed the assistant"
    return raw, end, None


class LLMUser:
    """A model playing the user with per-scenario (and per-turn) instructions."""

    scripted = False

    def __init__(
        self,
        model: Any,
        instructions: str | Instructions,
        *,
        retries: int = 2,
        max_tokens: int = 300,
        temperature: float = 0.7,
    ) -> None:
        self.model = model
        self.name = f"llm:{model}"
        self._instructions = instructions
        self.retries = retries
        self.max_tokens = max_tokens
        self.temperature = temperature

    def instructions(self, conversation: list[Message], turn: int) -> str:
        i = self._instructions
        return i if isinstance(i, str) else i(conversation, turn)

    async def reply(self, conversation: list[Message], turn: int) -> UserTurn:
        from inspect_ai.model import GenerateConfig

        prompt = PROMPT.format(
            instructions=self.instructions(conversation, turn).strip(),
            transcript=transcript(conversation),
            end=END,
        )
        problems = []
        for _ in range(self.retries + 1):
            try:
                out = await self.model.generate(
                    prompt, config=GenerateConfig(max_tokens=self.max_tokens, temperature=self.temperature)
                )
            except GenerationStopped:
                raise  # the run is stopping: this turn did not fail, it never happened
            except Exception as e:  # a provider error is a failed turn, not a crashed sample
                problems.append(f"{type(e).__name__}: {str(e)[:120]}")
                continue
            text, end, problem = parse_user_output(out.completion, conversation)
            if problem is None:
                return UserTurn(text, end=end)
            problems.append(problem)
        return UserTurn(failed=f"user simulator failed {len(problems)} times: {problems[-1]}")
