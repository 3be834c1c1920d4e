"""`personality`: the Big Five profile a model gives of itself on the IPIP-NEO-120 (items from a path).

    inspect eval warmlab/personality --model warmlab/embedded -T items=../shared/data/ipip_neo_120 \
        -T mode=choice -T limit=30 -T framings=plain

One sample per item x framing (an instruction wording) x answer order (the scale listed forward or
reversed). choice (judge-free, local models): the log-likelihood of each of the five answer numbers right
after the prompt; outcomes are the expected keyed score and the keyed score of the most likely answer.
generate: the reply is parsed (a number 1-5 or one of the answer phrases; anything else is unparsed).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig, ModelOutput
from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import Generate, Solver, TaskState, generate, solver

from warmlab.errors import WarmlabError
from warmlab.solvers.system import system_solvers
from warmlab.tasks.personality.data import DOMAINS, IpipItem, load_items
from warmlab.tasks.personality.prompts import CHOICES, FRAMINGS, ORDERS, item_prompt
from warmlab.tasks.personality.scoring import choice_outcomes, generate_outcomes

MODES = ("choice", "generate")
DEFAULT_MAX_TOKENS = 16  # a number or an answer phrase; longer replies are read from their start


def _parse_list(value: str | Sequence[str], known: Sequence[str], what: str) -> list[str]:
    names = [str(v).strip() for v in (value.split(",") if isinstance(value, str) else value)]
    if names == ["all"]:
        return list(known)
    bad = [n for n in names if n not in known]
    if bad or not names:
        first = bad[0] if bad else value
        raise WarmlabError(f"unknown {what} {first!r}; choose from: {', '.join(known)}, all")
    return list(dict.fromkeys(names))


def select_items(items: Sequence[IpipItem], limit: int | None) -> list[IpipItem]:
    """With a limit, items taken in turn from each facet (N1, E1, O1, A1, C1, N2, ...): 5 items cover every
    domain, 30 every facet. Inventory order otherwise."""
    if limit is None or limit >= len(items):
        return list(items)
    by_facet: dict[tuple[int, int], list[IpipItem]] = {}
    order = list(DOMAINS)
    for it in items:
        by_facet.setdefault((it.facet, order.index(it.domain)), []).append(it)
    facets = [by_facet[k] for k in sorted(by_facet)]
    mixed = [it for it in itertools.chain.from_iterable(itertools.zip_longest(*facets)) if it is not None]
    keep = {it.id for it in mixed[:limit]}
    return [it for it in items if it.id in keep]


def build_samples(items: Sequence[IpipItem], framings: Sequence[str], orders: Sequence[str]) -> list[Sample]:
    out = []
    for number, item in enumerate(items, 1):
        for framing in framings:
            for order in orders:
                out.append(
                    Sample(
                        id=f"{item.id}|{framing}|{order}",
                        input=item_prompt(item, framing, number, order),
                        metadata={
                            "item_id": item.id,
                            "condition": {
                                "domain": item.domain,
                                "facet": item.facet_code,
                                "keyed": item.keyed,
                                "framing": framing,
                                "order": order,
                            },
                            "item": {
                                "id": item.id,
                                "text": item.text,
                                "keyed": item.keyed,
                                "domain": item.domain,
                                "facet": item.facet,
                            },
                        },
                    )
                )
    return out


@task
def personality(
    items: str | None = None,
    framings: str | list[str] = "all",
    orders: str | list[str] = "all",
    limit: int | None = None,
    seed: int = 0,
    mode: str = "choice",
    max_tokens: int = DEFAULT_MAX_TOKENS,
    temperature: float | None = None,
    system: str | None = None,
) -> Task:
    """Args: items: the IPIP-NEO-120 questions.json or its folder (e.g. ../shared/data/ipip_neo_120);
    framings: plain, honest, survey, friend or 'all'; orders: forward, reversed or 'all'; limit: number
    of items (taken in turn from each facet); mode: choice|generate."""
    if mode not in MODES:
        raise WarmlabError(f"unknown mode {mode!r}; choose from: {', '.join(MODES)}")
    if not items:
        raise WarmlabError(
            "the personality task needs items=PATH: the IPIP-NEO-120 questions.json or its folder "
            "(e.g. -T items=../shared/data/ipip_neo_120)"
        )
    if limit is not None and int(limit) < 1:
        raise WarmlabError(f"limit must be at least 1, not {limit}")
    chosen = select_items(load_items(items), None if limit is None else int(limit))
    samples = build_samples(
        chosen, _parse_list(framings, list(FRAMINGS), "framing"), _parse_list(orders, ORDERS, "order")
    )
    answer = answer_likelihoods() if mode == "choice" else generate()
    return Task(
        dataset=MemoryDataset(samples, name="warmlab-personality"),
        solver=[*system_solvers(system), answer],
        scorer=personality_scorer(),
        config=GenerateConfig(max_tokens=int(max_tokens), temperature=temperature),
        metadata={"mode": mode, "items": str(items), "seed": int(seed), "system": system},
    )


@solver
def answer_likelihoods() -> Solver:
    """The log-likelihood of each answer number as the first thing the model says (one token each)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        from warmlab.provider import LocalModel, to_chat
        from warmlab.solvers.choice import local_model

        local = local_model()
        assert isinstance(local, LocalModel)
        context = local.chat_text(to_chat(state.messages))
        scored = await asyncio.gather(*(local.loglik(context, c) for c in CHOICES))
        logliks = [lp for lp, _ in scored]
        state.metadata["logliks"] = logliks
        best = max(range(len(CHOICES)), key=lambda i: logliks[i])
        state.output = ModelOutput.from_content(model="choice", content=CHOICES[best])
        return state

    return solve


def _item(state: TaskState) -> IpipItem:
    d = state.metadata["item"]
    return IpipItem(str(d["id"]), str(d["text"]), str(d["keyed"]), str(d["domain"]), int(d["facet"]))


@scorer(metrics=[mean()])
def personality_scorer() -> Scorer:
    """Value: the keyed score (0 when unparsed); the outcomes carry the rest (see scoring.py)."""

    async def score(state: TaskState, target: Target) -> Score:
        item, order = _item(state), str(state.metadata["condition"]["order"])
        out: dict[str, Any]
        if "logliks" in state.metadata:
            out = dict(choice_outcomes(item, state.metadata["logliks"], order))
            out["score"] = out.pop("expected")
            out = {k: round(float(v), 6) for k, v in out.items()}
            name = "choice"
            why = f"expected keyed score {out['score']:.3f}, most likely answer {out['raw_argmax']:g}"
        else:
            out = generate_outcomes(item, state.output.completion if state.output else "", order)
            name = "parse"
            why = "unparsed" if out["unparsed"] else f"answer {out['answer']:g} ({order} order)"
        return Score(
            value=float(out["score"] if out["score"] is not None else 0.0),
            explanation=why,
            metadata={"outcomes": out, "scorer": name},
        )

    return score
