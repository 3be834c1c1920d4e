"""An inspect hook that appends one contract row per finished sample to the run's table.

Active only inside `recording(...)` (when warmlab's runner drives inspect). A failed write is kept and
re-raised by the runner after inspect returns: inspect swallows exceptions in hooks, and a table that
silently stops growing would lose results.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspect_ai.hooks import Hooks, SampleEnd, hooks
from inspect_ai.log import EvalSample

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
    stopping: bool = False  # an interrupt is under way: unfinished samples are not recorded
    written: int = 0


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

    async def on_sample_end(self, data: SampleEnd) -> None:
        sink = ResultsRecorder.sink
        if sink is None or sink.error is not None:
            return
        if sink.stopping and data.sample.error is not None:
            return  # cancelled by an interrupt: no row, so a resume runs it again
        row = row_from_sample(data.sample, sink)
        try:
            append_rows(sink.path, [row])
        except WarmlabError as e:
            sink.error = e
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
