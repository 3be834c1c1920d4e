"""Team-written argument prompts: a debatable topic, a side to argue, in varied wordings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.teamdata import check_unique, packaged, read_jsonl

STANCES = ("for", "against")


@dataclass(frozen=True)
class ArgumentPrompt:
    id: str
    topic: str
    stance: str
    text: str

    @property
    def condition(self) -> dict[str, str]:
        return {"topic": self.topic, "stance": self.stance}


def load_prompts(path: Path | str | None = None) -> list[ArgumentPrompt]:
    src: Any = packaged(__package__ or "warmlab.tasks.moral", "prompts.jsonl") if path is None else Path(path)
    out: list[ArgumentPrompt] = []
    ids: list[tuple[int, str]] = []
    label = str(src)
    for label, lineno, r in read_jsonl(src, {"id": str, "topic": str, "stance": str, "text": str}):
        if r["stance"] not in STANCES:
            raise WarmlabError(f"{label}:{lineno}: stance must be 'for' or 'against', not {r['stance']!r}")
        ids.append((lineno, r["id"]))
        out.append(ArgumentPrompt(r["id"], r["topic"], r["stance"], r["text"].strip()))
    check_unique(label, ids)
    return out
