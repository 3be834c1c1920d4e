"""Run the reliability battery for several models and modes into one results folder (resumable)."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.models import ModelSpec, parse_spec
from warmlab.results import Sink, done_sample_ids, read_results, recording

RESULTS_FILE = "results.jsonl"


@dataclass
class EvalSettings:
    families: str = "all"
    contexts: str = "all"
    beliefs: str = "default"
    limit: int | None = None
    seed: int = 0
    source: str = "starter"
    max_tokens: int = 128
    temperature: float | None = None
    batch_size: int = 32
    sample_ids: frozenset[str] | None = None  # run only these samples (None: all)
    extra_task_args: dict[str, Any] = field(default_factory=dict)


def task_args(settings: EvalSettings, mode: str, spec: ModelSpec) -> dict[str, Any]:
    return {
        "families": settings.families,
        "contexts": settings.contexts,
        "beliefs": settings.beliefs,
        "limit": settings.limit,
        "seed": settings.seed,
        "mode": mode,
        "source": settings.source,
        "max_tokens": settings.max_tokens,
        "temperature": settings.temperature,
        "system": spec.system,
        **settings.extra_task_args,
    }


class Progress:
    """A one-line progress display on stderr (inspect's own display is off: it slows big runs down)."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.t0 = label, total, 0, time.monotonic()
        self.tty = sys.stderr.isatty()
        self._last = -1.0

    def tick(self, _row: dict[str, Any]) -> None:
        self.done += 1
        now = time.monotonic()
        if self.done == self.total or now - self._last >= (0.5 if self.tty else 15):
            self._last = now
            rate = self.done / max(now - self.t0, 1e-9)
            msg = f"{self.label}: {self.done}/{self.total} samples ({rate:.1f}/s)"
            print(
                ("\r" + msg) if self.tty else msg, end="" if self.tty else "\n", file=sys.stderr, flush=True
            )
            if self.tty and self.done == self.total:
                print(file=sys.stderr)


def run_eval(
    models: Sequence[str],
    modes: Sequence[str],
    out: Path,
    settings: EvalSettings,
    judge: str | None = None,
    labels: Mapping[str, tuple[str, str]] | None = None,
) -> Path:
    """Evaluate each model in each mode; rows land in out/results.jsonl, inspect logs in out/logs.

    Samples already in the table (same model, variant and mode) are skipped, so a killed run resumes.
    `labels` maps a spec to the (variant, base) written in its rows (default: derived from the spec).
    """
    import inspect_ai
    from inspect_ai.model import get_model

    from warmlab.tasks.reliability import reliability

    specs = [parse_spec(m) for m in models]
    judge_spec = parse_spec(judge) if judge else None
    if "choice" in modes:
        for s in specs:
            if not s.is_local:
                raise WarmlabError(
                    f"choice mode needs a local model (embedded, a folder, BASE+ADAPTER); "
                    f"{s.raw!r} is served by a provider: use --mode generate"
                )
    from warmlab.provider import load_local, release

    for mode in modes:  # bad families/contexts/beliefs fail before any model is loaded
        reliability(**task_args(settings, mode, specs[0]))
    # Every local model is loaded once up front, so a bad path or a mismatched adapter fails before any
    # work; only the first stays loaded (one model in memory at a time: a 3-variant study of an 8B model
    # would otherwise hold three).
    first = next(((s.base, s.adapter) for s in specs if s.is_local and s.base is not None), None)
    for s in specs:
        if s.is_local and s.base is not None:
            load_local(s.base, s.adapter)
            if (s.base, s.adapter) != first:
                release(s.base, s.adapter)
    out.mkdir(parents=True, exist_ok=True)
    results = out / RESULTS_FILE
    for spec in specs:
        for mode in modes:
            task = reliability(**task_args(settings, mode, spec))
            variant, base = (labels or {}).get(spec.raw, (spec.variant, spec.base_spec))
            rows = read_results(results)
            done = done_sample_ids(rows, spec.raw, variant, mode)
            todo = [
                str(s.id)
                for s in task.dataset
                if str(s.id) not in done and (settings.sample_ids is None or str(s.id) in settings.sample_ids)
            ]
            label = f"{spec.raw} [{variant}, {mode}]"
            if not todo:
                print(f"{label}: all {len(task.dataset)} samples already in {results}", file=sys.stderr)
                continue
            if done:
                print(f"{label}: resuming, {len(done)} samples already done", file=sys.stderr)
            progress = Progress(label, len(todo))
            sink = Sink(results, spec.raw, variant, mode, base, on_row=progress.tick)
            model_args: dict[str, Any] = {"batch_size": settings.batch_size} if spec.is_local else {}
            # Not memoized: inspect would otherwise keep every model of the run loaded until the process
            # ends (one copy per model and mode), which is the whole memory of a study's eval stage.
            try:
                model = get_model(spec.inspect_name, memoize=False, **model_args)
            except WarmlabError:
                raise
            except Exception as e:  # a provider that is not installed or not reachable
                raise WarmlabError(f"cannot use model {spec.raw!r}: {one_line(e)}") from e
            with recording(sink):
                logs = inspect_ai.eval(
                    task,
                    model=model,
                    sample_id=todo,
                    log_dir=str(out / "logs"),
                    display="none",
                    log_realtime=False,
                    score_display=False,
                    max_samples=2 * settings.batch_size,
                    max_connections=settings.batch_size,
                    model_roles={"grader": judge_spec.inspect_name} if judge_spec else None,
                    fail_on_error=False,
                    retry_on_error=0,
                )
            del model
            for log in logs:
                if log.status == "error" and log.error is not None:
                    msg = log.error.message.strip().splitlines()
                    raise WarmlabError(f"{label}: eval failed: {msg[-1] if msg else 'unknown error'}")
        if spec.is_local and spec.base is not None and len(specs) > 1:
            release(spec.base, spec.adapter)
    return results


def one_line(e: BaseException) -> str:
    """An exception's message on one line, without the rich markup some inspect errors carry."""
    text = re.sub(r"\[/?(?:bold|italic|red|yellow|blue|green)\]", "", str(e))
    text = " ".join(text.split()).removeprefix("ERROR: ")
    return text or type(e).__name__


def latest_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (model, variant, mode, sample), the last written winning (a retried error is replaced)."""
    keyed: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        keyed[
            (
                r.get("model"),
                r.get("variant"),
                r.get("mode"),
                r.get("sample_id") or (r.get("item_id"), r.get("context"), r.get("belief")),
            )
        ] = r
    return list(keyed.values())
