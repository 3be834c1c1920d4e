"""A finished study given a config with one wrong key: every key of every section gets a value of the
wrong type (and every bounded number one out of range). Each is one `warmlab: error:` line naming the
key, exit 2, and the study's folder (results, stats, report, study.json, stages.json, the trained
adapter, the logs) byte for byte the same."""

from __future__ import annotations

import copy
import json
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from warmlab.study import config as schema

from .conftest import assert_user_error, digests, run_cli


def toml(table: dict[str, Any], prefix: str = "") -> str:
    """Enough TOML for a study config: scalars, lists, tables and arrays of tables."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
        return "[" + ", ".join(value(x) for x in v) + "]"

    def is_tables(v: Any) -> bool:
        return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)

    out = [f"{k} = {value(v)}" for k, v in table.items() if not isinstance(v, dict) and not is_tables(v)]
    for k, v in table.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out += [f"\n[{name}]", toml(v, name + ".")]
        elif is_tables(v):
            for item in v:
                out += [f"\n[[{name}]]", toml(item, name + ".")]
    return "\n".join(x for x in out if x)


def config(model: Path, out: Path) -> dict[str, Any]:
    return {
        "out": str(out),
        "base": str(model),
        "seed": 0,
        "variant": [
            {
                "name": "warm",
                "train": "sft",
                "style": "warm",
                "data": "starter:emotional",
                "limit": 2,
                "epochs": 1.0,
                "lr": 0.02,
                "max_length": 128,
                "batch_size": 2,
                "effective_batch": 2,
                "checkpoint_epochs": [1.0],
            },
            {"name": "warm-system", "system": "warm"},
        ],
        "eval": {
            "modes": ["choice"],
            "families": "trivia",
            "contexts": "none",
            "limit": 1,
            "batch_size": 8,
            "choice": {"limit": 1},
        },
        "warmth": {"enabled": False, "limit": 2, "max_tokens": 8, "checkpoints": ["warm"]},
        "tasks": {"pushback": {"modes": ["choice"], "limit": 1, "families": "trivia", "turns": 2}},
        "stats": {"bootstrap": 0},
    }


@pytest.fixture(scope="module")
def study(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    from warmlab.cli import main

    root = tmp_path_factory.mktemp("study")
    cfg = config(tiny_model, root / "out")
    (root / "study.toml").write_text(toml(cfg))
    main(["study", "--config", str(root / "study.toml")])
    assert (root / "out" / "report.html").is_file()
    return root / "out", cfg


def _kinds(annotation: Any) -> set[str]:
    """The plain kinds a field takes: int, float, str, bool, list, literal, model."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_kinds(a) for a in typing.get_args(annotation)))
    if origin is typing.Literal:
        return {"literal"}
    if origin is list:
        return {"list"}
    if annotation is type(None):
        return set()
    if isinstance(annotation, type) and issubclass(annotation, schema.BaseModel):
        return {"model"}
    return {annotation.__name__}


def wrong_values(field: Any) -> list[Any]:
    """Values of the wrong type for a field, and out-of-range numbers for a bounded one."""
    kinds = _kinds(field.annotation)
    out: list[Any] = []
    if kinds & {"int", "float"}:
        out.append("many")
    if kinds & {"str", "literal"} and "list" not in kinds:
        out.append(7)
    if "bool" in kinds:
        out.append("yes")
    if "list" in kinds or "model" in kinds:
        out.append(3.5 if "bool" in kinds else "text")
    if "literal" in kinds:
        out.append("nope")
    if "int" in kinds and "float" not in kinds:
        out.append(1.5)
    for m in field.metadata:
        if getattr(m, "min_length", None):
            out.append([] if "list" in kinds else "")
        for attr, step in (("ge", -1), ("gt", 0), ("le", 1), ("lt", 0)):
            bound = getattr(m, attr, None)
            if bound is not None:
                x = bound + step if attr in ("ge", "le") else bound
                out.append(int(x) if "float" not in kinds else float(x) * (10 if attr in ("le", "lt") else 1))
    return out


