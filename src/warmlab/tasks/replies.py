"""The single-reply talk batteries' tasks (grounding, therapist): checking their arguments, a balanced
slice of items, names from a comma list, and the task itself. Scoring them is `warmlab.tasks.judging`."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Scorer
from inspect_ai.solver import generate

from warmlab.errors import WarmlabError
from warmlab.solvers.system import system_solvers

T = TypeVar("T")


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


class Item(Protocol):
    """What a single-reply item gives its sample."""

    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def condition(self) -> dict[str, str]: ...


def check_args(battery: str, modes: Sequence[str], mode: str, baseline_limit: int) -> None:
    """The arguments every single-reply battery checks before loading its items."""
    if mode not in modes:
        raise WarmlabError(f"the {battery} task has one mode, generate (not {mode!r})")
    if int(baseline_limit) < 0:
        raise WarmlabError(f"baseline_limit must be 0 (all) or more, not {baseline_limit}")


def reply_task(
    battery: str,
    items: Sequence[Item],
    scorer: Scorer,
    mode: str,
    seed: int,
    max_tokens: int,
    temperature: float | None,
    system: str | None,
) -> Task:
    """One generated reply per item (its text the user's message), scored by `scorer`."""
    samples = [
        Sample(id=it.id, input=it.text, metadata={"item_id": it.id, "condition": it.condition})
        for it in items
    ]
    return Task(
        dataset=MemoryDataset(samples, name=f"warmlab-{battery}"),
        solver=[*system_solvers(system), generate()],
        scorer=scorer,
        config=GenerateConfig(max_tokens=int(max_tokens), temperature=temperature),
        metadata={"mode": mode, "seed": int(seed), "system": system},
    )
