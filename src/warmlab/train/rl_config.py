"""Settings of `warmlab train rl` (emotion-reward GRPO): a dataclass whose fields carry their help text
(TRL's config style), named profiles, and the policy's think / no-think system prompts.

Defaults follow RLVER (arXiv:2507.03112) where it says: reward = final emotion / 100, 8 turns, KL 0,
LoRA on a 7-8B policy. Batch sizes are per optimizer step: `prompts_per_step` profiles x `num_generations`
dialogues each (GRPO compares the dialogues of one profile).
"""

from __future__ import annotations

import dataclasses
import importlib.util
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, get_args, get_type_hints

from warmlab.errors import WarmlabError


def _f(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


POLICY_PROMPTS = {
    "no-think": (
        "You are talking with someone who has come to you with something on their mind. Reply to them "
        "directly, in a few sentences."
    ),
    "think": (
        "You are talking with someone who has come to you with something on their mind. First think "
        "privately about what they feel and what they need, inside <think> and </think>; they never see "
        "it. Then reply to them directly, in a few sentences."
    ),
}


@dataclass(frozen=True)
class RLSettings:
    """Everything that defines an RL run (all of it but `out` is recorded and checked on resume)."""

    base: str = _f("embedded", "policy model spec: embedded, a local folder or a hub id")
    out: str = _f("runs/rl", "output folder (checkpoints, manifest, rollouts.jsonl)")
    user: str = _f("scripted", "simulated user: scripted (rule-based stand-in) or an inspect model spec")
    demanding: bool = _f(False, "demanding user: only an explicit fit with the hidden need earns emotion")
    profiles: str = _f("builtin", "user profiles: builtin or a JSONL file (split train is used)")
    limit: int | None = _f(None, "train on a seeded sample of N profiles")
    think: bool = _f(False, "think prompt: the policy thinks in <think>...</think>, hidden from the user")
    max_turns: int = _f(8, "policy turns per dialogue at most (RLVER trains with 8)")
    max_turn_tokens: int = _f(256, "new tokens per policy turn at most")
    max_dialogue_tokens: int = _f(2048, "tokens of the whole completion (all turns) at most")
    num_generations: int = _f(8, "dialogues per profile in a GRPO group")
    prompts_per_step: int = _f(4, "profiles per optimizer step")
    batch_size: int = _f(8, "sequences per forward pass (per device); accumulation makes up the step")
    epochs: float = _f(3.0, "passes over the train profiles")
    max_steps: int = _f(-1, "stop after this many optimizer steps (> 0)")
    lr: float = _f(1e-6, "learning rate")
    temperature: float = _f(1.0, "policy sampling temperature")
    beta: float = _f(0.0, "KL coefficient (RLVER: 0)")
    lora_r: int = _f(8, "LoRA rank")
    lora_alpha: int = _f(16, "LoRA alpha")
    lora_dropout: float = _f(0.05, "LoRA dropout")
    target_modules: str | None = _f(None, "LoRA modules (None: PEFT's default; all-linear)")
    lora_top_layers: float | None = _f(None, "LoRA on the top fraction of layers only")
    full: bool = _f(False, "full fine-tuning instead of LoRA")
    checkpoint_every: int | None = _f(None, "a checkpoint every N steps (default: one per epoch)")
    seed: int = _f(0, "seed (profile sample, sampling, LoRA init)")
    use_vllm: bool = _f(False, "generate with vLLM (GPU; pip install vllm)")
    vllm_mode: str = _f("colocate", "vLLM mode: colocate (same GPU) or server (trl vllm-serve)")
    vllm_server_host: str = _f("127.0.0.1", "vLLM server host (server mode)")
    vllm_server_port: int = _f(8000, "vLLM server port (server mode)")
    user_max_tokens: int = _f(200, "LLM user: tokens per simulator step")
    user_temperature: float = _f(0.7, "LLM user: sampling temperature")
    profile: str | None = _f(None, "a named settings profile (cpu)")

    @property
    def system_prompt(self) -> str:
        return POLICY_PROMPTS["think" if self.think else "no-think"]

    @property
    def dialogues_per_step(self) -> int:
        return self.prompts_per_step * self.num_generations

    def fingerprint(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("out")
        return d


def help_text(name: str) -> str:
    return str(next(f for f in dataclasses.fields(RLSettings) if f.name == name).metadata["help"])


# A CPU profile for the embedded model (SmolLM2-135M) with the scripted user: minutes on 2 cores.
# Short dialogues (2 turns of at most 24 tokens: enough for a sentence of sympathy and a question),
# 2 profiles x 4 dialogues per step, sampling at 0.7 (at 1.0 the 135M model mostly writes noise),
# LoRA on every linear module of the top half at a high learning rate (the SFT cpu profile's placement).
RL_PROFILES: dict[str, dict[str, Any]] = {
    "cpu": dict(
        max_turns=2,
        max_turn_tokens=24,
        max_dialogue_tokens=160,
        num_generations=4,
        prompts_per_step=2,
        batch_size=8,
        epochs=1.0,
        max_steps=24,
        lr=1e-3,
        temperature=0.7,
        lora_r=16,
        lora_alpha=32,
        target_modules="all-linear",
        lora_top_layers=0.5,
        checkpoint_every=8,
    ),
}


def load_rl_config(path: str | Path) -> dict[str, Any]:
    """Settings from a TOML file (keys are RLSettings field names; `profile` names a profile), or from a
    study config's one `train = "rl"` variant (its base, its out folder OUT/variants/NAME, its seed): the
    same run the study would train, e.g. under `accelerate launch` first, which the study then uses."""
    import tomllib

    p = Path(path).expanduser()
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise WarmlabError(f"cannot read {p}: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise WarmlabError(f"{p}: {e}") from None
    if "variant" in data:
        data = _from_study(p, data)
    known = {f.name for f in dataclasses.fields(RLSettings)}
    for key, value in data.items():
        if key not in known:
            raise WarmlabError(f"{p}: unknown RL setting {key!r}")
        if isinstance(value, dict | list):
            raise WarmlabError(f"{p}: {key} must be a single value")
    return data


def _from_study(p: Path, data: dict[str, Any]) -> dict[str, Any]:
    variants = data.get("variant")
    rl = (
        [v for v in variants if isinstance(v, dict) and v.get("train") == "rl"]
        if isinstance(variants, list)
        else []
    )
    if len(rl) != 1:
        raise WarmlabError(f'{p}: a study config needs exactly one [[variant]] with train = "rl" here')
    v = {k: x for k, x in rl[0].items() if k not in ("name", "train")}
    out = Path(str(data.get("out", "runs/study"))) / "variants" / str(rl[0].get("name"))
    return {"seed": data.get("seed", 0), **v, "base": data.get("base", "embedded"), "out": str(out)}


def resolve_rl_settings(profile: str | None = None, **given: Any) -> RLSettings:
    """Defaults, overridden by a profile, overridden by what the user gave (None = not given)."""
    values: dict[str, Any] = {}
    if profile is not None:
        if profile not in RL_PROFILES:
            raise WarmlabError(f"unknown profile {profile!r}; known: {', '.join(RL_PROFILES)}")
        values.update(RL_PROFILES[profile])
    values.update({k: v for k, v in given.items() if v is not None})
    values = {k: _typed(k, v) for k, v in values.items()}
    s = RLSettings(profile=profile, **values)
    check(s)
    return s


def _typed(name: str, value: Any) -> Any:
    """`value` checked against the field's type (ints are accepted for floats); one-line error."""
    hints = get_type_hints(RLSettings)
    if name not in hints:
        raise WarmlabError(f"unknown RL setting {name!r}")
    allowed = tuple(a for a in (get_args(hints[name]) or (hints[name],)) if a is not type(None))
    if value is None and len(allowed) < len(get_args(hints[name]) or (hints[name],)):
        return None
    if float in allowed and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
        kinds = " or ".join(a.__name__ for a in allowed)
        raise WarmlabError(f"RL setting {name} must be {kinds}, not {value!r}")
    return value


def check(s: RLSettings) -> None:
    """One-line errors for settings that cannot run."""
    positive = ("max_turns", "max_turn_tokens", "num_generations", "prompts_per_step", "batch_size")
    for name in positive:
        if getattr(s, name) < 1:
            raise WarmlabError(f"{name} must be at least 1")
    if s.num_generations < 2:
        raise WarmlabError("num_generations must be at least 2 (GRPO compares dialogues of one profile)")
    if s.max_dialogue_tokens < s.max_turn_tokens + 1:
        raise WarmlabError("max_dialogue_tokens must exceed max_turn_tokens")
    if s.epochs <= 0 or s.lr <= 0 or s.temperature <= 0:
        raise WarmlabError("epochs, lr and temperature must be positive")
    if s.dialogues_per_step % s.batch_size:
        raise WarmlabError(
            f"prompts_per_step x num_generations ({s.dialogues_per_step}) must be a multiple of "
            f"batch_size ({s.batch_size})"
        )
    if s.limit is not None and s.limit < s.prompts_per_step:
        raise WarmlabError(f"limit must be at least prompts_per_step ({s.prompts_per_step})")
    if s.checkpoint_every is not None and s.checkpoint_every < 1:
        raise WarmlabError("checkpoint_every must be at least 1")
    if s.lora_top_layers is not None and not 0 < s.lora_top_layers <= 1:
        raise WarmlabError("lora_top_layers must be a fraction of the layers in (0, 1]")
    if s.vllm_mode not in ("colocate", "server"):
        raise WarmlabError(f"vllm_mode must be colocate or server, not {s.vllm_mode!r}")
    if s.use_vllm and importlib.util.find_spec("vllm") is None:
        raise WarmlabError("--use-vllm needs vLLM (GPU machines): pip install vllm, a build for your CUDA")
