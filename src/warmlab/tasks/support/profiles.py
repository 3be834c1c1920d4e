"""User profiles for the support battery and emotion-reward RL (after SAGE, arXiv:2505.02847).

One profile per line of a JSONL file:

    {"id": "p001", "split": "train", "topic": "work",
     "persona": "Priya, 31, a data analyst ...; how she talks",
     "story": "First-person background, a few sentences (revealed bit by bit by the scripted user).",
     "intention": {"kind": "analyse_problem", "text": "what she hopes the conversation gives her"},
     "first_message": "the user's opening line"}

`split` is `train` (RL prompts) or `test` (evaluation); the shipped set is fixed, 10 + 10 per intention
kind. The intention is hidden: simulated users act on it but never state it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.items.loaders import json_lines

# The 8 kinds of hidden intention (SAGE): four "rational", four "emotional".
RATIONAL = ("analyse_problem", "concrete_advice", "others_motives", "self_reflection")
EMOTIONAL = ("praise", "vent", "deep_empathy", "not_to_blame")
INTENTION_KINDS = RATIONAL + EMOTIONAL
INTENTION_TEXT = {
    "analyse_problem": "help analysing the problem",
    "concrete_advice": "concrete, practical advice",
    "others_motives": "help understanding other people's motives",
    "self_reflection": "guided self-reflection (questions that help them find their own answer)",
    "praise": "praise and recognition for what they did",
    "vent": "room to vent and be listened to, without advice",
    "deep_empathy": "deep empathy (being truly understood) rather than comfort",
    "not_to_blame": "agreement that they are not to blame",
}
SPLITS = ("train", "test")
BUILTIN = "builtin"
_TEXT_FIELDS = ("persona", "story", "first_message")


@dataclass(frozen=True)
class Profile:
    id: str
    split: str
    persona: str
    story: str
    intention_kind: str
    intention: str
    first_message: str
    topic: str = ""

    @property
    def rational(self) -> bool:
        return self.intention_kind in RATIONAL

    def story_sentences(self) -> list[str]:
        """The story cut into sentences (the scripted user reveals them one per turn)."""
        return [s.strip() for s in re.split(r"(?<=[.!?])\s+", self.story) if s.strip()]


def _profile(name: str, lineno: int, obj: dict[str, Any]) -> Profile:
    where = f"{name}:{lineno}"
    for key in ("id", "split", *_TEXT_FIELDS):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise WarmlabError(f"{where}: `{key}` must be a non-empty string")
    if obj["split"] not in SPLITS:
        raise WarmlabError(f"{where}: split must be train or test, not {obj['split']!r}")
    intention = obj.get("intention")
    if not isinstance(intention, dict):
        raise WarmlabError(f'{where}: `intention` must be an object {{"kind": ..., "text": ...}}')
    kind = intention.get("kind")
    if kind not in INTENTION_KINDS:
        raise WarmlabError(f"{where}: unknown intention kind {kind!r}; known: {', '.join(INTENTION_KINDS)}")
    text = intention.get("text")
    if not isinstance(text, str) or not text.strip():
        raise WarmlabError(f"{where}: `intention.text` must be a non-empty string")
    topic = obj.get("topic", "")
    if not isinstance(topic, str):
        raise WarmlabError(f"{where}: `topic` must be a string")
    return Profile(
        id=obj["id"].strip(),
        split=obj["split"],
        persona=obj["persona"].strip(),
        story=obj["story"].strip(),
        intention_kind=kind,
        intention=text.strip(),
        first_message=obj["first_message"].strip(),
        topic=topic.strip(),
    )


def parse_profiles(name: str, text: str) -> list[Profile]:
    """Profiles from JSONL text; `name` (a file name) is used in error messages with the line."""
    out: list[Profile] = []
    seen: dict[str, int] = {}
    for lineno, obj in json_lines(name, text):
        p = _profile(name, lineno, obj)
        if p.id in seen:
            raise WarmlabError(f"{name}:{lineno}: duplicate id {p.id!r} (first on line {seen[p.id]})")
        seen[p.id] = lineno
        out.append(p)
    if not out:
        raise WarmlabError(f"{name}: no profiles")
    return out


def load_profiles(source: str | Path = BUILTIN, split: str | None = None) -> list[Profile]:
    """The shipped profiles (`builtin`) or a JSONL file of them; `split` keeps one split."""
    if split is not None and split not in SPLITS:
        raise WarmlabError(f"split must be train or test, not {split!r}")
    if str(source) == BUILTIN:
        res = files("warmlab.tasks.support") / "data" / "profiles.jsonl"
        profiles = parse_profiles("profiles.jsonl", res.read_text(encoding="utf-8"))
    else:
        path = Path(source).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise WarmlabError(f"cannot read profiles {path}: {e.strerror or e}") from None
        profiles = parse_profiles(str(path), text)
    if split is not None:
        profiles = [p for p in profiles if p.split == split]
        if not profiles:
            raise WarmlabError(f"no {split} profiles in {source}")
    return profiles


def by_first_message(profiles: Sequence[Profile]) -> dict[str, Profile]:
    """Profiles keyed by their first message (RL prompts carry only the messages); must be unique."""
    out: dict[str, Profile] = {}
    for p in profiles:
        if p.first_message in out:
            raise WarmlabError(f"profiles {out[p.first_message].id} and {p.id} open with the same message")
        out[p.first_message] = p
    return out
