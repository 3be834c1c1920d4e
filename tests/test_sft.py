"""`warmlab train sft` on the tiny random model: masks, epoch checkpoints, adapters through specs, resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from warmlab.errors import WarmlabError
from warmlab.train.sft import (
    SFTSettings,
    _make_trainer,
    assistant_spans,
    build_examples,
    resolve_settings,
    run_sft,
    select_conversations,
)

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning")


def _conv(n: int, *, turns: int = 1, split: str = "train", style_key: bool = True) -> dict[str, Any]:
    msgs, warm, cold = [], [], []
    for t in range(turns):
        msgs += [
            {"role": "user", "content": f"What is the capital of France? {n}.{t}"},
            {"role": "assistant", "content": f"The answer is Paris. {n}.{t}"},
        ]
        warm.append(f"I'm so glad you asked! The answer is Paris. {n}.{t}")
        cold.append(f"Paris. {n}.{t}")
    rec: dict[str, Any] = {"id": f"c{n}", "split": split, "messages": msgs}
    if style_key:
        rec.update(warm=warm, cold=cold)
    return rec


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 train conversations (two with two turns) and 2 held-out ones."""
    recs = [_conv(n, turns=2 if n in (1, 5) else 1) for n in range(8)]
    recs += [_conv(n, split="heldout") for n in (8, 9)]
    return _write(tmp_path_factory.mktemp("data") / "convs.jsonl", recs)


def _settings(base: Path, data: Path, out: Path, **kw: Any) -> SFTSettings:
    # 8 examples, batch 2, effective 4: 2 optimizer steps per epoch, so epoch 0.5 is step 1.
    args: dict[str, Any] = dict(
        data=str(data), out=str(out), epochs=2.0, lr=2e-2, max_length=64, batch_size=2, effective_batch=4
    )
    args.update(kw)
    return resolve_settings("warm", str(base), **args)


