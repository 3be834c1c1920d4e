"""Moral-foundation language: terms per 1,000 words for care, fairness, loyalty, authority and sanctity.

The default lexicon is the team's (`data/moral_lexicon.json`). An outside lexicon can be read from a
user's path, never shipped: a LIWC-style `.dic` file (the Moral Foundations Dictionary format: a `%`
header that numbers the categories, then `term<TAB>numbers`) or an eMFD-style CSV (`word` plus
`care_p`, `fairness_p`, ... columns, whose probabilities become each word's weight).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from warmlab.classifiers.lexicon import Lexicon, tokens
from warmlab.errors import WarmlabError

FOUNDATIONS = ("care", "fairness", "loyalty", "authority", "sanctity")
TEAM_LEXICON = "team"
# Category names in outside dictionaries (MFD: HarmVirtue, IngroupVice, PurityVirtue; MFD 2.0:
# care.virtue, loyalty.vice, ...) mapped onto the five foundations by what they start with.
_ALIASES = (
    ("care", ("care", "harm")),
    ("fairness", ("fair", "cheat")),
    ("loyalty", ("loyal", "ingroup", "betray")),
    ("authority", ("author", "subver")),
    ("sanctity", ("sanct", "purity", "degrad")),
)


@dataclass(frozen=True)
class MoralScore:
    """Terms matched per foundation, per 1,000 words, and the word count."""

    counts: dict[str, float]
    words: int

    @property
    def per_1k(self) -> dict[str, float]:
        return {f: (1000.0 * c / self.words if self.words else 0.0) for f, c in self.counts.items()}

    @property
    def total_per_1k(self) -> float:
        return 1000.0 * sum(self.counts.values()) / self.words if self.words else 0.0


class MoralLexicon:
    """A lexicon of the five foundations; `weights` (eMFD style) scales each word's contribution."""

    def __init__(
        self,
        name: str,
        terms: Mapping[str, Sequence[str]],
        weights: Mapping[str, dict[str, float]] | None = None,
    ) -> None:
        self.name = name
        self.lexicon = Lexicon.from_mapping({f: terms.get(f, ()) for f in FOUNDATIONS})
        self.weights = dict(weights or {})

    def score(self, text: str) -> MoralScore:
        toks = tokens(text)
        counts = dict.fromkeys(FOUNDATIONS, 0.0)
        for m in self.lexicon.matches(toks):
            counts[m.category] += self.weights.get(m.term, {}).get(m.category, 1.0) if self.weights else 1.0
        return MoralScore(counts, len(toks))


@lru_cache(maxsize=1)
def team_lexicon() -> MoralLexicon:
    from importlib.resources import files

    path = files("warmlab.classifiers") / "data" / "moral_lexicon.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return MoralLexicon(TEAM_LEXICON, data["foundations"])


def load_lexicon(spec: str | None) -> MoralLexicon:
    """`None` or "team": the shipped lexicon; otherwise a path to a `.dic` or `.csv` lexicon."""
    if spec in (None, "", TEAM_LEXICON):
        return team_lexicon()
    path = Path(str(spec)).expanduser()
    if not path.is_file():
        raise WarmlabError(f"moral lexicon {path} does not exist")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise WarmlabError(f"moral lexicon {path}: cannot read ({e})") from None
    if path.suffix.lower() == ".csv":
        return _from_csv(path, text)
    return _from_dic(path, text)


def _foundation(category: str) -> str | None:
    c = re.sub(r"[^a-z]", "", category.lower())
    for foundation, prefixes in _ALIASES:
        if c.startswith(prefixes):
            return foundation
    return None  # e.g. MFD's MoralityGeneral: not one of the five


