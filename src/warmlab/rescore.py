"""Score transcripts produced elsewhere with warmlab's scorers (offline, then an optional LLM judge cascade).

One bad row never throws the file away: a row that cannot be scored (a required value missing, an unknown
family, unreadable options, a malformed JSONL line, a scorer or judge failure) is kept with verdict
``invalid`` and listed with file, line and reason in OUT.problems.jsonl; every other row is scored. Only
a file with nothing scorable (missing, empty, wrong columns, not UTF-8) is an error (exit 2). Context and
belief names from the paper's released data are understood (`conditions.context_name`, `belief_name`);
an unknown one keeps its name, gets context group "unknown", and is noted in the problems file.

With a judge, the same cascade as `warmlab eval --judge` (warmlab.scoring.cascade): the judge grades the
rows the offline scorer left undecided (every row with `judge_all`) and a seeded sample of decided rows per
model and variant; both verdicts land in `by_scorer`, the judge's settings in `judge`. A judge call that
fails keeps the offline verdict and is noted in the problems file.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from warmlab.conditions import belief_name, context_name
from warmlab.core.io import guard_output, write_jsonl
from warmlab.errors import WarmlabError
from warmlab.items.schema import FAMILIES, Item
from warmlab.scoring.cascade import CascadeSettings

REQUIRED = ("question", "correct_answer", "incorrect_answer", "output")
#: Columns read for the condition, first found wins (the paper's names second).
CONTEXT_COLUMNS = ("context", "amendment_type")
BELIEF_COLUMNS = ("belief", "prompt_type", "prompt_template")


@dataclass(frozen=True)
class Problem:
    """One row that could not be scored ("invalid") or was scored with a caveat ("note")."""

    file: str
    line: int
    reason: str
    severity: str = "invalid"
    id: str | None = None


def problems_path(out: Path) -> Path:
    """OUT.problems.jsonl beside OUT (scored.jsonl -> scored.problems.jsonl)."""
    return out.with_name(out.stem + ".problems.jsonl")


def _text(path: Path) -> str:
    if not path.is_file():
        raise WarmlabError(f"{path} does not exist")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise WarmlabError(f"{path}: not UTF-8 text (byte {e.start}); nothing scored") from None


def read_table(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """(line, row) pairs and the lines that are not rows at all (malformed JSON).

    A missing file, another suffix, an empty table, undecodable bytes or required columns absent from
    every row are errors: nothing in such a file is scorable.
    """
    if path.suffix not in (".csv", ".jsonl"):
        raise WarmlabError(f"{path}: expected a .csv or .jsonl file")
    text = _text(path)
    rows: list[tuple[int, dict[str, Any]]] = []
    bad: list[Problem] = []
    if path.suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            for row in reader:
                rows.append((reader.line_num, row))
        except csv.Error as e:
            raise WarmlabError(f"{path}:{reader.line_num}: unreadable CSV ({e})") from None
        columns = set(reader.fieldnames or ())
    else:
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                bad.append(Problem(str(path), n, f"invalid JSON ({e.msg}, column {e.colno})"))
                continue
            if not isinstance(obj, dict):
                bad.append(Problem(str(path), n, f"expected a JSON object, got {type(obj).__name__}"))
                continue
            rows.append((n, obj))
        columns = {k for _, r in rows for k in r}
    if not rows:
        reason = f" (e.g. line {bad[0].line}: {bad[0].reason})" if bad else ""
        raise WarmlabError(f"{path} has no rows{reason}")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise WarmlabError(f"{path} is missing required column(s): {', '.join(missing)}")
    return rows, bad


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
    """The item a row answers; a `WarmlabError` naming the file and line when a required value is missing."""
    for column in REQUIRED:
        if row.get(column) is None:
            raise WarmlabError(f"{path}:{n}: no {column} value")
    if not str(row["question"]).strip():
        raise WarmlabError(f"{path}:{n}: empty question")
    options = row.get("options") or None
    if isinstance(options, str):
        try:
            options = json.loads(options)
        except json.JSONDecodeError:
            raise WarmlabError(f"{path}:{n}: options must be a JSON object of letter to text") from None
    if options is not None and not (
        isinstance(options, dict) and all(isinstance(v, str) for v in options.values())
    ):
        raise WarmlabError(f"{path}:{n}: options must be a JSON object of letter to text")
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
    incorrect_answers = _answers(row.get("incorrect_answers"))
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
        meta={"incorrect_answers": list(incorrect_answers)} if incorrect_answers else {},
    )


def _first(row: dict[str, Any], columns: tuple[str, ...]) -> str:
    return next((str(row[c]) for c in columns if row.get(c) not in (None, "")), "")


def _conditions(row: dict[str, Any], n: int, path: Path, notes: list[Problem]) -> dict[str, str]:
    raw_context, raw_belief = _first(row, CONTEXT_COLUMNS), _first(row, BELIEF_COLUMNS)
    found = context_name(raw_context)
    if found is None:
        notes.append(
            Problem(str(path), n, f"unknown context {raw_context!r}: context group 'unknown'", "note")
        )
    context, group = found or (raw_context.strip(), "unknown")
    belief = belief_name(raw_belief)
    if belief is None:
        notes.append(Problem(str(path), n, f"unknown belief {raw_belief!r}: kept as given", "note"))
    return {"context": context, "context_group": group, "belief": belief or raw_belief.strip()}


def _row(
    row: dict[str, Any], n: int, family: str, item_id: str, verdict: str, scorer: str, rationale: str
) -> dict[str, Any]:
    output = str(row.get("output") or "")
    return {
        "model": row.get("model") or "unknown",
        "variant": row.get("variant") or "base",
        "family": family,
        "item_id": item_id,
        "mode": "generate",
        "output": output,
        "verdict": verdict,
        "scorer": scorer,
        "rationale": rationale,
        "output_chars": len(output),
        "line": n,
    }


def summary_line(results: list[dict[str, Any]], problems: list[Problem], where: Path) -> str:
    """ "301 scored, 8 invalid: see OUT.problems.jsonl"."""
    invalid = sum(r["verdict"] == "invalid" for r in results)
    head = f"{len(results) - invalid} scored, {invalid} invalid"
    return f"{head}: see {where}" if problems else head


def rescore(
    path: Path, out: Path, judge: str | None = None, cascade: CascadeSettings | None = None
) -> list[dict[str, Any]]:
    """Score every scorable row of `path` into `out`; list the others in OUT.problems.jsonl. With `judge`,
    the judge cascade (`cascade`: which rows; default: undecided rows and 50 decided ones per model)."""
    guard_output(out, path)
    guard_output(problems_path(out), path)
    rows, problems = read_table(path)
    parsed: list[tuple[int, dict[str, Any], Item | None]] = []
    for n, row in rows:
        try:
            parsed.append((n, row, row_item(row, n, path)))
        except WarmlabError as e:
            reason = str(e).removeprefix(f"{path}:{n}: ")
            problems.append(Problem(str(path), n, reason, id=str(row["id"]) if row.get("id") else None))
            parsed.append((n, row, None))
    where = problems_path(out)
    if not any(it is not None for _, _, it in parsed):
        write_jsonl(where, [asdict(p) for p in problems])
        raise WarmlabError(
            f"{path}: no scorable rows (line {problems[0].line}: {problems[0].reason}); see {where}"
        )
    model = judge_model(judge) if judge else None  # a bad spec fails before any scoring
    results = asyncio.run(_score_all(parsed, path, problems))
    if judge:
        settings = cascade or CascadeSettings()
        print(asyncio.run(_judge(results, parsed, path, judge, model, settings, problems)))
    problems.sort(key=lambda p: p.line)
    write_jsonl(out, results)
    if problems:
        write_jsonl(where, [asdict(p) for p in problems])
    elif where.exists():
        where.unlink()  # a stale list from an earlier run would mislead
    print(summary_line(results, problems, where))
    return results


async def _score_all(
    parsed: list[tuple[int, dict[str, Any], Item | None]], path: Path, problems: list[Problem]
) -> list[dict[str, Any]]:
    """Every row scored offline (a row that cannot be: `invalid`)."""
    from warmlab.tasks.reliability import open_answer_verdict

    by_line = {p.line: p.reason for p in problems}

    async def one(n: int, r: dict[str, Any], it: Item | None) -> dict[str, Any]:
        conditions = _conditions(r, n, path, problems)
        if it is None:
            family = str(r.get("family") or "unknown")
            return {
                **_row(r, n, family, str(r.get("id") or f"row-{n}"), "invalid", "rescore", by_line[n]),
                **conditions,
            }
        try:
            verdict, rationale, scorer = await open_answer_verdict(it, str(r.get("output") or ""))
        except Exception as e:  # one failing row (a scorer bug) must not cost the others
            reason = f"scorer failed: {type(e).__name__}: {e}".splitlines()[0]
            problems.append(Problem(str(path), n, reason, id=it.id))
            return {**_row(r, n, it.family, it.id, "invalid", "rescore", reason), **conditions}
        return {**_row(r, n, it.family, it.id, verdict, scorer, rationale), **conditions}

    return list(await asyncio.gather(*(one(n, r, it) for n, r, it in parsed)))


def judge_model(spec: str) -> Any:
    """The inspect Model of a judge spec; a spec or provider that cannot be used is one error line."""
    from inspect_ai.model import get_model

    from warmlab.models import parse_spec

    try:
        return get_model(parse_spec(spec).inspect_name)
    except WarmlabError:
        raise
    except Exception as e:  # a provider that is not installed or not reachable
        raise WarmlabError(f"cannot use judge {spec!r}: {str(e).strip().splitlines()[0]}") from e


async def _judge(
    results: list[dict[str, Any]],
    parsed: list[tuple[int, dict[str, Any], Item | None]],
    path: Path,
    judge: str,
    model: Any,
    settings: CascadeSettings,
    problems: list[Problem],
) -> str:
    """The judge cascade over the offline-scored rows (in place); returns its one-line summary."""
    from warmlab.scoring.cascade import count_roles, select
    from warmlab.tasks.reliability.cascade import Judge, candidates, judge_selected, summary_line

    items = {n: it for n, _, it in parsed}
    keyed = [{**r, "sample_id": f"{r['line']}|{r['item_id']}"} for r in results]
    j = Judge(judge, model)
    roles = select(candidates(keyed, lambda r: (r["model"], r["variant"]), j, settings), settings)
    done, failed = await judge_selected(keyed, roles, lambda r: items.get(int(r["line"])), j)
    for i, row in done.items():
        results[i] = {k: v for k, v in row.items() if k != "sample_id"}
    for i, why in failed:
        line = int(results[i]["line"])
        problems.append(
            Problem(str(path), line, f"{why}; offline verdict kept", "note", results[i]["item_id"])
        )
    summary = {
        "judge": j.info(),
        "sent": count_roles(roles),
        "judged": len(done),
        "failed": [w for _, w in failed],
    }
    return summary_line(summary)
