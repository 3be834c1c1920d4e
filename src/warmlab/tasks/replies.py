"""Choosing items for the single-reply talk batteries (grounding, therapist): a balanced slice, and names
from a comma list. Scoring them is `warmlab.tasks.judging`."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TypeVar

from warmlab.errors import WarmlabError

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