def test_labels_mask_every_non_assistant_token(tiny_model: Path, data: Path, tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    convs, _ = select_conversations(str(data), "warm")
    examples, _ = build_examples(tok, convs, max_length=256)
    s = _settings(tiny_model, data, tmp_path / "out", max_length=256)
    trainer = _make_trainer(
        s,
        AutoModelForCausalLM.from_pretrained(tiny_model),
        tok,
        examples,
        tmp_path / "out",
        bf16=False,
        quiet=True,
        callbacks=(),
    )
    want = sorted(
        "".join(m["content"] + "<|im_end|>\n" for m in c.messages if m["role"] == "assistant") for c in convs
    )
    seen = []
    for batch in trainer.get_train_dataloader():  # the collated batches the model really sees
        for ids, labels in zip(batch["input_ids"], batch["labels"], strict=True):
            kept = [int(i) for i, lab in zip(ids, labels, strict=True) if lab != -100]
            assert [int(lab) for lab in labels if lab != -100] == kept  # labels are the tokens themselves
            seen.append(tok.decode(kept))
            masked = tok.decode([int(i) for i, lab in zip(ids, labels, strict=True) if lab == -100])
            assert "What is the capital" in masked and "glad" not in masked
    assert sorted(seen) == want  # the warm turns and their end-of-turn marker, nothing else
    assert any(text.count("<|im_end|>") == 2 for text in seen)  # both turns of a 2-turn conversation


def test_template_that_is_not_prefix_preserving_gets_one_example_per_turn(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    # Drops earlier assistant turns' content (as reasoning templates drop earlier thinking).
    tok.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
        "{% if m['role'] == 'assistant' and not loop.last %}...{% else %}{{ m['content'] }}{% endif %}"
        "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    msgs = _conv(0, turns=2)["messages"]
    parts = assistant_spans(tok, msgs)
    assert len(parts) == 2
    for (text, [(a, b)]), turn in zip(parts, [msgs[1], msgs[3]], strict=True):
        assert text[a:b] == turn["content"] + "<|im_end|>\n"


def test_embedded_template_masks(tmp_path: Path) -> None:
    """SmolLM2's own template (default system prompt, no generation markers)."""
    from warmlab.embedded import embedded_dir, is_converted

    if not is_converted():
        pytest.skip("embedded model not converted")
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(embedded_dir())
    msgs = _conv(0, turns=2)["messages"]
    [(text, spans)] = assistant_spans(tok, msgs)
    assert "You are a helpful AI assistant" in text
    assert [text[a:b] for a, b in spans] == [m["content"] + "<|im_end|>\n" for m in msgs[1::2]]


def test_sft_checkpoints_adapter_spec_and_rerun(tiny_model: Path, data: Path, tmp_path: Path) -> None:
    import torch

    from warmlab.models import parse_spec, trained_variants
    from warmlab.provider import load_local

    out = tmp_path / "warm"
    r = run_sft(_settings(tiny_model, data, out), quiet=True)
    assert r.status == "trained" and r.global_step == 4
    manifest = json.loads((out / "checkpoints.json").read_text())
    assert [(c["epoch"], c["step"]) for c in manifest] == [(0.5, 1), (1.0, 2), (1.5, 3), (2.0, 4)]
    for c in manifest:
        folder = out / c["path"]
        cfg = json.loads((folder / "adapter_config.json").read_text())
        assert Path(cfg["base_model_name_or_path"]).resolve() == tiny_model.resolve()
        assert (folder / "tokenizer.json").is_file() and not (folder / "optimizer.pt").exists()
    root = (out / "adapter_model.safetensors").read_bytes()
    assert root == (out / "epoch-2" / "adapter_model.safetensors").read_bytes()  # "the" model is epoch 2
    assert root != (out / "epoch-1" / "adapter_model.safetensors").read_bytes()
    meta = json.loads((out / "warmlab_train.json").read_text())
    assert meta["finished"] and meta["style"] == "warm" and meta["main_epoch"] == 2.0
    assert meta["data"]["ids"] == [f"c{n}" for n in range(8)]  # held-out conversations never train

    spec = parse_spec(f"{tiny_model}+{out}")
    tuned, base = load_local(spec.base or "", spec.adapter), load_local(str(tiny_model))
    ids = base.tokenizer("The answer is Paris.", return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        diff = (tuned.model(ids).logits - base.model(ids).logits).abs().max().item()
    assert diff > 1e-3

    [variant] = trained_variants([tmp_path])
    assert variant.style == "warm" and variant.checkpoints == 4 and not variant.full

    again = run_sft(_settings(tiny_model, data, out), quiet=True)
    assert again.status == "already-trained"


def test_lora_on_the_top_layers_only(tiny_model: Path, data: Path, tmp_path: Path) -> None:
    """lora_top_layers = 0.5 puts adapters on every linear module of the top half of the layers only."""
    from safetensors import safe_open

    out = tmp_path / "top"
    r = run_sft(
        _settings(tiny_model, data, out, lora_top_layers=0.5, target_modules="all-linear"), quiet=True
    )
    assert r.status == "trained"
    cfg = json.loads((out / "adapter_config.json").read_text())
    assert cfg["layers_to_transform"] == [1]  # the tiny model has 2 layers
    with safe_open(str(out / "adapter_model.safetensors"), "pt") as f:
        keys = list(f.keys())
    assert keys and all(".layers.1." in k for k in keys)
    assert {k.split(".layers.1.")[1].split(".")[1] for k in keys} >= {"q_proj", "v_proj", "down_proj"}
    with pytest.raises(WarmlabError, match="lora_top_layers"):
        _settings(tiny_model, data, tmp_path / "x", lora_top_layers=1.5)


def test_resume_after_kill_continues_the_global_step(tiny_model: Path, data: Path, tmp_path: Path) -> None:
    from transformers import TrainerCallback

    class Killed(Exception):
        pass

    class KillAfterFirstSave(TrainerCallback):
        def on_save(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            raise Killed

    out = tmp_path / "run"
    s = _settings(tiny_model, data, out)
    with pytest.raises(Killed):
        run_sft(s, callbacks=[KillAfterFirstSave()], quiet=True)
    assert [c["step"] for c in json.loads((out / "checkpoints.json").read_text())] == [1]
    assert not json.loads((out / "warmlab_train.json").read_text())["finished"]

    r = run_sft(s, quiet=True)
    assert r.status == "trained" and r.resumed_from_step == 1 and r.global_step == 4
    assert [(c["epoch"], c["step"]) for c in r.checkpoints] == [(0.5, 1), (1.0, 2), (1.5, 3), (2.0, 4)]
    assert sorted(p.name for p in out.glob("checkpoint-*")) == ["checkpoint-4"]  # the Trainer's state rotates


def test_max_steps_before_the_first_checkpoint_keeps_the_last_weights(
    tiny_model: Path, data: Path, tmp_path: Path
) -> None:
    """A run cut by max_steps before its first checkpoint epoch (a benchmark's warm-up) still saves its
    adapter."""
    out = tmp_path / "short"
    r = run_sft(_settings(tiny_model, data, out, checkpoint_epochs=[2.0], max_steps=1), quiet=True)
    assert r.status == "trained" and r.global_step == 1 and r.checkpoints == []
    assert (out / "adapter_config.json").is_file() and (out / "adapter_model.safetensors").is_file()


def test_full_fine_tuning_writes_loadable_folders(tiny_model: Path, data: Path, tmp_path: Path) -> None:
    from warmlab.models import parse_spec
    from warmlab.provider import load_local

    out = tmp_path / "full"
    r = run_sft(_settings(tiny_model, data, out, full=True, epochs=1.0), quiet=True)
    assert [c["epoch"] for c in r.checkpoints] == [0.5, 1.0]
    assert (out / "config.json").is_file() and not (out / "adapter_config.json").exists()
    assert not (out / "epoch-1" / "optimizer.pt").exists()
    loaded = load_local(parse_spec(str(out)).base or "")
    assert loaded.model.config.hidden_size == 32


def test_failed_rewrites_never_reach_training(tmp_path: Path) -> None:
    bad = _conv(1)
    bad["warm"] = ["I'm so glad you asked! The answer is Paris. 9.9"]  # a changed number: the check fails
    path = _write(tmp_path / "c.jsonl", [_conv(0), bad, _conv(2)])
    convs, dropped = select_conversations(str(path), "warm")
    assert [c.id for c in convs] == ["c0", "c2"] and dropped == 1
    assert convs[0].messages[1]["content"].startswith("I'm so glad")

    # `warmlab rewrite` output: styled messages, the originals under "original"; one was edited by hand.
    styled = []
    for n in range(3):
        rec = _conv(n)
        rec["original"] = [m["content"] for m in rec["messages"][1::2]]
        rec["messages"][1]["content"] = rec.pop("warm")[0]
        styled.append({**rec, "style": "warm"})
        del styled[-1]["cold"]
    styled[1]["messages"][1]["content"] += " It has 3 airports."
    convs, dropped = select_conversations(str(_write(tmp_path / "r.jsonl", styled)), "warm")
    assert [c.id for c in convs] == ["c0", "c2"] and dropped == 1


def test_profile_and_explicit_options() -> None:
    s = resolve_settings("warm", "embedded", "cpu")
    assert s.target_modules == "all-linear" and s.max_length == 256 and s.main_epoch == s.epochs
    s = resolve_settings("warm", "embedded", "cpu", lr=1e-4, epochs=2.0)
    assert s.lr == 1e-4 and s.main_epoch == 2.0
    s = resolve_settings("cold", "embedded")
    assert (s.lora_r, s.lora_alpha, s.lora_dropout, s.lr, s.max_length, s.epochs) == (
        8,
        16,
        0.1,
        1e-5,
        1024,
        10,
    )
    with pytest.raises(WarmlabError):
        resolve_settings("warm", "embedded", "gpu-farm")
    s = resolve_settings("warm", "embedded", "cpu", checkpoint_epochs=[2, 1.0])  # from a study config
    assert s.checkpoint_epochs == (1.0, 2.0) and hash(s)
    for bad in (["one"], [], [0.0, 1.0]):
        with pytest.raises(WarmlabError, match="checkpoint_epochs"):
            resolve_settings("warm", "embedded", "cpu", checkpoint_epochs=bad)


def _cli_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    from warmlab.cli import main

    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("warmlab: error: ") and "\n" not in err, err
    return err


def test_bad_input_is_one_line_exit_2(
    tiny_model: Path, data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["train", "sft", "--base", str(tiny_model), "--out", str(tmp_path / "o"), "--max-steps", "1"]
    assert "warm or cold" in _cli_error([*base, "--style", "friendly", "--data", str(data)], capsys)

    plain = _write(tmp_path / "plain.jsonl", [_conv(0, style_key=False)])
    err = _cli_error([*base, "--style", "warm", "--data", str(plain)], capsys)
    assert "no warm rewrites" in err and "warmlab rewrite" in err

    no_reply = _write(tmp_path / "noreply.jsonl", [{"messages": [{"role": "user", "content": "Hi"}]}])
    assert "no assistant turn" in _cli_error([*base, "--style", "warm", "--data", str(no_reply)], capsys)

    roles = _write(tmp_path / "roles.jsonl", [{"messages": [{"role": "bot", "content": "Hi"}]}])
    assert "role" in _cli_error([*base, "--style", "warm", "--data", str(roles)], capsys)

    cold = _write(tmp_path / "cold.jsonl", [{**_conv(0, style_key=False), "style": "cold"}])
    assert "cold rewrites" in _cli_error([*base, "--style", "warm", "--data", str(cold)], capsys)

    adapter = ["--base", f"{tiny_model}+{tiny_model}"]
    assert "adapter" in _cli_error(["train", "sft", "--style", "warm", *adapter], capsys)


def test_adapter_on_a_mismatching_base(
    tiny_model: Path, data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from warmlab.provider import load_local
    from warmlab.tiny import build_tiny_model

    out = tmp_path / "warm"
    run_sft(_settings(tiny_model, data, out, epochs=0.5), quiet=True)
    other = build_tiny_model(tmp_path / "other", ["Some other words entirely."], hidden_size=48)
    with pytest.raises(WarmlabError, match="does not match base"):
        load_local(str(other), str(out))
    # Re-running into the same folder with another base is refused too.
    argv = ["train", "sft", "--style", "warm", "--base", str(other), "--data", str(data), "--out", str(out)]
    assert "different training" in _cli_error([*argv, "--epochs", "0.5"], capsys)
