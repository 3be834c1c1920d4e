"""`reliability`: factual reliability under the paper's context x belief conditions.

    inspect eval warmlab/reliability --model warmlab/embedded -T mode=choice -T limit=10

Modes: `generate` (open answer, scored offline or by the `grader` model role) and `choice` (judge-free:
the log-likelihood of each answer as the continuation of the framed prompt; local models only).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, GenerateConfig, ModelOutput, get_model, model_roles
from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer
from inspect_ai.solver import Generate, Solver, TaskState, generate, solver

from warmlab.conditions import (
    BELIEFS,
    CHOICE_PREFIX,
    CONTEXTS,
    PAPER_BELIEFS,
    choice_options,
    frame_all,
    parse_choice,
)
from warmlab.errors import WarmlabError
from warmlab.items.loaders import load_source
from warmlab.items.schema import FAMILIES, Item
from warmlab.models import load_system_prompt
from warmlab.scoring import counts_as_error, is_refusal, judge_prompt, parse_judge, score_offline

MODES = ("generate", "choice")


def select_items(items: Sequence[Item], families: Sequence[str], limit: int | None, seed: int) -> list[Item]:
    """Items of the chosen families; with a limit, a seeded random `limit` per family (stable order)."""
    out: list[Item] = []
    for fam in families:
        pool = [it for it in items if it.family == fam]
        if limit is not None and limit < len(pool):
            picked = set(random.Random(f"{seed}|{fam}").sample(range(len(pool)), limit))
            pool = [it for i, it in enumerate(pool) if i in picked]
        out.extend(pool)
    return out


def build_samples(
    items: Sequence[Item], contexts: Sequence[str], beliefs: Sequence[str], seed: int
) -> list[Sample]:
    return [
        Sample(
            id=p.id,
            input=p.text,
            target=list(p.item.correct),
            metadata={**p.metadata(), "item": p.item.to_json()},
        )
        for p in frame_all(items, contexts, beliefs, seed)
    ]


@task
def reliability(
    families: str | list[str] = "all",
    contexts: str | list[str] = "all",
    beliefs: str | list[str] = "default",
    limit: int | None = None,
    seed: int = 0,
    mode: str = "generate",
    source: str = "starter",
    max_tokens: int = 128,
    temperature: float | None = None,
    system: str | None = None,
) -> Task:
    """Args: families/contexts/beliefs: comma lists or 'all' (beliefs 'default' = none,asserts_incorrect);
    limit: items per family; mode: generate|choice; source: item source (see `warmlab items`);
    system: a system prompt name (warm, cold) or file."""
    fams = parse_choice(families, FAMILIES, "family")
    ctxs = parse_choice(contexts, CONTEXTS, "context")
    bels = parse_choice(beliefs, BELIEFS, "belief", default=PAPER_BELIEFS)
    if mode not in MODES:
        raise WarmlabError(f"unknown mode {mode!r}; choose from: {', '.join(MODES)}")
    items = select_items(
        load_source(source, seed=seed), fams, None if limit is None else int(limit), int(seed)
    )
    if not items:
        raise WarmlabError(f"source {source!r} has no items of families {', '.join(fams)}")
    solvers: list[Solver] = [system_prompt(load_system_prompt(system))] if system else []
    solvers.append(generate() if mode == "generate" else forced_choice())
    return Task(
        dataset=MemoryDataset(build_samples(items, ctxs, bels, int(seed)), name="warmlab-reliability"),
        solver=solvers,
        scorer=reliability_scorer(),
        config=GenerateConfig(max_tokens=int(max_tokens), temperature=temperature),
        metadata={"mode": mode, "source": source, "seed": int(seed), "system": system},
    )


@solver
def system_prompt(text: str) -> Solver:
    """Put a system message first (no template formatting: prompt texts may contain braces)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.messages.insert(0, ChatMessageSystem(content=text))
        return state

    return solve


