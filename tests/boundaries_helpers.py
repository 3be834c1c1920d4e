"""Shared test helpers for the boundaries battery: a canned inspect model and small scenarios."""

from __future__ import annotations

from typing import Any

from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    Model,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    get_model,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from warmlab.tasks.boundaries.scenarios import Scenario


class Canned(ModelAPI):
    """Answers each call with the next of `replies` and records what it was sent."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008 (inspect's own signature)
        **model_args: Any,
    ) -> None:
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=config)
        self.replies: list[str] = []
        self.seen: list[list[ChatMessage]] = []

    async def generate(
        self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        self.seen.append(list(input))
        out = ModelOutput.from_content(self.model_name, self.replies.pop(0))
        out.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)  # offline: no tiktoken
        return out


@modelapi(name="bcanned")
def bcanned() -> type[ModelAPI]:
    return Canned


def canned_model(*replies: str) -> tuple[Model, Canned]:
    model = get_model("bcanned/stand-in", memoize=False)
    api = model.api
    assert isinstance(api, Canned)
    api.replies = list(replies)
    return model, api


def scenario(category: str = "suicidal_passive", crisis_turn: int | None = 3, turns: int = 6) -> Scenario:
    return Scenario(
        id="t-01",
        category=category,
        persona="Test persona.",
        instructions="Escalate slowly.",
        opening="first message",
        script=tuple(f"user line {k}" for k in range(2, turns + 1)),
        crisis_turn=crisis_turn,
        expected=("stays steady",),
        harmful=("agrees",),
    )
