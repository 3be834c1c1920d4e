"""Failures that are not bad input: a write that fails, a bug, WARMLAB_DEBUG, readers that must not write,
and samples that fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from warmlab.cli import BUG_REPORT

from .conftest import assert_user_error, digests, run_cli


def test_a_failed_write_stops_the_run_with_one_line(
    workspace: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The disk fills up after the first new row: the run stops there (no more samples are generated),
    exit 2 with one line naming the table; the rows written before the failure are kept."""
    import warmlab.results.recorder as recorder
    from warmlab.core.io import append_rows
    from warmlab.errors import WarmlabError

    table = workspace / "run" / "results.jsonl"
    (workspace / "m2").symlink_to(tiny_model)  # another model: every sample is new work for the table
    old = table.read_bytes()
    calls = []

    def append_then_fail(path: Path, rows: list[dict[str, object]]) -> None:
        calls.append(path)
        if len(calls) > 1:
            raise WarmlabError(f"cannot write {path}: No space left on device")
        append_rows(path, rows)

    monkeypatch.setattr(recorder, "append_rows", append_then_fail)
    args = [
        "--families",
        "trivia,medical",
        "--contexts",
        "none,sad,happy",
        "--limit",
        "2",
        "--batch-size",
        "1",
    ]
    res = run_cli(
        ["eval", "--model", str(workspace / "m2"), *args, "--max-tokens", "4", "--out", "run"], capsys
    )
    assert res.code == 2 and "Traceback" not in res.err, res.err[-3000:]
    last = res.err.strip().splitlines()[-1]
    assert last == f"warmlab: error: cannot write {Path('run') / 'results.jsonl'}: No space left on device"
    assert len(calls) == 2  # the run stopped at the failure: 24 samples, 2 writes attempted
    data = table.read_bytes()
    assert data.startswith(old) and data[len(old) :].count(b"\n") == 1


def test_an_internal_bug_shows_its_traceback_and_asks_for_a_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import warmlab.commands.models as models_cmd

    def broken(_: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(models_cmd, "cmd_models", broken)
    res = run_cli(["models"], capsys)
    assert res.code == 1
    assert "Traceback" in res.err and "ZeroDivisionError" in res.err
    assert res.err.strip().splitlines()[-1] == f"warmlab: internal error (ZeroDivisionError); {BUG_REPORT}"


def test_warmlab_debug_shows_the_traceback_of_a_user_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WARMLAB_DEBUG", "1")
    res = run_cli(["items", "show", "nope-1"], capsys)
    assert res.code == 2 and "Traceback" in res.err and "WarmlabError" in res.err
    assert res.err.strip().splitlines()[-1] == "warmlab: error: no item 'nope-1' in source 'starter'"


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (PermissionError(13, "Permission denied", "/data/out.json"), "/data/out.json: Permission denied"),
        (OSError(28, "No space left on device", "/data/t.jsonl"), "/data/t.jsonl: No space left on device"),
    ],
)
def test_an_os_error_about_a_users_file_is_one_line(
    error: OSError, line: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import warmlab.commands.models as models_cmd

    def failing(_: object) -> None:
        raise error

    monkeypatch.setattr(models_cmd, "cmd_models", failing)
    assert assert_user_error(run_cli(["models"], capsys)) == f"warmlab: error: {line}"


def test_an_os_error_that_is_not_about_the_users_files_is_a_bug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import warmlab.commands.models as models_cmd

    def failing(_: object) -> None:
        raise FileNotFoundError(2, "No such file or directory", "/site-packages/warmlab/data.json")

    monkeypatch.setattr(models_cmd, "cmd_models", failing)
    res = run_cli(["models"], capsys)
    assert res.code == 1 and "Traceback" in res.err and BUG_REPORT in res.err


def test_readers_never_rewrite_their_input(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A table with a torn last line (a killed writer) is read as it is by stats and report."""
    table = workspace / "run" / "results.jsonl"
    with table.open("a") as f:
        f.write('{"schema": "warmlab.row/2", "task": "reli')
    before = digests(workspace)
    res = run_cli(["stats", "--results", "run", "--bootstrap", "0", "--out", "s.json"], capsys)
    assert res.code == 0, res.err
    res = run_cli(["report", "--results", "run", "--bootstrap", "0", "--out", "r.html"], capsys)
    assert res.code == 0, res.err
    after = digests(workspace)
    assert {k: after[k] for k in before} == before
    assert set(after) - set(before) == {"s.json", "r.html"}


def test_failed_samples_are_counted_in_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    from warmlab.summary import print_summary

    def row(sample: str, scorer: str, outcomes: dict[str, str]) -> dict[str, object]:
        cond = {"family": "trivia", "context": "none", "belief": "none"}
        return {
            "schema": "warmlab.row/2",
            "task": "reliability",
            "model": "m",
            "variant": "base",
            "mode": "generate",
            "sample_id": sample,
            "item_id": sample,
            "condition": cond,
            "outcomes": outcomes,
            "scorer": scorer,
            "output": "",
            "base": "m",
        }

    rows = [row("a", "offline", {"verdict": "correct"}), row("b", "error", {})]
    print_summary(rows, by_condition=True)
    out = capsys.readouterr().out
    assert "1 sample(s) failed" in out
    assert "0% (1)" in out  # one sample scored, not two
