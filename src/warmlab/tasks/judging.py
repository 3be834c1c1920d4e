"""An LLM judge (inspect's `grader` role) beside a battery's offline scorer, recorded with `by_scorer`.

The offline scorer's outcomes stay the row's `outcomes` (named by `scorer`); when a grader is bound, its
parsed reply is recorded beside them under `by_scorer["judge:MODEL"]`, and the statistics report the
two scorers' agreement on every binary or verdict outcome both gave. A field the judge's reply does not
settle is None (unparsed), never guessed; `judge_unparsed` counts replies with any such field.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from inspect_ai.model import GenerateConfig

T = TypeVar("T")
JUDGE_MAX_TOKENS = 384
_LOCK = threading.Lock()  # a thread lock: inspect may run each eval in its own event loop


async def offline(fn: Callable[[], T]) -> T:
    """Run an offline classifier off the event loop, one at a time (the encoder is not thread-safe)."""

    def locked() -> T:
        with _LOCK:
            return fn()

    return await asyncio.to_thread(locked)


async def judge(
    prompt: str, parse: Callable[[str], dict[str, Any]]
) -> tuple[str, dict[str, Any], str] | None:
    """(scorer name, parsed outcomes, the reply's tail) from the bound grader; None when none is bound."""
    from warmlab.tasks.reliability.scorers import grader

    model = grader()
    if model is None:
        return None
    reply = await model.generate(prompt, config=GenerateConfig(max_tokens=JUDGE_MAX_TOKENS, temperature=0.0))
    return f"judge:{model}", parse(reply.completion), reply.completion.strip()[-200:]


def metadata(
    scorer: str,
    outcomes: dict[str, Any],
    judged: tuple[str, dict[str, Any], str] | None,
    shared: Mapping[str, Any],
    reference: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The Score metadata of one sample. `shared`: the offline outcomes the judge also gives, under the
    judge's outcome names (what `by_scorer` compares)."""
    md: dict[str, Any] = {"outcomes": outcomes, "scorer": scorer}
    if judged is not None:
        name, parsed, _ = judged
        outcomes["judge_unparsed"] = int(any(v is None for v in parsed.values()))
        md["by_scorer"] = {scorer: dict(shared), name: dict(parsed)}
    if reference:
        md["reference"] = dict(reference)
    return md
