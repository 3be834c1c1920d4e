"""Trainer callbacks of an SFT run: epoch checkpoints (warmlab's own schedule, written with a manifest) and a
one-line progress log."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from warmlab.train.sft import (
    _EPS,
    MANIFEST,
    _copy_model_files,
    _epoch_name,
    _install_root,
    _write_json,
    read_manifest,
)


class EpochCheckpoints(TrainerCallback):
    """Asks the Trainer to save at each target epoch, then copies the model files to DIR/epoch-E and records
    it in the manifest (epoch copies are kept; the Trainer's own checkpoints rotate).

    Every process takes the same decisions (from the manifest read once at the start and the epoch counter),
    so they agree on when to save; only the main process writes files.
    """

    def __init__(self, out: Path, targets: list[float], main: float) -> None:
        self.out = out
        self.targets = targets
        self.main = main
        self.done: set[float] = set()
        self.pending: list[float] = []
        self.resume_dir: Path | None = None

    def _crossed(self, epoch: float) -> list[float]:
        crossed = [e for e in self.targets if e not in self.done and epoch >= e - _EPS]
        self.done.update(crossed)
        return crossed

    def _record(self, covered: list[float], step: int, src: Path, state: Any) -> None:
        """Save the largest epoch of `covered` (several targets can fall on one step with little data)."""
        if not state.is_world_process_zero:
            return
        epoch = covered[-1]
        name = _epoch_name(epoch)
        _copy_model_files(src, self.out / name)
        manifest = [c for c in read_manifest(self.out) if float(c["epoch"]) != epoch]
        manifest.append({"epoch": epoch, "step": step, "path": name})
        manifest.sort(key=lambda c: float(c["epoch"]))
        _write_json(self.out / MANIFEST, manifest)
        if any(abs(c - self.main) < _EPS for c in covered):
            _install_root(self.out, self.out / name)

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.done = {float(c["epoch"]) for c in read_manifest(self.out)}
        # Killed between the Trainer's save and our copy: the resumed checkpoint is that epoch's state.
        if self.resume_dir is not None and state.epoch:
            crossed = self._crossed(float(state.epoch))
            if crossed:
                self._record(crossed, state.global_step, self.resume_dir, state)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        crossed = self._crossed(float(state.epoch or 0.0))
        if crossed:
            self.pending = crossed
            control.should_save = True

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.pending:
            src = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            self._record(self.pending, state.global_step, src, state)
            self.pending = []


class OneLineLog(TrainerCallback):
    """One short line per logging step (instead of dicts and progress bars)."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or not logs or "loss" not in logs:
            return
        elapsed = time.perf_counter() - self.t0
        print(
            f"step {state.global_step}/{state.max_steps}  epoch {float(state.epoch or 0):.2f}  "
            f"loss {logs['loss']:.3f}  lr {logs.get('learning_rate', 0):.2e}  {elapsed:.0f}s",
            flush=True,
        )
