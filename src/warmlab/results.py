"""The tidy results table: one row per model x item x condition x mode (JSONL, optionally Parquet).

Rows are appended as samples finish (an inspect hook), so an interrupted eval loses nothing and a
re-run skips what is already in the table.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai.hooks import Hooks, SampleEnd, hooks
from inspect_ai.log import EvalSample

from warmlab.errors import WarmlabError

COLUMNS = (
    "model",
    "variant",
    "family",
    "item_id",
    "context",
    "context_group",
    "belief",
    "mode",
    "output",
    "verdict",
    "scorer",
    "rationale",
    "output_chars",
)


def row_from_sample(
    sample: EvalSample, *, model: str, variant: str, mode: str, base: str | None = None
) -> dict[str, Any]:
    md = sample.metadata or {}
    score = next(iter((sample.scores or {}).values()), None)
    smd = (score.metadata or {}) if score else {}
    output = sample.output.completion if sample.output else ""
    if sample.error is not None:
        verdict, scorer, rationale = "unparsed", "error", f"sample error: {sample.error.message[:200]}"
    else:
        verdict = str(smd.get("verdict", score.value if score else "unparsed"))
        scorer, rationale = str(smd.get("scorer", "")), str(score.explanation or "") if score else ""
    return {
        "model": model,
        "variant": variant,
        "base": base or model,
        "family": md.get("family"),
        "item_id": md.get("item_id"),
        "context": md.get("context"),
        "context_group": md.get("context_group"),
        "belief": md.get("belief"),
        "mode": mode,
        "output": output,
        "verdict": verdict,
        "scorer": scorer,
        "rationale": rationale,
        "output_chars": len(output),
        "sample_id": str(sample.id),
        "statement_id": md.get("statement_id"),
    }


@dataclass
class Sink:
    path: Path
    model: str
    variant: str
    mode: str
    base: str
    on_row: Callable[[dict[str, Any]], None] | None = None


@hooks(name="warmlab_results", description="Appends warmlab's tidy result rows as samples finish.")
class ResultsRecorder(Hooks):
    """Active only inside `recording(...)`, i.e. when the warmlab CLI/API runs an eval."""

    sink: Sink | None = None
    _lock = threading.Lock()

    def enabled(self) -> bool:
        return ResultsRecorder.sink is not None

    async def on_sample_end(self, data: SampleEnd) -> None:
        sink = ResultsRecorder.sink
        if sink is None:
            return
        row = row_from_sample(
            data.sample, model=sink.model, variant=sink.variant, mode=sink.mode, base=sink.base
        )
        append_rows(sink.path, [row])
        if sink.on_row:
            sink.on_row(row)


@contextmanager
def recording(sink: Sink) -> Iterator[Sink]:
    ResultsRecorder.sink = sink
    try:
        yield sink
    finally:
        ResultsRecorder.sink = None


def append_rows(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with ResultsRecorder._lock, path.open("a", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
        f.flush()


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL file; a malformed line is a user error naming the file and line."""
    from warmlab.items.loaders import json_lines

    if not path.is_file():
        raise WarmlabError(f"{path} does not exist")
    return [obj for _, obj in json_lines(str(path), path.read_text(encoding="utf-8"))]


def read_results(path: Path) -> list[dict[str, Any]]:
    """Rows of a results table; a half-written last line (a killed run) is dropped, not an error."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines and lines[-1].strip() and not text.endswith("\n"):
        lines = lines[:-1]
        path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    out = []
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise WarmlabError(f"{path}:{n}: invalid JSON ({e.msg})") from None
    return out


def done_sample_ids(rows: Iterable[dict[str, Any]], model: str, variant: str, mode: str) -> set[str]:
    return {
        r["sample_id"]
        for r in rows
        if r.get("model") == model
        and r.get("variant") == variant
        and r.get("mode") == mode
        and r.get("scorer") != "error"
    }


def write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    import pandas as pd

    pd.DataFrame(rows).to_parquet(path, index=False)