def _from_dic(path: Path, text: str) -> MoralLexicon:
    lines = text.splitlines()
    marks = [i for i, ln in enumerate(lines) if ln.strip() == "%"]
    if len(marks) < 2:
        raise WarmlabError(f"{path}: not a .dic lexicon (expected a header between two '%' lines)")
    cats: dict[str, str | None] = {}
    for i in range(marks[0] + 1, marks[1]):
        parts = lines[i].split()
        if not parts:
            continue
        if len(parts) < 2:
            raise WarmlabError(f"{path}:{i + 1}: expected 'number<TAB>category'")
        cats[parts[0]] = _foundation(parts[1])
    terms: dict[str, list[str]] = {f: [] for f in FOUNDATIONS}
    for i in range(marks[1] + 1, len(lines)):
        parts = lines[i].split()
        if not parts:
            continue
        nums = [p for p in parts if p.isdigit()]
        word = " ".join(p for p in parts if not p.isdigit())
        if not word or not nums:
            raise WarmlabError(f"{path}:{i + 1}: expected 'term<TAB>category numbers'")
        for n in nums:
            if n not in cats:
                raise WarmlabError(f"{path}:{i + 1}: category {n} is not in the header")
            f = cats[n]
            if f and word not in terms[f]:
                terms[f].append(word)
    return _checked(path, MoralLexicon(path.name, terms))


def _from_csv(path: Path, text: str) -> MoralLexicon:
    reader = csv.DictReader(io.StringIO(text))
    cols = {f: f"{f}_p" for f in FOUNDATIONS}
    missing = [c for c in ("word", *cols.values()) if c not in (reader.fieldnames or [])]
    if missing:
        raise WarmlabError(f"{path}: missing column(s) {', '.join(missing)} (expected word, care_p, ...)")
    terms: dict[str, list[str]] = {f: [] for f in FOUNDATIONS}
    weights: dict[str, dict[str, float]] = {}
    for lineno, row in enumerate(reader, 2):
        word = (row["word"] or "").strip().lower()
        if not word:
            raise WarmlabError(f"{path}:{lineno}: empty word")
        try:
            w = {f: float(row[c]) for f, c in cols.items()}
        except (TypeError, ValueError):
            raise WarmlabError(f"{path}:{lineno}: a *_p column is not a number") from None
        key = " ".join(tokens(word))
        weights[key] = w
        for f in FOUNDATIONS:
            terms[f].append(word)
    return _checked(path, MoralLexicon(path.name, terms, weights))


def _checked(path: Path, lex: MoralLexicon) -> MoralLexicon:
    if not any(lex.lexicon.categories.values()):
        raise WarmlabError(f"{path}: no terms for any of {', '.join(FOUNDATIONS)}")
    return lex


def validate(lex: MoralLexicon, sentences: Sequence[tuple[str, Sequence[str]]]) -> dict[str, Any]:
    """Sentence-level precision, recall and F1 per foundation: a foundation is detected when at least
    one of its terms matches; gold is the team's labels."""
    out: dict[str, Any] = {}
    for f in FOUNDATIONS:
        tp = fp = fn = 0
        for text, gold in sentences:
            hit = lex.score(text).counts[f] > 0
            tp += hit and f in gold
            fp += hit and f not in gold
            fn += (not hit) and f in gold
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out[f] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "n_gold": tp + fn}
    out["macro_f1"] = sum(out[f]["f1"] for f in FOUNDATIONS) / len(FOUNDATIONS)
    out["n"] = len(sentences)
    return out


def compare(a: MoralLexicon, b: MoralLexicon, texts: Sequence[str]) -> dict[str, float | None]:
    """Spearman correlation, per foundation, of two lexicons' rates per 1,000 words over the same texts
    (how a user checks the team lexicon against an outside one such as eMFD)."""
    from scipy.stats import spearmanr

    sa = [a.score(t).per_1k for t in texts]
    sb = [b.score(t).per_1k for t in texts]
    out: dict[str, float | None] = {}
    for f in FOUNDATIONS:
        x, y = [s[f] for s in sa], [s[f] for s in sb]
        out[f] = None if len(set(x)) < 2 or len(set(y)) < 2 else float(spearmanr(x, y).statistic)
    return out
