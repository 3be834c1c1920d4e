"""Stage bookkeeping: every stage is keyed by a hash of its inputs and recorded in OUT/stages.json.

A stage whose key is recorded as finished is skipped; one killed half way is re-entered and resumes; when
its inputs change, its earlier outputs are moved to OUT/.superseded/ (never deleted) before it runs again.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

from warmlab.core.io import write_json
from warmlab.errors import WarmlabError

STAGES_FILE = "stages.json"


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stage_key(stage: str, inputs: Mapping[str, Any]) -> str:
    blob = json.dumps({"stage": stage, "inputs": inputs, "warmlab": version("warmlab")}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class Ledger:
    """OUT/stages.json: which stage finished with which key (written atomically after each change)."""

    def __init__(self, out: Path) -> None:
        self.path = out / STAGES_FILE
        self.entries: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            try:
                entries = json.loads(self.path.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError):
                entries = {}  # a torn write: every stage re-checks (finished work resumes cheaply)
            if isinstance(entries, dict):  # anything else (a hand edit) counts as no record
                self.entries = {k: v for k, v in entries.items() if isinstance(v, dict)}

    def done(self, stage: str, key: str) -> bool:
        entry = self.entries.get(stage, {})
        return entry.get("key") == key and entry.get("state") == "done"

    def recorded_key(self, stage: str) -> str | None:
        return self.entries.get(stage, {}).get("key")

    def mark(self, stage: str, key: str, state: str, **info: Any) -> None:
        self.entries[stage] = {"key": key, "state": state, **info}
        write_json(self.path, self.entries)


def move_aside(path: Path, old_key: str | None) -> Path | None:
    """Keep an output of an earlier configuration in OUT/.superseded/ instead of deleting it (a name that
    is taken gets a counter, so nothing there is ever replaced)."""
    if not path.exists():
        return None
    folder = path.parent / ".superseded"
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{path.name}-{old_key or 'unknown'}"
    n = 1
    while dest.exists():
        n += 1
        dest = folder / f"{path.name}-{old_key or 'unknown'}-{n}"
    try:
        path.rename(dest)
    except OSError as e:
        raise WarmlabError(f"cannot move {path} aside to {dest}: {e.strerror or e}") from None
    return dest


def say(msg: str) -> None:
    print(f"study: {msg}", file=sys.stderr, flush=True)


def run_stage(
    ledger: Ledger,
    stage: str,
    inputs: Mapping[str, Any],
    outputs: list[Path],
    body: Callable[[], dict[str, Any] | None],
    reuse: bool = False,
) -> str:
    """Run `body` unless this stage already finished with the same inputs and its outputs exist.

    `reuse`: the outputs stay valid under new inputs (the body extends them), so they are not moved aside.
    """
    key = stage_key(stage, inputs)
    if ledger.done(stage, key) and all(p.exists() for p in outputs):
        say(f"{stage}: up to date ({key}), skipped")
        return key
    old = ledger.recorded_key(stage)
    if old != key and not reuse and any(p.exists() for p in outputs):
        for p in outputs:
            move_aside(p, old)
        say(f"{stage}: inputs changed; earlier outputs moved to {outputs[0].parent / '.superseded'}")
    elif old == key:
        say(f"{stage}: resuming an interrupted run")
    else:
        say(f"{stage}: running")
    ledger.mark(stage, key, "running")  # a restart with the same inputs resumes instead of moving aside
    t0 = time.perf_counter()
    info = body() or {}
    seconds = round(time.perf_counter() - t0, 1)
    ledger.mark(stage, key, "done", seconds=seconds, **info)
    say(f"{stage}: done in {seconds:.0f} s")
    return key
