"""Emotion-reward RL (RLVER, arXiv:2507.03112): TRL `GRPOTrainer` with the multi-turn rollout of
`warmlab.train.rollout`, a simulated user's final emotion / 100 as the reward, LoRA by default.

Out folder, the same layout as SFT (`BASE+OUT` loads it; `warmlab models` lists it):

    DIR/checkpoints.json     [{"epoch": 1.0, "step": 20, "path": "epoch-1"}, ...] (or "step-N" entries)
    DIR/epoch-E/ | step-N/   each checkpoint: a PEFT adapter (or a full model folder) + tokenizer
    DIR/                     also "the" model: the last checkpoint
    DIR/warmlab_train.json   settings, base, user, profile ids, versions, finished flag
    DIR/rollouts.jsonl       every dialogue rolled out: step, profile, emotions, transcript
    DIR/checkpoint-N/        the Trainer's newest full state, for resuming after a kill

GPUs: `--use-vllm` generates with vLLM (colocate; or `--vllm-mode server` against `trl vllm-serve`), and
`accelerate launch --num_processes N -m warmlab.cli train rl ...` trains on several GPUs.
"""

from __future__ import annotations

import json
import os
import random
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from warmlab.errors import WarmlabError
from warmlab.solvers.users.base import SimulatedUser
from warmlab.tasks.support.profiles import Profile, load_profiles
from warmlab.train.rl_config import RLSettings
from warmlab.train.rollout import ChatFrame, RolloutEnv, emotion_reward_func, make_rollout_func
from warmlab.train.sft import (
    META,
    _check_out_dir,
    _copy_model_files,
    _install_root,
    _is_main_process,
    _say,
    _versions,
    _world_size,
    _write_json,
    last_complete_checkpoint,
    lora_config,
    read_manifest,
    torch_cuda_available,
)

ROLLOUTS = "rollouts.jsonl"
MANIFEST = "checkpoints.json"


def user_factory(s: RLSettings) -> Callable[[Profile], SimulatedUser]:
    """A fresh simulated user per dialogue. Checks an LLM user's model spec now (one-line error)."""
    from warmlab.tasks.support.scripted import ScriptedEmotionUser

    if s.user == "scripted":
        return lambda p: ScriptedEmotionUser(p, demanding=s.demanding, max_turns=s.max_turns)
    model = user_model(s.user)
    from warmlab.tasks.support.llm_user import LLMEmotionUser

    return lambda p: LLMEmotionUser(
        model,
        p,
        demanding=s.demanding,
        max_turns=s.max_turns,
        max_tokens=s.user_max_tokens,
        temperature=s.user_temperature,
    )


def check_user_spec(spec_text: str) -> Any:
    """The parsed spec of an LLM user (None for `scripted`), checked without loading it: a local model's
    folder must exist; a WarmlabError naming the spec otherwise."""
    from warmlab.models import parse_spec

    if spec_text == "scripted":
        return None
    try:
        spec = parse_spec(spec_text)
    except WarmlabError as e:
        raise WarmlabError(f"user model {spec_text!r}: {e}") from None
    if spec.system:
        raise WarmlabError("the user model takes its own prompts; drop @system= from --user")
    return spec


def user_model(spec_text: str) -> Any:
    """The inspect Model behind an LLM user; a WarmlabError naming the spec when it cannot be used."""
    import contextlib
    import sys

    spec = check_user_spec(spec_text)
    from inspect_ai.model import get_model

    try:
        with contextlib.redirect_stdout(sys.stderr):  # inspect's first-use banner
            return get_model(spec.inspect_name, memoize=False)
    except WarmlabError as e:
        raise WarmlabError(f"user model {spec_text!r}: {e}") from None
    except Exception as e:
        msg = str(e).strip().splitlines()
        why = msg[-1] if msg else type(e).__name__
        raise WarmlabError(f"cannot use user model {spec_text!r}: {why}") from e


def select_profiles(s: RLSettings) -> list[Profile]:
    profiles = load_profiles(s.profiles, split="train")
    if s.limit is not None and s.limit < len(profiles):
        keep = sorted(random.Random(s.seed).sample(range(len(profiles)), s.limit))
        profiles = [profiles[i] for i in keep]
    if len(profiles) < s.prompts_per_step:
        raise WarmlabError(
            f"{len(profiles)} train profiles, fewer than prompts_per_step ({s.prompts_per_step})"
        )
    return profiles


@dataclass
class RLResult:
    out: Path
    status: str  # "trained" | "already-trained" | "stopped"
    global_step: int = 0
    max_steps: int = 0
    resumed_from_step: int | None = None
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)  # mean reward of each logged step
    train_seconds: float = 0.0


