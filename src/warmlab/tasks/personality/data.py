"""IPIP-NEO-120 items, read from a path (the items are public domain; warmlab ships none of them).

Expected format: the `questions.json` of `@bigfive-org/questions` (a JSON array of objects with `id`, `text`,
`keyed` plus/minus, `domain` N/E/O/A/C, `facet` 1-6), or a folder holding it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from warmlab.errors import WarmlabError

DOMAINS = {
    "N": "Neuroticism",
    "E": "Extraversion",
    "O": "Openness",
    "A": "Agreeableness",
    "C": "Conscientiousness",
}
# Facet labels of Johnson's IPIP-NEO-120 (domain letter + facet number).
FACETS = {
    "N": ("Anxiety", "Anger", "Depression", "Self-consciousness", "Immoderation", "Vulnerability"),
    "E": (
        "Friendliness",
        "Gregariousness",
        "Assertiveness",
        "Activity level",
        "Excitement-seeking",
        "Cheerfulness",
    ),
    "O": ("Imagination", "Artistic interests", "Emotionality", "Adventurousness", "Intellect", "Liberalism"),
    "A": ("Trust", "Morality", "Altruism", "Cooperation", "Modesty", "Sympathy"),
    "C": (
        "Self-efficacy",
        "Orderliness",
        "Dutifulness",
        "Achievement-striving",
        "Self-discipline",
        "Cautiousness",
    ),
}
KEYS = ("plus", "minus")


@dataclass(frozen=True)
class IpipItem:
    id: str
    text: str  # "Worry about things" (the inventory's first-person fragment, subject left out)
    keyed: str  # plus | minus
    domain: str  # N E O A C
    facet: int  # 1-6

    @property
    def facet_code(self) -> str:
        return f"{self.domain}{self.facet}"


def facet_name(code: str) -> str:
    return FACETS[code[0]][int(code[1:]) - 1]


def load_items(path: str | Path) -> list[IpipItem]:
    """The items of a questions.json (or a folder holding one); bad input is a one-line WarmlabError."""
    p = Path(path).expanduser()
    if p.is_dir():
        p = p / "questions.json"
    if not p.is_file():
        raise WarmlabError(f"IPIP item file not found: {p}")
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise WarmlabError(f"{p}:{e.lineno}: invalid JSON ({e.msg})") from None
    if not isinstance(raw, list) or not raw:
        raise WarmlabError(f"{p}:1: expected a non-empty JSON array of items")
    items, seen = [], set()
    for n, r in enumerate(raw):
        where = f"{p}: item {n}"
        if not isinstance(r, dict):
            raise WarmlabError(f"{where}: not an object")
        try:
            item = IpipItem(
                str(r["id"]), str(r["text"]).strip(), str(r["keyed"]), str(r["domain"]), int(r["facet"])
            )
        except (KeyError, TypeError, ValueError) as e:
            raise WarmlabError(f"{where}: needs id, text, keyed, domain and an integer facet ({e})") from None
        if item.keyed not in KEYS:
            raise WarmlabError(f"{where}: keyed must be plus or minus, not {item.keyed!r}")
        if item.domain not in DOMAINS or not 1 <= item.facet <= 6:
            raise WarmlabError(f"{where}: domain must be one of N E O A C and facet 1-6")
        if not item.text:
            raise WarmlabError(f"{where}: empty text")
        if item.id in seen:
            raise WarmlabError(f"{where}: id {item.id!r} occurs twice")
        seen.add(item.id)
        items.append(item)
    return items
