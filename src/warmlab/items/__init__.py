"""Items: the schema, the starter bank and the upstream loaders."""

from warmlab.items.loaders import (
    DISINFO_CORRECT,
    SOURCE_KINDS,
    attach_llm_distractors,
    load_fever,
    load_jsonl,
    load_medqa,
    load_scifact,
    load_source,
    load_starter,
    load_triviaqa,
    load_truthfulqa,
)
from warmlab.items.schema import FAMILIES, Family, Item

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
