"""Conditions of Ibrahim et al. (arXiv:2507.21919): a user context x a user belief around each question.

Contexts: none; emotion (happy, sad, angry); relation (close, admiring, dismissive); stakes (high, low).
Beliefs: none; asserts_incorrect ("I think the answer is X"); denies_correct ("I don't think it's Y").
The paper's 18 conditions are the 9 contexts x {none, asserts_incorrect}. A prompt without a context
opens with a neutral lead-in, and one without a belief closes with a neutral sentence, so that prompt
lengths stay comparable across conditions. Which statement/template a prompt gets is drawn from a seed
and the (item, context, belief) key, so it does not depend on item order or on which subset is run.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.items.schema import Item

CONTEXTS: tuple[str, ...] = (
    "none",
    "happy",
    "sad",
    "angry",
    "close",
    "admiring",
    "dismissive",
    "high",
    "low",
)
BELIEFS: tuple[str, ...] = ("none", "asserts_incorrect", "denies_correct")
PAPER_BELIEFS: tuple[str, ...] = ("none", "asserts_incorrect")
CHOICE_PREFIX = "The answer is"


@cache
def condition_texts() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (files("warmlab") / "conditions_data" / "conditions.json").read_text(encoding="utf-8")
    )
    return data


def context_group(context: str) -> str:
    if context == "none":
        return "none"
    return str(condition_texts()["contexts"][context]["group"])


#: The paper's released condition names (lujainibrahim/warm_ai_2025 sample data, `amendment_type`) ->
#: warmlab context. Groups there are emotion, relation, stake(s).
PAPER_CONTEXTS: dict[str, str] = {
    "happy": "happy",
    "sad": "sad",
    "anger": "angry",
    "angry": "angry",
    "close": "close",
    "hierarchical_up": "admiring",
    "admiring": "admiring",
    "hierarchical_down": "dismissive",
    "dismissive": "dismissive",
    "high": "high",
    "low": "low",
}
_PAPER_GROUPS = {"emotion": "emotion", "relation": "relation", "stake": "stakes", "stakes": "stakes"}
_NO_CONTEXT = frozenset({"", "none", "unmodified", "nan", "neutral", "original"})
#: The paper's belief templates (`prompt_type` / `prompt_template`) -> warmlab belief: "original" and
#: "original_neutral" ask the bare question, "incorrect" asserts the wrong answer ("I think the answer is
#: X"), "correct" denies the right one ("I don't think the answer is Y").
PAPER_TEMPLATES: dict[str, str] = {
    "original": "none",
    "original_neutral": "none",
    "incorrect": "asserts_incorrect",
    "correct": "denies_correct",
}


def context_name(value: str) -> tuple[str, str] | None:
    """A context as warmlab or the paper names it ("sad", "emotion:sad", "relation:close", "stakes:high",
    "relation:hierarchical_up", "unmodified", "none") -> (context, context_group); None when unknown."""
    text = value.strip().lower()
    if text in _NO_CONTEXT:
        return "none", "none"
    group, sep, detail = text.partition(":")
    name = PAPER_CONTEXTS.get(detail.strip() if sep else group.strip())
    if name is None or (sep and _PAPER_GROUPS.get(group.strip()) != context_group(name)):
        return None
    return name, context_group(name)


def belief_name(value: str) -> str | None:
    """A belief as warmlab or the paper's templates name it -> warmlab belief; None when unknown."""
    text = value.strip().lower()
    if text in ("", "nan"):
        return "none"
    if text in BELIEFS:
        return text
    return PAPER_TEMPLATES.get(text)


@dataclass(frozen=True)
class FramedPrompt:
    """One item under one condition: the user message and the metadata every result row carries."""

    id: str
    item: Item
    context: str
    context_group: str
    belief: str
    statement_id: str
    belief_template_id: str
    text: str

    def metadata(self) -> dict[str, Any]:
        return {
            "family": self.item.family,
            "item_id": self.item.id,
            "context": self.context,
            "context_group": self.context_group,
            "belief": self.belief,
            "statement_id": self.statement_id,
            "belief_template_id": self.belief_template_id,
        }


def parse_choice(
    value: str | Sequence[str] | None, allowed: Sequence[str], what: str, default: Sequence[str] | None = None
) -> tuple[str, ...]:
    """Parse 'a,b' / ['a','b'] / 'all' into a checked tuple; unknown names are a user error."""
    if value is None or value == "" or (isinstance(value, str) and value == "default" and default):
        return tuple(default or allowed)
    names = (
        [v.strip() for v in value.split(",")] if isinstance(value, str) else [str(v).strip() for v in value]
    )
    if names == ["all"]:
        return tuple(allowed)
    bad = [n for n in names if n not in allowed]
    if bad:
        raise WarmlabError(f"unknown {what} {bad[0]!r}; choose from: {', '.join(allowed)}")
    return tuple(dict.fromkeys(names))


def _rng(seed: int, *key: str) -> random.Random:
    h = hashlib.sha256("|".join((str(seed), *key)).encode()).digest()
    return random.Random(int.from_bytes(h[:8], "big"))


def _answer(text: str) -> str:
    return text.strip().rstrip(".!?;: ")


def question_block(item: Item) -> str:
    """The question as the user asks it (options listed for multiple choice)."""
    if item.options:
        opts = "\n".join(f"{k}. {v}" for k, v in sorted(item.options.items()))
        return f"{item.question}\n{opts}"
    return item.question


def frame(item: Item, context: str, belief: str, seed: int = 0) -> FramedPrompt:
    """Build the user message for one item under one condition."""
    texts = condition_texts()
    rng = _rng(seed, item.id, context, belief)
    if context == "none":
        i = rng.randrange(len(texts["neutral_leadins"]))
        lead, statement_id = texts["neutral_leadins"][i], f"leadin-{i}"
    else:
        statements = texts["contexts"][context]["statements"]
        i = rng.randrange(len(statements))
        lead, statement_id = statements[i], f"{context}-{i}"
    kind = "disinfo" if item.family == "disinfo" else "default"
    templates = texts["beliefs"][belief][kind]
    j = rng.randrange(len(templates))
    closing = templates[j].format(
        incorrect=_answer(item.incorrect),
        correct=_answer(item.correct[0]),
        false_statement=item.false_statement or "",
        true_statement=item.true_statement or "",
    )
    sep = "\n" if item.options else " "
    text = f"{lead} {question_block(item)}{sep}{closing}"
    return FramedPrompt(
        id=f"{item.id}|{context}|{belief}",
        item=item,
        context=context,
        context_group=context_group(context),
        belief=belief,
        statement_id=statement_id,
        belief_template_id=f"{belief}-{kind}-{j}",
        text=text,
    )


def frame_all(
    items: Iterable[Item], contexts: Sequence[str], beliefs: Sequence[str], seed: int = 0
) -> list[FramedPrompt]:
    """Every item under every context x belief (the within-item design of the paper)."""
    return [frame(it, c, b, seed) for it in items for c in contexts for b in beliefs]


def choice_options(item: Item) -> list[str]:
    """The answers compared in forced choice: all options (medical) or the correct vs the incorrect answer."""
    if item.options:
        return [item.options[k] for k in sorted(item.options)]
    return [_answer(item.correct[0]), _answer(item.incorrect)]
