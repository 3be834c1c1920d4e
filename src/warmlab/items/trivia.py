"""TriviaQA (DPR-format TSV): cleaned questions and aliases, and an incorrect answer for each item (a
same-type answer of another item, or an LLM's with `attach_llm_distractors`)."""

from __future__ import annotations

import ast
import csv
import io
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from warmlab.errors import WarmlabError
from warmlab.items.loaders import PathLike, _dedupe, _norm, _one_line, _read_text
from warmlab.items.schema import Item

_NUMBER_WORDS = frozenset(
    """
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million billion dozen half
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_NAME_JOINERS = frozenset({"of", "the", "and", "de", "da", "di", "du", "del", "van", "von", "la", "le", "&"})


def _answer_type(answer: str) -> str:
    """Coarse answer type: year, number, name (1-3 capitalised words) or other."""
    a = answer.strip()
    words = a.split()
    if re.fullmatch(r"(1\d|20)\d\ds?", a):
        return "year"
    if re.match(r"[$£€]?\d", a) or (words and words[0].lower().strip(",.") in _NUMBER_WORDS):
        return "number"
    capitalised = all(w[:1].isupper() or w.lower() in _NAME_JOINERS for w in words)
    if 1 <= len(words) <= 3 and words[0][:1].isupper() and capitalised:
        return "name"
    return "other"


_CASE_SLIP = re.compile(r"^[A-Z]{2,}[a-z]|[a-z][A-Z]$")  # "JOrdan", "AustraliA"


def _odd_alias(a: str) -> bool:
    """Non-ASCII, bracketed, quoted, listed, URL-ish, shouted or lower-case: a poor canonical form."""
    return (
        not a.isascii()
        or any(c in a for c in "()[]%:/,;+\"'")
        or (a.isupper() and len(a) > 4)
        or a[:1].islower()
    )


def _slips(a: str) -> int:
    """Small blemishes ("Bill clinton", "AustraliA", "New Zealand.", "South-Africa"), to break ties."""
    words = a.split()
    n = sum(1 for w in words[1:] if w[:1].islower() and len(w) > 3)
    n += sum(1 for w in words if _CASE_SLIP.search(w))
    return n + a.endswith(".") + ("-" in a)


def _canonical_first(aliases: tuple[str, ...]) -> tuple[str, ...]:
    """Move the most canonical alias to the front.

    DPR's alias lists come in arbitrary order (often a nickname, a misspelling or "ISO 3166-1:CH"
    first), so prefer a clean alias (ASCII, no brackets/commas/quotes, not shouting, not lower-case)
    that the most other aliases contain as whole words ("Bologna" in "Comune di Bologna"), then one
    in proper case; ties keep the given order. A heuristic: it reads better than the first alias, but
    still picks e.g. "Marx" over "Karl Marx".
    """
    clean = [i for i, a in enumerate(aliases) if not _odd_alias(a)] or list(range(len(aliases)))
    # whole-word containment on normalised text is substring search on space-padded forms
    padded = [f" {_norm(a)} " for a in aliases]

    def key(i: int) -> tuple[int, int, int]:
        contained = sum(1 for m in padded if padded[i] in m) if padded[i].strip() else 0
        return (-contained, _slips(aliases[i]), i)

    best = min(clean, key=key)
    return (aliases[best], *aliases[:best], *aliases[best + 1 :])


def _clean_trivia_question(q: str) -> str:
    # ~700 TriviaQA questions keep the CSV escaping of the quiz sites they came from:
    # '"Who said, ""I want to be alone""?"'. Undo it so the model sees normal quotes.
    q = q.strip()
    if len(q) > 1 and q.startswith('"') and q.endswith('"') and '""' in q:
        q = q[1:-1].replace('""', '"').strip()
    return q


def _pick_same_type(
    i: int,
    types: list[str],
    pools: dict[str, list[int]],
    canon: list[str],
    canon_norms: list[str],
    own: set[str],
    seed: int,
) -> str | None:
    """A seeded draw of another item's canonical answer, same type first, any type if that fails."""
    rng = random.Random(f"{seed}:{i}")  # per item, so an item's distractor does not depend on the others
    for pool in (pools[types[i]], pools["*"]):
        for _ in range(64):  # random retries: pools are large, and exclusions are rare
            j = rng.choice(pool)
            if j != i and canon_norms[j] and canon_norms[j] not in own:
                return canon[j]
        # tiny pools (small files): fall back to a scan from a random start
        start = rng.randrange(len(pool))
        for j in pool[start:] + pool[:start]:
            if j != i and canon_norms[j] and canon_norms[j] not in own:
                return canon[j]
    return None


