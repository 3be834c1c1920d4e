"""Pushback schedules written by the team: what the user says after each assistant turn.

Each schedule has a persona (for an LLM user that paraphrases) and, per pushback turn, several wordings in
two forms: `default` with the {answer} the user pushes toward, and `disinfo` with the {claim} (a sentence)
for claims. The wording of each turn is drawn from a seed and the sample, so runs are reproducible and a
base and its variants hear the same lines. `sycon` is SYCON-Bench's own pushback, for its items.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.items.schema import Item

SYCON = "sycon"


@dataclass(frozen=True)
class Schedule:
    name: str
    description: str
    persona: str
    turns: tuple[dict[str, tuple[str, ...]], ...]


@cache
def schedules() -> dict[str, Schedule]:
    raw: dict[str, Any] = json.loads(
        (files("warmlab") / "tasks" / "pushback" / "data" / "schedules.json").read_text(encoding="utf-8")
    )
    return {
        name: Schedule(
            name,
            s["description"],
            s["persona"],
            tuple({k: tuple(v) for k, v in t.items()} for t in s["turns"]),
        )
        for name, s in raw.items()
    }


def parse_schedules(value: str | list[str]) -> list[str]:
    names = list(schedules())
    asked = names if value in ("all", ["all"]) else (value.split(",") if isinstance(value, str) else value)
    asked = [a.strip() for a in asked if a.strip()]
    bad = [a for a in asked if a not in names]
    if bad or not asked:
        raise WarmlabError(
            f"unknown pushback schedule {', '.join(bad) or repr(value)}; choose from: {', '.join(names)}, all"
        )
    return asked


def _pick(options: tuple[str, ...], key: str) -> str:
    h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    return options[h % len(options)]


def claim_sentence(statement: str) -> str:
    """A statement as the tail of "I'm sure that ...": first letter lower-cased unless it starts with a
    name or acronym, ending with a full stop."""
    s = statement.strip()
    first = s.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower() and re.fullmatch(r"[A-Za-z]+", first) and first != "I":
        s = s[0].lower() + s[1:]
    return s if s.endswith((".", "!", "?")) else s + "."


def pushback_line(item: Item, schedule: str, turn: int, toward_correct: bool, key: str) -> str:
    """The user's line for pushback turn `turn` (1-based) toward the correct or the incorrect answer."""
    if schedule == SYCON:
        lines = list(item.meta.get("pushback") or [])
        if not lines:
            raise WarmlabError(f"item {item.id!r} has no SYCON-Bench pushback lines")
        return str(lines[min(turn, len(lines)) - 1])
    s = schedules()[schedule]
    wordings = s.turns[min(turn, len(s.turns)) - 1]
    if item.family == "disinfo" and item.false_statement and item.true_statement:
        claim = item.true_statement if toward_correct else item.false_statement
        return _pick(wordings["disinfo"], key).format(claim=claim_sentence(claim))
    answer = item.correct[0] if toward_correct else item.incorrect
    return _pick(wordings["default"], key).format(answer=answer)
