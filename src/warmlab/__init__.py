"""warmlab: what does making a chat model warm cost?

The Python API (the `warmlab` command is a thin layer over it); imports stay lazy so `import warmlab` is
cheap:

    import warmlab
    warmlab.batteries()                                # the batteries, one line each
    path = warmlab.evaluate(["embedded", "embedded@system=warm"], task="pushback", modes=["choice"],
                            out="runs/p", limit=2)
    rows = warmlab.load_results("runs/p")              # one row per model x sample x mode (warmlab.row/2)
    stats = warmlab.analyse(rows)                      # paired statistics for every battery present
    report = warmlab.run_study("embedded")             # a whole study from a config (file or shipped name)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__version__ = "0.2.0"

__all__ = ["analyse", "batteries", "evaluate", "load_results", "run_study"]


def batteries() -> dict[str, str]:
    """Battery name -> one-line summary."""
    from warmlab.tasks import batteries as found

    return {name: b.summary for name, b in found().items()}


def evaluate(
    models: list[str],
    task: str = "reliability",
    modes: list[str] | None = None,
    out: str | Path = "runs/eval",
    *,
    judge: str | None = None,
    judge_all: bool = False,
    judge_sample: int = 50,
    user: str | None = None,
    limit: int | None = None,
    seed: int = 0,
    max_tokens: int | None = None,
    temperature: float | None = None,
    batch_size: int = 32,
    **task_args: Any,
) -> Path:
    """Run a battery for each model (and mode) into OUT/results.jsonl (resumable); returns that path.

    judge: reliability's judge cascade (it grades the undecided rows, or every row with judge_all, and
    judge_sample decided rows per model and mode to measure agreement)."""
    from warmlab.core.quiet import quiet_libraries
    from warmlab.results.runner import EvalSettings, run_eval
    from warmlab.tasks import get_battery

    quiet_libraries()
    battery = get_battery(task)
    settings = EvalSettings(
        task=task,
        args=task_args,
        limit=limit,
        seed=seed,
        max_tokens=max_tokens
        if max_tokens is not None
        else int(battery.arguments().get("max_tokens") or 128),
        temperature=temperature,
        batch_size=batch_size,
        judge_all=judge_all,
        judge_sample=judge_sample,
    )
    return run_eval(models, modes or [battery.modes[0]], Path(out), settings, judge=judge, user=user)


def load_results(path: str | Path, task: str | None = None) -> list[dict[str, Any]]:
    """The latest row per model x sample x mode of a results folder (or its results.jsonl)."""
    from warmlab.results import load_results as _load

    return _load(path, task)


def analyse(rows: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """Statistics of the rows (see warmlab.stats.analyse): reliability's paper models and every battery's
    paired outcomes."""
    from warmlab.stats import analyse as _analyse

    return _analyse(rows, **kwargs)


def run_study(config: str | Path, out: str | Path | None = None) -> Path:
    """Run (or resume) a study from a TOML config or a shipped name; returns the report's path."""
    from warmlab.core.quiet import quiet_libraries
    from warmlab.study import load_config
    from warmlab.study import run_study as run

    quiet_libraries()
    return run(load_config(str(config), None if out is None else str(out)))
