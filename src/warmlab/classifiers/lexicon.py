"""Word lists that count: terms (words, `stem*` prefixes, multi-word phrases) grouped in categories.

Shared by the emotion families and the moral-foundation lexicon. Matching is on lower-cased word tokens
(curly apostrophes folded), longest term first, so "fair share" counts once, not as "fair" + "share".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_TOKEN = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u2013": "-", "\u2014": " "})


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; apostrophes and hyphens inside a word are kept ("don't", "well-being")."""
    return _TOKEN.findall(text.lower().translate(_FOLD))


@dataclass(frozen=True)
class Match:
    category: str
    term: str
    start: int  # token index
    end: int


@dataclass
class Lexicon:
    """Categories of terms. A term ending in `*` matches any token starting with the rest."""

    categories: dict[str, tuple[str, ...]]
    _index: dict[str, list[tuple[str, tuple[str, ...], bool]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for cat, terms in self.categories.items():
            for term in terms:
                parts = tuple(tokens(term.rstrip("*")))
                if not parts:
                    raise ValueError(f"empty term in category {cat!r}")
                if term.endswith("*") and len(parts) == 1 and len(parts[0]) < 3:
                    raise ValueError(f"stem {term!r} in {cat!r}: a stem needs three letters or more")
                self._index.setdefault(parts[0][:3], []).append((cat, parts, term.endswith("*")))
        for entries in self._index.values():
            entries.sort(key=lambda e: -len(e[1]))  # longest phrase first

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Iterable[str]]) -> Lexicon:
        return cls({k: tuple(v) for k, v in mapping.items()})

    def matches(self, toks: list[str]) -> list[Match]:
        """Every category's matches; within one category, matches do not overlap."""
        out: list[Match] = []
        busy: dict[str, int] = {}  # category -> first token index free again
        for i, tok in enumerate(toks):
            for cat, parts, wild in self._index.get(tok[:3], ()):
                if busy.get(cat, 0) > i or not _match_at(toks, i, parts, wild):
                    continue
                out.append(Match(cat, " ".join(parts), i, i + len(parts)))
                busy[cat] = i + len(parts)
        return out

    def counts(self, text: str) -> tuple[dict[str, int], int]:
        """Matches per category and the number of word tokens."""
        toks = tokens(text)
        c = dict.fromkeys(self.categories, 0)
        for m in self.matches(toks):
            c[m.category] += 1
        return c, len(toks)


def _match_at(toks: list[str], i: int, parts: tuple[str, ...], wild: bool) -> bool:
    if i + len(parts) > len(toks):
        return False
    for k, p in enumerate(parts):
        t = toks[i + k]
        last = k == len(parts) - 1
        if not (t == p or (wild and last and t.startswith(p))):
            return False
    return True
