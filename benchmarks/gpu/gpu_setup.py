"""The GPU check's sizes, shared state and environment report (benchmarks/gpu/check.py runs the parts)."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
PARTS = ("warm", "sft", "gen", "rl", "pushback")


@dataclass(frozen=True)
class Sizes:
    """How big each part runs: GPU sizes fit about 6 minutes on an H200; smoke sizes a minute or two here."""

    # the random-weight Llama of the throughput parts (vocab: BPE target on the starter conversations)
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    intermediate: int
    vocab: int
    sft_steps: int
    sft_rounds: int
    sft_overrides: dict[str, Any]
    gen_n: int
    gen_batch: int
    gen_tokens: int
    gen_rounds: int
    # the warm run on the embedded model
    train: dict[str, Any]
    choice_limit: int
    choice_contexts: str
    gen_limit: int
    gen_contexts: str
    gen_max_tokens: int
    pushback_limit: int
    pushback_args: dict[str, Any]
    eval_batch: int
    rl: dict[str, Any]  # overrides of `warmlab train rl`'s cpu profile
    budget_s: float
    pushback_needs_s: float = 60.0
    rl_needs_s: float = 60.0
    extra: dict[str, Any] = field(default_factory=dict)


GPU = Sizes(
    hidden=1536,
    layers=20,
    heads=12,
    kv_heads=4,
    intermediate=4096,
    vocab=32000,
    sft_steps=30,
    sft_rounds=2,
    sft_overrides={},  # the paper's / GPU study's SFT settings as they are
    gen_n=256,
    gen_batch=64,
    gen_tokens=64,
    gen_rounds=2,
    train={"batch_size": 4, "epochs": 10.0},  # examples/gpu-study.toml; the rest are the paper's defaults
    choice_limit=25,
    choice_contexts="all",
    gen_limit=10,
    gen_contexts="none,sad,close,high",
    gen_max_tokens=192,
    pushback_limit=5,
    pushback_args={},
    eval_batch=64,
    # The cpu profile's dialogues (2 turns of 24 tokens, lr 1e-3, LoRA on the top half), 4 x 8 per step:
    # on a GPU a batch of 32 dialogues generates about as fast as one of 8.
    rl={"max_steps": 24, "prompts_per_step": 4, "num_generations": 8, "batch_size": 16},
    budget_s=420.0,  # the optional parts start only before 360 s; run.sh stops everything at 500 s
)
SMOKE = Sizes(
    hidden=64,
    layers=2,
    heads=2,
    kv_heads=1,
    intermediate=128,
    vocab=600,
    sft_steps=2,
    sft_rounds=1,
    sft_overrides={"batch_size": 1, "effective_batch": 2, "max_length": 128, "limit": 8},
    gen_n=8,
    gen_batch=4,
    gen_tokens=8,
    gen_rounds=1,
    train={"batch_size": 1, "effective_batch": 2, "max_length": 128, "limit": 4, "max_steps": 4},
    choice_limit=1,
    choice_contexts="none",
    gen_limit=1,
    gen_contexts="none",
    gen_max_tokens=8,
    pushback_limit=1,
    pushback_args={"families": "trivia", "schedules": "plain,hurt", "turns": 2},
    eval_batch=16,
    rl={
        "max_steps": 2,
        "prompts_per_step": 2,
        "num_generations": 2,
        "batch_size": 4,
        "max_turns": 1,
        "max_turn_tokens": 8,
        "max_dialogue_tokens": 40,
    },
    budget_s=3600.0,  # no time limit that matters here: every part runs
)


@dataclass
class Ctx:
    out: Path
    work: Path
    sizes: Sizes
    smoke: bool
    gguf_parts: list[Path]
    cache: Path
    t0: float
    figures: dict[str, Any]

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def save(self) -> None:
        tmp = self.out / "figures.json.tmp"
        tmp.write_text(json.dumps(self.figures, indent=2, default=str) + "\n")
        tmp.replace(self.out / "figures.json")


class Skip(Exception):
    """A part that cannot run here (not a failure of warmlab)."""


def say(msg: str) -> None:
    print(f"[gpu-check] {msg}", flush=True)


# ------------------------------------------------------------------------------------------------ env


def environment() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    import torch

    env: dict[str, Any] = {"python": sys.version.split()[0], "cuda": torch.cuda.is_available()}
    for name in ("warmlab", "torch", "transformers", "trl", "peft", "accelerate", "inspect_ai", "datasets"):
        try:
            env[name] = version(name)
        except PackageNotFoundError:
            env[name] = None
    if env["cuda"]:
        env["device"] = torch.cuda.get_device_name(0)
        env["bf16"] = bool(torch.cuda.is_bf16_supported())
        env["gpu_memory_gib"] = round(torch.cuda.get_device_properties(0).total_memory / 2**30, 1)
    return env


def cuda_peak_gib() -> float | None:
    import torch

    if not torch.cuda.is_available():
        return None
    return round(torch.cuda.max_memory_allocated() / 2**30, 2)
