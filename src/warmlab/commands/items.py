"""`warmlab items` (list, show or export the items of a source) and `warmlab rescore` (outside answers)."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from warmlab.commands import _args
from warmlab.errors import WarmlabError
from warmlab.items.schema import Item


def cmd_rescore(a: argparse.Namespace) -> None:
    import csv

    from warmlab.core.io import out_file
    from warmlab.rescore import rescore
    from warmlab.scoring.cascade import DEFAULT_SAMPLE, CascadeSettings
    from warmlab.summary import print_summary

    if (a.judge_all or a.judge_sample is not None) and not a.judge:
        raise WarmlabError("--judge-all and --judge-sample need a judge: add --judge SPEC")
    sample = DEFAULT_SAMPLE if a.judge_sample is None else a.judge_sample
    cascade = CascadeSettings(judge_all=a.judge_all, sample=sample, seed=a.seed)
    source, out = Path(a.input), out_file(Path(a.out), Path(a.input))
    if a.judge:
        from warmlab.models import check_usable

        check_usable(a.judge)
    try:
        rows = rescore(source, out, judge=a.judge, cascade=cascade)
    except UnicodeDecodeError as e:  # rescore reads only its input as text
        raise WarmlabError(f"{source}: not UTF-8 text (byte {e.start})") from None
    except csv.Error as e:
        raise WarmlabError(f"{source}: not a readable CSV file ({e})") from None
    print_summary([r for r in rows if r.get("verdict") != "invalid"])
    print(f"scored {len(rows)} rows -> {a.out}")


def cmd_items(a: argparse.Namespace) -> None:
    from warmlab.items.loaders import load_source

    if a.action == "show" and not a.id:
        raise WarmlabError("items show needs an item id")
    if a.action == "export" and not a.out:
        raise WarmlabError("items export needs --out FILE.jsonl")
    if a.action != "export" and a.out:
        raise WarmlabError("--out goes with `items export`")
    if a.action != "show" and a.id:
        raise WarmlabError(f"an item id goes with `items show`, not `items {a.action}`")
    items = load_source(a.source, seed=a.seed)
    if a.distractor_model:
        items = _llm_distractors(items, a.distractor_model)
    if a.action == "show":
        match = [it for it in items if it.id == a.id]
        if not match:
            raise WarmlabError(f"no item {a.id!r} in source {a.source!r}")
        print(json.dumps(match[0].to_json(), indent=2, ensure_ascii=False))
        return
    if a.action == "export":
        from warmlab.commands.eval import source_files
        from warmlab.core.io import out_file, write_jsonl

        out = out_file(Path(a.out), *source_files(a.source))
        write_jsonl(out, (it.to_json() for it in items))
        print(f"wrote {len(items)} items -> {a.out}")
        return
    counts = Counter(it.family for it in items)
    print(f"source: {a.source}")
    for fam, n in sorted(counts.items()):
        print(f"  {fam:<10} {n}")
    print(f"  {'total':<10} {sum(counts.values())}")


def _llm_distractors(items: list[Item], spec_text: str) -> list[Item]:
    import asyncio

    from inspect_ai.model import GenerateConfig

    from warmlab.items.trivia import attach_llm_distractors
    from warmlab.models import inspect_model

    model = inspect_model(spec_text)

    def generate(prompts: list[str]) -> list[str]:
        async def run() -> list[str]:
            outs = await asyncio.gather(
                *(model.generate(p, config=GenerateConfig(max_tokens=24)) for p in prompts)
            )
            return [o.completion for o in outs]

        return asyncio.run(run())

    return attach_llm_distractors(items, generate)


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("rescore", help="score transcripts produced elsewhere")
    r.add_argument("--input", required=True, type=_args.path_text, help="a .csv or .jsonl file")
    r.add_argument("--out", required=True, type=_args.path_text, help="scored rows (JSONL)")
    _args.add_judge(
        r,
        "grader model spec: it grades the rows the offline scorer left undecided, plus --judge-sample "
        "decided rows per model to measure agreement",
        "model",
    )
    _args.add_seed(r, 0, "which decided rows the agreement sample takes")
    r.set_defaults(func=cmd_rescore)

    i = sub.add_parser(
        "items",
        help="list item families and counts, show or export items",
        description="Sources: starter (default), truthfulqa:PATH, triviaqa:PATH, medqa:PATH, "
        "fever:PATH, scifact:PATH, jsonl:PATH or FILE.jsonl; comma-separate several.",
    )
    i.add_argument("action", nargs="?", default="list", choices=["list", "show", "export"])
    i.add_argument("id", nargs="?")
    i.add_argument("--source", default="starter")
    _args.add_seed(i)
    i.add_argument(
        "--distractor-model",
        default=None,
        type=_args.spec_text,
        help="model spec that writes plausible wrong answers (TriviaQA has none)",
    )
    i.add_argument("--out", default=None, type=_args.path_text, help="items export: FILE.jsonl")
    i.set_defaults(func=cmd_items)
