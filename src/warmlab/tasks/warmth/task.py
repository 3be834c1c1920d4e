"""`warmth`: how warm a model's replies are, on a fixed prompt set, scored offline (or by SocioT / a judge).

    inspect eval warmlab/warmth --model warmlab/embedded -T limit=12
    inspect eval warmlab/warmth --model warmlab/embedded --model-role grader=openai/gpt-4o-mini

Prompts: the first user turn of each held-out team conversation (66, six categories; none seen by the
probe or the SFT trainer). Greedy replies. Scores: `warmth` from the scorer (default the MiniLM probe:
0 = as warm as the team's neutral answers, 1 unit = 1 log-odds unit of "warmer"), and with a `grader`
role a 1-7 `judge_rating` (unparsed replies counted, never guessed).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import generate

from warmlab.errors import WarmlabError
from warmlab.solvers.system import system_solvers
from warmlab.tasks.warmth.scorers import warmth_scorer

MODES = ("generate",)
DEFAULT_MAX_TOKENS = 96


@dataclass(frozen=True)
class Prompt:
    id: str
    text: str
    category: str = ""


def prompt_set(limit: int | None = None) -> list[Prompt]:
    """The first user turn of every held-out team conversation, in id order. With a limit, prompts are
    taken in turn from each category, so a short run still sees every kind of request."""
    from warmlab.measure.probe import data_files

    out = []
    for path in data_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                if r["split"] == "heldout":
                    first = next(m["content"] for m in r["messages"] if m["role"] == "user")
                    out.append(Prompt(r["id"], first, str(r.get("category", ""))))
    out.sort(key=lambda p: p.id)
    if limit is None or limit >= len(out):
        return out
    by_cat: dict[str, list[Prompt]] = {}
    for p in out:
        by_cat.setdefault(p.category, []).append(p)
    in_turn = itertools.chain.from_iterable(itertools.zip_longest(*(by_cat[c] for c in sorted(by_cat))))
    picked = [p for p in in_turn if p is not None][:limit]
    return sorted(picked, key=lambda p: p.id)


@task
def warmth(
    scorer: str = "probe",
    limit: int | None = None,
    seed: int = 0,
    mode: str = "generate",
    max_tokens: int = DEFAULT_MAX_TOKENS,
    temperature: float | None = None,
    system: str | None = None,
) -> Task:
    """Args: scorer: probe (default) or sociot[:SPEC]; limit: number of prompts (taken in turn from each
    category)."""
    if mode not in MODES:
        raise WarmlabError(f"the warmth task has one mode, generate (not {mode!r})")
    if limit is not None and int(limit) < 1:
        raise WarmlabError(f"limit must be at least 1, not {limit}")
    samples = [
        Sample(
            id=p.id,
            input=p.text,
            metadata={"item_id": p.id, "condition": {"category": p.category}},
        )
        for p in prompt_set(None if limit is None else int(limit))
    ]
    return Task(
        dataset=MemoryDataset(samples, name="warmlab-warmth"),
        solver=[*system_solvers(system), generate()],
        scorer=warmth_scorer(scorer),
        config=GenerateConfig(max_tokens=int(max_tokens), temperature=temperature),
        metadata={"mode": mode, "scorer": scorer, "seed": int(seed), "system": system},
    )
