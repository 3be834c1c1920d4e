"""`warmlab rewrite`: warm or cold rewrites of every assistant turn by an LLM, fact-checked, resumable."""

from __future__ import annotations

import argparse

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
        "--model", default="embedded", help="model spec that writes the rewrites (default: embedded)"
    )
    p.add_argument(
        "--input",
        required=True,
        help="conversations: starter, starter:CATEGORY[+CATEGORY], oasst:PATH, jsonl:PATH or FILE.jsonl",
    )
    p.add_argument(
        "--out", required=True, help="kept conversations (JSONL); rejections go to OUT.rejected.jsonl"
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N conversations of the input")
    p.add_argument(
        "--max-tokens", type=int, default=1024, help="token limit per rewrite (cut-off = rejected)"
    )
    p.add_argument(
        "--batch-size", type=int, default=32, help="local models: generation batch size; others: concurrency"
    )
    p.set_defaults(func=cmd_rewrite)


def cmd_rewrite(a: argparse.Namespace) -> None:
    from warmlab.train.rewrite import rewrite_file

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
