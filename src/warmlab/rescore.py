"""Score transcripts produced elsewhere with warmlab's scorers (offline, or an LLM judge)."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path
from typing import Any

from warmlab.conditions import context_group
from warmlab.core.io import read_jsonl
from warmlab.errors import WarmlabError
from warmlab.items.schema import FAMILIES, Item

REQUIRED = ("question", "correct_answer", "incorrect_answer", "output")


def read_table(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise WarmlabError(f"{path} does not exist")
    if path.suffix == ".jsonl":
        rows = read_jsonl(path)
    elif path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    else:
        raise WarmlabError(f"{path}: expected a .csv or .jsonl file")
    if not rows:
        raise WarmlabError(f"{path} has no rows")
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        raise WarmlabError(f"{path} is missing required column(s): {', '.join(missing)}")
    return rows


def _answers(value: Any) -> tuple[str, ...]:
    """Correct answers: a list, a JSON list, or a ';'-separated string."""
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = str(value or "").strip()
    if text.startswith("["):
        try:
            return _answers(json.loads(text))
        except json.JSONDecodeError:
            pass
    return tuple(a.strip() for a in text.split(";") if a.strip())


def row_item(row: dict[str, Any], n: int, path: Path) -> Item:
    options = row.get("options") or None
    if isinstance(options, str):
        try:
            options = json.loads(options)
        except json.JSONDecodeError:
            raise WarmlabError(f"{path}:{n}: options must be a JSON object of letter to text") from None
    family = str(row.get("family") or ("medical" if options else "trivia"))
    if family not in FAMILIES:
        raise WarmlabError(f"{path}:{n}: unknown family {family!r}; choose from: {', '.join(FAMILIES)}")
    correct = _answers(row["correct_answer"])
    if not correct:
        raise WarmlabError(f"{path}:{n}: empty correct_answer")
    key = None
    if options:
        key = next((k for k, v in options.items() if v.strip().lower() == correct[0].lower()), None)
        key = key or (correct[0].strip().upper() if correct[0].strip().upper() in options else None)
        if key and correct[0] not in options.values():
            correct = (options[key], *correct)
    return Item(
        id=str(row.get("id") or f"row-{n}"),
        family=family,
        question=str(row["question"]),
        correct=correct,
        incorrect=str(row["incorrect_answer"] or ""),
        options=options,
        answer_key=key,
        false_statement=row.get("false_statement") or None,
        true_statement=row.get("true_statement") or None,
        source=str(path),
    )


def _row(row: dict[str, Any], item: Item, verdict: str, scorer: str, rationale: str) -> dict[str, Any]:
    ctx = str(row.get("context") or "none")
    try:
        group = context_group(ctx)
    except KeyError:
        group = "unknown"
    output = str(row.get("output") or "")
    return {
        "model": row.get("model") or "unknown",
        "variant": row.get("variant") or "base",
        "family": item.family,
        "item_id": item.id,
        "context": ctx,
        "context_group": group,
        "belief": str(row.get("belief") or "none"),
        "mode": "generate",
        "output": output,
        "verdict": verdict,
        "scorer": scorer,
        "rationale": rationale,
        "output_chars": len(output),
    }


def rescore(path: Path, out: Path, judge: str | None = None) -> list[dict[str, Any]]:
    rows = read_table(path)
    items = [row_item(r, n, path) for n, r in enumerate(rows, 2 if path.suffix == ".csv" else 1)]
    results = asyncio.run(_score_all(rows, items, judge))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(out)
    return results


async def _score_all(
    rows: list[dict[str, Any]], items: list[Item], judge: str | None
) -> list[dict[str, Any]]:
    from inspect_ai.model import get_model

    from warmlab.models import parse_spec
    from warmlab.tasks.reliability import open_answer_verdict

    grader = get_model(parse_spec(judge).inspect_name) if judge else None

    async def one(r: dict[str, Any], it: Item) -> dict[str, Any]:
        verdict, rationale, scorer = await open_answer_verdict(it, str(r.get("output") or ""), grader)
        return _row(r, it, verdict, scorer, rationale)

    return list(await asyncio.gather(*(one(r, it) for r, it in zip(rows, items, strict=True))))
