"""Team-written openings that call for grounding: vague or underspecified requests, emotionally loaded
messages, and requests resting on an unstated (often false) assumption."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.teamdata import check_unique, packaged, read_jsonl

KINDS = ("ambiguous", "emotional", "assumption")


@dataclass(frozen=True)
class Opening:
    id: str
    kind: str
    task: bool  # a request for something to be done (vs. sharing news or feelings)
    text: str

    @property
    def condition(self) -> dict[str, str]:
        return {"kind": self.kind, "task": "yes" if self.task else "no"}


def load_openings(path: Path | str | None = None) -> list[Opening]:
    """The shipped openings, or a user's JSONL file with the same fields (id, kind, task, text)."""
    src: Any = (
        packaged(__package__ or "warmlab.tasks.grounding", "openings.jsonl") if path is None else Path(path)
    )
    out: list[Opening] = []
    ids: list[tuple[int, str]] = []
    label = str(src)
    for label, lineno, r in read_jsonl(src, {"id": str, "kind": str, "task": bool, "text": str}):
        if r["kind"] not in KINDS:
            raise WarmlabError(f"{label}:{lineno}: kind must be one of {', '.join(KINDS)}, not {r['kind']!r}")
        ids.append((lineno, r["id"]))
        out.append(Opening(r["id"], r["kind"], r["task"], r["text"].strip()))
    check_unique(label, ids)
    return out
