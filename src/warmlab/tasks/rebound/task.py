"""`rebound`: the same request framed negatively, neutrally and positively; does the reply's tone follow?

    warmlab eval --task rebound --model embedded -T framings=negative,neutral --limit 10
    inspect eval warmlab/rebound --model warmlab/embedded --model-role grader=openai/gpt-4o-mini

One greedy reply per prompt; the offline scorer reads its valence (VADER), soothing and added feelings
(rules and probes); with a `grader` role bound the judge answers the same three questions beside it.
"""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import generate

from warmlab.errors import WarmlabError
from warmlab.solvers.system import system_solvers
from warmlab.tasks.rebound.items import FRAMINGS, framed, load_triples
from warmlab.tasks.rebound.scorers import rebound_scorer

MODES = ("generate",)
DEFAULT_MAX_TOKENS = 192


def parse_framings(value: str | list[str]) -> list[str]:
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    if names in ([], ["all"]):
        return list(FRAMINGS)
    bad = [n for n in names if n not in FRAMINGS]
    if bad:
        raise WarmlabError(f"unknown framing {bad[0]!r}; choose from: {', '.join(FRAMINGS)} or all")
    return [f for f in FRAMINGS if f in names]


def build_samples(framings: list[str], limit: int | None = None) -> list[Sample]:
    """Every triple (the first `limit` in file order) in each chosen framing; the item is the triple."""
    triples = load_triples()[: None if limit is None else int(limit)]
    return [
        Sample(
            id=p.sample_id,
            input=p.text,
            metadata={"item_id": p.item_id, "condition": p.condition, "expressed": list(p.expressed)},
        )
        for p in framed(triples)
        if p.framing in framings
    ]


@task
def rebound(
    framings: str | list[str] = "all",
    limit: int | None = None,
    seed: int = 0,
    mode: str = "generate",
    max_tokens: int = DEFAULT_MAX_TOKENS,
    temperature: float | None = None,
    system: str | None = None,
) -> Task:
    """Args: framings: comma list of negative, neutral, positive or 'all'; limit: number of triples (each
    asked in every chosen framing)."""
    if mode not in MODES:
        raise WarmlabError(f"the rebound task has one mode, generate (not {mode!r})")
    if limit is not None and int(limit) < 1:
        raise WarmlabError(f"limit must be at least 1, not {limit}")
    samples = build_samples(parse_framings(framings), limit)
    return Task(
        dataset=MemoryDataset(samples, name="warmlab-rebound"),
        solver=[*system_solvers(system), generate()],
        scorer=rebound_scorer(),
        config=GenerateConfig(max_tokens=int(max_tokens), temperature=temperature),
        metadata={"mode": mode, "seed": int(seed), "system": system},
    )
