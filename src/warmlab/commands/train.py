"""`warmlab train sft`: LoRA (or full) SFT on warm or cold rewrites (warmlab.train.sft); `rl` comes later."""

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
    t = sub.add_parser("train", help="fine-tune warm or cold variants (sft)")
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
    s.add_argument(
        "--out", default=None, type=_args.path_text, help="output folder (default runs/sft-STYLE)"
    )
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
        "--max-steps", type=limits.STEPS.parse, default=None, help=argparse.SUPPRESS
    )  # tests, benchmarks
    s.set_defaults(func=cmd_sft)


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
    )
    run_sft(settings)
