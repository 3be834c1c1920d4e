"""Batteries: one folder each under warmlab/tasks/, discovered here (a folder with a `BATTERY`)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from warmlab.errors import WarmlabError
from warmlab.tasks.base import Battery, Outcome

__all__ = ["Battery", "Outcome", "batteries", "get_battery"]

ORDER = ("reliability", "pushback", "warmth")  # the rest follow alphabetically


@cache
def batteries() -> dict[str, Battery]:
    found: dict[str, Battery] = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        battery = getattr(module, "BATTERY", None)
        if isinstance(battery, Battery):
            found[battery.name] = battery
    order = [n for n in ORDER if n in found] + sorted(n for n in found if n not in ORDER)
    return {n: found[n] for n in order}


def get_battery(name: str) -> Battery:
    all_ = batteries()
    if name not in all_:
        raise WarmlabError(f"unknown task {name!r}; choose from: {', '.join(all_)} (see `warmlab tasks`)")
    return all_[name]
