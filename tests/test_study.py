from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from warmlab.errors import WarmlabError
from warmlab.study import Ledger, load_config, parse_config, run_stage, stage_key


def _stage(out: Path, calls: list[str], inputs: dict[str, Any], fail: bool = False) -> str:
    target = out / "thing.txt"

    def body() -> dict[str, Any]:
        calls.append(inputs["x"])
        with target.open("a") as f:
            f.write(inputs["x"])
        if fail:
            raise KeyboardInterrupt  # killed half way
        return {"n": 1}

    return run_stage(Ledger(out), "thing", inputs, [target], body)


def test_stage_skips_when_inputs_unchanged_and_reruns_when_changed(tmp_path: Path) -> None:
    calls: list[str] = []
    k1 = _stage(tmp_path, calls, {"x": "a"})
    assert _stage(tmp_path, calls, {"x": "a"}) == k1
    assert calls == ["a"]
    k2 = _stage(tmp_path, calls, {"x": "b"})
    assert k2 != k1 and calls == ["a", "b"]
    assert (tmp_path / "thing.txt").read_text() == "b"
    # the earlier output is kept, not deleted
    assert (tmp_path / ".superseded" / f"thing.txt-{k1}").read_text() == "a"


def test_killed_stage_resumes_without_moving_its_partial_output_aside(tmp_path: Path) -> None:
    calls: list[str] = []
    _stage(tmp_path, calls, {"x": "a"})
    with pytest.raises(KeyboardInterrupt):
        _stage(tmp_path, calls, {"x": "b"}, fail=True)
    _stage(tmp_path, calls, {"x": "b"})
    # the restart re-entered the same stage and appended to its own partial output
    assert (tmp_path / "thing.txt").read_text() == "bb"
    assert calls == ["a", "b", "b"]


def test_missing_output_reruns_even_if_recorded(tmp_path: Path) -> None:
    calls: list[str] = []
    _stage(tmp_path, calls, {"x": "a"})
    (tmp_path / "thing.txt").unlink()
    _stage(tmp_path, calls, {"x": "a"})
    assert calls == ["a", "a"]


def test_stage_key_is_stable_and_order_free() -> None:
    assert stage_key("s", {"a": 1, "b": [1, 2]}) == stage_key("s", {"b": [1, 2], "a": 1})
    assert stage_key("s", {"a": 1}) != stage_key("t", {"a": 1})


def test_config_parsing_and_errors(tmp_path: Path) -> None:
    cfg = parse_config(
        {
            "base": "embedded",
            "variant": [
                {"name": "warm", "train": "sft", "style": "warm", "epochs": 1},
                {"name": "warm-system", "system": "warm"},
            ],
            "eval": {"modes": ["choice"], "limit": 2, "choice": {"limit": 3}},
        },
        "test",
    )
    assert cfg.modes == {"choice": {"limit": 3}}
    assert cfg.variants[0].train == {"epochs": 1} and cfg.variants[1].kind == "system"
    bad: list[dict[str, Any]] = [
        {"variant": [{"name": "w", "train": "sft", "style": "hot"}]},
        {"variant": [{"name": "w", "system": "warm", "spec": "embedded"}]},
        {"variant": [{"name": "base", "system": "warm"}]},
        {"variant": [{"name": "a", "system": "warm"}, {"name": "a", "system": "cold"}]},
        {"eval": {"modes": ["essay"]}},
        {"eval": {"limt": 3}},
        {"colour": "blue"},
    ]
    for raw in bad:
        with pytest.raises(WarmlabError):
            parse_config(raw, "test")
    broken = tmp_path / "s.toml"
    broken.write_text("base = \\n")
    with pytest.raises(WarmlabError, match=r"s\.toml"):
        load_config(str(broken))
    with pytest.raises(WarmlabError, match="not found"):
        load_config(str(tmp_path / "absent.toml"))
