"""An inspect hook that appends one contract row per finished sample to the run's table.

Active only inside `recording(...)` (when warmlab's runner drives inspect). A failed write stops the run
(inspect swallows exceptions in hooks, and a table that silently stops growing would lose results); the
runner re-raises it after inspect returns. Ctrl-C stops the run the same way (core.interrupt). A sample
that was cancelled or stopped never ran to its end: it gets no row, so a resume runs it again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspect_ai.hooks import Hooks, RunStart, SampleEnd, hooks
from inspect_ai.log import EvalSample

from warmlab.core import interrupt
from warmlab.core.io import append_rows
from warmlab.errors import WarmlabError
from warmlab.results.rows import SCHEMA


@dataclass
class Sink:
    path: Path
    task: str
    model: str
    variant: str
    mode: str
    base: str
    extra: dict[str, Any] = field(default_factory=dict)  # added to every row (e.g. epoch, run)
    on_row: Callable[[dict[str, Any]], None] | None = None
    error: WarmlabError | None = None
    stopping: bool = False  # the run is stopping: unfinished samples are not recorded
    interrupted: bool = False  # ... because of Ctrl-C
    written: int = 0
    cancel: Callable[[], None] | None = None  # cancels the inspect run (set when it starts)

    def stop(self, interrupted: bool) -> None:
        """Record no more unfinished samples and halt local generation (the caller cancels the run)."""
        from warmlab.provider import stop_generation

        self.stopping = True
        self.interrupted = self.interrupted or interrupted
        stop_generation(join=False)


_UNFINISHED = ("CancelledError", "GenerationStopped")


def unfinished(sample: EvalSample) -> bool:
    """The sample was cancelled or its generation stopped: it did not fail, it did not finish."""
    return sample.error is not None and sample.error.message.lstrip().startswith(_UNFINISHED)


def transcript(sample: EvalSample) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.text} for m in sample.messages if m.role in ("user", "assistant")]


def row_from_sample(sample: EvalSample, sink: Sink) -> dict[str, Any]:
    md = sample.metadata or {}
    score = next(iter((sample.scores or {}).values()), None)
    smd = (score.metadata or {}) if score else {}
    output = sample.output.completion if sample.output else ""
    if sample.error is not None:
        outcomes: dict[str, Any] = {}
        scorer, rationale = "error", f"sample error: {sample.error.message.strip()[:300]}"
    else:
        outcomes = dict(smd.get("outcomes") or {})
        scorer = str(smd.get("scorer", ""))
        rationale = str(score.explanation or "") if score else ""
    row: dict[str, Any] = {
        "schema": SCHEMA,
        "task": sink.task,
        "model": sink.model,
        "variant": sink.variant,
        "base": sink.base,
        "mode": sink.mode,
        "sample_id": str(sample.id),
        "item_id": str(md.get("item_id", sample.id)),
        "condition": dict(md.get("condition") or {}),
        "outcomes": outcomes,
        "scorer": scorer,
        "output": output,
        "rationale": rationale,
        "output_chars": len(output),
        **sink.extra,
    }
    if smd.get("by_scorer"):  # every scorer that ran on the sample (a judge beside the offline scorer)
        row["by_scorer"] = dict(smd["by_scorer"])
    if smd.get("reference"):  # figures the task computed once for every row (e.g. a human baseline)
        row["reference"] = dict(smd["reference"])
    if md.get("multi_turn") or smd.get("user"):
        row["user"] = smd.get("user") or md.get("user")
        row["transcript"] = transcript(sample)
    return row


@hooks(name="warmlab_results", description="Appends warmlab's result rows as samples finish.")
class ResultsRecorder(Hooks):
    sink: Sink | None = None
    _lock = threading.Lock()

    def enabled(self) -> bool:
        return ResultsRecorder.sink is not None

    async def on_run_start(self, data: RunStart) -> None:
        sink = ResultsRecorder.sink
        if sink is None:
            return
        task: Any = interrupt.loop_main_task()
        if task is not None:
            sink.cancel = task.cancel
        interrupt.adopt_loop_handler(lambda: sink.stop(interrupted=True))

    async def on_sample_end(self, data: SampleEnd) -> None:
        sink = ResultsRecorder.sink
        if sink is None or sink.error is not None:
            return
        if data.sample.error is not None and (sink.stopping or unfinished(data.sample)):
            return  # no row, so a resume runs it again
        try:
            row = row_from_sample(data.sample, sink)
            append_rows(sink.path, [row])
        except (WarmlabError, TypeError, ValueError) as e:
            # TypeError/ValueError: e.g. a numpy number in the outcomes: never lose a row silently
            sink.error = (
                e
                if isinstance(e, WarmlabError)
                else WarmlabError(f"{sink.task}: sample {data.sample.id}: cannot record its row ({e})")
            )
            sink.stop(interrupted=False)  # the runner raises it; the samples still running would be lost too
            if sink.cancel is not None:
                sink.cancel()
            return
        sink.written += 1
        if sink.on_row:
            sink.on_row(row)


@contextmanager
def recording(sink: Sink) -> Iterator[Sink]:
    ResultsRecorder.sink = sink
    try:
        yield sink
    finally:
        ResultsRecorder.sink = None
