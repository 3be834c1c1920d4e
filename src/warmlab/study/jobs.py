"""Stage jobs, run in child processes so that the memory a stage held goes back to the system.

Training gets a fresh process per stage (`isolated`): a study's peak memory is its largest stage, not the
sum of them. Evaluation stages share one `Child`, which pays the imports (~8 s) once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


class Child:
    """A spawned process that runs stage jobs (started on the first job, so skipped stages cost nothing).

    Ctrl-C: the child stops its own work (core.interrupt, "child" mode: it ignores further Ctrl-Cs) and
    reports `Interrupted`, which is raised here; a second Ctrl-C in the parent kills the child and quits.
    """

    def __enter__(self) -> Child:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.pool = ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("spawn"), initializer=_child_init
        )
        return self

    def _pids(self) -> list[int]:
        return list((getattr(self.pool, "_processes", None) or {}).keys())

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        import os
        import signal
        from concurrent.futures.process import BrokenProcessPool

        from warmlab.core import interrupt

        future = self.pool.submit(fn, *args)
        pids = self._pids()
        for pid in pids:
            interrupt.watch_child(pid)
        try:
            return future.result()
        except interrupt.Interrupted:
            raise
        except KeyboardInterrupt:
            # Ctrl-C in a terminal reaches the child too; a signal sent to this process alone does not
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGINT)
            try:
                return future.result()  # the child winds its work down and reports what it kept
            except BrokenProcessPool:
                raise KeyboardInterrupt from None
        finally:
            for pid in pids:
                interrupt.watch_child(pid, add=False)

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(cancel_futures=True)


def _child_init() -> None:
    from warmlab.core import interrupt

    interrupt.install("child")


def isolated(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a heavy stage in a fresh process of its own."""
    with Child() as child:
        return child.run(fn, *args)


_READY = False


def _setup() -> None:
    global _READY
    if not _READY:
        from warmlab.core.quiet import quiet_inspect, quiet_libraries

        quiet_libraries()
        quiet_inspect()
        _READY = True


def train_sft_job(s: Any) -> dict[str, Any]:
    _setup()
    from warmlab.train.sft import run_sft

    r = run_sft(s)
    return {"steps": r.global_step, "examples": r.n_examples}


def train_rl_job(s: Any) -> dict[str, Any]:
    _setup()
    from warmlab.errors import WarmlabError
    from warmlab.train.rl import run_rl

    r = run_rl(s)
    if r.status == "stopped":  # the stage must not be recorded as done: a re-run resumes the training
        raise WarmlabError(f"{s.out}: RL stopped at step {r.global_step}/{r.max_steps}; run the study again")
    done = [x for x in r.rewards if x == x]  # NaN: a step whose every simulator failed
    steps = max([r.global_step, *(int(c["step"]) for c in r.checkpoints)])  # found trained: its last step
    return {"steps": steps, "reward_last": done[-1] if done else None}


def eval_job(
    models: list[str],
    mode: str,
    folder: Path,
    settings: dict[str, Any],
    judge: str | None,
    user: str | None,
    labels: Mapping[str, tuple[str, str]],
    extra: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """One battery in one mode for every model (`settings`: EvalSettings fields)."""
    _setup()
    from warmlab.results.runner import EvalSettings, run_eval

    run_eval(
        models, [mode], folder, EvalSettings(**settings), judge=judge, user=user, labels=labels, extra=extra
    )
