"""A study with an RL variant (train = "rl") and the support battery on the tiny model: RL trained in its own
stage, the run folder as the variant's adapter, its checkpoints on the warmth curve, the head-to-head in
the report; bad RL input fails before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support_profiles import bad_profile_files
from warmlab.errors import WarmlabError
from warmlab.study import load_config, parse_config
from warmlab.train.rl_config import load_rl_config

RL = """
[[variant]]
name = "rl"
train = "rl"
limit = 4
max_steps = 2
max_turns = 2
max_turn_tokens = 8
max_dialogue_tokens = 200
num_generations = 2
prompts_per_step = 2
batch_size = 2
lr = 0.01
checkpoint_every = 1
"""


def _config(base: Path, out: Path, rl: str = RL, support: str = 'kinds = "vent,praise"') -> str:
    return f"""
out = "{out}"
base = "{base}"
seed = 0
{rl}
[[variant]]
name = "warm-system"
system = "warm"

[eval]
modes = ["choice"]
families = "trivia"
contexts = "none,sad"
limit = 1
batch_size = 8

[warmth]
limit = 2
max_tokens = 8

[tasks.support]
limit = 1
turns = 2
max_tokens = 8
{support}

[stats]
bootstrap = 0
"""


def test_rl_variant_in_a_study(tiny_model: Path, tmp_path: Path) -> None:
    from warmlab.cli import main

    out = tmp_path / "study"
    cfg = tmp_path / "study.toml"
    cfg.write_text(_config(tiny_model, out))
    # trained beforehand from the same config (as under `accelerate launch`): the study uses that run
    main(["train", "rl", "--config", str(cfg)])
    run = out / "variants" / "rl"
    trained = {p: p.stat().st_mtime_ns for p in run.rglob("*") if p.is_file()}
    main(["study", "--config", str(cfg)])
    ledger = json.loads((out / "stages.json").read_text())
    assert ledger["train:rl"]["state"] == "done" and ledger["train:rl"]["steps"] == 2
    assert {p: p.stat().st_mtime_ns for p in run.rglob("*") if p.is_file()} == trained
    assert not (out / ".superseded").exists()
    assert json.loads((run / "warmlab_train.json").read_text())["finished"]
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    support = [r for r in rows if r["task"] == "support"]
    assert {r["variant"] for r in support} == {"base", "rl", "warm-system"} and len(support) == 6
    assert {r["model"] for r in support if r["variant"] == "rl"} == {f"{tiny_model}+{run.resolve()}"}
    assert all(r["user"] == "scripted:support" for r in support)
    # the RL run's step checkpoints are followed on the warmth curve like SFT's epochs
    epochs = sorted({r["epoch"] for r in rows if r["task"] == "warmth" and r.get("epoch") is not None})
    assert epochs == [0.5, 1.0]  # 4 profiles, 2 per step: a checkpoint every step
    meta = json.loads((out / "study.json").read_text())
    assert {v["name"]: v["kind"] for v in meta["variants"]} == {"rl": "rl", "warm-system": "system"}
    html = (out / "report.html").read_text()
    assert 'id="head-to-head"' in html and "emotion-reward RL" in html
    assert "not in this run: trait-warm (SFT)" in html and "support: final emotion" in html
    assert "scripted stand-in" in html

    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != "study.json"}
    main(["study", "--config", str(cfg)])
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != "study.json"}
    assert not {p.name for p in before if before[p] != after.get(p)}  # nothing redone


def test_rl_variant_settings_are_checked() -> None:
    cfg = parse_config({"variant": [{"name": "r", "train": "rl", "profile": "cpu", "max_steps": 3}]}, "t")
    assert cfg.variants[0].kind == "rl" and dict(cfg.variants[0].train) == {"profile": "cpu", "max_steps": 3}
    for raw, msg in (
        ({"name": "r", "train": "rl", "style": "warm"}, "style is for train"),
        ({"name": "r", "train": "rl", "data": "starter"}, "data is for train"),
    ):
        with pytest.raises(WarmlabError, match=msg):
            parse_config({"variant": [raw]}, "t")


def test_shipped_configs_with_support_and_rl_parse() -> None:
    repo = Path(__file__).resolve().parents[1]
    demo = load_config("embedded")
    assert "support" in demo.tasks and not any(v.kind == "rl" for v in demo.variants)
    for path in ("examples/rl-cpu.toml", "examples/rl-gpu.toml"):
        cfg = load_config(str(repo / path))
        assert [v.kind for v in cfg.variants if v.kind == "rl"] == ["rl"], path
        assert {v.name for v in cfg.variants} >= {"warm", "rl", "warm-system"}
        assert "support" in cfg.tasks and "pushback" in cfg.tasks, path
    for name in ("paper", str(repo / "examples/gpu-study.toml")):
        assert "support" in load_config(name).tasks
    # `train rl --config` reads a study config's RL variant: the run the study would train, in its folder
    values = load_rl_config(repo / "examples" / "rl-gpu.toml")
    assert values["out"] == "runs/rl-llama8b/variants/rl" and values["base"].startswith("meta-llama/")
    assert values["user"] == "openai-api/simulator/simulator" and "name" not in values


def test_train_rl_config_from_a_study_needs_one_rl_variant(tmp_path: Path) -> None:
    p = tmp_path / "s.toml"
    for variants in ("", RL + RL.replace('"rl"\ntrain', '"rl2"\ntrain')):
        p.write_text(f'base = "embedded"\n[[variant]]\nname = "w"\nsystem = "warm"\n{variants}')
        with pytest.raises(WarmlabError, match="exactly one"):
            load_rl_config(p)


def _bad(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> str:
    from warmlab.cli import main

    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    with pytest.raises(SystemExit) as e:
        main(["study", "--config", str(cfg)])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_bad_rl_and_support_input_is_one_line_and_leaves_results_alone(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "study"
    out.mkdir()
    for name in ("results.jsonl", "stages.json", "stats.json"):
        (out / name).write_text('{"keep": 1}\n')
    bad_line, kind = bad_profile_files(tmp_path, "train")
    cases = [
        (RL + f'profiles = "{bad_line}"\n', 'kinds = "vent"', "bad.jsonl:2: invalid JSON"),
        (RL + f'profiles = "{kind}"\n', 'kinds = "vent"', "kind.jsonl:1: unknown intention kind 'cuddles'"),
        (RL, 'kinds = "vent,cuddles"', "unknown intention kind 'cuddles'"),
        (RL, f'profiles = "{bad_line}"', "bad.jsonl:2: invalid JSON"),
        (RL + f'user = "{tmp_path / "no-such-model"}"\n', "", "does not exist"),
        (RL + 'user = "scripted"\ntemperature = "hot"\n', "", "temperature must be float"),
        (RL + 'out = "elsewhere"\n', "", "set by the study"),
    ]
    for rl, support, msg in cases:
        err = _bad(tmp_path, capsys, _config(tiny_model, out, rl, support))
        assert msg in err, err
        if "user" in rl and "no-such-model" in rl:
            assert "variant 'rl'" in err and "user model" in err
    assert sorted(p.name for p in out.iterdir()) == ["results.jsonl", "stages.json", "stats.json"]
    assert all(
        (out / n).read_text() == '{"keep": 1}\n' for n in ("results.jsonl", "stages.json", "stats.json")
    )
