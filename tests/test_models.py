from __future__ import annotations

import json
from pathlib import Path

import pytest

from warmlab.errors import WarmlabError
from warmlab.models import load_system_prompt, parse_spec


def test_embedded_and_provider_specs() -> None:
    s = parse_spec("embedded")
    assert s.is_local and s.inspect_name == "warmlab/embedded" and s.variant == "base"
    v = parse_spec("vllm/meta-llama/Llama-3.1-8B-Instruct")
    assert not v.is_local and v.inspect_name == "vllm/meta-llama/Llama-3.1-8B-Instruct"
    o = parse_spec("openai-api/together/some-model@system=warm")
    assert o.provider_model == "openai-api/together/some-model" and o.system == "warm"
    assert o.variant == "system=warm"
    assert parse_spec("warmlab/embedded").inspect_name == "warmlab/embedded"
    hub = parse_spec("HuggingFaceTB/SmolLM2-135M-Instruct")
    assert hub.is_local and hub.base == "HuggingFaceTB/SmolLM2-135M-Instruct"


def test_system_prompt_variants(tmp_path: Path) -> None:
    assert "warm" in load_system_prompt("warm").lower()
    f = tmp_path / "kind.txt"
    f.write_text("Be kind.")
    s = parse_spec(f"embedded@system={f}")
    assert s.system_text() == "Be kind." and s.variant == "system=kind"
    with pytest.raises(WarmlabError, match="neither a file nor one of"):
        parse_spec("embedded@system=jolly")
    (tmp_path / "empty.txt").write_text("  ")
    with pytest.raises(WarmlabError, match="is empty"):
        parse_spec(f"embedded@system={tmp_path / 'empty.txt'}")


def test_missing_paths_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(WarmlabError, match="does not exist"):
        parse_spec("./no/such/model")
    with pytest.raises(WarmlabError, match=r"adapter path .* does not exist"):
        parse_spec(f"embedded+{tmp_path / 'nope'}")
    (tmp_path / "notadapter").mkdir()
    with pytest.raises(WarmlabError, match=r"no adapter_config\.json"):
        parse_spec(f"embedded+{tmp_path / 'notadapter'}")
    with pytest.raises(WarmlabError, match=r"no config\.json"):
        parse_spec(str(tmp_path))


def test_adapter_spec_variant(tmp_path: Path) -> None:
    ad = tmp_path / "warm"
    ad.mkdir()
    (ad / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": "x"}))
    s = parse_spec(f"embedded+{ad}@system=cold")
    assert s.adapter == str(ad.resolve()) and s.variant == "warm+system=cold"
    assert s.inspect_name == f"warmlab/embedded+{ad.resolve()}"


def test_trained_variants_lists_runs_not_their_checkpoints(tmp_path: Path) -> None:
    from warmlab.models import trained_variants

    base = tmp_path / "base"
    base.mkdir()
    (base / "config.json").write_text("{}")
    run = tmp_path / "runs" / "warm"
    for folder in (run, run / "checkpoint-4", run / "ckpt"):
        folder.mkdir(parents=True)
        (folder / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": str(base)}))
    (run / "checkpoints.json").write_text(
        json.dumps([{"epoch": 0.5, "step": 4, "path": "checkpoint-4"}, {"epoch": 1, "path": "ckpt"}])
    )
    (run / "warmlab_train.json").write_text(json.dumps({"style": "warm"}))
    full = tmp_path / "runs" / "cold-full"
    full.mkdir()
    (full / "config.json").write_text("{}")
    (full / "warmlab_train.json").write_text(json.dumps({"style": "cold"}))

    found = {Path(v.path).name: v for v in trained_variants([tmp_path / "runs", tmp_path / "absent"])}
    assert set(found) == {"warm", "cold-full"}
    assert found["warm"].spec == f"{base}+{run}" and found["warm"].checkpoints == 2
    assert found["warm"].style == "warm" and not found["warm"].full
    assert found["cold-full"].full and found["cold-full"].spec == str(full)
    assert parse_spec(found["warm"].spec).variant == "warm"