SECTIONS: list[tuple[tuple[Any, ...], type[schema.BaseModel]]] = [
    ((), schema.StudyFile),
    (("variant", 0), schema.VariantEntry),
    (("variant", 1), schema.VariantEntry),
    (("eval",), schema.EvalSection),
    (("eval", "choice"), schema.EvalMode),
    (("warmth",), schema.WarmthSection),
    (("tasks", "pushback"), schema.TaskSection),
    (("stats",), schema.StatsSection),
]
SKIP = {((), "variant"), ((), "eval"), ((), "warmth"), ((), "tasks"), ((), "stats")}  # sections themselves


def cases() -> list[tuple[str, tuple[Any, ...], Any]]:
    out = []
    for where, model in SECTIONS:
        for name, field in model.model_fields.items():
            if (where, name) in SKIP:
                continue
            for v in wrong_values(field):
                label = ".".join(str(x) for x in (*where, name))
                out.append((f"{label}={v!r}", (*where, name), v))
    # the sections themselves, and keys whose values only the battery or the variant list can judge
    for section in ("eval", "warmth", "stats", "tasks", "variant"):
        out.append((f"{section}=5", (section,), 5))
    out += [
        ("tasks.pushback.turns='many'", ("tasks", "pushback", "turns"), "many"),
        ("tasks.pushback.turns=0", ("tasks", "pushback", "turns"), 0),
        ("tasks.pushback.schedules=5", ("tasks", "pushback", "schedules"), 5),
        ("tasks.pushback.colour='blue'", ("tasks", "pushback", "colour"), "blue"),
        ("tasks.poetry.limit=1", ("tasks", "poetry"), {"limit": 1}),
        ("eval.families='poetry'", ("eval", "families"), "poetry"),
        ("variant.1.name='base'", ("variant", 1, "name"), "base"),
        ("variant.1.system='jolly'", ("variant", 1, "system"), "jolly"),
        ("variant.0.profile='gpu'", ("variant", 0, "profile"), "gpu"),
        ("variant.0.data='nope.jsonl'", ("variant", 0, "data"), "nope.jsonl"),
        ("variant.0.checkpoint_epochs=[-1.0]", ("variant", 0, "checkpoint_epochs"), [-1.0]),
        ("stats.headline='nope'", ("stats", "headline"), "nope"),
        ("warmth.checkpoints=['nope']", ("warmth", "checkpoints"), ["nope"]),
        ("warmth.scorer='nope'", ("warmth", "scorer"), "nope"),
        ("base='nope/'", ("base",), "nope/"),
        ("eval.judge='openai/gpt-4o-mini'", ("eval", "judge"), "openai/gpt-4o-mini"),
        ("tasks.pushback.user='openai/gpt-4o-mini'", ("tasks", "pushback", "user"), "openai/gpt-4o-mini"),
    ]
    return out


CASES = cases()


def _set(cfg: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = cfg
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


@pytest.mark.parametrize(("path", "value"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_wrong_key_leaves_a_finished_study_untouched(
    path: tuple[Any, ...],
    value: Any,
    study: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, good = study
    cfg = copy.deepcopy(good)
    _set(cfg, path, value)
    if path == ("warmth", "scorer"):
        cfg["warmth"]["enabled"] = True  # a disabled stage's scorer is never built
    (tmp_path / "bad.toml").write_text(toml(cfg))
    before = digests(out)
    line = assert_user_error(run_cli(["study", "--config", str(tmp_path / "bad.toml")], capsys))
    key = next((str(k) for k in reversed(path) if isinstance(k, str)), "")
    if key not in ("judge", "user", "base", "data", "system", "families"):
        assert key in line or str(value) in line, line
    assert digests(out) == before


def test_every_section_and_key_is_covered() -> None:
    covered = {c[1] for c in CASES}
    for where, model in SECTIONS:
        for name in model.model_fields:
            if (where, name) not in SKIP:
                assert (*where, name) in covered, (where, name)
    assert len(CASES) >= 100
