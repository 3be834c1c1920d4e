"""`warmlab train rl` on the tiny random model with the scripted user: the token-level rollout (masks,
lengths, EOS, think stripping), reward plumbing through GRPO, checkpoints, resume, bad input."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from support_profiles import bad_profile_files
from warmlab.errors import WarmlabError
from warmlab.tasks.support.profiles import Profile, load_profiles
from warmlab.tasks.support.scripted import ScriptedEmotionUser
from warmlab.train.rl_config import POLICY_PROMPTS, resolve_rl_settings
from warmlab.train.rollout import (
    ChatFrame,
    RolloutEnv,
    emotion_reward_func,
    rollout_output,
    run_dialogues,
    visible_text,
)

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning")

WARM = "I'm so sorry. That sounds really hard. What happened?"


@pytest.fixture(scope="module")
def tok(tiny_model: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model)


def _profiles(n: int = 2) -> list[Profile]:
    return load_profiles(split="train")[:n]


def _env(tok: Any, profiles: list[Profile], **kw: Any) -> RolloutEnv:
    args: dict[str, Any] = dict(max_turns=3, max_turn_tokens=30, max_dialogue_tokens=600)
    args.update(kw)
    return RolloutEnv(
        profiles=profiles,
        make_user=lambda p: ScriptedEmotionUser(p, max_turns=args["max_turns"]),
        frame=ChatFrame(tok, POLICY_PROMPTS["no-think"]),
        **args,
    )


def _fixed(tok: Any, texts: list[str], eos: bool = True) -> Any:
    """A policy that says texts[i] (cycling) at its i-th call, for every dialogue."""
    calls = {"n": 0}

    def generate(inputs: list[list[int]]) -> list[tuple[list[int], list[float] | None]]:
        text = texts[calls["n"] % len(texts)]
        calls["n"] += 1
        ids = list(tok(text, add_special_tokens=False)["input_ids"]) + ([tok.eos_token_id] if eos else [])
        return [(ids, None) for _ in inputs]

    return generate


def test_sequence_is_the_chat_template_and_masks_mark_policy_tokens(tok: Any) -> None:
    profiles = _profiles()
    env = _env(tok, profiles)
    said = ["Tell me more about it.", WARM, "That sounds exhausting. What else?"]
    prompts = [[{"role": "user", "content": p.first_message}] for p in profiles]
    dialogues = run_dialogues(env, prompts, _fixed(tok, said))
    out = rollout_output(env, dialogues)
    for d, ids, mask in zip(dialogues, out["completion_ids"], out["env_mask"], strict=True):
        assert len(mask) == len(ids) and ids[-1] == tok.eos_token_id and mask[-1] == 1
        # the masked-in tokens are exactly what the policy generated, turn after turn
        policy = [t for t, m in zip(ids, mask, strict=True) if m]
        want = [t for x in said for t in [*tok(x, add_special_tokens=False)["input_ids"], tok.eos_token_id]]
        assert policy == want
        # the masked-out tokens are the user's turns, carrying what the user said
        user_text = tok.decode([t for t, m in zip(ids, mask, strict=True) if not m])
        assert [m["content"] for m in d.conversation if m["role"] == "user"][1] in user_text
        assert "<|im_start|>user" in user_text and "<|im_start|>assistant" in user_text
        # prompt + completion decode to the chat template's rendering of the whole dialogue
        msgs = [{"role": "system", "content": POLICY_PROMPTS["no-think"]}, *d.conversation[:6]]
        rendered = tok.apply_chat_template(msgs, tokenize=False)
        assert tok.decode(d.prompt_ids + ids) == rendered.rstrip("\n")
        assert d.stop == "max_turns" and len(d.emotions()) == 3
    assert out["logprobs"] is None and out["final_emotion"] == [d.emotions()[-1] for d in dialogues]
    assert emotion_reward_func(None, out["final_emotion"]) == [e / 100 for e in out["final_emotion"]]


def test_caps_a_long_turn_and_the_whole_dialogue(tok: Any) -> None:
    profiles = _profiles(1)
    env = _env(tok, profiles, max_turn_tokens=10, max_dialogue_tokens=60)
    long = "word " * 40
    prompts = [[{"role": "user", "content": profiles[0].first_message}]]

    def generate(inputs: list[list[int]]) -> list[tuple[list[int], list[float] | None]]:
        ids = list(tok(long, add_special_tokens=False)["input_ids"])[:10]  # cut by max_turn_tokens
        return [(ids, [-0.5] * len(ids)) for _ in inputs]

    [d] = run_dialogues(env, prompts, generate)
    out = rollout_output(env, [d])
    ids, mask, lps = out["completion_ids"][0], out["env_mask"][0], out["logprobs"][0]
    assert len(ids) <= 60 and len(ids) == len(mask) == len(lps)
    assert ids[-1] == tok.eos_token_id and mask[-1] == 0  # the closing EOS is ours, not the policy's
    assert ids[9] != tok.eos_token_id and (ids[10], mask[10], lps[10]) == (tok.eos_token_id, 0, None)
    assert all(lp == -0.5 for lp, m in zip(lps, mask, strict=True) if m)
    assert d.stop == "length" and len(d.emotions()) < 3


def test_think_text_is_hidden_from_the_user(tok: Any) -> None:
    assert visible_text("<think>they want praise</think> Well done!") == "Well done!"
    assert visible_text("<think>unfinished thoughts") == ""
    profiles = _profiles(1)
    env = _env(tok, profiles, max_turns=1)
    prompts = [[{"role": "user", "content": profiles[0].first_message}]]
    [d] = run_dialogues(env, prompts, _fixed(tok, ["<think>be kind</think> " + WARM]))
    assert d.conversation[1]["content"] == WARM and "<think>" in d.policy_texts[0]
    assert d.user_turns[0].data["change"] > 0


def test_a_failed_simulator_gets_no_reward(tok: Any) -> None:
    from warmlab.solvers.users.base import UserTurn

    class Broken:
        name, scripted = "llm:broken", False

        async def reply(self, conversation: Any, turn: int) -> UserTurn:
            return UserTurn(failed="unparseable")

    profiles = _profiles(1)
    env = _env(tok, profiles)
    env.make_user = lambda p: Broken()
    prompts = [[{"role": "user", "content": profiles[0].first_message}]]
    dialogues = run_dialogues(env, prompts, _fixed(tok, [WARM]))
    out = rollout_output(env, dialogues)
    assert out["final_emotion"] == [None] and out["simulator_failed"] == [1]
    assert emotion_reward_func(None, out["final_emotion"]) == [None]
    assert out["completion_ids"][0][-1] == tok.eos_token_id


def _settings(base: Path, out: Path, **kw: Any) -> Any:
    args: dict[str, Any] = dict(
        base=str(base),
        out=str(out),
        max_turns=2,
        max_turn_tokens=8,
        max_dialogue_tokens=200,
        num_generations=2,
        prompts_per_step=2,
        batch_size=2,
        max_steps=3,
        lr=1e-2,
        limit=4,
        checkpoint_every=1,
    )
    args.update(kw)
    return resolve_rl_settings(**args)


@pytest.fixture(scope="module")
def trained(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """One finished run of 1.5 epochs (4 profiles, 2 per step: 3 steps) with epoch checkpoints, shared by
    the tests that read it."""
    from warmlab.train.rl import run_rl

    out = tmp_path_factory.mktemp("runs") / "rl"
    s = _settings(tiny_model, out, max_steps=-1, epochs=1.5, checkpoint_every=None)
    return out, run_rl(s, quiet=True)


def test_grpo_steps_reward_plumbing_and_run_folder(tiny_model: Path, trained: tuple[Path, Any]) -> None:
    from warmlab.models import parse_spec, trained_variants
    from warmlab.train.rl import run_rl

    out, r = trained
    assert r.status == "trained" and r.global_step == 3
    # the reward TRL logged each step is the mean final emotion / 100 of that step's dialogues
    by_step: dict[int, list[float]] = defaultdict(list)
    for line in (out / "rollouts.jsonl").read_text().splitlines():
        rec = json.loads(line)
        by_step[rec["step"]].append(rec["final_emotion"])
        assert rec["user"] == "scripted:support" and len(rec["emotions"]) <= 2
    assert sorted(by_step) == [1, 2, 3] and all(len(v) == 4 for v in by_step.values())
    assert r.rewards == pytest.approx([sum(v) / len(v) / 100 for _, v in sorted(by_step.items())], abs=1e-6)
    assert [(c["path"], c["step"]) for c in r.checkpoints] == [("epoch-1", 2), ("epoch-1.5", 3)]
    meta = json.loads((out / "warmlab_train.json").read_text())
    assert meta["finished"] and meta["train"] == "rl" and meta["user"] == "scripted:support"
    assert len(meta["profiles"]["ids"]) == 4
    [variant] = trained_variants([out.parent])
    assert variant.style == "rl" and variant.checkpoints == 2 and not variant.full
    from warmlab.provider import load_local, release

    spec = parse_spec(f"{tiny_model}+{out}")
    assert spec.adapter == str(out) and spec.base is not None
    assert load_local(spec.base, spec.adapter).model is not None  # BASE+ADAPTER loads (merged)
    release(spec.base, spec.adapter)
    again = _settings(tiny_model, out, max_steps=-1, epochs=1.5, checkpoint_every=None)
    assert run_rl(again, quiet=True).status == "already-trained"


def test_resume_after_kill(tiny_model: Path, tmp_path: Path) -> None:
    from transformers import TrainerCallback

    from warmlab.train.rl import run_rl

    class Killed(Exception):
        pass

    class KillAfterFirstSave(TrainerCallback):
        def on_save(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            raise Killed

    out = tmp_path / "rl"
    s = _settings(tiny_model, out, max_steps=2)
    with pytest.raises(Killed):
        run_rl(s, callbacks=[KillAfterFirstSave()], quiet=True)
    assert [c["step"] for c in json.loads((out / "checkpoints.json").read_text())] == [1]
    assert not json.loads((out / "warmlab_train.json").read_text())["finished"]
    r = run_rl(s, quiet=True)
    assert r.status == "trained" and r.resumed_from_step == 1 and r.global_step == 2
    assert [c["step"] for c in r.checkpoints] == [1, 2]
    steps = [json.loads(line)["step"] for line in (out / "rollouts.jsonl").read_text().splitlines()]
    assert steps == [1] * 4 + [2] * 4


def _cli_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    from warmlab.cli import main

    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("warmlab: error: ") and "\n" not in err, err
    return err


def test_bad_input_is_one_line_exit_2(
    tiny_model: Path, trained: tuple[Path, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "o"
    base = ["train", "rl", "--base", str(tiny_model), "--out", str(out), "--max-steps", "1"]
    bad_line, kind = bad_profile_files(tmp_path, "train")
    assert "bad.jsonl:2: invalid JSON" in _cli_error([*base, "--profiles", str(bad_line)], capsys)
    assert "kind.jsonl:1: unknown intention kind 'cuddles'" in _cli_error(
        [*base, "--profiles", str(kind)], capsys
    )
    err = _cli_error([*base, "--user", str(tmp_path / "no-such-model")], capsys)
    assert "user model" in err and "does not exist" in err
    assert "multiple of batch_size" in _cli_error([*base, "--batch-size", "3"], capsys)
    assert "unknown profile" in _cli_error([*base, "--profile", "tpu-pod"], capsys)
    assert not out.exists()  # nothing written before the input was checked

    # earlier results untouched: a finished run is refused for other settings, files unchanged
    out = trained[0]
    base = ["train", "rl", "--base", str(tiny_model), "--out", str(out), "--max-steps", "1"]
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    err = _cli_error([*base, "--user", str(tmp_path / "no-such-model")], capsys)
    assert "different training" in err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_settings_profile_and_checks() -> None:
    s = resolve_rl_settings("cpu")
    assert s.base == "embedded" and s.user == "scripted" and s.max_turns == 2 and s.max_steps == 24
    assert s.dialogues_per_step == 8 and s.system_prompt == POLICY_PROMPTS["no-think"]
    assert resolve_rl_settings("cpu", think=True).system_prompt == POLICY_PROMPTS["think"]
    assert resolve_rl_settings("cpu", lr=1e-5).lr == 1e-5
    bad_settings: list[dict[str, Any]] = [
        dict(num_generations=1),
        dict(max_dialogue_tokens=10),
        dict(vllm_mode="remote"),
        dict(use_vllm=True),  # vLLM is not installed here
    ]
    for bad in bad_settings:
        with pytest.raises(WarmlabError):
            resolve_rl_settings("cpu", **bad)
    with pytest.raises(WarmlabError, match="unknown RL setting"):
        resolve_rl_settings(colour="blue")


def test_lockstep_generates_for_every_dialogue_every_turn(tok: Any) -> None:
    """With several processes, every process must make the same generation calls (collective vLLM)."""
    profiles = _profiles(2)
    env = _env(tok, profiles, max_turns=3, lockstep=True)
    calls: list[int] = []
    dismiss = list(tok("As an AI I don't have feelings. Calm down.", add_special_tokens=False)["input_ids"])
    warm = list(tok(WARM, add_special_tokens=False)["input_ids"])

    def generate(inputs: list[list[int]]) -> list[tuple[list[int], list[float] | None]]:
        calls.append(len(inputs))
        return [([*warm, tok.eos_token_id], None), ([*dismiss, tok.eos_token_id], None)][: len(inputs)]

    first = ScriptedEmotionUser(profiles[1], max_turns=3)
    first.emotion = 12.0  # the second dialogue gives up after its first turn
    users = iter([ScriptedEmotionUser(profiles[0], max_turns=3), first])
    env.make_user = lambda p: next(users)
    prompts = [[{"role": "user", "content": p.first_message}] for p in profiles]
    a, b = run_dialogues(env, prompts, generate)
    assert calls == [2, 2, 2] and b.stop == "gave_up" and len(b.policy_texts) == 1
    assert a.stop == "max_turns" and len(a.policy_texts) == 3


def test_config_file(tmp_path: Path) -> None:
    from warmlab.train.rl_config import load_rl_config

    repo = Path(__file__).resolve().parents[1]
    values = load_rl_config(repo / "examples" / "rl-gpu.toml")
    assert values["use_vllm"] and values["vllm_mode"] == "server"
    s = resolve_rl_settings(**{**values, "use_vllm": False})  # no vLLM on this machine
    assert s.dialogues_per_step == 48 and s.lr == 5e-6 and s.user == "openai-api/simulator/simulator"
    bad = tmp_path / "bad.toml"
    bad.write_text("max_turns = 8\ncolour = 'blue'\n")
    with pytest.raises(WarmlabError, match=r"bad\.toml: unknown RL setting 'colour'"):
        load_rl_config(bad)
    bad.write_text("max_turns = 'eight'\n")
    with pytest.raises(WarmlabError, match="max_turns must be int"):
        resolve_rl_settings(**load_rl_config(bad))
    bad.write_text("max_turns = \n")
    with pytest.raises(WarmlabError, match=r"bad\.toml"):
        load_rl_config(bad)


def test_chat_frame_refuses_unusable_templates(tok: Any) -> None:
    import copy

    t = copy.deepcopy(tok)
    t.chat_template = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    with pytest.raises(WarmlabError, match="eos token"):
        ChatFrame(t, None)
    # drops earlier assistant turns' content (as reasoning templates drop earlier thinking)
    t.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
        "{% if m['role'] == 'assistant' and not loop.last %}...{% else %}{{ m['content'] }}{% endif %}"
        "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    with pytest.raises(WarmlabError, match="turn by turn"):
        ChatFrame(t, None)


def test_llm_user_through_inspect_failures_are_unscored(tiny_model: Path, tmp_path: Path) -> None:
    """An LLM user (here the tiny random model through warmlab's inspect provider) runs on the rollout's
    event loop; its unparseable output fails every dialogue: no reward, logged as NaN, nothing crashes."""
    from warmlab.train.rl import run_rl

    out = tmp_path / "rl"
    s = _settings(tiny_model, out, user=str(tiny_model), max_steps=1, user_max_tokens=8)
    r = run_rl(s, quiet=True)
    assert r.status == "trained" and len(r.rewards) == 1 and r.rewards[0] != r.rewards[0]  # NaN
    rows = [json.loads(line) for line in (out / "rollouts.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and all(x["user"].startswith("llm:") for x in rows)
    assert all(x["final_emotion"] is None and "3 tries" in x["failed"] for x in rows)


def test_full_fine_tuning_and_think_prompt(tiny_model: Path, tmp_path: Path) -> None:
    from warmlab.models import parse_spec
    from warmlab.train.rl import prompt_messages, run_rl

    out = tmp_path / "full"
    s = _settings(tiny_model, out, full=True, think=True, max_steps=1)
    assert prompt_messages(s, _profiles(1)[0])[0]["content"] == POLICY_PROMPTS["think"]
    r = run_rl(s, quiet=True)
    assert r.status == "trained" and (out / "config.json").is_file()
    assert not (out / "adapter_config.json").exists() and not (out / "step-1" / "optimizer.pt").exists()
    assert parse_spec(str(out)).base == str(out)
    meta = json.loads((out / "warmlab_train.json").read_text())
    assert meta["full"] and meta["settings"]["think"]
