"""Arguments several sub-commands share, checked by argparse at parse time against `core.limits` (the
same ranges the study config and the runner use). A bad value is one `warmlab: error: argument ...` line
and exit 2 before anything runs."""

from __future__ import annotations

import argparse
from typing import Any

from warmlab.core import limits


def path_text(text: str) -> str:
    """An argparse `type` for file and folder arguments: not empty, no NUL byte."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must be a path, not an empty string")
    if "\0" in text:
        raise argparse.ArgumentTypeError("must not contain a NUL byte")
    return text


def spec_text(text: str) -> str:
    """An argparse `type` for model specs: not empty (the spec itself is checked before any work)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must be a model spec, not an empty string")
    return text.strip()


def add_limit(p: Any, help: str) -> None:
    p.add_argument("--limit", type=limits.LIMIT.parse, default=None, metavar="N", help=help)


def add_seed(p: Any, default: int | None = 0, help: str = "random seed") -> None:
    p.add_argument("--seed", type=limits.SEED.parse, default=default, metavar="N", help=help)


def add_max_tokens(p: Any, default: int | None, help: str) -> None:
    p.add_argument("--max-tokens", type=limits.MAX_TOKENS.parse, default=default, metavar="N", help=help)


def add_batch_size(p: Any, default: int | None, help: str) -> None:
    p.add_argument("--batch-size", type=limits.BATCH_SIZE.parse, default=default, metavar="N", help=help)


def add_temperature(p: Any) -> None:
    p.add_argument(
        "--temperature", type=limits.TEMPERATURE.parse, default=None, metavar="T", help="default: greedy"
    )


def add_judge(p: Any, judge_help: str, per: str) -> None:
    """--judge, --judge-all and --judge-sample (agreement rows per `per`, e.g. "model and mode")."""
    p.add_argument("--judge", type=spec_text, default=None, help=judge_help)
    p.add_argument("--judge-all", action="store_true", help="the judge grades every row (it is primary)")
    p.add_argument(
        "--judge-sample",
        type=limits.JUDGE_SAMPLE.parse,
        default=None,
        metavar="N",
        help=f"decided rows per {per} the judge also grades, to measure agreement (default 50)",
    )


def add_bootstrap(p: Any, help: str) -> None:
    p.add_argument("--bootstrap", type=limits.BOOTSTRAP.parse, default=1000, metavar="N", help=help)
