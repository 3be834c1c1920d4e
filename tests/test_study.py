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


def _tiny_config(base: Path, out: Path, limit: int = 1) -> str:
    return f"""
out = "{out}"
base = "{base}"
seed = 0

[[variant]]
name = "warm"
train = "sft"
style = "warm"
data = "starter:emotional"
limit = 4
epochs = 1.0
lr = 0.02
max_length = 256
batch_size = 2
effective_batch = 2
checkpoint_epochs = [0.5, 1.0]

[[variant]]
name = "warm-system"
system = "warm"

[eval]
modes = ["choice"]
families = "trivia,medical"
contexts = "none,sad"
limit = {limit}
batch_size = 8

[warmth]
limit = 2
max_tokens = 8

[stats]
bootstrap = 0
"""


def test_study_runs_end_to_end_then_skips_everything(tiny_model: Path, tmp_path: Path) -> None:
    import json

    from warmlab.cli import main

    out = tmp_path / "study"
    cfg = tmp_path / "study.toml"
    cfg.write_text(_tiny_config(tiny_model, out))
    main(["study", "--config", str(cfg)])
    every = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    rows = [r for r in every if r["task"] == "reliability"]
    # 3 variants x 2 families x 1 item x 2 contexts x 2 beliefs
    assert len(rows) == 24
    assert {r["variant"] for r in rows} == {"base", "warm", "warm-system"}
    assert {r["base"] for r in rows} == {str(tiny_model)}
    stats = json.loads((out / "stats.json").read_text())
    assert stats["headline"]["variant"] == "warm"
    warmth = [r for r in every if r["task"] == "warmth"]
    assert {r["variant"] for r in warmth if r.get("epoch") is None} == {"base", "warm", "warm-system"}
    assert sorted({r["epoch"] for r in warmth if r.get("epoch") is not None}) == [0.5, 1.0]
    html = (out / "report.html").read_text()
    assert 'id="headline"' in html and "<svg" in html
    assert "No headline" not in html and "warm SFT" in html and "system prompt" in html
    ledger = json.loads((out / "stages.json").read_text())
    assert set(ledger) == {"train:warm", "eval:choice", "warmth", "stats", "report"}
    assert all(e["state"] == "done" and e["seconds"] >= 0 for e in ledger.values())

    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != "study.json"}
    main(["study", "--config", str(cfg)])
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != "study.json"}
    changed = {p.name for p in before if before[p] != after.get(p)}
    assert not changed, changed  # nothing is rewritten

    # more items: eval onwards reruns, training is reused, finished samples are reused and extended
    cfg.write_text(_tiny_config(tiny_model, out, limit=2))
    main(["study", "--config", str(cfg)])
    ledger2 = json.loads((out / "stages.json").read_text())
    assert ledger2["train:warm"] == ledger["train:warm"]
    assert ledger2["eval:choice"]["key"] != ledger["eval:choice"]["key"]
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len([r for r in rows if r["task"] == "reliability"]) == 48
    assert not (out / "eval" / ".superseded").exists()
    assert len(list((out / ".superseded").glob("results.jsonl-*"))) == 1  # the earlier table, kept
    (table,) = (out / "eval").glob("eval-choice-*/results.jsonl")
    assert len(table.read_text().splitlines()) == 48  # 24 kept + 24 new, none redone


def test_killed_study_finishes_with_the_same_results(tiny_model: Path, tmp_path: Path) -> None:
    """SIGKILL the whole study (its eval child too) while its table is being written, restart it: the
    table ends as an uninterrupted run's, and the finished training is not redone."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    from warmlab.cli import main

    def table(out: Path) -> dict[tuple[str, str], tuple[str, str]]:
        rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
        return {(r["task"], r["variant"], r["sample_id"]): (r["outcomes"], r["output"]) for r in rows}

    ref = tmp_path / "ref"
    (tmp_path / "ref.toml").write_text(_tiny_config(tiny_model, ref, limit=6))
    main(["study", "--config", str(tmp_path / "ref.toml")])

    out = tmp_path / "killed"
    cfg = tmp_path / "killed.toml"
    cfg.write_text(_tiny_config(tiny_model, out, limit=6))
    log = (tmp_path / "killed.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "warmlab.cli", "study", "--config", str(cfg)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    partial = 0
    while time.monotonic() < deadline and proc.poll() is None:
        tables = list(out.glob("eval/eval-choice-*/results.jsonl"))
        partial = len(tables[0].read_text().splitlines()) if tables else 0
        if partial:
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert partial > 0, (tmp_path / "killed.log").read_text()[-2000:]
    trained = (out / "variants" / "warm" / "adapter_model.safetensors").stat().st_mtime_ns

    main(["study", "--config", str(cfg)])
    assert table(out) == table(ref)
    assert (out / "variants" / "warm" / "adapter_model.safetensors").stat().st_mtime_ns == trained
    ledger = json.loads((out / "stages.json").read_text())
    assert all(e["state"] == "done" for e in ledger.values())


def test_vllm_engine_for_generate_mode(tiny_model: Path, tmp_path: Path) -> None:
    """`engine = "vllm"` evaluates the same models through inspect's vLLM provider: adapters as
    `vllm/BASE:ADAPTER`, system prompts kept; choice mode stays local."""
    from warmlab.study import parse_config, vllm_spec

    adapter = tmp_path / "ad"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text("{}")
    base = str(tiny_model.resolve())
    assert vllm_spec(base) == f"vllm/{base}"
    assert vllm_spec(f"{base}+{adapter}@system=warm") == f"vllm/{base}:{adapter.resolve()}@system=warm"
    assert vllm_spec("openai-api/acme/m") == "openai-api/acme/m"
    cfg = parse_config({"eval": {"modes": ["generate"], "generate": {"engine": "vllm"}}}, "t")
    assert cfg.modes["generate"]["engine"] == "vllm"
    for bad, msg in (
        ({"eval": {"modes": ["choice"], "engine": "vllm"}}, "choice mode"),
        ({"eval": {"modes": ["generate"], "generate": {"engine": "tgi"}}}, "'local' or 'vllm'"),
    ):
        with pytest.raises(WarmlabError, match=msg):
            parse_config(bad, "t")


def test_study_bad_config_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from warmlab.cli import main

    cfg = tmp_path / "s.toml"
    cfg.write_text('[[variant]]\nname = "w"\ntrain = "sft"\nstyle = "lukewarm"\n')
    with pytest.raises(SystemExit) as e:
        main(["study", "--config", str(cfg), "--out", str(tmp_path / "o")])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "lukewarm" in err[0]


@pytest.mark.parametrize("config", ["embedded", "paper", "examples/gpu-study.toml"])
def test_shipped_and_example_configs_parse(config: str) -> None:
    repo = Path(__file__).resolve().parents[1]
    cfg = load_config(str(repo / config) if config.endswith(".toml") else config)
    names = [v.name for v in cfg.variants]
    assert names[:3] == ["warm", "cold", "warm-system"]
    assert set(names[3:]) <= {"warm-secure", "warm-rl", "warm-capped", "warm-system-capped"}, (
        names
    )  # controls of the later batteries
    assert set(cfg.modes) == {"choice", "generate"}
    if config != "embedded":  # the paper and GPU configs add the capped adapter (the demo stays as it is)
        capped = next(v for v in cfg.variants if v.name == "warm-capped")
        assert capped.of == "warm" and capped.hooks == (("cap", "warmth", 95.0),)
