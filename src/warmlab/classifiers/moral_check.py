"""The team's labelled sentences for validating moral lexicons (`data/moral_sentences.jsonl`): written
before the lexicon, split into a dev half (the lexicon was tuned on it) and a test half (measured once)."""

from __future__ import annotations

from functools import lru_cache

from warmlab.classifiers.moral import FOUNDATIONS
from warmlab.errors import WarmlabError
from warmlab.teamdata import check_unique, packaged, read_jsonl


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    out = []
    ids: list[tuple[int, str]] = []
    label = ""
    for label, lineno, r in read_jsonl(
        packaged("warmlab.classifiers", "moral_sentences.jsonl"), {"id": str, "split": str, "text": str}
    ):
        found = r.get("foundations")
        if not isinstance(found, list) or any(f not in FOUNDATIONS for f in found):
            raise WarmlabError(
                f"{label}:{lineno}: foundations must be a list drawn from {', '.join(FOUNDATIONS)}"
            )
        if r["split"] not in ("dev", "test"):
            raise WarmlabError(f"{label}:{lineno}: split must be dev or test")
        ids.append((lineno, r["id"]))
        out.append((r["split"], r["text"], tuple(found)))
    check_unique(label, ids)
    return tuple(out)


def labelled_sentences(split: str | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """(text, foundations) pairs of one split ("dev" or "test"), or of both."""
    return [(t, f) for s, t, f in _load() if split in (None, s)]
