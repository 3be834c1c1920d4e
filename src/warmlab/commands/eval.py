"""`warmlab eval`: run a battery for several models (and modes) into one results folder; `warmlab tasks`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from warmlab.commands import _args
from warmlab.errors import WarmlabError

#: reliability-style flags, passed to the task when it takes them
ITEM_FLAGS = ("families", "contexts", "beliefs", "source")


def parse_task_args(pairs: list[str] | None) -> dict[str, Any]:
    """-T key=value (repeatable); values are JSON when they parse (numbers, true/false, lists), else text."""
    import json

    out: dict[str, Any] = {}
    for p in pairs or []:
        key, sep, val = p.partition("=")
        if not sep or not key.strip():
            raise WarmlabError(f"-T takes key=value, not {p!r}")
        try:
            out[key.strip()] = json.loads(val)
        except json.JSONDecodeError:
            out[key.strip()] = val
    return out


def parse_roles(pairs: list[str] | None) -> dict[str, str]:
    roles: dict[str, str] = {}
    for p in pairs or []:
        role, sep, spec = p.partition("=")
        if not sep or role not in ("user", "grader") or not spec.strip():
            raise WarmlabError(f"--model-role takes user=SPEC or grader=SPEC, not {p!r}")
        roles[role] = spec.strip()
    return roles


def source_files(source: str | None) -> list[Path]:
    """The files an item source names (`jsonl:PATH`, `medqa:PATH`, `FILE.jsonl`, comma-separated)."""
    out = []
    for part in (source or "").split(","):
        path = part.partition(":")[2] if ":" in part else part
        if path.strip() and Path(path.strip()).is_file():
            out.append(Path(path.strip()))
    return out


def cmd_eval(a: argparse.Namespace) -> None:
    from warmlab.core.io import guard_output, out_folder
    from warmlab.results import latest_rows, read_results, write_parquet
    from warmlab.results.runner import EvalSettings, run_eval
    from warmlab.scoring.cascade import DEFAULT_SAMPLE
    from warmlab.summary import print_summary
    from warmlab.tasks import get_battery

    battery = get_battery(a.task)
    args = parse_task_args(a.task_arg)
    own = battery.arguments()
    for flag in ITEM_FLAGS:
        given = getattr(a, flag)
        if given is not None:
            if flag not in own:
                raise WarmlabError(
                    f"task {battery.name!r} takes no --{flag} (its arguments: {', '.join(own)})"
                )
            args.setdefault(flag, given)
    roles = parse_roles(a.model_role)
    judge = a.judge or roles.get("grader")
    if (a.judge_all or a.judge_sample is not None) and not judge:
        raise WarmlabError("--judge-all and --judge-sample need a judge: add --judge SPEC")
    modes = list(battery.modes) if a.mode == "all" else [a.mode]
    if a.mode == "both":
        modes = ["generate", "choice"]
    max_tokens = a.max_tokens if a.max_tokens is not None else int(own.get("max_tokens") or 128)
    settings = EvalSettings(
        task=battery.name,
        args=args,
        limit=a.limit,
        seed=a.seed,
        max_tokens=max_tokens,
        temperature=a.temperature,
        batch_size=a.batch_size,
        judge_all=a.judge_all,
        judge_sample=DEFAULT_SAMPLE if a.judge_sample is None else a.judge_sample,
    )
    out = out_folder(Path(a.out))
    guard_output(out / "results.jsonl", *source_files(args.get("source")))
    path = run_eval(a.model, modes, out, settings, judge=judge, user=roles.get("user"))
    rows = latest_rows(read_results(path))
    if a.parquet:
        write_parquet(rows, path.with_suffix(".parquet"))
    print_summary(rows, task=battery.name, by_condition=a.by_condition)
    print(f"results: {path}  (inspect logs: {out / 'logs'})")


def cmd_tasks(a: argparse.Namespace) -> None:
    from warmlab.tasks import batteries

    for b in batteries().values():
        print(f"{b.name:<12} {b.summary}  [modes: {', '.join(b.modes)}]")


def register(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser(
        "eval",
        help="evaluate models on a battery",
        description="Batteries: see `warmlab tasks`. Rows land in OUT/results.jsonl as samples finish; "
        "run the same command again to resume.",
    )
    e.add_argument(
        "--model", action="append", required=True, type=_args.spec_text, help="model spec (repeatable)"
    )
    e.add_argument("--task", default="reliability", help="battery (see `warmlab tasks`)")
    e.add_argument(
        "--mode", default="generate", choices=["generate", "choice", "both", "all"], help="all: every mode"
    )
    e.add_argument("-T", "--task-arg", action="append", metavar="KEY=VALUE", help="a task argument")
    _args.add_limit(e, "items per family (or samples) to use")
    e.add_argument("--families", default=None, help="reliability/pushback: comma list (default all)")
    e.add_argument("--contexts", default=None, help="reliability: comma list (default all)")
    e.add_argument("--beliefs", default=None, help="reliability: comma list; default none,asserts_incorrect")
    e.add_argument("--source", default=None, help="item source (see `warmlab items --help`)")
    _args.add_seed(e)
    _args.add_max_tokens(e, None, "default: the task's own")
    _args.add_temperature(e)
    _args.add_batch_size(e, 32, "local models: generation batch size")
    _args.add_judge(
        e,
        "grader model spec; reliability: it grades the rows the offline scorer left undecided, plus "
        "--judge-sample decided rows per model and mode to measure agreement (default: offline only)",
        "model and mode",
    )
    e.add_argument(
        "--model-role",
        action="append",
        metavar="ROLE=SPEC",
        help="user=SPEC (LLM simulated user), grader=SPEC",
    )
    e.add_argument("--out", type=_args.path_text, default="runs/eval", help="results folder")
    e.add_argument("--parquet", action="store_true", help="also write results.parquet")
    e.add_argument("--by-condition", action="store_true", help="reliability: error by context x belief")
    e.set_defaults(func=cmd_eval)

    t = sub.add_parser("tasks", help="list the batteries, one line each")
    t.set_defaults(func=cmd_tasks)
