"""`warmlab train sft`: LoRA (or full) SFT on warm or cold rewrites (warmlab.train.sft); `warmlab train rl`:
emotion-reward GRPO against a simulated user (warmlab.train.rl)."""

from __future__ import annotations

import argparse

from warmlab.commands import _args
from warmlab.core import limits

SFT_HELP = """\
Fine-tune BASE on the STYLE rewrites of DATA (split "train" only), the paper's way by default: LoRA r 8,
alpha 16, dropout 0.1, lr 1e-5, max length 1024, effective batch 16, 10 epochs, loss on assistant tokens only.
Epoch checkpoints (0.5 1 1.5 2 4 6 8 10 and the last) go to OUT/epoch-E, listed in OUT/checkpoints.json; OUT
itself holds the epoch-2 model, so `BASE+OUT` loads it. A killed run resumes from its newest checkpoint when
the same command is run again; a finished one is left alone.

Several GPUs: accelerate launch --num_processes N -m warmlab.cli train sft ...  (same options)
A quick CPU run on the embedded model: warmlab train sft --style warm --base embedded --profile cpu"""


def register(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("train", help="fine-tune warm variants (sft: warm rewrites; rl: a user's emotion)")
    tsub = t.add_subparsers(dest="train_command", required=True, parser_class=type(t))
    s = tsub.add_parser(
        "sft",
        help="LoRA SFT on warm/cold rewrites (TRL)",
        description=SFT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # The style is checked by the trainer (one-line error) rather than by argparse choices, so a typo gets
    # the same message as the Python API gives.
    s.add_argument("--style", required=True, help="warm or cold")
    s.add_argument(
        "--base",
        default="embedded",
        type=_args.spec_text,
        help="base model spec (embedded, a folder, a hub id)",
    )
    s.add_argument(
        "--data",
        default="starter",
        type=_args.path_text,
        help="conversations: starter, FILE.jsonl from `warmlab rewrite`, jsonl:PATH, oasst:PATH",
    )
    s.add_argument("--out", default=None, type=_args.path_text, help="output folder (default runs/sft-STYLE)")
    s.add_argument(
        "--epochs", type=limits.EPOCHS.parse, default=None, metavar="E", help="default 10 (the paper's)"
    )
    s.add_argument("--lr", type=limits.LEARNING_RATE.parse, default=None, metavar="LR", help="default 1e-5")
    s.add_argument(
        "--max-length",
        type=limits.MAX_LENGTH.parse,
        default=None,
        metavar="N",
        help="tokens per example (default 1024)",
    )
    _args.add_batch_size(
        s, None, "per device (default 4); gradient accumulation keeps the effective batch at 16"
    )
    _args.add_limit(s, "train on a seeded sample of N conversations")
    s.add_argument("--full", action="store_true", default=None, help="full fine-tuning instead of LoRA")
    _args.add_seed(s, None)
    s.add_argument(
        "--profile",
        default=None,
        help="cpu: a few-minute run for the embedded model on a CPU (" + _profile_text("cpu") + ")",
    )
    s.add_argument(
        "--screen",
        type=limits.OPEN_FRACTION.parse,
        default=None,
        metavar="FRACTION",
        help="drop this share of the conversations that project highest on --screen-direction beyond the "
        "base's own replies (warmlab directions screen)",
    )
    s.add_argument(
        "--screen-direction",
        default=None,
        metavar="TRAIT_OR_FILE",
        help="the base's saved direction (default warmth), a direction file, or random (the control: as "
        "many conversations dropped at random)",
    )
    s.add_argument(
        "--max-steps", type=limits.STEPS.parse, default=None, help=argparse.SUPPRESS
    )  # tests, benchmarks
    s.set_defaults(func=cmd_sft)
    _register_rl(tsub)


def _profile_text(name: str) -> str:
    from warmlab.train.profiles import PROFILES

    p = PROFILES[name]
    return (
        f"LoRA r {p['lora_r']} on the top {100 * p['lora_top_layers']:.0f}%% of layers, lr {p['lr']:g}, "
        f"max length {p['max_length']}, "
        f"{p['limit']} conversations, {p['epochs']:g} epochs, batch {p['effective_batch']}"
    )


def cmd_sft(a: argparse.Namespace) -> None:
    from pathlib import Path

    from warmlab.core.io import out_folder
    from warmlab.train.sft import resolve_settings, run_sft

    out_folder(Path(a.out or f"runs/sft-{a.style}"))
    settings = resolve_settings(
        a.style,
        a.base,
        a.profile,
        data=a.data,
        out=a.out or f"runs/sft-{a.style}",
        epochs=a.epochs,
        lr=a.lr,
        max_length=a.max_length,
        batch_size=a.batch_size,
        limit=a.limit,
        full=a.full,
        seed=a.seed,
        max_steps=a.max_steps,
        screen=a.screen,
        screen_direction=a.screen_direction,
    )
    run_sft(settings)


RL_HELP = """\
Train BASE with GRPO against a simulated user's emotion (RLVER): each step rolls out dialogues with the
train-split user profiles (policy and user alternate, up to MAX_TURNS), rewards each by the user's final
emotion / 100 and trains on the policy's tokens only (user turns masked). LoRA by default. Checkpoints go
to OUT/step-N (every --checkpoint-every steps) or OUT/epoch-E, listed in OUT/checkpoints.json; OUT itself
holds the last one, so `BASE+OUT` loads it. Every dialogue is logged to OUT/rollouts.jsonl. A killed run
resumes from its newest checkpoint when the same command is run again; a finished one is left alone.

--user scripted is a rule-based stand-in (documented in warmlab.tasks.support.scripted); --user SPEC is
an LLM simulator (any inspect model spec, e.g. vllm/Qwen/Qwen2.5-7B-Instruct or openai-api/...).
GPUs: --use-vllm (colocate; or --vllm-mode server with `trl vllm-serve --model BASE` running);
several GPUs: accelerate launch --num_processes N -m warmlab.cli train rl ...  (same options)
A quick CPU run on the embedded model: warmlab train rl --profile cpu"""

# CLI flag -> settings field, for the options that take a value (booleans are store_true flags).
_RL_VALUE_OPTIONS = (
    ("user", str),
    ("profiles", str),
    ("limit", int),
    ("max_turns", int),
    ("max_turn_tokens", int),
    ("max_dialogue_tokens", int),
    ("num_generations", int),
    ("prompts_per_step", int),
    ("batch_size", int),
    ("epochs", float),
    ("lr", float),
    ("temperature", float),
    ("beta", float),
    ("lora_r", int),
    ("lora_alpha", int),
    ("target_modules", str),
    ("checkpoint_every", int),
    ("seed", int),
    ("vllm_mode", str),
    ("vllm_server_host", str),
    ("vllm_server_port", int),
    ("user_max_tokens", int),
)
_RL_FLAGS = ("demanding", "think", "full", "use_vllm")


def _register_rl(tsub: argparse._SubParsersAction) -> None:
    from warmlab.train.rl_config import RL_PROFILES, RLSettings, help_text

    r = tsub.add_parser(
        "rl",
        help="GRPO on a simulated user's emotion (RLVER)",
        description=RL_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    defaults = RLSettings()
    r.add_argument(
        "--config", default=None, help="a TOML file of these settings (e.g. examples/rl-gpu.toml); flags win"
    )
    r.add_argument("--base", default=None, help=help_text("base") + " (default embedded)")
    r.add_argument("--out", default=None, help=help_text("out") + " (default runs/rl)")
    for name, kind in _RL_VALUE_OPTIONS:
        default = getattr(defaults, name)
        r.add_argument(
            "--" + name.replace("_", "-"),
            type=kind,
            default=None,
            help=help_text(name) + (f" (default {default})" if default is not None else ""),
        )
    for name in _RL_FLAGS:
        r.add_argument("--" + name.replace("_", "-"), action="store_true", default=None, help=help_text(name))
    r.add_argument("--profile", default=None, help="cpu: " + _rl_profile_text(RL_PROFILES["cpu"]))
    r.add_argument("--max-steps", type=int, default=None, help=help_text("max_steps"))
    r.set_defaults(func=cmd_rl)


def _rl_profile_text(p: dict[str, object]) -> str:
    return (
        f"a few minutes for the embedded model on a CPU with the scripted user ({p['max_steps']} steps of "
        f"{p['prompts_per_step']} x {p['num_generations']} dialogues, {p['max_turns']} turns of at most "
        f"{p['max_turn_tokens']} tokens, LoRA r {p['lora_r']}, lr {p['lr']:g})"
    )


def cmd_rl(a: argparse.Namespace) -> None:
    from warmlab.train.rl import run_rl
    from warmlab.train.rl_config import load_rl_config, resolve_rl_settings

    given = load_rl_config(a.config) if a.config else {}
    profile = a.profile or given.pop("profile", None)
    flags = {name: getattr(a, name) for name, _ in _RL_VALUE_OPTIONS}
    flags.update({name: getattr(a, name) for name in _RL_FLAGS})
    flags.update(base=a.base, out=a.out, max_steps=a.max_steps)
    given.update({k: v for k, v in flags.items() if v is not None})
    run_rl(resolve_rl_settings(profile, **given))
