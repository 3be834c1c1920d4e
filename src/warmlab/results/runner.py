"""Run any battery for several models and modes into one results folder (resumable).

Rows land in OUT/results.jsonl as samples finish (see results.recorder), inspect logs in OUT/logs. A
re-run with the same command skips the samples already in the table, so a killed run resumes.
"""

from __future__ import annotations

import copy
import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warmlab.core import limits
from warmlab.core.interrupt import Interrupted, runner_sigint
from warmlab.core.io import append_rows, check_writable, read_table
from warmlab.errors import WarmlabError
from warmlab.models import ModelSpec, check_usable, inspect_model, model_identity, parse_spec
from warmlab.results.recorder import Sink, recording
from warmlab.results.rows import done_sample_ids, latest_rows
from warmlab.scoring.cascade import DEFAULT_SAMPLE
from warmlab.tasks import Battery, get_battery

RESULTS_FILE = "results.jsonl"


@dataclass
class EvalSettings:
    """What to run: a battery, its own arguments, and the settings every battery shares."""

    task: str = "reliability"
    args: dict[str, Any] = field(default_factory=dict)  # the battery's own task arguments
    limit: int | None = None
    seed: int = 0
    max_tokens: int = 128
    temperature: float | None = None
    batch_size: int = 32
    sample_ids: frozenset[str] | None = None  # run only these samples (None: all)
    judge_all: bool = False  # with a judge: it grades every row, not only the undecided ones
    judge_sample: int = DEFAULT_SAMPLE  # with a judge: decided rows per model x mode it also grades

    def __post_init__(self) -> None:
        limits.LIMIT.check(self.limit, "limit")
        limits.SEED.check(self.seed, "seed")
        limits.MAX_TOKENS.check(self.max_tokens, "max_tokens")
        limits.BATCH_SIZE.check(self.batch_size, "batch_size")
        limits.TEMPERATURE.check(self.temperature, "temperature")
        if self.judge_sample < 0:
            raise WarmlabError(f"judge_sample must be 0 or more rows, not {self.judge_sample}")


def task_args(settings: EvalSettings, mode: str, spec: ModelSpec) -> dict[str, Any]:
    return {
        **settings.args,
        "limit": settings.limit,
        "seed": settings.seed,
        "mode": mode,
        "max_tokens": settings.max_tokens,
        "temperature": settings.temperature,
        "system": spec.system,
    }


def even_batch(n: int, batch_size: int) -> int:
    """The smallest batch size that still needs only ceil(n / batch_size) batches: 66 prompts at 64 run
    as 33 + 33, not 64 + 2 (a batch of 2 decodes as many steps as a full one for a fraction of the work)."""
    batches = max(1, math.ceil(n / max(1, batch_size)))
    return max(1, math.ceil(n / batches))


def checked_args(battery: Battery, args: Mapping[str, Any]) -> dict[str, Any]:
    """A battery's own arguments checked against its task's type annotations (from a study config or
    `-T key=value`): `turns = "many"` is a one-line error here, not a crash inside the task."""
    import inspect as pyinspect
    import typing

    from pydantic import TypeAdapter, ValidationError

    battery.check_args(args)
    try:
        hints = typing.get_type_hints(pyinspect.unwrap(battery.task))
    except (NameError, TypeError):
        hints = {}
    out = {}
    for key, value in args.items():
        hint = hints.get(key)
        try:
            out[key] = value if hint is None else TypeAdapter(hint).validate_python(value)
        except ValidationError as e:
            msg = e.errors()[0]["msg"]
            raise WarmlabError(f"task {battery.name!r}: argument {key}: {msg} (got {value!r})") from None
    return out


def build_task(battery: Battery, settings: EvalSettings, mode: str, spec: ModelSpec) -> Any:
    battery.check_mode(mode)
    args = task_args(settings, mode, spec)
    return battery.task(**{**args, **checked_args(battery, settings.args)})


TaskCache = dict[tuple[str, str | None], Any]


def built_task(cache: TaskCache, battery: Battery, settings: EvalSettings, mode: str, spec: ModelSpec) -> Any:
    """The task `cache` holds for this mode and system prompt (all a spec changes in the task's
    arguments), handed out once, else a new one. The run checks its arguments by building each mode's
    task up front; its first eval reuses that one (a battery's dataset takes about a second to build:
    13k framed prompts for reliability). Never twice: a scorer may hold state bound to one eval's event
    loop (an asyncio.Lock)."""
    task = cache.pop((mode, spec.system), None)
    return task if task is not None else build_task(battery, settings, mode, spec)


def only_samples(task: Any, ids: Sequence[str]) -> Any:
    """A copy of `task` whose dataset holds only the samples `ids`, in the dataset's order.

    Why not inspect's `sample_id=`: it matches every sample id against every pattern with fnmatch
    (13k reliability samples x 256 ids x 2: 6.7M fnmatch calls, seconds per run)."""
    from inspect_ai import task_with

    keep = set(ids)
    return task_with(copy.copy(task), dataset=task.dataset.filter(lambda s: str(s.id) in keep))


