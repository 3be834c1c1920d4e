"""Team-written triples: the same request framed negatively, neutrally and positively, with the feelings
each framing expresses (labelled by the team; the neutral framing expresses none)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warmlab.classifiers.feelings import FAMILIES
from warmlab.errors import WarmlabError
from warmlab.teamdata import check_unique, packaged, read_jsonl

FRAMINGS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Triple:
    id: str
    topic: str
    negative: str
    neutral: str
    positive: str
    negative_emotions: tuple[str, ...]
    positive_emotions: tuple[str, ...]

    def text(self, framing: str) -> str:
        return str(getattr(self, framing))

    def expressed(self, framing: str) -> tuple[str, ...]:
        return {"negative": self.negative_emotions, "positive": self.positive_emotions}.get(framing, ())


@dataclass(frozen=True)
class Framed:
    """One prompt of the battery: a triple in one framing."""

    item_id: str
    framing: str
    text: str
    expressed: tuple[str, ...]

    @property
    def sample_id(self) -> str:
        return f"{self.item_id}|{self.framing}"

    @property
    def condition(self) -> dict[str, str]:
        return {"framing": self.framing}


_FIELDS = {
    "id": str,
    "topic": str,
    "negative": str,
    "neutral": str,
    "positive": str,
    "negative_emotions": list,
    "positive_emotions": list,
}


def load_triples(path: Path | str | None = None) -> list[Triple]:
    src: Any = (
        packaged(__package__ or "warmlab.tasks.rebound", "triples.jsonl") if path is None else Path(path)
    )
    out: list[Triple] = []
    ids: list[tuple[int, str]] = []
    label = str(src)
    for label, lineno, r in read_jsonl(src, _FIELDS):
        for key in ("negative_emotions", "positive_emotions"):
            bad = [e for e in r[key] if e not in FAMILIES]
            if bad:
                raise WarmlabError(f"{label}:{lineno}: {key}: unknown emotion {bad[0]!r}")
        ids.append((lineno, r["id"]))
        out.append(
            Triple(
                r["id"],
                r["topic"],
                r["negative"].strip(),
                r["neutral"].strip(),
                r["positive"].strip(),
                tuple(r["negative_emotions"]),
                tuple(r["positive_emotions"]),
            )
        )
    check_unique(label, ids)
    return out


def framed(triples: list[Triple] | None = None) -> list[Framed]:
    """Every triple in every framing (3 prompts per triple)."""
    return [Framed(t.id, f, t.text(f), t.expressed(f)) for t in (triples or load_triples()) for f in FRAMINGS]