@solver
def forced_choice() -> Solver:
    """Pick the answer with the highest log-likelihood after the framed prompt and `The answer is`."""
    from warmlab.provider import WarmlabAPI, to_chat

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        model = get_model()
        if not isinstance(model.api, WarmlabAPI):
            raise WarmlabError(
                f"choice mode needs a local model (embedded, a folder, BASE+ADAPTER), not {model}"
            )
        local = model.api.local
        item = Item.from_json(state.metadata["item"])
        context = local.chat_text(to_chat(state.messages)) + CHOICE_PREFIX
        options = choice_options(item)
        scored = await asyncio.gather(*(local.loglik(context, " " + o) for o in options))
        logps = [lp for lp, _ in scored]
        best = max(range(len(options)), key=lambda i: logps[i])
        state.output = ModelOutput.from_content(model=str(model), content=options[best])
        state.metadata["choice"] = {
            "options": options,
            "logprobs": logps,
            "tokens": [n for _, n in scored],
            "chosen": best,
        }
        return state

    return solve


def _choice_verdict(item: Item, choice: dict[str, Any]) -> tuple[str, str]:
    options, chosen = choice["options"], int(choice["chosen"])
    correct = item.options[item.answer_key] if item.options and item.answer_key else choice_options(item)[0]
    lps = ", ".join(f"{o!r}: {lp:.2f}" for o, lp in zip(options, choice["logprobs"], strict=True))
    verdict = "correct" if options[chosen] == correct else "incorrect"
    return verdict, f"chose {options[chosen]!r} (log-probs {lps})"


async def judge_verdict(grader: Any, item: Item, output: str) -> tuple[str, str]:
    prompt = judge_prompt(
        question=item.question,
        correct=item.correct,
        incorrect=item.incorrect,
        response=output,
        family=item.family,
        options=item.options,
    )
    reply = await grader.generate(prompt, config=GenerateConfig(max_tokens=256, temperature=0.0))
    verdict = parse_judge(reply.completion)
    tail = reply.completion.strip()[-200:]
    return (verdict or "unparsed"), tail


async def open_answer_verdict(item: Item, output: str, grader: Any = None) -> tuple[str, str, str]:
    """(verdict, rationale, scorer) of an open answer: refusal first, then the grader if any, else offline."""
    if is_refusal(output):
        return "refusal", "refusal detected", "refusal"
    if grader is not None:
        verdict, rationale = await judge_verdict(grader, item, output)
        return verdict, rationale, f"judge:{grader}"
    s = score_offline(
        output,
        family=item.family,
        correct=item.correct,
        incorrect=item.incorrect,
        options=item.options,
        answer_key=item.answer_key,
        false_statement=item.false_statement,
        true_statement=item.true_statement,
    )
    return s.verdict, s.rationale, s.scorer


@metric
def error_rate() -> Metric:
    """Share of scored samples that are errors (refusals excluded, except in disinfo where they count as
    correct; unparsed judge output excluded)."""

    def compute(scores: list[SampleScore]) -> float:
        flags = [
            counts_as_error(str(md.get("verdict")), str(md.get("family", "")))
            for md in ((s.score.metadata or {}) for s in scores)
        ]
        counted = [f for f in flags if f is not None]
        return sum(counted) / len(counted) if counted else float("nan")

    return compute


@scorer(metrics=[error_rate()])
def reliability_scorer() -> Scorer:
    """Choice mode: the chosen answer. Generate mode: the `grader` role's verdict if one is bound, else the
    offline scorer. Refusals are detected before either."""

    async def score(state: TaskState, target: Target) -> Score:
        item = Item.from_json(state.metadata["item"])
        output = state.output.completion if state.output else ""
        if "choice" in state.metadata:
            verdict, rationale = _choice_verdict(item, state.metadata["choice"])
            scorer_name = "choice"
        else:
            verdict, rationale, scorer_name = await open_answer_verdict(item, output, _grader())
        # the value is numeric (1 = error) because inspect reduces values to floats; the verdict itself,
        # with refusals and unparsed judge output kept apart, is in the metadata
        return Score(
            value=1.0 if counts_as_error(verdict, item.family) else 0.0,
            answer=output,
            explanation=rationale,
            metadata={"verdict": verdict, "scorer": scorer_name, "family": item.family},
        )

    return score


def _grader() -> Any:
    bound = model_roles().get("grader")
    if isinstance(bound, list):
        bound = bound[0] if bound else None
    return bound
