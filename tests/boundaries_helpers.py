"""Shared test helpers for the boundaries battery: a canned inspect model and small scenarios."""

from __future__ import annotations

from typing import Any

from inspect_ai.model import ChatMessage, GenerateConfig, Model, ModelAPI, get_model, modelapi

from planted_model import OfflineAPI
from warmlab.tasks.boundaries.scenarios import Scenario


class Canned(OfflineAPI):
    """Answers each call with the next of `replies` and records what it was sent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.replies: list[str] = []
        self.seen: list[list[ChatMessage]] = []

    def reply(self, input: list[ChatMessage], config: GenerateConfig) -> str:
        self.seen.append(list(input))
        return self.replies.pop(0)


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
