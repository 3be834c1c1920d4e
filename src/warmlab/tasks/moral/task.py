"""`moral`: moral-foundation language per 1,000 words beside sentiment, on argument prompts.

    warmlab eval --task moral --model embedded --limit 4 -T baselines=../shared/data
    warmlab eval --task moral --model embedded -T lexicon=~/mfd2.0.dic --judge openai/gpt-4o-mini

One greedy reply per prompt; the offline scorer counts the lexicon's terms (the team's, or an outside
lexicon read from `lexicon`) and VADER's sentiment; with a `grader` role bound the judge names the
foundations the argument appeals to and its sentiment, beside it. `baselines`: where to read human text
for the comparison (computed once per run and put on every row as its `reference`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import generate

from warmlab.classifiers.moral import load_lexicon, validate
from warmlab.errors import WarmlabError
from warmlab.solvers.system import system_solvers
from warmlab.tasks.moral.items import STANCES, load_prompts
from warmlab.tasks.moral.scorers import moral_scorer

MODES = ("generate",)
DEFAULT_MAX_TOKENS = 256


def parse_stances(value: str | list[str]) -> list[str]:
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    if names in ([], ["all"]):
        return list(STANCES)
    bad = [n for n in names if n not in STANCES]
    if bad:
        raise WarmlabError(f"unknown stance {bad[0]!r}; choose from: {', '.join(STANCES)} or all")
    return names


def build_samples(stances: list[str], limit: int | None = None) -> list[Sample]:
    """The prompts of the first `limit` topics (file order), each in the chosen stances; the item is the
    topic, so its two sides are resampled together."""
    prompts = load_prompts()
    topics = list(dict.fromkeys(p.topic for p in prompts))[: None if limit is None else int(limit)]
    return [
        Sample(id=p.id, input=p.text, metadata={"item_id": p.topic, "condition": {"stance": p.stance}})
        for p in prompts
        if p.topic in topics and p.stance in stances
    ]


@lru_cache(maxsize=8)
def reference(lexicon: str | None, baselines: str | None) -> dict[str, Any]:
    """What every row of the run carries: the lexicon's validation on the team's test sentences and, when a
    path was given, the human baselines scored with the same lexicon. A path that does not exist (a shipped
    config run where ../shared/data is absent) is noted, not an error: the report says the baseline was not
    computed and why; a path that exists but holds no human text is an error."""
    from warmlab.classifiers.moral_check import labelled_sentences
    from warmlab.tasks.moral.baselines import human_profiles

    lex = load_lexicon(lexicon)
    check = validate(lex, labelled_sentences("test"))
    out: dict[str, Any] = {
        "lexicon": lex.name,
        "lexicon_check": {k: v for k, v in check.items() if k in ("macro_f1", "n")},
        "human": None,
    }
    if baselines and not Path(baselines).expanduser().exists():
        out["human_missing"] = f"{baselines} not found"
    elif baselines:
        out["human"] = human_profiles(baselines, lex)
    return out


@task
def moral(
    lexicon: str | None = None,
    baselines: str | None = None,
    stances: str | list[str] = "all",
    limit: int | None = None,
    seed: int = 0,
    mode: str = "generate",
    max_tokens: int = DEFAULT_MAX_TOKENS,
    temperature: float | None = None,
    system: str | None = None,
) -> Task:
    """Args: lexicon: an outside lexicon (.dic or eMFD-style .csv; default the team's); baselines: human
    text to compare with (the shared data folder, an OpenAssistant sample folder or a JSONL of texts);
    stances: for, against or 'all'; limit: number of topics (each argued in every chosen stance)."""
    if mode not in MODES:
        raise WarmlabError(f"the moral task has one mode, generate (not {mode!r})")
    if limit is not None and int(limit) < 1:
        raise WarmlabError(f"limit must be at least 1, not {limit}")
    samples = build_samples(parse_stances(stances), limit)
    ref = reference(lexicon or None, str(baselines) if baselines else None)  # bad paths fail here
    return Task(
        dataset=MemoryDataset(samples, name="warmlab-moral"),
        solver=[*system_solvers(system), generate()],
        scorer=moral_scorer(lexicon or None, ref),
        config=GenerateConfig(max_tokens=int(max_tokens), temperature=temperature),
        metadata={"mode": mode, "seed": int(seed), "system": system, "lexicon": ref["lexicon"]},
    )
