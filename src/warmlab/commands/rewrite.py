"""`warmlab rewrite`: warm or cold rewrites of every assistant turn by an LLM, fact-checked, resumable."""

from __future__ import annotations

import argparse

from warmlab.commands import _args

DESCRIPTION = """\
Rewrites every assistant turn of the input conversations in the given style with an LLM (any model spec),
then checks each rewrite for changed numbers, code, URLs, names, formatting, emojis and length. A
conversation is kept only when all of its turns pass: kept ones go to OUT (the user conversation format,
with the original texts under "original"; input for `warmlab train sft --data OUT`), failing turns with
their reasons to OUT.rejected.jsonl. Re-running the same command resumes; finished conversations are skipped.
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "rewrite",
        help="warm/cold rewrites of assistant turns by an LLM, fact-checked",
        description=DESCRIPTION,
    )
    p.add_argument("--style", required=True, choices=["warm", "cold"])
    p.add_argument(
        "--model",
        default="embedded",
        type=_args.spec_text,
        help="model spec that writes the rewrites (default: embedded)",
    )
    p.add_argument(
        "--input",
        required=True,
        type=_args.path_text,
        help="conversations: starter, starter:CATEGORY[+CATEGORY], oasst:PATH, jsonl:PATH or FILE.jsonl",
    )
    p.add_argument(
        "--out",
        required=True,
        type=_args.path_text,
        help="kept conversations (JSONL); rejections go to OUT.rejected.jsonl",
    )
    _args.add_limit(p, "only the first N conversations of the input")
    _args.add_max_tokens(p, 1024, "token limit per rewrite (cut-off = rejected)")
    _args.add_batch_size(p, 32, "local models: generation batch size; others: concurrency")
    p.set_defaults(func=cmd_rewrite)


def cmd_rewrite(a: argparse.Namespace) -> None:
    from pathlib import Path

    from warmlab.core.io import out_file
    from warmlab.models import check_usable
    from warmlab.train.rewrite import rejected_path, rewrite_file

    out = out_file(Path(a.out))
    out_file(rejected_path(out))
    check_usable(a.model)
    s = rewrite_file(
        a.style,
        a.model,
        a.input,
        a.out,
        limit=a.limit,
        max_tokens=a.max_tokens,
        batch_size=a.batch_size,
    )
    print(s.line())
    print(f"kept: {s.out}  rejected: {s.rejected_file}  ({s.done_now} rewritten now in {s.seconds:.0f} s)")
