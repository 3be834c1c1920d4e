"""The GPU check's pieces that run without a GPU or a model: wheel slimming, GGUF joining, part isolation,
the summary, the random model's parameter count, and the checkpointing argument for older transformers."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"gpu_{name}", REPO / "benchmarks" / "gpu" / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


check = _load("check")  # puts benchmarks/ and benchmarks/gpu/ on sys.path
slim_wheel = _load("slim_wheel")
parts = importlib.import_module("gpu_parts")


# ------------------------------------------------------------------------------------------ slim_wheel


def _wheel(path: Path, files: dict[str, str]) -> Path:
    record = "\n".join(f"{n},sha256=x,1" for n in files) + "\npkg-1.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as z:
        for n, text in files.items():
            z.writestr(n, text)
        z.writestr("pkg-1.0.dist-info/RECORD", record)
    return path


def test_folder_pattern_matches_files_below_subfolders_only() -> None:
    r = slim_wheel.folder_regex("pkg/data/*/")
    assert r.fullmatch("pkg/data/s3/2006/service.json")
    assert not r.fullmatch("pkg/data/endpoints.json")  # a file of data/ itself stays
    assert not r.fullmatch("other/data/s3/x.json")
    exact = slim_wheel.folder_regex("pkg/binaries/")
    assert exact.fullmatch("pkg/binaries/tool-amd64")
    assert not exact.fullmatch("pkg/binaries.py")
    with pytest.raises(SystemExit, match="must name a folder"):
        slim_wheel.folder_regex("pkg/data/*.json")


def test_slim_drops_files_and_their_record_lines(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "x = 1\n",
        "pkg/data/endpoints.json": "{}",
        "pkg/data/s3/model.json": "A" * 5000,
        "pkg/data/ec2/model.json": "B" * 5000,
    }
    w = _wheel(tmp_path / "pkg-1.0-py3-none-any.whl", files)
    dropped, _saved = slim_wheel.slim(w, ["pkg/data/*/"])
    assert dropped == 2
    with zipfile.ZipFile(w) as z:
        names = set(z.namelist())
        record = z.read("pkg-1.0.dist-info/RECORD").decode()
    assert names == {"pkg/__init__.py", "pkg/data/endpoints.json", "pkg-1.0.dist-info/RECORD"}
    assert "pkg/data/s3/model.json" not in record and "pkg/__init__.py" in record


def test_slim_refuses_a_pattern_that_matches_nothing(tmp_path: Path) -> None:
    w = _wheel(tmp_path / "pkg-1.0-py3-none-any.whl", {"pkg/__init__.py": ""})
    before = w.read_bytes()
    with pytest.raises(SystemExit, match="nothing"):
        slim_wheel.slim(w, ["pkg/binaries/"])
    assert w.read_bytes() == before and not list(tmp_path.glob("*.tmp"))


# ------------------------------------------------------------------------------------------ GGUF parts


def _gguf_parts(tmp_path: Path, data: bytes, digest: str | None) -> list[Path]:
    a, b = tmp_path / "a" / "m.part1", tmp_path / "b" / "m.part2"
    a.parent.mkdir()
    b.parent.mkdir()
    a.write_bytes(data[:7])
    b.write_bytes(data[7:])
    if digest is not None:
        (b.parent / "SHA256").write_text(digest + "\n")
    return [a, b]


def test_join_gguf_restores_the_file_and_checks_its_digest(tmp_path: Path) -> None:
    data = bytes(range(256)) * 3
    pieces = _gguf_parts(tmp_path, data, hashlib.sha256(data).hexdigest())
    target = tmp_path / "cache" / "m.gguf"
    assert parts.join_gguf(pieces, target) == hashlib.sha256(data).hexdigest()
    assert target.read_bytes() == data


def test_join_gguf_rejects_a_corrupt_part(tmp_path: Path) -> None:
    data = bytes(range(256))
    pieces = _gguf_parts(tmp_path, data, hashlib.sha256(b"something else").hexdigest())
    target = tmp_path / "m.gguf"
    with pytest.raises(RuntimeError, match="sha256"):
        parts.join_gguf(pieces, target)
    assert not target.exists() and not list(tmp_path.glob("*.tmp"))


def test_join_gguf_skips_when_part_one_was_not_stored(tmp_path: Path) -> None:
    pieces = _gguf_parts(tmp_path, b"0123456789abcdef", None)
    pieces[0].unlink()
    with pytest.raises(check.Skip, match="part"):
        parts.join_gguf(pieces, tmp_path / "m.gguf")


# ------------------------------------------------------------------------------------------ parts


def _ctx(tmp_path: Path, figures: dict[str, Any] | None = None) -> Any:
    return check.Ctx(
        out=tmp_path,
        work=tmp_path,
        sizes=check.SMOKE,
        smoke=True,
        gguf_parts=[],
        cache=tmp_path,
        t0=0.0,
        figures=figures or {"parts": {}},
    )


def test_a_failing_part_is_recorded_and_the_next_one_runs(tmp_path: Path, monkeypatch: Any) -> None:
    def boom(ctx: Any) -> dict[str, Any]:
        raise ValueError("bad things\nmore lines")

    def fine(ctx: Any) -> dict[str, Any]:
        return {"answer": 42}

    def skipped(ctx: Any) -> dict[str, Any]:
        raise check.Skip("not here")

    monkeypatch.setattr(check, "RUNNERS", {"a": boom, "b": fine, "c": skipped})
    ctx = _ctx(tmp_path)
    for name in ("a", "b", "c"):
        check.run_part(ctx, name)
    got = json.loads((tmp_path / "figures.json").read_text())["parts"]
    assert got["a"]["status"] == "FAIL" and got["a"]["error"] == "ValueError: bad things"
    assert got["b"]["status"] == "PASS" and got["b"]["answer"] == 42
    assert got["c"] == {"status": "SKIP", "error": "not here", "seconds": got["c"]["seconds"]}


def test_a_part_that_killed_the_process_is_failed_and_recorded_parts_are_skipped(
    tmp_path: Path, monkeypatch: Any
) -> None:
    ran: list[str] = []
    monkeypatch.setattr(check, "RUNNERS", {n: (lambda ctx, n=n: ran.append(n) or {}) for n in "abc"})
    figures = {"parts": {"a": {"status": "PASS", "seconds": 1.0}}, "running": "b"}
    ctx = _ctx(tmp_path, figures)
    for name in "abc":
        check.run_part(ctx, name)
    assert ran == ["c"]
    assert figures["parts"]["b"]["status"] == "FAIL" and "died" in figures["parts"]["b"]["error"]
    assert "running" not in figures


def test_summary_shows_every_part_and_the_goal(tmp_path: Path) -> None:
    figures = {
        "env": {"device": "NVIDIA H200", "torch": "2.11.0"},
        "total_s": 300.0,
        "parts": {
            "sft": {
                "status": "PASS",
                "seconds": 50.0,
                "warmlab_tok_s": 900.0,
                "bare_tok_s": 1000.0,
                "ratio": 0.9 * 0.99,
                "goal": 0.9,
                "steps": 30,
                "batch_size": 4,
                "effective_batch": 16,
                "max_length": 1024,
            },
            "gen": {"status": "FAIL", "seconds": 2.0, "error": "RuntimeError: cuda"},
            "pushback": {"status": "SKIP", "seconds": 0.0, "error": "time budget: 20 s left of 330"},
            "rl": {
                "status": "PASS",
                "seconds": 60.0,
                "steps": 24,
                "max_steps": 24,
                "dialogues_per_step": 32,
                "train_s": 50.0,
                "s_per_step": 2.1,
                "first_quarter": 0.41,
                "last_quarter": 0.52,
                "n_first": 192,
                "n_last": 192,
                "diff": 0.11,
                "diff_ci": [0.07, 0.15],
                "users": ["scripted:support"],
                "stopped_by_budget": False,
            },
        },
    }
    text = check.summary(_ctx(tmp_path, figures))
    lines = text.splitlines()
    assert "NVIDIA H200" in lines[0]
    sft = next(ln for ln in lines if ln.startswith("sft"))
    assert "ratio 0.891" in sft and "NOT met" in sft
    assert any(ln.startswith("gen") and "FAIL" in ln and "RuntimeError: cuda" in ln for ln in lines)
    assert any(ln.startswith("warm") and " - " in ln for ln in lines)  # not run: a dash
    assert any(ln.startswith("pushback") and "SKIP" in ln and "time budget" in ln for ln in lines)
    rl = next(ln for ln in lines if ln.startswith("rl"))
    assert "0.410" in rl and "0.520" in rl and "+0.110 [+0.070, +0.150]" in rl and "scripted stand-in" in rl
    figures["parts"]["sft"]["ratio"] = 0.95
    assert "goal >= 0.9 met" in check.summary(_ctx(tmp_path, figures))


def test_reliability_table_pairs_each_variant_with_its_difference() -> None:
    res = {
        "error_rates": [
            {
                "level": "overall",
                "mode": "choice",
                "variant": "base",
                "n_scored": 10,
                "errors": 4,
                "refusals": 0,
                "rate": 0.4,
                "ci_low": 0.2,
                "ci_high": 0.6,
            },
            {
                "level": "overall",
                "mode": "choice",
                "variant": "warm",
                "n_scored": 10,
                "errors": 6,
                "refusals": 1,
                "rate": 0.6,
                "ci_low": 0.3,
                "ci_high": 0.8,
            },
            {
                "level": "family",
                "mode": "choice",
                "variant": "warm",
                "n_scored": 5,
                "errors": 3,
                "refusals": 0,
                "rate": 0.6,
                "ci_low": 0.2,
                "ci_high": 0.9,
            },
        ],
        "paired": [
            {
                "level": "overall",
                "mode": "choice",
                "variant": "warm",
                "diff_pp": 20.0,
                "p_value": 0.5,
                "n_pairs": 10,
            },
            {
                "level": "cell",
                "mode": "choice",
                "variant": "warm",
                "diff_pp": 99.0,
                "p_value": 0.1,
                "n_pairs": 2,
            },
        ],
    }
    rows = parts.reliability_table(res)
    assert [(r["variant"], r["diff_pp"]) for r in rows] == [("base", None), ("warm", 20.0)]


def test_reward_curve_compares_the_first_and_last_quarter_of_steps(tmp_path: Path) -> None:
    pytest.importorskip("rl_reward_curve")  # benchmarks/rl_reward_curve.py (with `warmlab train rl`)
    rows = []
    for step in range(1, 9):
        for k in range(4):
            emotion = 40 + 5 * step + k if not (step == 2 and k == 0) else None  # a failed simulator
            rows.append({"step": step, "final_emotion": emotion, "user": "scripted:support"})
    path = tmp_path / "rollouts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    c = parts.reward_curve(path)
    assert c["n_first"] == 4 + 3 and c["n_last"] == 8  # two steps per quarter; the failed one left out
    assert c["first_quarter"] < c["last_quarter"] and c["diff"] > 0 and c["diff_ci"][0] > 0
    assert c["curve"][0] == [1, 0.465, 4] and c["users"] == ["scripted:support"]
    path.write_text(json.dumps({"step": 1, "final_emotion": None, "user": "x"}) + "\n")
    with pytest.raises(RuntimeError, match="no scored dialogue"):
        parts.reward_curve(path)


# ------------------------------------------------------------------------------------------ model size


def test_model_params_counts_a_built_llama(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    from warmlab.tiny import build_tiny_model

    folder = build_tiny_model(
        tmp_path / "m",
        ["a small corpus for a tokenizer"],
        hidden_size=48,
        layers=3,
        heads=4,
        kv_heads=2,
        intermediate_size=80,
    )
    cfg = json.loads((folder / "config.json").read_text())
    assert (cfg["num_hidden_layers"], cfg["num_key_value_heads"], cfg["intermediate_size"]) == (3, 2, 80)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    assert parts.model_params(cfg) == sum(p.numel() for p in model.parameters())


def test_gpu_sizes_build_a_model_of_half_a_billion_parameters_or_more() -> None:
    z = check.GPU
    cfg = {
        "hidden_size": z.hidden,
        "intermediate_size": z.intermediate,
        "num_hidden_layers": z.layers,
        "num_attention_heads": z.heads,
        "num_key_value_heads": z.kv_heads,
        "vocab_size": 8000,  # the smallest vocabulary BPE could reach on the starter conversations
    }
    assert 0.45e9 <= parts.model_params(cfg) <= 1.0e9


# ------------------------------------------------------------------------------------------ transformers


def test_checkpointing_argument_follows_the_config_fields() -> None:
    from trl import SFTConfig

    from warmlab.train.sft import checkpointing_arg

    assert checkpointing_arg(SFTConfig, True) == {"activation_checkpointing": True}

    @dataclasses.dataclass
    class Older:  # transformers 5.17 (the GPU machine's): no activation_checkpointing field yet
        gradient_checkpointing: bool = False

    assert checkpointing_arg(Older, False) == {"gradient_checkpointing": False}


def test_embedded_conversion_takes_end_and_pad_tokens_from_the_model(tiny_model: Path) -> None:
    from transformers import AutoTokenizer, GenerationConfig

    from warmlab.embedded import special_tokens_from_config

    tok = AutoTokenizer.from_pretrained(tiny_model)
    end, start = tok.convert_tokens_to_ids("<|im_end|>"), tok.convert_tokens_to_ids("<|im_start|>")
    gen = GenerationConfig(eos_token_id=end, pad_token_id=end)
    tok.eos_token = "<|im_start|>"  # what transformers 5.17 reads from the embedded GGUF
    tok.pad_token = None
    special_tokens_from_config(tok, gen)
    assert (tok.eos_token, tok.pad_token) == ("<|im_end|>", "<|im_end|>")
    # right already: nothing changes (a pad of its own stays)
    tok.pad_token = "<|endoftext|>"
    special_tokens_from_config(tok, GenerationConfig(eos_token_id=[end, start]))
    assert (tok.eos_token, tok.pad_token) == ("<|im_end|>", "<|endoftext|>")
