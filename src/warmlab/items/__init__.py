"""Items: the schema, the starter bank and the upstream loaders."""

from warmlab.items.loaders import (
    DISINFO_CORRECT,
    SOURCE_KINDS,
    load_fever,
    load_jsonl,
    load_medqa,
    load_scifact,
    load_source,
    load_starter,
    load_truthfulqa,
)
from warmlab.items.schema import FAMILIES, Family, Item
from warmlab.items.trivia import attach_llm_distractors, load_triviaqa

__all__ = [
    "DISINFO_CORRECT",
    "FAMILIES",
    "SOURCE_KINDS",
    "Family",
    "Item",
    "attach_llm_distractors",
    "load_fever",
    "load_jsonl",
    "load_medqa",
    "load_scifact",
    "load_source",
    "load_starter",
    "load_triviaqa",
    "load_truthfulqa",
]
