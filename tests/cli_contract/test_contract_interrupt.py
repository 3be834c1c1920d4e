"""Ctrl-C: the first stops the eval, keeps every finished sample and writes no row for the others (exit
130, one line saying what was kept); a second quits at once. Resuming ends with the rows of a run that
was never interrupted."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from warmlab.results import read_results

from .conftest import run_cli

ARGS = [
    "--families",
    "trivia",
    "--contexts",
    "none,sad",
    "--limit",
    "3",
    "--max-tokens",
    "24",
    "--batch-size",
    "2",
]
LINE = re.compile(r"^warmlab: interrupted \((\d+) of (\d+) samples kept; run the same command to resume\)$")


def _rows(table: Path) -> dict[str, dict[str, Any]]:
    return {r["sample_id"]: {k: v for k, v in r.items() if k != "log"} for r in read_results(table)}


def _lines(table: Path) -> int:
    return table.read_text().count("\n") if table.exists() else 0


def _interrupt(model: Path, out: Path, after_rows: int, signals: int) -> tuple[int, str, float]:
    """Start an eval, wait until the table has `after_rows` rows, send SIGINT `signals` times; returns
    the exit code, stderr and the seconds from the first signal to the exit."""
    cmd = [sys.executable, "-m", "warmlab.cli", "eval", "--model", str(model), *ARGS, "--out", str(out)]
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and _lines(out / "results.jsonl") < after_rows:
        time.sleep(0.05)
    assert proc.poll() is None, "the eval finished before it could be interrupted"
    t0 = time.monotonic()
    for _ in range(signals):
        proc.send_signal(signal.SIGINT)
        time.sleep(0.2)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err, time.monotonic() - t0


@pytest.fixture(scope="module")
def reference(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("reference")
    from warmlab.cli import main

    main(["eval", "--model", str(tiny_model), *ARGS, "--out", str(out)])
    return _rows(out / "results.jsonl")


def test_ctrl_c_keeps_finished_samples_and_a_resume_ends_like_an_uninterrupted_run(
    tiny_model: Path,
    tmp_path: Path,
    reference: dict[str, dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "run"
    table = out / "results.jsonl"
    code, err, _ = _interrupt(tiny_model, out, after_rows=2, signals=1)
    assert code == 130, err[-3000:]
    assert "Traceback" not in err and "terminate called" not in err, err[-3000:]
    lines = err.strip().splitlines()
    assert "warmlab: stopping (Ctrl-C again to quit at once)" in lines
    m = LINE.match(lines[-1])
    assert m, lines[-3:]
    kept, total = int(m[1]), int(m[2])
    assert total == len(reference) and 2 <= kept < total
    rows = read_results(table)
    assert _lines(table) == len(rows) == kept  # one row per finished sample, none for unfinished ones
    assert all(r["scorer"] != "error" for r in rows)

    # a second run, stopped by two Ctrl-Cs: it quits at once
    code, err, seconds = _interrupt(tiny_model, out, after_rows=kept + 1, signals=2)
    assert code == 130 and "quitting now" in err, err[-3000:]
    assert seconds < 30
    assert all(r["scorer"] != "error" for r in read_results(table))

    res = run_cli(["eval", "--model", str(tiny_model), *ARGS, "--out", str(out)], capsys)
    assert res.code == 0, res.err[-3000:]
    assert _rows(table) == reference
    assert _lines(table) == len(reference)  # nothing repeated
