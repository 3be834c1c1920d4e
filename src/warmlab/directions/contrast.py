"""Contrastive prompt sets for extracting a trait direction (team data only).

warmth
  system     the first user turn of a training conversation, answered by the model itself under the warm
             and under the cold system prompt (the replies are generated, then read without the system
             prompt, so the direction is about the reply, not about reading an instruction)
  rewrites   the same conversation's first exchange with the team's warm vs cold rewrite of the reply
sycophancy
  agree      a user asserting a wrong answer or a false claim (the team's starter items), answered by an
             agreeing vs a correcting reply (team-written templates in data/sycophancy_templates.jsonl)

Only `split == "train"` conversations are used: the held-out ones are the monitor's (and the warmth
measure's) prompt set. A contrast's `group` keeps all of one conversation or item on one side of the
held-out split.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from importlib.resources import files
from typing import Any

from warmlab.errors import WarmlabError

SOURCES = {"warmth": ("system", "rewrites"), "sycophancy": ("agree",)}
DEFAULT_SOURCES = {"warmth": "system+rewrites", "sycophancy": "agree"}


@dataclass(frozen=True)
class Contrast:
    """One positive/negative pair. `pos`/`neg` None: the model writes that reply under `pos_system`/
    `neg_system` (see `fill_replies`)."""

    id: str
    group: str
    source: str
    prompt: tuple[dict[str, str], ...]  # the conversation before the reply (no system turn)
    pos: str | None
    neg: str | None
    pos_system: str | None = None
    neg_system: str | None = None


def parse_sources(trait: str, text: str | None) -> tuple[str, ...]:
    if trait not in SOURCES:
        from warmlab.directions.store import TRAITS

        raise WarmlabError(f"unknown trait {trait!r}; known: {', '.join(TRAITS)}")
    parts = tuple(dict.fromkeys((text or DEFAULT_SOURCES[trait]).split("+")))
    bad = [p for p in parts if p not in SOURCES[trait]]
    if bad:
        raise WarmlabError(f"unknown source {bad[0]!r} for {trait}; use {'+'.join(SOURCES[trait])}")
    return parts


def contrast_set(trait: str, sources: str | None = None, limit: int | None = None) -> list[Contrast]:
    """The contrasts of `trait` from `sources` ("system+rewrites"), over `limit` conversations or items
    (taken in turn from each category or family, so a short set still covers every kind)."""
    parts = parse_sources(trait, sources)
    if limit is not None and limit < 2:
        raise WarmlabError("--limit must be at least 2 (the layer is chosen on a held-out part)")
    if trait == "sycophancy":
        return sycophancy_contrasts(limit)
    from warmlab.models import load_system_prompt
    from warmlab.train.conversations import load_starter

    convs = _in_turn([c for c in load_starter() if c.split == "train"], lambda c: c.category, limit)
    warm, cold = load_system_prompt("warm"), load_system_prompt("cold")
    out = []
    for c in convs:
        first = [m for m in c.messages if m["role"] != "system"][:2]
        prompt = (first[0],)
        if "system" in parts:
            out.append(Contrast(f"{c.id}|system", c.id, "system", prompt, None, None, warm, cold))
        if "rewrites" in parts:
            out.append(
                Contrast(
                    f"{c.id}|rewrites", c.id, "rewrites", prompt, c.rewrites["warm"][0], c.rewrites["cold"][0]
                )
            )
    return out


def _in_turn(rows: Sequence[Any], key: Any, limit: int | None) -> list[Any]:
    by: dict[str, list[Any]] = {}
    for r in sorted(rows, key=lambda r: r.id):
        by.setdefault(key(r), []).append(r)
    mixed = [r for r in itertools.chain.from_iterable(itertools.zip_longest(*by.values())) if r is not None]
    return mixed[:limit] if limit is not None else mixed


def load_templates() -> dict[tuple[str, str], list[str]]:
    """(family, kind) -> texts; family qa or claim, kind user, agree or correct."""
    path = files("warmlab.directions") / "data" / "sycophancy_templates.jsonl"
    out: dict[tuple[str, str], list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out.setdefault((r["family"], r["kind"]), []).append(r["text"])
    return out


def _clause(sentence: str) -> str:
    """ "Vaccines cause autism." -> "vaccines cause autism" (an acronym keeps its capitals)."""
    s = sentence.strip().rstrip(".")
    return s[0].lower() + s[1:] if len(s) > 1 and s[1].islower() else s


def sycophancy_contrasts(limit: int | None = None) -> list[Contrast]:
    """A user asserts a wrong answer (trivia, truthful) or a false claim (disinfo); agree vs correct."""
    from warmlab.items.loaders import load_starter

    items = _in_turn(load_starter(["trivia", "truthful", "disinfo"]), lambda i: i.family, limit)
    t = load_templates()
    out = []
    for n, item in enumerate(items):
        fam = "claim" if item.family == "disinfo" else "qa"
        # Each kind cycles through its templates at its own pace, so pairings of wordings vary too.
        pick = {
            k: t[(fam, k)][(n * step) % len(t[(fam, k)])]
            for k, step in (("user", 1), ("agree", 5), ("correct", 7))
        }
        if fam == "claim":
            claim = _clause(item.false_statement or "")
            fields = {
                "claim": claim,
                "Claim": claim[0].upper() + claim[1:] + ".",
                "truth": item.true_statement,
            }
        else:
            fields = {"question": item.question, "wrong": item.incorrect, "right": item.correct[0]}
        user = pick["user"].format(**fields)
        out.append(
            Contrast(
                f"{item.id}|agree",
                item.id,
                "agree",
                ({"role": "user", "content": user},),
                pick["agree"].format(**fields),
                pick["correct"].format(**fields),
            )
        )
    return out


def prompt_set_hash(contrasts: Sequence[Contrast]) -> str:
    """What was asked and written (generated replies excluded): the same set hashes the same anywhere."""
    h = hashlib.sha256()
    for c in contrasts:
        h.update(json.dumps(asdict(c), sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()


def fill_replies(
    local: Any, contrasts: Sequence[Contrast], max_tokens: int, batch_size: int = 32
) -> list[Contrast]:
    """The model's own greedy replies where a contrast asks for them (under its side's system prompt)."""
    jobs: list[tuple[int, str, str]] = []
    for i, c in enumerate(contrasts):
        for side, system in (("pos", c.pos_system), ("neg", c.neg_system)):
            if getattr(c, side) is None:
                msgs = ([{"role": "system", "content": system}] if system else []) + list(c.prompt)
                jobs.append((i, side, local.chat_text(msgs)))
    replies = generate(local, [p for _, _, p in jobs], max_tokens, batch_size)
    out = list(contrasts)
    for (i, side, _), text in zip(jobs, replies, strict=True):
        out[i] = replace(out[i], pos=text) if side == "pos" else replace(out[i], neg=text)
    return out


def generate(local: Any, prompts: Sequence[str], max_tokens: int, batch_size: int = 32) -> list[str]:
    """Greedy replies in batches of similar length (batching is most of the speed on a CPU)."""
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    out = [""] * len(prompts)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        with local.loaded.lock:
            gens = local.generate_batch([prompts[i] for i in idx], max_tokens)
        for i, g in zip(idx, gens, strict=True):
            out[i] = g.text
    return out
