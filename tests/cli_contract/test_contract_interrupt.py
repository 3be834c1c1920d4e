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

ARGS = ["--families", "trivia", "--contexts", "none,sad", "--limit", "3"]
ARGS += ["--max-tokens", "24", "--batch-size", "2"]
LINE = re.compile(r"^warmlab: interrupted \((\d+) of (\d+) samples kept; run the same command to resume\)$")


def _rows(table: Path) -> dict[str, dict[str, Any]]:
    return {r["sample_id"]: {k: v for k, v in r.items() if k != "log"} for r in read_results(table)}


def _lines(table: Path) -> int:
    return table.read_text().count("\n") if table.exists() else 0


def _interrupt(model: Path, out: Path, after_rows: int) -> tuple[int, str]:
    """Start an eval, send it SIGINT once its table has `after_rows` rows; exit code and stderr."""
    cmd = [sys.executable, "-m", "warmlab.cli", "eval", "--model", str(model), *ARGS, "--out", str(out)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and _lines(out / "results.jsonl") < after_rows:
        time.sleep(0.05)
    assert proc.poll() is None, "the eval finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


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
    code, err = _interrupt(tiny_model, out, after_rows=2)
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

    res = run_cli(["eval", "--model", str(tiny_model), *ARGS, "--out", str(out)], capsys)
    assert res.code == 0, res.err[-3000:]
    assert _rows(table) == reference
    assert _lines(table) == len(reference)  # nothing repeated


def test_a_second_ctrl_c_quits_at_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """From the command line the second Ctrl-C kills a study's worker process and exits 130 on the spot;
    in a worker it is ignored (its parent decides); from the Python API it raises KeyboardInterrupt."""
    from warmlab.core import interrupt

    exits: list[int] = []
    killed: list[tuple[int, int]] = []
    monkeypatch.setattr(interrupt.os, "_exit", exits.append)
    monkeypatch.setattr(interrupt.os, "kill", lambda pid, sig: killed.append((pid, sig)))
    stops: list[str] = []
    before = interrupt.install("cli")
    try:
        interrupt._STATE.stop = lambda: stops.append("stop")
        interrupt.watch_child(4242)
        interrupt.handle_sigint(signal.SIGINT, None)
        assert stops == ["stop"] and not exits
        interrupt.handle_sigint(signal.SIGINT, None)
        assert exits == [130] and killed == [(4242, signal.SIGKILL)] and stops == ["stop"]
        err = capsys.readouterr().err
        assert "stopping (Ctrl-C again to quit at once)" in err and "quitting now" in err

        interrupt.install("child")
        with pytest.raises(KeyboardInterrupt):  # nothing running to stop: the usual KeyboardInterrupt
            interrupt.handle_sigint(signal.SIGINT, None)
        interrupt.handle_sigint(signal.SIGINT, None)  # ignored
        assert exits == [130]

        interrupt.install("api")
        interrupt._STATE.stop = lambda: stops.append("stop")
        interrupt.handle_sigint(signal.SIGINT, None)
        with pytest.raises(KeyboardInterrupt):
            interrupt.handle_sigint(signal.SIGINT, None)
    finally:
        interrupt.watch_child(4242, add=False)
        interrupt.install("api")
        interrupt.restore(before)
