"""What the single-reply talk batteries share (grounding, therapist): a balanced slice of items, an
offline classifier batched over the replies that finish together, and a judge (inspect's `grader` role)
run beside it, recorded as `by_scorer`."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from inspect_ai.model import GenerateConfig, model_roles
from inspect_ai.scorer import Score

from warmlab.errors import WarmlabError

T = TypeVar("T")
R = TypeVar("R")
JUDGE_MAX_TOKENS = 400
#: how long the first reply waits for others finishing in the same generation batch
BATCH_WINDOW_S = 0.05


def in_turn(items: Sequence[T], key: Callable[[T], str], limit: int | None) -> list[T]:
    """All items, or `limit` of them taken in turn from each group (groups in sorted order, items in
    their given order), returned in their given order: a short run still sees every kind."""
    if limit is not None and limit < 1:
        raise WarmlabError(f"limit must be at least 1, not {limit}")
    if limit is None or limit >= len(items):
        return list(items)
    groups: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        groups.setdefault(key(it), []).append(i)
    order = itertools.chain.from_iterable(itertools.zip_longest(*(groups[g] for g in sorted(groups))))
    picked = sorted(i for i in itertools.islice((i for i in order if i is not None), limit))
    return [items[i] for i in picked]


def pick(value: str | Sequence[str], allowed: Sequence[str], what: str) -> list[str]:
    """A comma list (or list) of names checked against `allowed`; "all" is every one."""
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    if names == ["all"]:
        return list(allowed)
    bad = [n for n in names if n not in allowed]
    if bad or not names:
        given = ", ".join(bad) or repr(value)
        raise WarmlabError(f"unknown {what} {given}; choose from: {', '.join(allowed)}")
    return names


class Batcher(Generic[R]):
    """Calls `fn(list of texts)` once for the texts that arrive together: replies of one generation
    batch reach the scorer at about the same time, and the encoder is much faster on a batch."""

    def __init__(self, fn: Callable[[list[str]], Sequence[R]], window: float = BATCH_WINDOW_S) -> None:
        self.fn, self.window = fn, window
        self._pending: list[tuple[str, asyncio.Future[R]]] = []
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()  # referenced, so a running flush is not collected
        self.calls = 0  # how many batches ran (the tests read it)

    async def __call__(self, text: str) -> R:
        fut: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((text, fut))
        if len(self._pending) == 1:
            task = asyncio.ensure_future(self._flush())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await fut

    async def _flush(self) -> None:
        await asyncio.sleep(self.window)
        async with self._lock:  # one batch at a time: the encoder is not re-entrant
            batch, self._pending = self._pending, []
            if not batch:
                return
            self.calls += 1
            try:
                out = await asyncio.to_thread(self.fn, [t for t, _ in batch])
            except Exception as e:  # every waiting sample fails with the classifier's error
                for _, f in batch:
                    if not f.done():
                        f.set_exception(e)
                return
            for (_, f), r in zip(batch, out, strict=True):
                if not f.done():
                    f.set_result(r)


def grader() -> Any:
    """The model bound to the `grader` role, if any."""
    bound = model_roles().get("grader")
    return (bound[0] if bound else None) if isinstance(bound, list) else bound


@dataclass(frozen=True)
class Judge:
    """How a battery asks the grader: the prompt from (user message, reply), the parser (None =
    unparsed), and the parsed labels -> outcomes with the offline scorer's names."""

    prompt: Callable[[str, str], str]
    parse: Callable[[str], Mapping[str, int] | None]
    outcomes: Callable[[Mapping[str, int]], dict[str, Any]]


async def score_reply(
    reply: str,
    user: str,
    offline: Callable[[str], Awaitable[dict[str, Any]]],
    offline_name: str,
    judge: Judge,
    model: Any = None,
    *,
    value: str,
    explain: Callable[[Mapping[str, Any]], str] = lambda o: "",
    reference: Mapping[str, Any] | None = None,
) -> Score:
    """The offline outcomes (the row's `outcomes`; the score's value is outcome `value`); with a grader
    `model`, its outcomes beside them in `by_scorer` and `judge_unparsed` (0/1) in the outcomes (an
    unparsed judge reply gives no judge outcomes, never a guess). `reference`: the run's human
    baselines, put on the row."""
    outcomes = dict(await offline(reply))
    metadata: dict[str, Any] = {"outcomes": outcomes, "scorer": offline_name}
    if reference:
        metadata["reference"] = dict(reference)
    why = f"{offline_name}: {explain(outcomes)}"
    if model is not None:
        answer = await model.generate(
            judge.prompt(user, reply), config=GenerateConfig(max_tokens=JUDGE_MAX_TOKENS, temperature=0.0)
        )
        parsed = judge.parse(answer.completion)
        name = f"judge:{model}"
        mine = {} if parsed is None else judge.outcomes(parsed)
        metadata["by_scorer"] = {offline_name: dict(outcomes), name: mine}
        outcomes["judge_unparsed"] = int(parsed is None)
        said = "unparsed: " + answer.completion.strip()[-160:] if parsed is None else explain(mine)
        why += f"; {name}: {said}"
    return Score(value=float(outcomes.get(value, 0) or 0), explanation=why, metadata=metadata)
