"""Persona directions (arXiv:2507.21509, arXiv:2601.10387): extract a trait direction from a local model,
monitor variants' shift along it, screen training data by it, and steer or cap along it at inference
(`SPEC@cap=warmth:95`, `SPEC@steer=warmth:-4`; see warmlab.models)."""

from warmlab.directions.store import (
    TRAITS,
    Direction,
    load_direction,
    resolve_direction,
    save_direction,
    saved_path,
)

__all__ = ["TRAITS", "Direction", "load_direction", "resolve_direction", "save_direction", "saved_path"]
