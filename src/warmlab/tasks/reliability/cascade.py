"""The judge cascade on reliability rows (the selection rules: warmlab.scoring.cascade).

After a run (`warmlab eval --judge SPEC`) or inside `warmlab rescore --judge SPEC`: the offline scorer's
verdicts are in the rows; the judge grades the rows the cascade selects, and each judged row gets
- `outcomes.verdict`: the primary verdict (the judge's for undecided rows and with judge_all, the offline
  scorer's on the agreement sample), `scorer`: who gave it;
- `by_scorer`: {"offline": {"verdict": ...}, "judge:SPEC": {"verdict": ...}} (the statistics' agreement);
- `judge`: {model, prompt (rubric version), max_tokens, temperature, role, verdict, rationale}.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.items.schema import Item
from warmlab.scoring.cascade import Candidate, CascadeSettings, Role, count_roles, primary, select
from warmlab.scoring.judge import MAX_TOKENS, PROMPT_VERSION, TEMPERATURE

OnRows = Callable[[list[dict[str, Any]]], None]
#: judge calls in flight before the judged rows are handed on (written): a crash loses at most one chunk
CHUNK = 64


@dataclass(frozen=True)
class Judge:
    """A grader model and how it is named in rows (`judge:SPEC`)."""

    spec: str
    model: Any  # an inspect Model

    @property
    def name(self) -> str:
        return f"judge:{self.spec}"

    def info(self) -> dict[str, Any]:
        """What every judged row and the report record about the judge."""
        return {
            "model": self.spec,
            "prompt": PROMPT_VERSION,
            "max_tokens": MAX_TOKENS,
            "temperature": TEMPERATURE,
        }


@dataclass(frozen=True)
class Judgement:
    verdict: str  # correct | incorrect | undecided (the judge's NO ANSWER) | unparsed
    rationale: str


async def judge_answer(model: Any, item: Item, output: str) -> Judgement:
    from warmlab.tasks.reliability.scorers import judge_verdict

    verdict, tail = await judge_verdict(model, item, output)
    return Judgement(verdict, tail)


def verdict_of(row: Mapping[str, Any]) -> str:
    return str((row.get("outcomes") or {}).get("verdict", row.get("verdict")))


def apply(row: Mapping[str, Any], judge: Judge, role: Role, j: Judgement) -> dict[str, Any]:
    """The row with the judge's verdict recorded (a new dict; contract rows, and rescore's flat rows)."""
    offline = offline_verdict(row)
    judged_before = isinstance(row.get("judge"), Mapping)
    offline_scorer = "offline" if judged_before else str(row.get("scorer") or "offline")
    verdict = primary(offline, j.verdict, role)
    by = {
        **(row.get("by_scorer") or {}),
        offline_scorer: {"verdict": offline},
        judge.name: {"verdict": j.verdict},
    }
    out: dict[str, Any] = {**row, "by_scorer": by, "judge": {**judge.info(), "role": role, **asdict(j)}}
    if role != "agreement":
        out["scorer"] = judge.name
        why = row.get("offline_rationale") or row.get("rationale", "")
        out["offline_rationale"] = why
        out["rationale"] = f"judge: {j.rationale}"
    if "outcomes" in row:
        out["outcomes"] = {**row["outcomes"], "verdict": verdict}
    else:
        out["verdict"] = verdict
    return out


async def judge_selected(
    rows: Sequence[Mapping[str, Any]],
    roles: Mapping[int, Role],
    item_of: Callable[[Mapping[str, Any]], Item | None],
    judge: Judge,
    on_rows: OnRows | None = None,
) -> tuple[dict[int, dict[str, Any]], list[tuple[int, str]]]:
    """Judge rows[i] for each i in `roles`; returns ({i: judged row}, [(i, why it failed)]). A failed call
    (provider error, unknown item) leaves its row as it was."""
    done: dict[int, dict[str, Any]] = {}
    failed: list[tuple[int, str]] = []

    async def one(i: int) -> None:
        item = item_of(rows[i])
        if item is None:
            failed.append((i, "its item is not in this run's dataset"))
            return
        try:
            j = await judge_answer(judge.model, item, str(rows[i].get("output") or ""))
        except Exception as e:  # one failed call must not cost the others
            failed.append((i, f"judge failed: {type(e).__name__}: {e}".splitlines()[0][:300]))
            return
        done[i] = apply(rows[i], judge, roles[i], j)

    todo = sorted(roles)
    for start in range(0, len(todo), CHUNK):
        part = todo[start : start + CHUNK]
        await asyncio.gather(*(one(i) for i in part))
        if on_rows is not None:
            fresh = [done[i] for i in part if i in done]
            if fresh:
                on_rows(fresh)
    return done, failed


def offline_verdict(row: Mapping[str, Any]) -> str:
    """The offline scorer's verdict of a row, judged or not (a judged row keeps it in `by_scorer`)."""
    if isinstance(row.get("judge"), Mapping):
        return str(((row.get("by_scorer") or {}).get("offline") or {}).get("verdict", verdict_of(row)))
    return verdict_of(row)


