"""Shared pieces of the CLI contract suite: one finished run (built once per session, copied per test),
an in-process runner for `warmlab.cli.main`, and the checks every bad-input case makes."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from warmlab.cli import main

ITEM = {
    "id": "t-1",
    "family": "trivia",
    "question": "Capital of Peru?",
    "correct": ["Lima"],
    "incorrect": "Cusco",
}


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> Result:
    capsys.readouterr()
    try:
        main(args)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    out, err = capsys.readouterr()
    return Result(code, out, err)


def digests(root: Path) -> dict[str, str]:
    """sha256 of every file under `root`, by relative path."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def assert_user_error(res: Result, needle: str = "") -> str:
    """Exit 2, exactly one stderr line, starting `warmlab: error:`, no traceback; returns that line."""
    lines = [x for x in res.err.splitlines() if x.strip()]
    assert res.code == 2, f"exit {res.code}\n{res.err[-3000:]}"
    assert "Traceback" not in res.err, res.err[-3000:]
    assert len(lines) == 1 and lines[0].startswith("warmlab: error:"), res.err[-3000:]
    assert needle.lower() in lines[0].lower(), lines[0]
    return lines[0]


@pytest.fixture(scope="session")
def finished_run(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with a finished tiny eval (results, stats, report) and a few valid input files."""
    import pytest as _pytest

    ws = tmp_path_factory.mktemp("workspace")
    cap = _pytest.MonkeyPatch()
    try:
        cap.chdir(ws)
        args = ["--model", str(tiny_model), "--families", "trivia", "--contexts", "none,sad", "--limit", "1"]
        main(["eval", *args, "--max-tokens", "4", "--out", "run"])
        main(["stats", "--results", "run", "--bootstrap", "0", "--out", "run/stats.json"])
        main(["report", "--results", "run", "--bootstrap", "0"])
    finally:
        cap.undo()
    (ws / "items.jsonl").write_text(json.dumps(ITEM) + "\n")
    (ws / "texts.jsonl").write_text('{"id": "a", "text": "Happy to help!"}\n')
    (ws / "t.csv").write_text(
        "question,correct_answer,incorrect_answer,output\nCapital of Peru?,Lima,Cusco,Lima\n"
    )
    (ws / "notes.txt").write_text("a file, not a folder\n")
    return ws


@pytest.fixture
def workspace(finished_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the finished workspace, as the current directory."""
    ws = tmp_path / "ws"
    shutil.copytree(finished_run, ws, symlinks=True)
    monkeypatch.chdir(ws)
    return ws


Setup = Callable[[Path], None]
