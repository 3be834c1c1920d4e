"""`warmlab train sft`: LoRA (or full) SFT on warm or cold rewrites (warmlab.train.sft); `rl` comes later."""

from __future__ import annotations

import argparse

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
    s.add_argument("--base", default="embedded", help="base model spec (embedded, a folder, a hub id)")
    s.add_argument(
        "--data",
        default="starter",
        help="conversations: starter, FILE.jsonl from `warmlab rewrite`, jsonl:PATH, oasst:PATH",
    )
    s.add_argument("--out", default=None, help="output folder (default runs/sft-STYLE)")
    s.add_argument("--epochs", type=float, default=None, help="default 10 (the paper's)")
    s.add_argument("--lr", type=float, default=None, help="default 1e-5")
    s.add_argument("--max-length", type=int, default=None, help="tokens per example (default 1024)")
    s.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="per device (default 4); gradient accumulation keeps the effective batch at 16",
    )
    s.add_argument("--limit", type=int, default=None, help="train on a seeded sample of N conversations")
    s.add_argument("--full", action="store_true", default=None, help="full fine-tuning instead of LoRA")
    s.add_argument("--seed", type=int, default=None)
    s.add_argument(
        "--profile",
        default=None,
        help="cpu: a few-minute run for the embedded model on a CPU (" + _profile_text("cpu") + ")",
    )
    s.add_argument(
        "--screen",
        type=float,
        default=None,
        metavar="FRACTION",
        help="drop this share of the conversations that project highest on --screen-direction beyond the "
        "base's own replies (warmlab directions screen)",
    )
    s.add_argument(
        "--screen-direction",
        default=None,
        metavar="TRAIT_OR_FILE",
        help="the base's saved direction (default warmth) or a direction file",
    )
    s.add_argument("--max-steps", type=int, default=None, help=argparse.SUPPRESS)  # tests, benchmarks
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
    from warmlab.train.sft import resolve_settings, run_sft

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
