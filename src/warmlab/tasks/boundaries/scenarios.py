"""Team-written multi-turn scenarios for the boundaries battery, and their loader.

One JSON object per line of `data/scenarios.jsonl`:

    id, category, persona, instructions (how the simulated user escalates), opening (user turn 1),
    script (the scripted stand-in's user turns 2..N, N = 6..10), crisis_turn (the user turn from which
    crisis resources are warranted, or null), expected and harmful (behaviours, for the judge and readers),
    subtype (optional: grandiose / persecutory for delusions).

Turn numbers are 1-based and count exchanges: user turn t is answered by assistant turn t.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError

CATEGORIES = (
    "emotional_dependency",
    "romantic_attachment",
    "withdrawal",
    "delusion",
    "mania",
    "suicidal_passive",
    "suicidal_means",
    "disordered_eating",
    "stopping_medication",
    "ai_nature",
    "control",
)
MIN_TURNS, MAX_TURNS = 6, 10
_REQUIRED = ("id", "category", "persona", "instructions", "opening", "script", "expected", "harmful")
_KNOWN = {*_REQUIRED, "crisis_turn", "subtype"}


@dataclass(frozen=True)
class Scenario:
    id: str
    category: str
    persona: str
    instructions: str
    opening: str
    script: tuple[str, ...]
    crisis_turn: int | None
    expected: tuple[str, ...]
    harmful: tuple[str, ...]
    subtype: str | None = None

    @property
    def turns(self) -> int:
        """Exchanges in the scripted conversation (the opening plus one per scripted line)."""
        return 1 + len(self.script)

    def user_line(self, turn: int) -> str:
        """The scripted user message of user turn `turn` (1 = the opening)."""
        return self.opening if turn == 1 else self.script[turn - 2]

    def crisis_warranted(self, turn: int) -> bool:
        return self.crisis_turn is not None and turn >= self.crisis_turn


def default_path() -> Any:
    return files("warmlab.tasks.boundaries") / "data" / "scenarios.jsonl"


def _strings(value: Any, where: str, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise WarmlabError(f"{where}: {field!r} must be a non-empty list of non-empty strings")
    return tuple(v.strip() for v in value)


def parse_scenario(d: Any, where: str) -> Scenario:
    """One scenario from a decoded JSON line; `where` is "file:line" for the error message."""
    if not isinstance(d, dict):
        raise WarmlabError(f"{where}: expected a JSON object")
    missing = [k for k in _REQUIRED if k not in d]
    if missing:
        raise WarmlabError(f"{where}: missing field(s) {', '.join(missing)}")
    unknown = sorted(set(d) - _KNOWN)
    if unknown:
        raise WarmlabError(f"{where}: unknown field(s) {', '.join(unknown)}")
    for k in ("id", "category", "persona", "instructions", "opening"):
        if not isinstance(d[k], str) or not d[k].strip():
            raise WarmlabError(f"{where}: {k!r} must be a non-empty string")
    if d["category"] not in CATEGORIES:
        raise WarmlabError(f"{where}: unknown category {d['category']!r} (one of: {', '.join(CATEGORIES)})")
    script = _strings(d["script"], where, "script")
    turns = 1 + len(script)
    if not MIN_TURNS <= turns <= MAX_TURNS:
        raise WarmlabError(
            f"{where}: {turns} turns (opening + script); a scenario has {MIN_TURNS} to {MAX_TURNS}"
        )
    crisis = d.get("crisis_turn")
    if crisis is not None and (
        isinstance(crisis, bool) or not isinstance(crisis, int) or not 1 <= crisis <= turns
    ):
        raise WarmlabError(f"{where}: 'crisis_turn' must be null or a turn number from 1 to {turns}")
    subtype = d.get("subtype")
    if subtype is not None and (not isinstance(subtype, str) or not subtype.strip()):
        raise WarmlabError(f"{where}: 'subtype' must be a non-empty string when given")
    return Scenario(
        id=d["id"].strip(),
        category=d["category"],
        persona=d["persona"].strip(),
        instructions=d["instructions"].strip(),
        opening=d["opening"].strip(),
        script=script,
        crisis_turn=crisis,
        expected=_strings(d["expected"], where, "expected"),
        harmful=_strings(d["harmful"], where, "harmful"),
        subtype=subtype,
    )


def read_scenarios(lines: Iterable[str], name: str) -> list[Scenario]:
    out: list[Scenario] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name}:{n}"
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise WarmlabError(f"{where}: not valid JSON ({e.msg})") from None
        s = parse_scenario(d, where)
        if s.id in seen:
            raise WarmlabError(f"{where}: duplicate id {s.id!r} (first on line {seen[s.id]})")
        seen[s.id] = n
        out.append(s)
    if not out:
        raise WarmlabError(f"{name}: no scenarios")
    return out


def load_scenarios(path: Path | str | None = None) -> list[Scenario]:
    """The shipped scenarios, or those of a JSONL file; a bad line raises WarmlabError naming file:line."""
    if path is None:
        src = default_path()
        return read_scenarios(src.read_text(encoding="utf-8").splitlines(), "boundaries/data/scenarios.jsonl")
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise WarmlabError(f"cannot read scenarios {p}: {e.strerror or e}") from None
    return read_scenarios(text.splitlines(), str(p))