class Progress:
    """A one-line progress display on stderr (inspect's own display is off: it slows big runs down)."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.t0 = label, total, 0, time.monotonic()
        self.tty = sys.stderr.isatty()
        self._last = -1.0

    def tick(self, _row: dict[str, Any] | None = None) -> None:
        self.done += 1
        now = time.monotonic()
        if self.done == self.total or now - self._last >= (0.5 if self.tty else 15):
            self._last = now
            rate = self.done / max(now - self.t0, 1e-9)
            msg = f"{self.label}: {self.done}/{self.total} samples ({rate:.1f}/s)"
            end = "" if self.tty else "\n"
            print(("\r" + msg) if self.tty else msg, end=end, file=sys.stderr, flush=True)
            if self.tty and self.done == self.total:
                print(file=sys.stderr)


def _role_model(spec_text: str | None) -> Any:
    """An inspect Model for a model role (grader, user), loaded once for the whole run."""
    return inspect_model(spec_text) if spec_text else None


def _reuse_twin(
    results: Path,
    rows: list[dict[str, Any]],
    task: str,
    spec: ModelSpec,
    variant: str,
    mode: str,
    todo: list[str],
    twins: dict[str, str],
    extra: Mapping[str, Any],
) -> list[str]:
    """Greedy replies of a model with the same weights and system prompt as one already run (a trainer's
    root copy of its epoch-2 checkpoint) are copied instead of generated again; returns what is left."""
    twin = twins.setdefault(model_identity(spec.raw), spec.raw)
    if twin == spec.raw or not todo:
        return todo
    theirs = {
        r["sample_id"]: r
        for r in latest_rows(rows)
        if (r["task"], r["model"], r["mode"]) == (task, twin, mode)
    }
    copied = [
        {**theirs[s], "model": spec.raw, "variant": variant, "reused_from": twin, **extra}
        for s in todo
        if s in theirs and theirs[s].get("scorer") != "error"
    ]
    if copied:
        append_rows(results, copied)
        print(f"{spec.raw} [{variant}]: same weights as {twin}; {len(copied)} rows reused", file=sys.stderr)
    done = {r["sample_id"] for r in copied}
    return [s for s in todo if s not in done]


def run_eval(
    models: Sequence[str],
    modes: Sequence[str],
    out: Path,
    settings: EvalSettings,
    judge: str | None = None,
    user: str | None = None,
    labels: Mapping[str, tuple[str, str]] | None = None,
    extra: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """Evaluate each model in each mode on `settings.task`; returns the results table's path.

    `labels` maps a spec to the (variant, base) written in its rows (default: derived from the spec);
    `extra` maps a spec to fields added to each of its rows (a checkpoint's epoch and run).
    `judge` binds inspect's `grader` role, `user` the `user` role (an LLM simulated user).
    Ctrl-C stops the run, keeping every finished sample, and raises `Interrupted` with the counts.
    """
    battery = get_battery(settings.task)
    specs = [parse_spec(m) for m in models]
    wanted: dict[str, list[str]] = {}
    tasks: TaskCache = {}
    for mode in modes:
        battery.check_mode(mode)
        if mode == "choice":
            for s in specs:
                if not s.is_local:
                    raise WarmlabError(
                        f"choice mode needs a local model (embedded, a folder, BASE+ADAPTER); "
                        f"{s.raw!r} is served by a provider: use --mode generate"
                    )
        # bad task arguments fail before any model loads
        task = tasks[(mode, specs[0].system)] = build_task(battery, settings, mode, specs[0])
        wanted[mode] = [
            str(s.id) for s in task.dataset if settings.sample_ids is None or str(s.id) in settings.sample_ids
        ]
    for spec_text in [*(s.raw for s in specs), judge, user]:
        if spec_text:
            check_usable(spec_text)
    results = out / RESULTS_FILE
    check_writable(results)
    label_of = {s.raw: (labels or {}).get(s.raw, (s.variant, s.base_spec)) for s in specs}

    def kept() -> Interrupted:
        rows = read_table(results)
        n = sum(
            len(done_sample_ids(rows, battery.name, s.raw, label_of[s.raw][0], mode) & set(wanted[mode]))
            for s in specs
            for mode in modes
        )
        return Interrupted(n, len(specs) * sum(len(w) for w in wanted.values()))

    try:
        _run_all(battery, specs, modes, out, settings, judge, user, label_of, extra, tasks)
    except Interrupted:
        raise kept() from None
    except KeyboardInterrupt:
        raise kept() from None
    return results


def _run_all(
    battery: Battery,
    specs: list[ModelSpec],
    modes: Sequence[str],
    out: Path,
    settings: EvalSettings,
    judge: str | None,
    user: str | None,
    label_of: Mapping[str, tuple[str, str]],
    extra: Mapping[str, Mapping[str, Any]] | None,
    tasks: TaskCache,
) -> None:
    from warmlab.provider import load_local, release

    results = out / RESULTS_FILE
    grader = _role_model(judge)
    # a battery with a cascade is judged after its run (only the rows that need it); others bind the role
    inline = grader if battery.cascade is None else None
    roles = {k: v for k, v in (("grader", inline), ("user", _role_model(user))) if v is not None}
    # Every local model is loaded once up front, so a bad path or a mismatched adapter fails before any
    # work; only the first stays loaded (one model in memory at a time).
    first = next(((s.base, s.adapter) for s in specs if s.is_local and s.base is not None), None)
    for s in specs:
        if s.is_local and s.base is not None:
            load_local(s.base, s.adapter, s.interventions)
            if (s.base, s.adapter) != first:
                release(s.base, s.adapter)
    twins: dict[str, str] = {}
    for spec in specs:
        row_extra = dict((extra or {}).get(spec.raw, {}))
        for mode in modes:
            task = built_task(tasks, battery, settings, mode, spec)
            variant, base = label_of[spec.raw]
            rows = read_table(results)
            done = done_sample_ids(rows, battery.name, spec.raw, variant, mode)
            todo = [
                str(s.id)
                for s in task.dataset
                if str(s.id) not in done and (settings.sample_ids is None or str(s.id) in settings.sample_ids)
            ]
            label = f"{battery.name}: {spec.raw} [{variant}, {mode}]"
            todo = _reuse_twin(results, rows, battery.name, spec, variant, mode, todo, twins, row_extra)
            if not todo:
                print(f"{label}: all {len(task.dataset)} samples already in {results}", file=sys.stderr)
                continue
            if done:
                print(f"{label}: resuming, {len(done)} samples already done", file=sys.stderr)
            progress = Progress(label, len(todo))
            sink = Sink(results, battery.name, spec.raw, variant, mode, base, row_extra, on_row=progress.tick)
            batch = even_batch(len(todo), settings.batch_size)
            model = inspect_model(spec.raw, **({"batch_size": batch} if spec.is_local else {}))
            _eval_one(only_samples(task, todo), model, out, batch, roles, sink, label)
            del model
        if spec.is_local and spec.base is not None and len(specs) > 1:
            release(spec.base, spec.adapter)
    if grader is not None and judge and battery.cascade is not None:
        judge_run(battery, results, [s.raw for s in specs], modes, settings, judge, grader)


def _eval_one(
    task: Any,
    model: Any,
    out: Path,
    batch: int,
    roles: dict[str, Any],
    sink: Sink,
    label: str,
) -> None:
    """One inspect run; a failed write, Ctrl-C or a failed eval ends it with an exception."""
    import inspect_ai

    from warmlab.provider import stop_generation

    logs: list[Any] = []
    try:
        with recording(sink), runner_sigint():
            logs = inspect_ai.eval(
                task,
                model=model,
                log_dir=str(out / "logs"),
                display="none",
                log_realtime=False,
                score_display=False,
                max_samples=2 * batch,
                # inspect's default (a flush every 10 samples) rewrites the growing log each time while the
                # finishing samples wait, holding their slots: batches then start part full. One flush at
                # the end (and inspect's own after 60 s without one); rows are written per sample anyway.
                log_buffer=max(1, len(task.dataset)),
                max_connections=batch,
                model_roles=roles or None,
                fail_on_error=False,
                retry_on_error=0,
            )
    except KeyboardInterrupt:
        sink.stop(interrupted=True)
    except BaseException as e:  # a run we cancelled ends in CancelledError or fails while winding down
        if not sink.stopping or isinstance(e, SystemExit | GeneratorExit):
            raise
    finally:
        if sink.stopping:
            stop_generation(join=True)  # no worker thread may be left inside torch at exit
    if sink.error is not None:
        raise sink.error
    if sink.interrupted or any(log.status == "cancelled" for log in logs):
        raise KeyboardInterrupt
    for log in logs:
        if log.status == "error" and log.error is not None:
            msg = log.error.message.strip().splitlines()
            raise WarmlabError(f"{label}: eval failed: {msg[-1] if msg else 'unknown error'}")


def judge_run(
    battery: Battery,
    results: Path,
    models: Sequence[str],
    modes: Sequence[str],
    settings: EvalSettings,
    judge: str,
    grader: Any,
) -> None:
    """The battery's judge cascade over the run's rows (those of `models` x `modes`, earlier ones too);
    judged rows are appended (the latest row of a sample wins when read)."""
    import asyncio

    from warmlab.scoring.cascade import CascadeSettings

    assert battery.cascade is not None
    samples: dict[str, Any] = {}
    for mode in modes:
        task = build_task(battery, settings, mode, parse_spec(models[0]))
        samples.update(
            {
                str(s.id): s.metadata or {}
                for s in task.dataset
                if settings.sample_ids is None or str(s.id) in settings.sample_ids
            }
        )
    rows = [  # this run's rows (a folder may hold others: other models, or samples of another limit)
        r
        for r in latest_rows(read_table(results))
        if r.get("task") == battery.name
        and r.get("model") in models
        and r.get("mode") in modes
        and str(r.get("sample_id")) in samples
    ]
    cascade = CascadeSettings(settings.judge_all, settings.judge_sample, settings.seed)

    def write(new: list[dict[str, Any]]) -> None:
        append_rows(results, new)

    line = asyncio.run(battery.cascade(rows, samples, judge, grader, cascade, write))
    print(f"{battery.name}: {line}", file=sys.stderr)
