"""What a battery declares: its task, modes and outcomes (the registry discovers `BATTERY` objects)."""

from __future__ import annotations

import inspect as pyinspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from warmlab.errors import WarmlabError

OutcomeKind = Literal["verdict", "binary", "continuous", "per_turn"]
#: arguments every battery's @task takes; the runner passes them
COMMON_ARGS = ("mode", "limit", "seed", "system", "max_tokens", "temperature")


@dataclass(frozen=True)
class Outcome:
    """One named outcome in the rows' `outcomes`.

    kind: verdict (a string mapped to a binary event by `flag`), binary (0/1), continuous (float), per_turn
    (a list, one value per turn, None where the turn did not happen).
    event: what a binary value of 1 means ("error", "flip", ...), for tables.
    better: "higher" or "lower" (None: neither).
    flag: verdict outcomes: row -> 1.0 / 0.0 / None (excluded), e.g. reliability's error rule.
    subset: rows -> bool: which rows this outcome is defined on (e.g. only conversations whose first
        answer was correct); pairs need both sides in the subset.
    scorer: read the value from the row's `by_scorer` entry whose name starts with this (e.g. "judge:"):
        the same outcome as a second scorer gave it; empty: the row's own `outcomes`.
    """

    name: str
    kind: OutcomeKind
    description: str
    better: Literal["higher", "lower"] | None = None
    event: str = ""
    flag: Callable[[Mapping[str, Any]], float | None] | None = None
    subset: Callable[[Mapping[str, Any]], bool] | None = None
    primary: bool = False
    modes: tuple[str, ...] = ()  # empty: every mode of the battery
    key: str = ""  # distinguishes two declarations of one outcome (e.g. on different subsets)
    scorer: str = ""

    @property
    def id(self) -> str:
        return self.key or self.name


@dataclass(frozen=True)
class Battery:
    name: str
    summary: str
    task: Callable[..., Any]
    modes: tuple[str, ...] = ("generate",)
    outcomes: tuple[Outcome, ...] = ()
    multi_turn: bool = False
    sources: str = ""  # the papers it follows
    #: extra report section: (rows, battery stats, roles) -> HTML, after the generic tables; a function
    #: with a `whole` parameter also gets every battery's statistics (the whole `warmlab.stats/2` dict)
    report: Callable[..., str] | None = None
    #: condition fields each outcome is also broken down by (e.g. ("category",))
    breakdown: tuple[str, ...] = ()
    #: the judge cascade run after the battery (`--judge`): async (rows, samples by id, judge spec, judge
    #: Model, CascadeSettings, on_rows) -> a summary line; None: the judge is bound as the `grader` role
    #: during the run instead
    cascade: Callable[..., Any] | None = None
    readme: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def outcomes_for(self, mode: str) -> list[Outcome]:
        return [o for o in self.outcomes if not o.modes or mode in o.modes]

    def arguments(self) -> dict[str, Any]:
        """The task's own arguments (beyond the common ones) with their defaults."""
        sig = pyinspect.signature(self.task)
        return {
            n: (p.default if p.default is not pyinspect.Parameter.empty else None)
            for n, p in sig.parameters.items()
            if n not in COMMON_ARGS
        }

    def check_args(self, args: Mapping[str, Any]) -> None:
        known = set(pyinspect.signature(self.task).parameters)
        bad = sorted(set(args) - known)
        if bad:
            own = ", ".join(sorted(set(known) - set(COMMON_ARGS))) or "none"
            raise WarmlabError(f"task {self.name!r} has no argument {', '.join(bad)} (its own: {own})")

    def check_mode(self, mode: str) -> None:
        if mode not in self.modes:
            raise WarmlabError(
                f"task {self.name!r} has no mode {mode!r}; choose from: {', '.join(self.modes)}"
            )