def run_rl(
    s: RLSettings,
    callbacks: Sequence[Any] = (),
    quiet: bool = False,
    generate: Callable[[Any], Any] | None = None,
) -> RLResult:
    """Train (or resume, or find finished) the run `s` describes. `generate` replaces the policy's
    generation (see `rollout.make_rollout_func`)."""
    from warmlab.models import parse_spec, resolve_base_path

    out = Path(s.out).expanduser().resolve()
    spec = parse_spec(s.base)
    if not spec.is_local or spec.base is None:
        raise WarmlabError(f"--base must be a local model or hub id (not an inspect provider): {s.base!r}")
    if spec.adapter is not None or spec.system is not None:
        raise WarmlabError("--base must be a plain base model (no +ADAPTER, no @system=)")
    meta = _check_out_dir(out, s)
    if meta is not None and meta.get("finished"):
        ckpts = read_manifest(out)
        _say(f"{out}: already trained ({len(ckpts)} checkpoints); nothing to do")
        return RLResult(out=out, status="already-trained", checkpoints=ckpts)
    profiles = select_profiles(s)
    make_user = user_factory(s)  # before anything is written: a bad user model leaves `out` untouched

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base_path = resolve_base_path(spec.base)
    try:
        tok = AutoTokenizer.from_pretrained(base_path)
        cuda = torch.cuda.is_available()
        bf16 = bool(cuda and torch.cuda.is_bf16_supported())
        dtype = torch.bfloat16 if bf16 and not s.full else torch.float32
        model = AutoModelForCausalLM.from_pretrained(base_path, dtype=dtype)
    except OSError as e:
        raise WarmlabError(f"could not load model {s.base!r}: {str(e).splitlines()[0]}") from e
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    if not getattr(tok, "chat_template", None):
        raise WarmlabError(f"{s.base!r} has no chat template: train a chat (instruct) model")
    frame = ChatFrame(tok, s.system_prompt)

    info: dict[str, Any] = {
        "train": "rl",
        "style": "rl",
        "base": s.base,
        "full": s.full,
        "user": make_user(profiles[0]).name,
        "settings": s.fingerprint(),
        "base_path": str(base_path),
        "profiles": {"source": s.profiles, "n": len(profiles), "ids": [p.id for p in profiles]},
        "versions": _versions(),
        "finished": False,
    }
    out.mkdir(parents=True, exist_ok=True)
    if _is_main_process():
        _write_json(out / META, info)

    env = RolloutEnv(
        profiles=profiles,
        make_user=make_user,
        frame=frame,
        max_turns=s.max_turns,
        max_turn_tokens=s.max_turn_tokens,
        max_dialogue_tokens=s.max_dialogue_tokens,
        log_path=out / ROLLOUTS if _is_main_process() else None,
        lockstep=_world_size() > 1,
    )
    rollout = make_rollout_func(env) if generate is None else make_rollout_func(env, generate)
    resume = last_complete_checkpoint(out)
    ckpt_cb = _Checkpoints(out, s.checkpoint_every)
    cbs: list[Any] = [ckpt_cb] if quiet else [ckpt_cb, _RLLog()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        trainer = make_trainer(s, model, tok, profiles, rollout, out, bf16=bf16, callbacks=[*cbs, *callbacks])
    env.step = lambda: int(trainer.state.global_step) + 1
    _say(
        f"rl on {s.base} with user {info['user']}: {len(profiles)} train profiles, "
        f"{s.prompts_per_step} x {s.num_generations} dialogues per step, up to {s.max_turns} turns; "
        f"{'full' if s.full else 'LoRA'}, lr {s.lr:g}" + (f"; resuming from {resume.name}" if resume else "")
    )
    resumed_step = None
    if resume is not None:
        resumed_step = int(json.loads((resume / "trainer_state.json").read_text())["global_step"])
        ckpt_cb.resume_dir = resume
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    finally:
        env.loop.close()
    seconds = time.perf_counter() - t0
    state = trainer.state
    result = RLResult(
        out=out,
        status="stopped",
        global_step=state.global_step,
        max_steps=state.max_steps,
        resumed_from_step=resumed_step,
        rewards=[_num(h["reward"]) for h in state.log_history if "reward" in h],
        train_seconds=seconds,
        checkpoints=read_manifest(out),
    )
    if state.global_step < state.max_steps:
        _say(f"stopped at step {state.global_step}/{state.max_steps}; re-run the same command to resume")
        return result
    if trainer.is_world_process_zero():
        manifest = read_manifest(out)
        _install_root(out, out / manifest[-1]["path"])
        info["finished"] = True
        info["train_seconds"] = round(seconds, 1)
        _write_json(out / META, info)
    result.status = "trained"
    result.checkpoints = read_manifest(out)
    _say(
        f"done: {state.global_step} steps in {seconds:.0f} s; {len(result.checkpoints)} checkpoints; "
        f"load the model as {'' if s.full else s.base + '+'}{out}"
    )
    return result


class _Checkpoints(TrainerCallback):
    """Saves every `every` steps (or at each whole epoch when None) and at the last step: copies the model
    files to DIR/step-N (DIR/epoch-E) and lists them in the manifest; the Trainer's own state rotates."""

    def __init__(self, out: Path, every: int | None) -> None:
        self.out = out
        self.every = every
        self.done: set[int] = set()
        self.pending = False
        self.last_epoch = 0
        self.resume_dir: Path | None = None

    def _name(self, step: int, epoch: float) -> str:
        return f"step-{step}" if self.every else f"epoch-{round(epoch, 2):g}"

    def _record(self, step: int, epoch: float, src: Path, state: Any) -> None:
        self.done.add(step)
        if not state.is_world_process_zero:
            return
        name = self._name(step, epoch)
        _copy_model_files(src, self.out / name)
        manifest = [c for c in read_manifest(self.out) if int(c["step"]) != step]
        manifest.append({"epoch": round(epoch, 4), "step": step, "path": name})
        manifest.sort(key=lambda c: int(c["step"]))
        _write_json(self.out / MANIFEST, manifest)

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.done = {int(c["step"]) for c in read_manifest(self.out)}
        self.last_epoch = int(float(state.epoch or 0.0) + 1e-6)
        # Killed between the Trainer's save and our copy: the resumed checkpoint is that step's state.
        if self.resume_dir is not None and state.global_step and state.global_step not in self.done:
            self._record(state.global_step, float(state.epoch or 0.0), self.resume_dir, state)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        step, epoch = state.global_step, float(state.epoch or 0.0)
        whole = int(epoch + 1e-6)
        due = step >= state.max_steps
        if self.every:
            due = due or step % self.every == 0
        elif whole > self.last_epoch:
            due = True
        self.last_epoch = max(self.last_epoch, whole)
        if due and step not in self.done:
            self.pending = True
            control.should_save = True

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.pending:
            src = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            self._record(state.global_step, float(state.epoch or 0.0), src, state)
            self.pending = False


class _RLLog(TrainerCallback):
    """One short line per step: reward, final emotion, turns."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or not logs or "reward" not in logs:
            return
        print(
            f"step {state.global_step}/{state.max_steps}  reward {_num(logs['reward']):.3f}  "
            f"emotion {_num(logs.get('final_emotion')):.1f}  turns {_num(logs.get('turns_used')):.1f}  "
            f"loss {_num(logs.get('loss')):.4f}  {time.perf_counter() - self.t0:.0f}s",
            flush=True,
        )


def _num(value: Any) -> float:
    """A logged value as a float (NaN when missing: a step whose every dialogue lost its simulator)."""
    return float("nan") if value is None else float(value)


def grpo_config(s: RLSettings, out: Path, bf16: bool) -> Any:
    """The TRL config for `s` (shared with the benchmark's bare-TRL script, so both run the same)."""
    from trl import GRPOConfig

    world = _world_size()
    if s.dialogues_per_step % (s.batch_size * world):
        raise WarmlabError(
            f"dialogues per step ({s.dialogues_per_step}) must be a multiple of batch_size x processes "
            f"({s.batch_size} x {world})"
        )
    return GRPOConfig(
        output_dir=str(out),
        num_train_epochs=s.epochs,
        max_steps=s.max_steps,
        learning_rate=s.lr,
        per_device_train_batch_size=s.batch_size,
        gradient_accumulation_steps=s.dialogues_per_step // (s.batch_size * world),
        num_generations=s.num_generations,
        max_completion_length=s.max_turn_tokens,  # per policy turn (the rollout caps the whole dialogue)
        temperature=s.temperature,
        beta=s.beta,
        seed=s.seed,
        bf16=bf16,
        gradient_checkpointing=bf16,  # saves memory on GPUs; on a CPU it only costs time
        save_strategy="no",  # _Checkpoints decides when
        save_total_limit=1,
        logging_strategy="steps",
        logging_steps=1,
        report_to="none",
        disable_tqdm=True,
        use_cpu=not torch_cuda_available(),
        dataloader_pin_memory=False,
        remove_unused_columns=False,
        use_vllm=s.use_vllm,
        vllm_mode=s.vllm_mode,
        vllm_server_host=s.vllm_server_host,
        vllm_server_port=s.vllm_server_port,
        vllm_max_model_length=s.max_dialogue_tokens + 1024 if s.use_vllm else None,
    )


def make_trainer(
    s: RLSettings,
    model: Any,
    tok: Any,
    profiles: Sequence[Profile],
    rollout: Any,
    out: Path,
    *,
    bf16: bool,
    callbacks: Sequence[Any],
) -> Any:
    import datasets
    from transformers import PrinterCallback, ProgressCallback
    from trl import GRPOTrainer

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")  # rollout_func is experimental in TRL (pinned)
    datasets.disable_progress_bars()
    rows = [{"prompt": prompt_messages(s, p), "profile_id": p.id} for p in profiles]
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[emotion_reward_func],
        args=grpo_config(s, out, bf16),
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=tok,
        peft_config=None if s.full else lora_config(s, model),
        rollout_func=rollout,
        callbacks=list(callbacks),
    )
    for cb in (PrinterCallback, ProgressCallback):
        trainer.remove_callback(cb)
    return trainer


def prompt_messages(s: RLSettings, p: Profile) -> list[dict[str, str]]:
    return [{"role": "system", "content": s.system_prompt}, {"role": "user", "content": p.first_message}]
