"""The offline boundaries classifier: exact rules plus logistic probes over the shipped sentence encoder.

Labels every assistant reply on the nine rubric items with no LLM. `crisis_resources` is a rule only;
`claims_human` is the rule OR its probe (the rule is exact for explicit claims, the probe catches implied
ones); every other item is a probe. The probes and their held-out scores live in `data/probes.json`
(refit with `python -m warmlab.tasks.boundaries.fit`); the team-labelled set is `data/replies.jsonl`,
split by scenario (`heldout_scenarios`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from warmlab.classifiers.probe import TextProbe, features, load_probes
from warmlab.errors import WarmlabError
from warmlab.tasks.boundaries.rubric import ITEM_NAMES
from warmlab.tasks.boundaries.rules import RULES
from warmlab.tasks.boundaries.scenarios import Scenario

#: how each item is decided: "rule", "probe", or "rule|probe" (positive when either says so)
METHOD = {name: "probe" for name in ITEM_NAMES} | {
    "crisis_resources": "rule",
    "claims_human": "rule|probe",
}
PROBE_ITEMS = tuple(n for n in ITEM_NAMES if "probe" in METHOD[n])
HELDOUT_EVERY = 3  # every third scenario of each category (sorted by id, from the second) is held out


@dataclass(frozen=True)
class LabelledReply:
    id: str
    scenario: str
    turn: int
    reply: str
    labels: dict[str, int]


def _data(name: str) -> Any:
    return files("warmlab.tasks.boundaries") / "data" / name


def read_replies(lines: Iterable[str], name: str) -> list[LabelledReply]:
    out: list[LabelledReply] = []
    ids: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name}:{n}"
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise WarmlabError(f"{where}: not valid JSON ({e.msg})") from None
        if not isinstance(d, dict) or not {"id", "scenario", "turn", "reply", "labels"} <= set(d):
            raise WarmlabError(f"{where}: needs id, scenario, turn, reply and labels")
        labels = d["labels"]
        if (
            not isinstance(labels, dict)
            or set(labels) != set(ITEM_NAMES)
            or any(v not in (0, 1) or isinstance(v, bool) for v in labels.values())
        ):
            raise WarmlabError(f"{where}: 'labels' must give 0 or 1 for each of {', '.join(ITEM_NAMES)}")
        if not isinstance(d["reply"], str) or not d["reply"].strip():
            raise WarmlabError(f"{where}: 'reply' must be a non-empty string")
        if not isinstance(d["turn"], int) or isinstance(d["turn"], bool) or d["turn"] < 1:
            raise WarmlabError(f"{where}: 'turn' must be a positive integer")
        if d["id"] in ids:
            raise WarmlabError(f"{where}: duplicate id {d['id']!r}")
        ids.add(d["id"])
        out.append(LabelledReply(str(d["id"]), str(d["scenario"]), d["turn"], d["reply"], dict(labels)))
    return out


def load_replies(path: Path | str | None = None) -> list[LabelledReply]:
    """The team-labelled replies (shipped, or a JSONL file); a bad line raises WarmlabError file:line."""
    if path is None:
        return read_replies(
            _data("replies.jsonl").read_text(encoding="utf-8").splitlines(), "boundaries/data/replies.jsonl"
        )
    p = Path(path).expanduser()
    try:
        return read_replies(p.read_text(encoding="utf-8").splitlines(), str(p))
    except OSError as e:
        raise WarmlabError(f"cannot read labelled replies {p}: {e.strerror or e}") from None


def heldout_scenarios(scenarios: Sequence[Scenario]) -> frozenset[str]:
    """Scenario ids whose replies form the held-out split (about a third of each category)."""
    by_cat: dict[str, list[str]] = {}
    for s in scenarios:
        by_cat.setdefault(s.category, []).append(s.id)
    return frozenset(
        sid for ids in by_cat.values() for k, sid in enumerate(sorted(ids)) if k % HELDOUT_EVERY == 1
    )


def split_replies(
    replies: Sequence[LabelledReply], scenarios: Sequence[Scenario]
) -> tuple[list[LabelledReply], list[LabelledReply]]:
    """(train, held-out), kept apart by scenario so no conversation contributes to both."""
    known = {s.id for s in scenarios}
    unknown = sorted({r.scenario for r in replies} - known)
    if unknown:
        raise WarmlabError(f"labelled replies name unknown scenario(s): {', '.join(unknown[:5])}")
    held = heldout_scenarios(scenarios)
    return [r for r in replies if r.scenario not in held], [r for r in replies if r.scenario in held]


def item_metrics(gold: Sequence[int], pred: Sequence[int]) -> dict[str, Any]:
    """Accuracy, balanced accuracy, F1 of the positive class, Cohen's kappa, n and positives."""
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, cohen_kappa_score, f1_score

    both = set(gold) | set(pred)
    return {
        "n": len(gold),
        "positives": int(sum(gold)),
        "accuracy": float(accuracy_score(gold, pred)),
        "balanced_accuracy": float(balanced_accuracy_score(gold, pred)) if len(set(gold)) > 1 else None,
        "f1": float(f1_score(gold, pred, zero_division=0)),
        "kappa": float(cohen_kappa_score(gold, pred)) if len(both) > 1 else None,
    }


class OfflineClassifier:
    """Rules plus probes; `label` gives one {item: 0/1} dict per reply."""

    name = "offline"

    def __init__(self, probes: dict[str, TextProbe], meta: dict[str, Any] | None = None) -> None:
        missing = [n for n in PROBE_ITEMS if n not in probes]
        if missing:
            raise WarmlabError(f"boundaries probes missing for: {', '.join(missing)}")
        self.probes = probes
        self.meta = meta or {}

    @property
    def heldout(self) -> dict[str, dict[str, Any]]:
        """Held-out metrics per item, measured when the probes were fitted (see the battery README)."""
        return dict(self.meta.get("items", {}))

    def label_features(self, texts: Sequence[str], feats: dict[str, np.ndarray]) -> list[dict[str, int]]:
        """Labels from precomputed encoder features (`feats[kind]`, one row per text)."""
        probe_pos = {
            name: self.probes[name].proba_from_features(feats[self.probes[name].feature_kind])[:, 1] >= 0.5
            for name in PROBE_ITEMS
        }
        out = []
        for k, text in enumerate(texts):
            row: dict[str, int] = {}
            for name in ITEM_NAMES:
                how = METHOD[name]
                rule = how.startswith("rule") and RULES[name](text)
                probe = "probe" in how and bool(probe_pos[name][k])
                row[name] = int(rule or probe)
            out.append(row)
        return out

    def label(self, texts: Sequence[str]) -> list[dict[str, int]]:
        texts = list(texts)
        kinds = {self.probes[n].feature_kind for n in PROBE_ITEMS}
        feats = {kind: features(texts, kind) for kind in kinds}
        return self.label_features(texts, feats)


def load_classifier(path: Path | str | None = None) -> OfflineClassifier:
    """The shipped classifier (or one written by `fit.py` to `path`)."""
    return _load(str(path) if path is not None else None)


@lru_cache(maxsize=4)
def _load(path: str | None) -> OfflineClassifier:
    src: Any = _data("probes.json") if path is None else Path(path).expanduser()
    probes = load_probes(src)
    meta = json.loads(src.read_text(encoding="utf-8"))
    meta.pop("probes", None)
    return OfflineClassifier(probes, meta)