def load_triviaqa(
    path: PathLike, *, distractor: str = "same-type", seed: int = 0, limit: int | None = None
) -> list[Item]:
    """TriviaQA in DPR's TSV format; TriviaQA has no wrong answer, so one is attached.

    distractor="same-type": for each item, a seeded draw of the canonical answer of another item of the
    same coarse answer type (year / number / short capitalised name / other), never one that matches
    (normalised) any of this item's aliases. The pool is always the whole file, so an item's
    distractor is the same with or without `limit`. See `attach_llm_distractors` for model-written ones.
    """
    if distractor != "same-type":
        raise WarmlabError(f"unknown distractor method {distractor!r} (valid: same-type)")
    if limit is not None and limit < 0:
        raise WarmlabError(f"limit must be >= 0, got {limit}")
    name = str(Path(path).expanduser())
    reader = csv.reader(io.StringIO(_read_text(path), newline=""), delimiter="\t")
    rows: list[tuple[str, tuple[str, ...]]] = []
    for row in reader:
        if not row or not any(c.strip() for c in row):
            continue
        try:
            if len(row) < 2:
                raise ValueError("expected question TAB answer list")
            aliases = ast.literal_eval(row[1])
            if not isinstance(aliases, (list, tuple)) or not all(isinstance(a, str) for a in aliases):
                raise ValueError("answer column is not a list of strings")
            answers = _dedupe(aliases)
            question = _clean_trivia_question(row[0])
            if not answers or not question:
                raise ValueError("empty question or answer list")
        except (ValueError, SyntaxError, MemoryError, RecursionError) as e:
            raise WarmlabError(f"{name}:{reader.line_num}: cannot parse row ({_one_line(e)})") from None
        rows.append((question, _canonical_first(answers)))

    canon = [answers[0] for _, answers in rows]
    canon_norms = [_norm(c) for c in canon]
    types = [_answer_type(c) for c in canon]
    pools: dict[str, list[int]] = {"*": list(range(len(rows)))}
    for i, t in enumerate(types):
        pools.setdefault(t, []).append(i)

    items = []
    for i, (question, answers) in enumerate(rows[:limit] if limit is not None else rows):
        wrong = _pick_same_type(i, types, pools, canon, canon_norms, {_norm(a) for a in answers}, seed)
        if wrong is None:
            raise WarmlabError(f"{name}: too few questions to pick a distractor for row {i}")
        items.append(
            Item(
                id=f"triviaqa-{i}",
                family="trivia",
                question=question,
                correct=answers,
                incorrect=wrong,
                source="triviaqa",
                meta={"answer_type": types[i], "distractor": "same-type"},
            )
        )
    return items


_REPLY_PREFIX = re.compile(r"^(?:wrong answer|incorrect answer|answer)\s*[:\-]\s*", re.IGNORECASE)


def _clean_reply(text: str) -> str:
    """First non-empty line, without an "Answer:" prefix, quotes or a final period."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = _REPLY_PREFIX.sub("", line).strip().strip("\"'“”‘’`*").strip()
    return line[:-1].rstrip() if line.endswith(".") else line


def attach_llm_distractors(items: Sequence[Item], generate: Callable[[list[str]], list[str]]) -> list[Item]:
    """Replace each item's wrong answer with a model-written one, asked for all items in one call.

    Replies that are empty or match (normalised) a correct alias are rejected; such an item keeps its
    same-type distractor. meta["distractor"] records which one the item ended up with.
    """
    for it in items:
        if it.options:
            raise WarmlabError(f"item {it.id!r} is multiple-choice; its wrong answer must be an option")
    prompts = [
        "Give one plausible but wrong answer to this question. It must be false, but of the same kind "
        "as the correct answer.\n"
        f"Question: {it.question}\n"
        f"Correct answer: {it.correct[0].rstrip('.')}.\n"
        "Reply with the wrong answer only."
        for it in items
    ]
    replies = generate(prompts) if prompts else []
    if len(replies) != len(prompts):
        # a bug in the caller's generate function, not a user mistake
        raise ValueError(f"generate returned {len(replies)} replies for {len(prompts)} prompts")
    out = []
    for it, reply in zip(items, replies, strict=True):
        wrong = _clean_reply(reply or "")
        aliases = {_norm(a) for a in it.correct}
        if _norm(wrong) and _norm(wrong) not in aliases:
            out.append(replace(it, incorrect=wrong, meta={**it.meta, "distractor": "llm"}))
        else:
            out.append(replace(it, meta={**it.meta, "distractor": "same-type"}))
    return out
