"""The row contract and the one JSONL table reader/writer."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from warmlab.core.io import append_rows, check_writable, guard_output, read_table
from warmlab.errors import WarmlabError
from warmlab.results import flat, latest_rows, read_results
from warmlab.results.rows import check_row, upgrade

LEGACY = {
    "model": "embedded",
    "variant": "base",
    "family": "trivia",
    "item_id": "trivia-001",
    "context": "sad",
    "context_group": "emotion",
    "belief": "none",
    "mode": "choice",
    "output": "Paris",
    "verdict": "correct",
    "scorer": "choice",
    "rationale": "",
    "output_chars": 5,
    "sample_id": "trivia-001|sad|none",
}


def test_rows_of_version_1_are_converted_when_read(tmp_path: Path) -> None:
    p = tmp_path / "results.jsonl"
    p.write_text(json.dumps(LEGACY) + "\n")
    (row,) = read_results(p)
    assert row["task"] == "reliability" and row["schema"] == "warmlab.row/2"
    assert row["condition"] == {
        "family": "trivia",
        "context": "sad",
        "context_group": "emotion",
        "belief": "none",
    }
    assert row["outcomes"] == {"verdict": "correct"}
    check_row(row, "x")
    f = flat(row)
    assert (f["family"], f["verdict"], f["sample_id"]) == ("trivia", "correct", "trivia-001|sad|none")
    assert upgrade(row) is row  # current rows pass through


def test_a_torn_last_line_is_skipped_and_the_file_is_not_rewritten(tmp_path: Path) -> None:
    p = tmp_path / "results.jsonl"
    text = json.dumps({"a": 1}) + "\n" + '{"a": 2, "b'
    p.write_text(text)
    assert read_table(p) == [{"a": 1}]
    assert p.read_text() == text  # readers never rewrite their input


def test_a_malformed_line_in_the_middle_names_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "results.jsonl"
    p.write_text('{"a": 1}\nnot json\n{"a": 2}\n')
    with pytest.raises(WarmlabError, match=r"results.jsonl:2: invalid JSON"):
        read_table(p)


def test_the_next_writer_cuts_a_torn_tail_before_appending(tmp_path: Path) -> None:
    p = tmp_path / "t.jsonl"
    p.write_text('{"a": 1}\n{"a": 2, "b')
    append_rows(p, [{"a": 3}])
    assert read_table(p) == [{"a": 1}, {"a": 3}]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only files")
def test_an_unwritable_table_is_a_one_line_error(tmp_path: Path) -> None:
    p = tmp_path / "t.jsonl"
    p.write_text("")
    p.chmod(0o444)
    with pytest.raises(WarmlabError, match="cannot write"):
        check_writable(p)


def test_an_unwritable_folder_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WarmlabError, match="cannot write"):
        append_rows(blocker / "t.jsonl", [{"a": 1}])


def test_an_output_that_is_an_input_is_refused(tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    a.write_text("{}\n")
    with pytest.raises(WarmlabError, match="is an input"):
        guard_output(tmp_path / "." / "a.jsonl", a)
    guard_output(tmp_path / "b.jsonl", a)


def test_latest_row_per_sample_wins() -> None:
    a = {"task": "t", "model": "m", "variant": "v", "mode": "g", "sample_id": "1", "scorer": "error"}
    b = {**a, "scorer": "offline"}
    c = {**a, "sample_id": "2"}
    assert latest_rows([a, c, b]) == [b, c]
