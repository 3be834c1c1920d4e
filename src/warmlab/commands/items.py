"""`warmlab items` (list, show or export the items of a source) and `warmlab rescore` (outside answers)."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from warmlab.errors import WarmlabError
from warmlab.items.schema import Item


def cmd_rescore(a: argparse.Namespace) -> None:
    from warmlab.rescore import rescore
    from warmlab.scoring.cascade import DEFAULT_SAMPLE, CascadeSettings
    from warmlab.summary import print_summary

    if (a.judge_all or a.judge_sample is not None) and not a.judge:
        raise WarmlabError("--judge-all and --judge-sample need a judge: add --judge SPEC")
    sample = DEFAULT_SAMPLE if a.judge_sample is None else a.judge_sample
    cascade = CascadeSettings(judge_all=a.judge_all, sample=sample, seed=a.seed)
    rows = rescore(Path(a.input), Path(a.out), judge=a.judge, cascade=cascade)
    print_summary([r for r in rows if r["verdict"] != "invalid"])
    print(f"results: {a.out}")


def cmd_items(a: argparse.Namespace) -> None:
    from warmlab.items.loaders import load_source

    items = load_source(a.source, seed=a.seed)
    if a.distractor_model:
        items = _llm_distractors(items, a.distractor_model)
    if a.action == "show":
        if not a.id:
            raise WarmlabError("items show needs an item id")
        match = [it for it in items if it.id == a.id]
        if not match:
            raise WarmlabError(f"no item {a.id!r} in source {a.source!r}")
        print(json.dumps(match[0].to_json(), indent=2, ensure_ascii=False))
        return
    if a.action == "export":
        if not a.out:
            raise WarmlabError("items export needs --out FILE.jsonl")
        with open(a.out, "w", encoding="utf-8") as f:
            for it in items:
                f.write(json.dumps(it.to_json(), ensure_ascii=False) + "\n")
        print(f"wrote {len(items)} items -> {a.out}")
        return
    counts = Counter(it.family for it in items)
    print(f"source: {a.source}")
    for fam, n in sorted(counts.items()):
        print(f"  {fam:<10} {n}")
    print(f"  {'total':<10} {sum(counts.values())}")


def _llm_distractors(items: list[Item], spec_text: str) -> list[Item]:
    import asyncio

    from inspect_ai.model import GenerateConfig, get_model

    from warmlab.items.loaders import attach_llm_distractors
    from warmlab.models import parse_spec

    model = get_model(parse_spec(spec_text).inspect_name)

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
    r.add_argument("--input", required=True)
    r.add_argument("--out", required=True)
    r.add_argument(
        "--judge",
        default=None,
        help="grader model spec: it grades the rows the offline scorer left undecided, plus --judge-sample "
        "decided rows per model to measure agreement",
    )
    r.add_argument("--judge-all", action="store_true", help="the judge grades every row (it is primary)")
    r.add_argument(
        "--judge-sample",
        type=int,
        default=None,
        metavar="N",
        help="decided rows per model the judge also grades, to measure agreement (default 50)",
    )
    r.add_argument("--seed", type=int, default=0, help="which decided rows the agreement sample takes")
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
    i.add_argument("--seed", type=int, default=0)
    i.add_argument(
        "--distractor-model",
        default=None,
        help="model spec that writes plausible wrong answers (TriviaQA has none)",
    )
    i.add_argument("--out", default=None)
    i.set_defaults(func=cmd_items)