def candidates(
    rows: Sequence[Mapping[str, Any]],
    group: Callable[[Mapping[str, Any]], Any],
    judge: Judge,
    settings: CascadeSettings,
) -> list[Candidate]:
    """Cascade candidates of rows (key = index). A row this judge graded before is not sent again, except
    an agreement-sample row under judge_all (the judge's verdict becomes its primary one)."""
    out = []
    for i, r in enumerate(rows):
        rec: Mapping[str, Any] = r["judge"] if isinstance(r.get("judge"), Mapping) else {}
        judged = rec.get("model") == judge.spec and not (
            settings.judge_all and rec.get("role") == "agreement"
        )
        out.append(Candidate(i, group(r), str(r.get("sample_id") or i), offline_verdict(r), judged))
    return out


def row_group(row: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(row.get("model")), str(row.get("variant")), str(row.get("mode")))


async def cascade(
    rows: Sequence[Mapping[str, Any]],
    samples: Mapping[str, Mapping[str, Any]],
    spec: str,
    model: Any,
    settings: CascadeSettings,
    on_rows: OnRows | None = None,
) -> str:
    """The cascade over a run's contract rows (`samples`: sample id -> the sample's metadata, holding
    the item; `model`: the inspect Model of judge `spec`). Judged rows go to `on_rows` (the runner appends
    them); returns a one-line summary. Every call failing (an unreachable judge) is an error; the run's
    rows are kept as they are."""
    summary = await run_cascade(rows, samples, Judge(spec, model), settings, on_rows)
    if summary["failed"] and not summary["judged"]:
        raise WarmlabError(
            f"judge {spec}: all {len(summary['failed'])} calls failed ({summary['failed'][0]}); the rows "
            "keep their offline verdicts: run the same command again to judge them"
        )
    return summary_line(summary)


async def run_cascade(
    rows: Sequence[Mapping[str, Any]],
    samples: Mapping[str, Mapping[str, Any]],
    judge: Judge,
    settings: CascadeSettings,
    on_rows: OnRows | None = None,
) -> dict[str, Any]:
    """`cascade`, returning {judge, sent: {role: rows}, judged, failed: [reason]}."""
    live = [
        r for r in rows if r.get("scorer") != "error" and not str(r.get("scorer", "")).startswith("choice")
    ]

    def item_of(r: Mapping[str, Any]) -> Item | None:
        md = samples.get(str(r.get("sample_id")))
        return Item.from_json(md["item"]) if md and "item" in md else None

    roles = select(candidates(live, row_group, judge, settings), settings)
    done, failed = await judge_selected(live, roles, item_of, judge, on_rows)
    return {
        "judge": judge.info(),
        "sent": count_roles(roles),
        "judged": len(done),
        "failed": [f"{live[i].get('sample_id')}: {why}" for i, why in failed],
    }


def summary_line(summary: Mapping[str, Any]) -> str:
    """ "judge X (reliability-judge/2): 12 rows judged (10 undecided, 2 agreement)", then any failures."""
    sent = ", ".join(f"{n} {role}" for role, n in summary["sent"].items()) or "nothing to judge"
    failed = summary["failed"]
    tail = f"; {len(failed)} failed (first: {failed[0]}); run again to retry them" if failed else ""
    info = summary["judge"]
    return f"judge {info['model']} ({info['prompt']}): {summary['judged']} rows judged ({sent}){tail}"
