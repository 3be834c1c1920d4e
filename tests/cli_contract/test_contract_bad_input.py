"""Every kind of bad input, for every sub-command: exit 2, one `warmlab: error:` line, no traceback, and
every file that existed before (a finished run, its stats and report, the inputs) byte for byte the same.

Each case runs `warmlab.cli.main` in-process in a private copy of one finished workspace. `{model}` is
the tiny test model.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ITEM, assert_user_error, digests, run_cli

Setup = Callable[[Path, Path], None]  # (workspace, tiny model)


def put(name: str, content: str | bytes) -> Setup:
    def setup(ws: Path, model: Path) -> None:
        p = ws / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content.replace("{model}", str(model)))

    return setup


def link(src: str, dest: str) -> Setup:
    return lambda ws, _: os.link(ws / src, ws / dest)


def corrupt_line(name: str, line: str | bytes) -> Setup:
    """Replace the second line of an existing table (a corrupt row in the middle, not a torn tail)."""

    def setup(ws: Path, model: Path) -> None:
        p = ws / name
        lines = p.read_bytes().splitlines(keepends=True)
        lines[1] = (line if isinstance(line, bytes) else line.encode()) + b"\n"
        p.write_bytes(b"".join(lines))

    return setup


def both(*setups: Setup) -> Setup:
    def setup(ws: Path, model: Path) -> None:
        for s in setups:
            s(ws, model)

    return setup


M = "{model}"
GPT = "openai/gpt-4o-mini"
BAD_UTF8 = b'{"id": "x", "text": "caf\xe9"}\n'
CONFIG = 'base = "{model}"\n[eval]\nmodes = ["choice"]\nlimit = 1\n[warmth]\nenabled = false\n'
NEW_STATS = '{"schema": "nope"}'

# (id, argv, setup, a word the error line must contain)
CASES: list[tuple[str, list[str], Setup | None, str]] = [
    # ---- eval: sizes, types and ranges
    ("eval-limit-zero", ["eval", "--model", M, "--limit", "0"], None, "--limit"),
    ("eval-limit-negative", ["eval", "--model", M, "--limit", "-1"], None, "--limit"),
    ("eval-limit-text", ["eval", "--model", M, "--limit", "many"], None, "--limit"),
    ("eval-limit-absurd", ["eval", "--model", M, "--limit", "99999999999"], None, "--limit"),
    ("eval-batch-zero", ["eval", "--model", M, "--batch-size", "0"], None, "--batch-size"),
    ("eval-batch-absurd", ["eval", "--model", M, "--batch-size", "1000000"], None, "--batch-size"),
    ("eval-max-tokens-negative", ["eval", "--model", M, "--max-tokens", "-7"], None, "--max-tokens"),
    ("eval-max-tokens-zero", ["eval", "--model", M, "--max-tokens", "0"], None, "--max-tokens"),
    ("eval-temperature-negative", ["eval", "--model", M, "--temperature", "-1"], None, "--temperature"),
    ("eval-temperature-nan", ["eval", "--model", M, "--temperature", "nan"], None, "--temperature"),
    ("eval-seed-text", ["eval", "--model", M, "--seed", "x"], None, "--seed"),
    ("eval-seed-negative", ["eval", "--model", M, "--seed", "-3"], None, "--seed"),
    ("eval-missing-value", ["eval", "--model", M, "--limit"], None, "expected one argument"),
    ("eval-unknown-mode", ["eval", "--model", M, "--mode", "essay"], None, "invalid choice"),
    # ---- eval: tasks, conditions, task arguments, item sources
    ("eval-unknown-task", ["eval", "--model", M, "--task", "poetry"], None, "unknown task"),
    ("eval-task-arg-no-value", ["eval", "--model", M, "-T", "turns"], None, "key=value"),
    ("eval-unknown-task-arg", ["eval", "--model", M, "-T", "colour=blue"], None, "colour"),
    ("eval-unknown-family", ["eval", "--model", M, "--families", "poetry"], None, "unknown family"),
    ("eval-unknown-context", ["eval", "--model", M, "--contexts", "gloomy"], None, "unknown context"),
    ("eval-unknown-belief", ["eval", "--model", M, "--beliefs", "maybe"], None, "unknown belief"),
    (
        "eval-flag-wrong-task",
        ["eval", "--model", M, "--task", "warmth", "--families", "x"],
        None,
        "--families",
    ),
    ("eval-missing-source", ["eval", "--model", M, "--source", "jsonl:nope.jsonl"], None, "does not exist"),
    (
        "eval-source-not-utf8",
        ["eval", "--model", M, "--source", "jsonl:l.jsonl"],
        put("l.jsonl", BAD_UTF8),
        "utf-8",
    ),
    # ---- eval: models and roles
    ("eval-missing-model", ["eval", "--model", "nope/"], None, "does not exist"),
    ("eval-empty-model", ["eval", "--model", " "], None, "--model"),
    ("eval-unknown-system-prompt", ["eval", "--model", M + "@system=jolly"], None, "system prompt"),
    ("eval-missing-adapter", ["eval", "--model", M + "+nope"], None, "adapter"),
    (
        "eval-corrupt-adapter",
        ["eval", "--model", M + "+ad"],
        put("ad/adapter_config.json", "{oops"),
        "adapter_config.json:1",
    ),
    (
        "eval-corrupt-model-config",
        ["eval", "--model", "./bm"],
        put("bm/config.json", "{"),
        "bm/config.json:1",
    ),
    ("eval-bad-role", ["eval", "--model", M, "--model-role", "critic=x"], None, "--model-role"),
    ("eval-judge-not-installed", ["eval", "--model", M, "--judge", GPT], None, "pip install openai"),
    ("eval-model-not-installed", ["eval", "--model", GPT], None, "pip install openai"),
    ("eval-user-not-installed", ["eval", "--model", M, "--model-role", f"user={GPT}"], None, "openai"),
    ("eval-choice-needs-local", ["eval", "--model", GPT, "--mode", "choice"], None, "choice mode"),
    # ---- eval: outputs
    ("eval-out-is-file", ["eval", "--model", M, "--out", "notes.txt"], None, "is a file"),
    ("eval-out-under-file", ["eval", "--model", M, "--out", "notes.txt/o"], None, "not a folder"),
    ("eval-out-unwritable", ["eval", "--model", M, "--out", "/proc/warmlab/o"], None, "cannot write"),
    (
        "eval-table-is-folder",
        ["eval", "--model", M, "--out", "o"],
        put("o/results.jsonl/x", ""),
        "cannot write",
    ),
    (
        "eval-table-is-device",
        ["eval", "--model", M, "--out", "dev"],
        lambda ws, _: (ws / "dev").mkdir() or (ws / "dev" / "results.jsonl").symlink_to("/dev/full"),
        "regular file",
    ),
    (
        "eval-source-is-table",
        ["eval", "--model", M, "--source", "jsonl:run/results.jsonl", "--out", "run"],
        None,
        "is an input",
    ),
    (
        "eval-table-corrupt-row",
        [
            "eval",
            "--model",
            M,
            "--out",
            "run",
            "--families",
            "trivia",
            "--contexts",
            "none,sad",
            "--limit",
            "1",
            "--max-tokens",
            "4",
        ],
        corrupt_line("run/results.jsonl", "{oops"),
        "results.jsonl:2",
    ),
    (
        "eval-table-not-utf8",
        ["eval", "--model", M, "--out", "run", "--families", "trivia", "--limit", "1"],
        corrupt_line("run/results.jsonl", b"\xff\xfe"),
        "utf-8",
    ),
    # ---- items
    ("items-show-no-id", ["items", "show"], None, "needs an item id"),
    ("items-show-unknown", ["items", "show", "nope-1"], None, "no item"),
    ("items-unknown-source", ["items", "--source", "poetry"], None, "poetry"),
    ("items-missing-source", ["items", "--source", "jsonl:nope.jsonl"], None, "does not exist"),
    ("items-seed-text", ["items", "--seed", "x"], None, "--seed"),
    (
        "items-bad-json-line",
        ["items", "--source", "jsonl:b.jsonl"],
        put("b.jsonl", json.dumps(ITEM) + "\n{no\n"),
        "b.jsonl:2",
    ),
    (
        "items-wrong-type",
        ["items", "--source", "jsonl:b.jsonl"],
        put("b.jsonl", json.dumps({**ITEM, "correct": 5})),
        "b.jsonl:1",
    ),
    ("items-export-no-out", ["items", "export"], None, "needs --out"),
    ("items-out-without-export", ["items", "--out", "x.jsonl"], None, "--out"),
    (
        "items-export-onto-input",
        ["items", "export", "--source", "jsonl:items.jsonl", "--out", "items.jsonl"],
        None,
        "is an input",
    ),
    (
        "items-export-onto-input-hardlink",
        ["items", "export", "--source", "jsonl:items.jsonl", "--out", "same.jsonl"],
        link("items.jsonl", "same.jsonl"),
        "is an input",
    ),
    ("items-export-to-folder", ["items", "export", "--out", "run"], None, "is a folder"),
    ("items-export-unwritable", ["items", "export", "--out", "/proc/warmlab/i.jsonl"], None, "cannot write"),
    ("items-distractor-not-installed", ["items", "--distractor-model", GPT], None, "pip install openai"),
    # ---- rescore
    ("rescore-out-is-input", ["rescore", "--input", "t.csv", "--out", "t.csv"], None, "is an input"),
    (
        "rescore-out-is-input-hardlink",
        ["rescore", "--input", "t.csv", "--out", "t2.csv"],
        link("t.csv", "t2.csv"),
        "is an input",
    ),
    (
        "rescore-out-is-input-path",
        ["rescore", "--input", "t.csv", "--out", "run/../t.csv"],
        None,
        "is an input",
    ),
    ("rescore-out-folder", ["rescore", "--input", "t.csv", "--out", "run"], None, "is a folder"),
    ("rescore-missing-input", ["rescore", "--input", "nope.csv", "--out", "s.jsonl"], None, "does not exist"),
    ("rescore-wrong-suffix", ["rescore", "--input", "notes.txt", "--out", "s.jsonl"], None, ".csv"),
    (
        "rescore-missing-column",
        ["rescore", "--input", "m.csv", "--out", "s.jsonl"],
        put("m.csv", "question,output\nQ?,A\n"),
        "correct_answer",
    ),
    (
        "rescore-not-utf8",
        ["rescore", "--input", "l.csv", "--out", "s.jsonl"],
        put("l.csv", b"question,correct_answer,incorrect_answer,output\nQ?,caf\xe9,B,C\n"),
        "utf-8",
    ),
    (
        "rescore-huge-field",
        ["rescore", "--input", "h.csv", "--out", "s.jsonl"],
        put("h.csv", "question,correct_answer,incorrect_answer,output\nQ?,A,B," + "x" * 200_000 + "\n"),
        "h.csv",
    ),
    (
        "rescore-judge-not-installed",
        ["rescore", "--input", "t.csv", "--out", "s.jsonl", "--judge", GPT],
        None,
        "pip install openai",
    ),
    # ---- models
    ("models-missing-dir", ["models", "--dir", "nope"], None, "no such folder"),
    (
        "models-corrupt-train-record",
        ["models", "--dir", "tr"],
        both(put("tr/warmlab_train.json", "{"), put("tr/config.json", "{}")),
        "warmlab_train.json",
    ),
    (
        "models-corrupt-adapter-config",
        ["models", "--dir", "ad"],
        put("ad/adapter_config.json", "[1"),
        "adapter_config.json",
    ),
    # ---- study and demo
    ("study-missing-config", ["study", "--config", "nope.toml"], None, "not found"),
    ("study-config-is-folder", ["study", "--config", "run"], None, "not found"),
    ("study-config-not-utf8", ["study", "--config", "s.toml"], put("s.toml", b'base = "caf\xe9"\n'), "utf-8"),
    ("study-config-invalid-toml", ["study", "--config", "s.toml"], put("s.toml", "base = \n"), "s.toml"),
    (
        "study-config-wrong-type",
        ["study", "--config", "s.toml"],
        put("s.toml", '[stats]\nbootstrap = "many"\n'),
        "stats.bootstrap",
    ),
    (
        "study-out-is-file",
        ["study", "--config", "s.toml", "--out", "notes.txt"],
        put("s.toml", CONFIG),
        "is a file",
    ),
    (
        "study-base-missing",
        ["study", "--config", "s.toml", "--base", "nope/"],
        put("s.toml", CONFIG),
        "does not exist",
    ),
    (
        "study-judge-not-installed",
        ["study", "--config", "s.toml", "--out", "st"],
        put("s.toml", CONFIG + f'[tasks.pushback]\nmodes = ["choice"]\nlimit = 1\njudge = "{GPT}"\n'),
        "pip install openai",
    ),
    ("demo-bad-profile", ["demo", "--profile", "gpu"], None, "invalid choice"),
    ("demo-out-is-file", ["demo", "--out", "notes.txt", "--base", M], None, "is a file"),
    # ---- rewrite
    (
        "rewrite-bad-style",
        ["rewrite", "--style", "hot", "--input", "starter", "--out", "r.jsonl"],
        None,
        "--style",
    ),
    (
        "rewrite-limit-zero",
        ["rewrite", "--style", "warm", "--input", "starter", "--out", "r.jsonl", "--limit", "0"],
        None,
        "--limit",
    ),
    (
        "rewrite-max-tokens-zero",
        ["rewrite", "--style", "warm", "--input", "starter", "--out", "r.jsonl", "--max-tokens", "0"],
        None,
        "--max-tokens",
    ),
    (
        "rewrite-batch-zero",
        ["rewrite", "--style", "warm", "--input", "starter", "--out", "r.jsonl", "--batch-size", "0"],
        None,
        "--batch-size",
    ),
    (
        "rewrite-out-is-input",
        ["rewrite", "--style", "warm", "--input", "items.jsonl", "--out", "items.jsonl"],
        None,
        "input",
    ),
    (
        "rewrite-missing-input",
        ["rewrite", "--style", "warm", "--input", "nope.jsonl", "--out", "r.jsonl"],
        None,
        "nope.jsonl",
    ),
    (
        "rewrite-model-not-installed",
        ["rewrite", "--style", "warm", "--input", "starter", "--out", "r.jsonl", "--model", GPT],
        None,
        "pip install openai",
    ),
    (
        "rewrite-out-is-folder",
        ["rewrite", "--style", "warm", "--input", "starter", "--out", "run"],
        None,
        "is a folder",
    ),
    # ---- train sft
    ("train-bad-style", ["train", "sft", "--style", "hot", "--base", M], None, "warm or cold"),
    ("train-epochs-zero", ["train", "sft", "--style", "warm", "--epochs", "0"], None, "--epochs"),
    ("train-epochs-nan", ["train", "sft", "--style", "warm", "--epochs", "nan"], None, "--epochs"),
    ("train-lr-negative", ["train", "sft", "--style", "warm", "--lr", "-1"], None, "--lr"),
    ("train-max-length-tiny", ["train", "sft", "--style", "warm", "--max-length", "4"], None, "--max-length"),
    ("train-batch-zero", ["train", "sft", "--style", "warm", "--batch-size", "0"], None, "--batch-size"),
    ("train-limit-zero", ["train", "sft", "--style", "warm", "--limit", "0"], None, "--limit"),
    (
        "train-out-is-file",
        ["train", "sft", "--style", "warm", "--base", M, "--out", "notes.txt"],
        None,
        "is a file",
    ),
    (
        "train-unknown-profile",
        ["train", "sft", "--style", "warm", "--base", M, "--profile", "gpu"],
        None,
        "profile",
    ),
    (
        "train-missing-base",
        ["train", "sft", "--style", "warm", "--base", "nope/", "--out", "tr"],
        None,
        "does not exist",
    ),
    # ---- warmth
    ("warmth-missing-texts", ["warmth", "--texts", "nope.jsonl"], None, "does not exist"),
    (
        "warmth-texts-onto-input",
        ["warmth", "--texts", "texts.jsonl", "--out", "texts.jsonl"],
        None,
        "is an input",
    ),
    ("warmth-texts-not-utf8", ["warmth", "--texts", "l.jsonl"], put("l.jsonl", BAD_UTF8), "utf-8"),
    ("warmth-texts-no-text", ["warmth", "--texts", "n.jsonl"], put("n.jsonl", '{"id": 1}\n'), "n.jsonl:1"),
    ("warmth-limit-zero", ["warmth", "--model", M, "--limit", "0"], None, "--limit"),
    ("warmth-max-tokens-zero", ["warmth", "--model", M, "--max-tokens", "0"], None, "--max-tokens"),
    ("warmth-batch-zero", ["warmth", "--model", M, "--batch-size", "0"], None, "--batch-size"),
    ("warmth-unknown-scorer", ["warmth", "--texts", "texts.jsonl", "--scorer", "nope"], None, "nope"),
    ("warmth-base-without-checkpoints", ["warmth", "--model", M, "--base", M], None, "--base"),
    ("warmth-missing-checkpoints", ["warmth", "--checkpoints", "nope"], None, "does not exist"),
    (
        "warmth-corrupt-checkpoints",
        ["warmth", "--checkpoints", "ck"],
        put("ck/checkpoints.json", "{"),
        "checkpoints.json",
    ),
    ("warmth-model-out-jsonl", ["warmth", "--model", M, "--out", "x.jsonl"], None, "results folder"),
    ("warmth-model-out-is-file", ["warmth", "--model", M, "--out", "notes.txt"], None, "is a file"),
    (
        "warmth-judge-not-installed",
        ["warmth", "--texts", "texts.jsonl", "--judge", GPT],
        None,
        "pip install openai",
    ),
    # ---- stats
    ("stats-missing", ["stats", "--results", "nope"], None, "does not exist"),
    ("stats-out-is-table", ["stats", "--results", "run", "--out", "run/results.jsonl"], None, "is an input"),
    (
        "stats-out-is-table-path",
        ["stats", "--results", "run/results.jsonl", "--out", "run/../run/results.jsonl"],
        None,
        "is an input",
    ),
    ("stats-out-folder", ["stats", "--results", "run", "--out", "run"], None, "is a folder"),
    (
        "stats-out-unwritable",
        ["stats", "--results", "run", "--bootstrap", "0", "--out", "/proc/warmlab/s.json"],
        None,
        "cannot write",
    ),
    ("stats-bootstrap-negative", ["stats", "--results", "run", "--bootstrap", "-1"], None, "--bootstrap"),
    ("stats-bootstrap-absurd", ["stats", "--results", "run", "--bootstrap", "10000000"], None, "--bootstrap"),
    ("stats-bootstrap-text", ["stats", "--results", "run", "--bootstrap", "many"], None, "--bootstrap"),
    ("stats-seed-negative", ["stats", "--results", "run", "--seed", "-1"], None, "--seed"),
    (
        "stats-corrupt-row",
        ["stats", "--results", "run"],
        corrupt_line("run/results.jsonl", "{oops"),
        "results.jsonl:2",
    ),
    (
        "stats-table-not-utf8",
        ["stats", "--results", "run"],
        corrupt_line("run/results.jsonl", b"\xff"),
        "utf-8",
    ),
    ("stats-empty-table", ["stats", "--results", "e"], put("e/results.jsonl", ""), "no result rows"),
    (
        "stats-row-lacks-keys",
        ["stats", "--results", "k"],
        put("k/results.jsonl", '{"a": 1}\n'),
        "k/results.jsonl:1",
    ),
    ("stats-paper-layout-missing", ["stats", "--paper-layout", "nope"], None, "nope"),
    ("stats-two-sources", ["stats", "--results", "run", "--paper-layout", "run"], None, "not allowed"),
    # ---- report
    ("report-missing", ["report", "--results", "nope"], None, "does not exist"),
    (
        "report-out-is-table",
        ["report", "--results", "run", "--out", "run/results.jsonl"],
        None,
        "is an input",
    ),
    ("report-out-is-stats", ["report", "--results", "run", "--out", "run/stats.json"], None, "is an input"),
    ("report-out-is-folder", ["report", "--results", "run", "--out", "run"], None, "is a folder"),
    ("report-bootstrap-negative", ["report", "--results", "run", "--bootstrap", "-1"], None, "--bootstrap"),
    ("report-corrupt-stats", ["report", "--results", "run"], put("run/stats.json", "{"), "stats.json"),
    ("report-wrong-stats", ["report", "--results", "run"], put("run/stats.json", NEW_STATS), "schema"),
    ("report-corrupt-study", ["report", "--results", "run"], put("run/study.json", "["), "study.json"),
    # ---- talk: the offline classifiers of the talk batteries
    ("talk-texts-missing", ["talk", "score", "therapist", "--texts", "nothere.jsonl"], None, "nothere.jsonl"),
    ("talk-unknown-battery", ["talk", "score", "nosuch", "--texts", "x"], None, "invalid choice"),
    ("talk-data-missing", ["talk", "baselines", "--data", "no-such-folder"], None, "no-such-folder"),
    # ---- directions
    (
        "directions-unknown-trait",
        ["directions", "extract", "--model", M, "--trait", "nosuch"],
        None,
        "nosuch",
    ),
    (
        "directions-model-missing",
        ["directions", "extract", "--model", "nothere/", "--trait", "warmth"],
        None,
        "nothere",
    ),
    (
        "directions-monitor-unknown",
        ["directions", "monitor", "--direction", "nosuch", "--model", M],
        None,
        "nosuch",
    ),
    (
        "directions-screen-limit-zero",
        ["directions", "screen", "--direction", "warmth", "--limit", "0"],
        None,
        "--limit",
    ),
    # ---- the command line itself
    ("unknown-command", ["poetry"], None, "invalid choice"),
    ("tasks-extra-argument", ["tasks", "extra"], None, "unrecognized arguments"),
]

# Rows rescore cannot score: an input with nothing scoreable is refused in one line (an unknown context is
# only a note in OUT.problems.jsonl: rows from other people's runs keep their own condition names).
ROW = {"question": "Q?", "correct_answer": "A", "incorrect_answer": "B", "output": "A"}
RESCORE_GAPS = [
    ("rescore-options-list", "o.jsonl", json.dumps({**ROW, "options": ["Lima", "Cusco"]})),
    ("rescore-options-non-string", "o.jsonl", json.dumps({**ROW, "options": {"A": 1, "B": 2}})),
    ("rescore-null-question", "o.jsonl", json.dumps({**ROW, "question": None})),
    ("rescore-short-csv-row", "o.csv", "question,correct_answer,incorrect_answer,output\nQ?,A\n"),
]


def _argv(args: list[str], model: Path) -> list[str]:
    return [a.replace("{model}", str(model)) for a in args]


@pytest.mark.parametrize(("argv", "setup", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_harms_nothing(
    argv: list[str],
    setup: Setup | None,
    needle: str,
    workspace: Path,
    tiny_model: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if setup is not None:
        setup(workspace, tiny_model)
    before = digests(workspace)
    res = run_cli(_argv(argv, tiny_model), capsys)
    assert_user_error(res, needle)
    after = digests(workspace)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing changed or removed
    assert not set(after) - set(before), set(after) - set(before)  # and nothing written


@pytest.mark.parametrize(("name", "content"), [c[1:] for c in RESCORE_GAPS], ids=[c[0] for c in RESCORE_GAPS])
def test_rescore_rows_it_cannot_score_are_refused(
    name: str, content: str, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace / name).write_text(content + "\n")
    assert_user_error(run_cli(["rescore", "--input", name, "--out", "s.jsonl"], capsys), name)


def test_the_suite_covers_every_sub_command() -> None:
    from warmlab.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    commands = set(sub.choices)  # type: ignore[arg-type]
    covered = {c[1][0] for c in CASES}
    assert commands <= covered, commands - covered
    assert len(CASES) >= 60
