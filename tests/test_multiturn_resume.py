"""A multi-turn eval killed with SIGKILL and re-run ends with the same rows, none lost or repeated."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from warmlab.results import latest_rows, read_results

ARGS = [
    "--task",
    "pushback",
    "--mode",
    "generate",
    "--limit",
    "2",
    "--families",
    "trivia,truthful",
    "-T",
    "schedules=plain,hurt,closeness",
    "-T",
    "turns=3",
    "--max-tokens",
    "6",
    "--batch-size",
    "1",  # which dialogues share a batch depends on timing, and padding can flip a tiny model's near-ties
]


def _cmd(model: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "warmlab.cli", "eval", "--model", str(model), *ARGS, "--out", str(out)]


def _rows(path: Path) -> list[dict]:
    return sorted(
        ({k: v for k, v in r.items() if k != "log"} for r in read_results(path)), key=lambda r: r["sample_id"]
    )


def test_killed_multiturn_eval_resumes_to_the_same_rows(tiny_model: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    full = tmp_path / "full"
    subprocess.run(_cmd(tiny_model, full), check=True, env=env, capture_output=True, timeout=600)
    expected = _rows(full / "results.jsonl")
    assert len(expected) == 2 * 2 * 3  # items x families x schedules

    killed = tmp_path / "killed"
    table = killed / "results.jsonl"
    for cut in (2, 6):  # kill twice, at different points
        proc = subprocess.Popen(
            _cmd(tiny_model, killed), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.time() + 300
        while time.time() < deadline and proc.poll() is None:
            if table.exists() and table.read_text().count("\n") >= cut:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    partial = len(read_results(table))
    assert partial < len(expected)
    subprocess.run(_cmd(tiny_model, killed), check=True, env=env, capture_output=True, timeout=600)
    got = _rows(table)
    assert len(got) == len(latest_rows(read_results(table))) == len(expected)  # nothing repeated
    assert got == expected
    assert all(json.loads(line) for line in table.read_text().splitlines())
