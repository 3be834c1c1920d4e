"""Offline stand-in inspect models for tests: `OfflineAPI`, the base every test's fake model derives from
(inspect's constructor, a `reply` per call, token usage set so nothing counts with tiktoken), and
`Planted`, which answers every call by a rule on the last message (so one model can be both the model
under test and the `grader`) and records what it was sent."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

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

Rule = Callable[[str], str]


class OfflineAPI(ModelAPI):
    """A test model: `reply` gives each call's text (or a whole ModelOutput); `model_args` are what
    `get_model(..., **model_args)` passed."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008 (inspect's own signature)
        **model_args: Any,
    ) -> None:
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=config)
        self.model_args = model_args

    @abstractmethod
    def reply(self, input: list[ChatMessage], config: GenerateConfig) -> str | ModelOutput:
        """The answer to one call."""

    async def generate(
        self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        out = self.reply(input, config)
        if isinstance(out, str):
            out = ModelOutput.from_content(self.model_name, out)
        if out.usage is None:
            out.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)  # offline: no tiktoken
        return out


class Planted(OfflineAPI):
    rule: Rule = staticmethod(lambda text: "")  # type: ignore[assignment]
    seen: ClassVar[list[str]] = []

    def reply(self, input: list[ChatMessage], config: GenerateConfig) -> str:
        text = input[-1].text
        Planted.seen.append(text)
        return Planted.rule(text)


@modelapi(name="planted")
def planted() -> type[ModelAPI]:
    return Planted


def planted_model(rule: Rule) -> Model:
    Planted.rule = staticmethod(rule)  # type: ignore[assignment]
    Planted.seen = []
    return get_model("planted/stand-in", memoize=False)


def run_planted(task: Any, rule: Rule, log_dir: Path, judge: bool = True) -> list[Any]:
    """Run a task with the planted model (and as its grader when `judge`); the log's samples."""
    import inspect_ai

    model = planted_model(rule)
    (log,) = inspect_ai.eval(
        task,
        model=model,
        model_roles={"grader": model} if judge else None,
        log_dir=str(log_dir),
        display="none",
        log_realtime=False,
        score_display=False,
    )
    assert log.status == "success", log.error
    return list(log.samples or [])


def rows_of(samples: list[Any], task: str, tmp: Path, variant: str = "base") -> list[dict[str, Any]]:
    """Contract rows built from log samples the way the recorder builds them."""
    from warmlab.results.recorder import Sink, row_from_sample

    model = "m" if variant == "base" else f"m+{variant}"
    sink = Sink(tmp / "results.jsonl", task, model, variant, "generate", "m")
    return [row_from_sample(s, sink) for s in samples]
