"""Scoring single replies: the offline classifier batched over replies that finish together, and an LLM
judge (inspect's `grader` role) beside it, recorded with `by_scorer`.

The offline scorer's outcomes stay the row's `outcomes` (named by `scorer`); when a grader is bound, its
parsed reply is recorded beside them under `by_scorer["judge:MODEL"]`, and the statistics report the
two scorers' agreement on every binary or verdict outcome both gave. A field the judge's reply does not
settle is None (unparsed), never guessed; `judge_unparsed` counts replies with any such field.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Score, Scorer, Target
from inspect_ai.solver import TaskState

from warmlab.tasks.base import Outcome

T = TypeVar("T")
R = TypeVar("R")
JUDGE_MAX_TOKENS = 384
BATCH_WINDOW_S = 0.05  # how long the first reply waits for others finishing in the same generation batch
#: the outcome a single-reply battery declares for judge replies it could not read
JUDGE_UNPARSED = Outcome(
    "judge_unparsed",
    "binary",
    "the judge's reply could not be read (when a grader ran; its outcomes are left out)",
    better="lower",
    event="unparsed",
)
_ENCODER = threading.Lock()  # the shared encoder is not thread-safe; a thread lock holds across event loops


class Batcher(Generic[T, R]):
    """Calls `fn(items)` once for the items that arrive together: the replies of one generation batch
    reach the scorer at about the same time, and the encoder is several times faster on a batch (24
    rebound replies: 1.3 CPU s batched, 9.1 one by one)."""

    def __init__(self, fn: Callable[[list[T]], Sequence[R]], window: float = BATCH_WINDOW_S) -> None:
        self.fn, self.window = fn, window
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._tasks: set[asyncio.Task[None]] = set()  # referenced, so a running flush is not collected
        self.calls = 0

    async def __call__(self, item: T) -> R:
        fut: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, fut))
        if len(self._pending) == 1:
            task = asyncio.ensure_future(self._flush())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await fut

    async def _flush(self) -> None:
        await asyncio.sleep(self.window)
        batch, self._pending = self._pending, []
        self.calls += 1

        def run() -> Sequence[R]:
            with _ENCODER:
                return self.fn([item for item, _ in batch])

        try:
            out = await asyncio.to_thread(run)
        except Exception as e:  # every waiting sample fails with the classifier's error
            for _, f in batch:
                if not f.done():
                    f.set_exception(e)
            return
        for (_, f), r in zip(batch, out, strict=True):
            if not f.done():
                f.set_result(r)


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


def reply_score(
    scorer: str,
    offline: Callable[[list[str]], Sequence[Mapping[str, Any]]],
    judge_prompt: Callable[[str, str], str],
    judge_outcomes: Callable[[str], dict[str, Any]],
    explain: Callable[[Mapping[str, Any]], str],
    shared: Sequence[str],
    value: str,
    reference: Mapping[str, Any] | None = None,
) -> Scorer:
    """The score function of a single-reply battery: `offline` outcomes of the reply (batched), the judge's
    beside them under the `shared` names, and the Score's value the offline outcome `value`."""
    batched = Batcher(offline)

    async def score(state: TaskState, target: Target) -> Score:
        reply = state.output.completion if state.output else ""
        outcomes: dict[str, Any] = dict(await batched(reply))
        judged = await judge(judge_prompt(state.input_text, reply), judge_outcomes)
        why = f"{scorer}: {explain(outcomes)}"
        if judged is not None:
            why += f"; {judged[0]}: {explain(judged[1])} ({judged[2][-80:]!r})"
        md = metadata(scorer, outcomes, judged, {k: outcomes[k] for k in shared}, reference)
        return Score(value=float(outcomes[value]), explanation=why, metadata=md)

    return score
