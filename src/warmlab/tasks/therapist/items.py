"""Team-written client disclosures: who feels what, and whether they ask for advice (most do not)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warmlab.classifiers.feelings import FAMILIES
from warmlab.errors import WarmlabError
from warmlab.teamdata import check_unique, packaged, read_jsonl


@dataclass(frozen=True)
class Disclosure:
    id: str
    emotion: str  # an emotion family (classifiers/data/emotions.json)
    asks_advice: bool
    text: str

    @property
    def valence(self) -> str:
        return FAMILIES[self.emotion]

    @property
    def condition(self) -> dict[str, str]:
        return {
            "emotion": self.emotion,
            "valence": self.valence,
            "asks_advice": "yes" if self.asks_advice else "no",
        }


def load_disclosures(path: Path | str | None = None) -> list[Disclosure]:
    """The shipped disclosures, or a JSONL file with the same fields (id, emotion, asks_advice, text)."""
    src: Any = (
        packaged(__package__ or "warmlab.tasks.therapist", "disclosures.jsonl")
        if path is None
        else Path(path)
    )
    out: list[Disclosure] = []
    ids: list[tuple[int, str]] = []
    label = str(src)
    for label, lineno, r in read_jsonl(src, {"id": str, "emotion": str, "asks_advice": bool, "text": str}):
        if r["emotion"] not in FAMILIES:
            raise WarmlabError(
                f"{label}:{lineno}: unknown emotion {r['emotion']!r} (see classifiers/data/emotions.json)"
            )
        ids.append((lineno, r["id"]))
        out.append(Disclosure(r["id"], r["emotion"], r["asks_advice"], r["text"].strip()))
    check_unique(label, ids)
    return out
