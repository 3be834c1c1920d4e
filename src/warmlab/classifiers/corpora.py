"""Readers for the upstream corpora the talk classifiers and human baselines use, read from a path
(../shared/data or the user's copy), never copied: BOLT (BSD-3), AnnoMI (public domain), GoEmotions
(Apache-2.0), the OpenAssistant sample (Apache-2.0). Bad rows raise `WarmlabError` naming file and line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError

# BOLT's labels (fine-tuning files, then the prompt file's intents) -> warmlab's behaviour names.
BOLT_LABELS = {
    "Reflections on Needs": "needs",
    "Reflections on Emotions": "emotions",
    "Reflections on Values": "values",
    "Reflections on Consequences": "consequences",
    "Reflections on Conflicts": "conflicts",
    "Reflections on Strengths": "strengths",
    "Questions on Experiences": "questions",
    "Questions on Emotions": "questions",
    "Questions on Perspectives": "questions",
    "Problem-Solving": "problem_solving",
    "Planning": "planning",
    "Normalizing": "normalizing",
    "Psychoeducation": "psychoeducation",
    "Makes Needs Explicit": "needs",
    "Makes Emotions Explicit": "emotions",
    "Makes Values Explicit": "values",
    "Makes Consequences Explicit": "consequences",
    "Makes Conflict Explicit": "conflicts",
    "Makes Strengths/Resources Explicit": "strengths",
    "Evokes Concrete Elaboration": "questions",
    "Evokes Perspective Elaboration": "questions",
    "Emotions Check-in": "questions",
    "Teaching/Psychoeducation": "psychoeducation",
}


def _file(root: Path | str, *parts: str) -> Path:
    p = Path(root).expanduser().joinpath(*parts)
    if not p.is_file():
        raise WarmlabError(f"{p} does not exist (expected the upstream file there)")
    return p


def _csv_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise WarmlabError(f"{path}: missing column(s) {', '.join(missing)}")
            for row in reader:
                if any(row.get(c) is None for c in required):
                    raise WarmlabError(f"{path}:{reader.line_num}: short row")
                yield reader.line_num, row
    except csv.Error as e:
        raise WarmlabError(f"{path}: not valid CSV ({e})") from None
    except UnicodeDecodeError as e:
        raise WarmlabError(f"{path}: not UTF-8 text (byte {e.start})") from None


# ------------------------------------------------------------------------------------------- BOLT


@dataclass(frozen=True)
class BoltUtterance:
    text: str
    behaviours: tuple[str, ...]
    source: str  # "finetune" (transcribed sessions) or "examples" (the prompt file's positive examples)


def read_bolt(root: Path | str) -> list[BoltUtterance]:
    """BOLT's labelled therapist utterances, one entry per distinct utterance with all its behaviours,
    plus the positive examples of each behaviour from `prompts/therapist_prompts.csv`."""
    labels: dict[str, list[str]] = {}
    for split in ("train", "valid"):
        path = _file(root, "dataset_finetune", f"finetune_therapist_combined_{split}.csv")
        for line, row in _csv_rows(path, ("prompt", "completion")):
            name = row["completion"].strip()
            if name not in BOLT_LABELS:
                raise WarmlabError(f"{path}:{line}: unknown behaviour {name!r}")
            text = " ".join(row["prompt"].split())
            if text:
                labels.setdefault(text, [])
                if BOLT_LABELS[name] not in labels[text]:
                    labels[text].append(BOLT_LABELS[name])
    out = [BoltUtterance(t, tuple(b), "finetune") for t, b in labels.items()]
    path = _file(root, "prompts", "therapist_prompts.csv")
    for line, row in _csv_rows(path, ("intent",)):
        name = row["intent"].strip()
        if name not in BOLT_LABELS:
            raise WarmlabError(f"{path}:{line}: unknown intent {name!r}")
        for k in (1, 2, 3):
            text = " ".join((row.get(f"positive example {k}") or "").split())
            if text:
                out.append(BoltUtterance(text, (BOLT_LABELS[name],), "examples"))
    return out


# ----------------------------------------------------------------------------------------- AnnoMI


@dataclass(frozen=True)
class AnnoMITurn:
    transcript: str
    quality: str  # "high" | "low"
    topic: str
    speaker: str  # "therapist" | "client"
    text: str
    behaviour: str  # therapist: reflection | question | therapist_input | other; client: "n/a"


def read_annomi(root: Path | str) -> list[AnnoMITurn]:
    path = _file(root, "AnnoMI-simple.csv")
    cols = (
        "transcript_id",
        "mi_quality",
        "topic",
        "interlocutor",
        "utterance_text",
        "main_therapist_behaviour",
    )
    out = []
    for line, row in _csv_rows(path, cols):
        quality = row["mi_quality"].strip()
        if quality not in ("high", "low"):
            raise WarmlabError(f"{path}:{line}: mi_quality must be high or low, not {quality!r}")
        out.append(
            AnnoMITurn(
                row["transcript_id"].strip(),
                quality,
                row["topic"].strip(),
                row["interlocutor"].strip(),
                row["utterance_text"].strip(),
                row["main_therapist_behaviour"].strip(),
            )
        )
    return out


# ------------------------------------------------------------------------------------- GoEmotions


def read_goemotions(root: Path | str, split: str, kind: str = "group") -> list[tuple[str, tuple[str, ...]]]:
    """(text, label names) per comment; `kind` "group" (ambiguous/negative/neutral/positive) or "original"."""
    names = [
        n.strip()
        for n in _file(root, kind, "labels.txt").read_text(encoding="utf-8").splitlines()
        if n.strip()
    ]
    path = _file(root, kind, f"{split}.tsv")
    out = []
    for line, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = raw.split("\t")
        if len(parts) < 2:
            raise WarmlabError(f"{path}:{line}: expected text<TAB>labels<TAB>id")
        try:
            ids = [int(x) for x in parts[1].split(",")]
            out.append((parts[0], tuple(names[i] for i in ids)))
        except (ValueError, IndexError):
            raise WarmlabError(f"{path}:{line}: bad label ids {parts[1]!r}") from None
    return out


# ---------------------------------------------------------------------------------- OpenAssistant


@dataclass(frozen=True)
class OasstReply:
    tree: str
    prompt: str  # the prompter message this reply answers
    reply: str
    depth: int  # 1 = a reply to the conversation's first message
    synthetic: bool


def read_oasst(root: Path | str) -> list[OasstReply]:
    """Every assistant reply in the 100-tree sample with the prompter message it answers."""
    path = _file(root, "en_100_tree.jsonl")
    out: list[OasstReply] = []
    for line, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            tree = json.loads(raw)
            root_msg = tree["prompt"]
            tree_id = str(tree["message_tree_id"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise WarmlabError(f"{path}:{line}: not an OpenAssistant message tree") from None
        _walk(root_msg, 0, None, tree_id, out)
    return out


def _walk(
    msg: dict[str, Any], depth: int, parent: dict[str, Any] | None, tree: str, out: list[OasstReply]
) -> None:
    if msg.get("role") == "assistant" and parent is not None and not msg.get("deleted"):
        out.append(
            OasstReply(tree, parent.get("text", ""), msg.get("text", ""), depth, bool(msg.get("synthetic")))
        )
    for r in msg.get("replies") or []:
        _walk(r, depth + 1, msg, tree, out)
