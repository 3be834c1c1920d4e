"""Direction files: one persona direction of one model, with its provenance (`warmlab.direction/1`, JSON).

    {"schema": "warmlab.direction/1", "trait": "warmth", "model": "embedded", "hidden_size": 576,
     "n_layers": 30, "layer": 12, "vector": [...],            # mean(positive) - mean(negative), raw
     "base_percentiles": [...],                                # 101 per-token projections of the base
     "heldout": {...}, "per_layer": [...], "prompt_set_sha256": "...", "created": "...", ...}

Layer l is the output of decoder block l (0-based). Projections are `h . v / |v|`. A trait name in a spec
(`SPEC@cap=warmth:95`) resolves to the file `warmlab directions extract` saved for that base model in the
direction store ($WARMLAB_DIRECTIONS, default CACHE/directions).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from warmlab.errors import WarmlabError

SCHEMA = "warmlab.direction/1"
TRAITS = ("warmth", "sycophancy")
_REQUIRED = ("trait", "model", "hidden_size", "n_layers", "layer", "vector", "base_percentiles")


@dataclass(frozen=True)
class Direction:
    """A loaded direction: `vector` is the raw mean difference at `layer`; `unit` its unit vector."""

    trait: str
    model: str
    hidden_size: int
    n_layers: int
    layer: int
    vector: np.ndarray
    base_percentiles: np.ndarray  # projections of the base at percentiles 0, 1, ..., 100
    path: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def unit(self) -> np.ndarray:
        out: np.ndarray = self.vector / np.linalg.norm(self.vector)
        return out

    @property
    def norm(self) -> float:
        return float(np.linalg.norm(self.vector))

    def threshold(self, percentile: float) -> float:
        """The base's projection at `percentile` (0-100), interpolated between whole percentiles."""
        if not 0 <= percentile <= 100:
            raise WarmlabError(f"cap percentile {percentile:g} is outside 0-100")
        return float(np.interp(percentile, np.arange(101), self.base_percentiles))

    def check_model(self, hidden_size: int, n_layers: int, name: str) -> None:
        """A one-line error when this direction was extracted from a model of another shape."""
        if hidden_size != self.hidden_size or n_layers != self.n_layers:
            raise WarmlabError(
                f"direction file {self.path or self.trait} is for a model with hidden size "
                f"{self.hidden_size} and {self.n_layers} layers ({self.model}); {name} has {hidden_size} "
                f"and {n_layers}"
            )


def model_shape_of(base: str) -> tuple[int, int] | None:
    """(hidden size, decoder layers) of a local model from its config, without loading weights; None when
    its config cannot be read here (a hub id that is not cached): the load-time check still applies."""
    from warmlab.models import resolve_base_path

    try:
        from transformers import AutoConfig

        cfg = AutoConfig.from_pretrained(resolve_base_path(base))
    except (OSError, ValueError):
        return None
    cfg = cfg.get_text_config() if hasattr(cfg, "get_text_config") else cfg
    hidden = getattr(cfg, "hidden_size", None) or getattr(cfg, "n_embd", None)
    layers = getattr(cfg, "num_hidden_layers", None) or getattr(cfg, "n_layer", None)
    return (int(hidden), int(layers)) if hidden and layers else None


def check_fits(direction: Direction, base: str) -> None:
    """A one-line error, before any model loads, when `direction` was extracted from a model of another
    shape than `base`."""
    shape = model_shape_of(base)
    if shape is not None:
        direction.check_model(*shape, base)


def store_dir() -> Path:
    from warmlab.embedded import cache_dir

    env = os.environ.get("WARMLAB_DIRECTIONS")
    return Path(env) if env else cache_dir() / "directions"


def model_key(base: str) -> str:
    """A folder name for a base model: readable, and unique by a hash of the whole name."""
    tail = re.sub(r"[^A-Za-z0-9._-]+", "-", base.rstrip("/").rsplit("/", 1)[-1])[:40] or "model"
    return f"{tail}-{hashlib.sha256(base.encode()).hexdigest()[:8]}" if base != "embedded" else base


def saved_path(base: str, trait: str) -> Path:
    """Where `warmlab directions extract` saves the `trait` direction of `base` by default."""
    return store_dir() / model_key(base) / f"{trait}.json"


def resolve_direction(target: str, base: str) -> str:
    """A direction file: `target` itself when it is a file, else the saved direction of trait `target`."""
    p = Path(target).expanduser()
    if p.is_file():
        load_direction(p)  # a broken file fails when the spec is parsed, not half way through a run
        return str(p.resolve())
    if target.endswith(".json") or "/" in target:
        raise WarmlabError(f"direction file {target!r} does not exist")
    if target not in TRAITS:
        raise WarmlabError(f"unknown trait {target!r}; known: {', '.join(TRAITS)} (or a direction file)")
    saved = saved_path(base, target)
    if not saved.is_file():
        raise WarmlabError(
            f"no saved {target} direction for {base}: run `warmlab directions extract --model {base} "
            f"--trait {target}` first"
        )
    return str(saved)


def load_direction(path: str | Path) -> Direction:
    p = Path(path).expanduser()
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise WarmlabError(f"cannot read direction file {p}: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise WarmlabError(f"{p}:{e.lineno}: not a direction file (invalid JSON: {e.msg})") from None
    if not isinstance(d, dict) or d.get("schema") != SCHEMA:
        raise WarmlabError(f'{p}:1: not a direction file (no "schema": "{SCHEMA}")')
    missing = [k for k in _REQUIRED if k not in d]
    if missing:
        raise WarmlabError(f"{p}:1: direction file lacks {', '.join(missing)}")
    try:
        vector = np.asarray(d["vector"], dtype=np.float64)
        pct = np.asarray(d["base_percentiles"], dtype=np.float64)
        hidden, layers, layer = int(d["hidden_size"]), int(d["n_layers"]), int(d["layer"])
    except (TypeError, ValueError) as e:
        raise WarmlabError(f"{p}:1: direction file has a malformed field ({e})") from None
    if vector.shape != (hidden,) or not np.isfinite(vector).all() or not np.linalg.norm(vector) > 0:
        raise WarmlabError(f"{p}:1: `vector` must hold {hidden} finite numbers, not all zero")
    if pct.shape != (101,) or not np.isfinite(pct).all() or (np.diff(pct) < 0).any():
        raise WarmlabError(f"{p}:1: `base_percentiles` must hold 101 increasing numbers")
    if not 0 <= layer < layers:
        raise WarmlabError(f"{p}:1: layer {layer} is outside the model's {layers} layers")
    meta = {k: v for k, v in d.items() if k not in (*_REQUIRED, "schema", "norm")}
    return Direction(
        str(d["trait"]), str(d["model"]), hidden, layers, layer, vector, pct, str(p.resolve()), meta
    )


def save_direction(direction: Direction, path: str | Path) -> Path:
    """Write atomically (a spec may be reading the old file meanwhile)."""
    p = Path(path).expanduser()
    p.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "schema": SCHEMA,
        "trait": direction.trait,
        "model": direction.model,
        "hidden_size": direction.hidden_size,
        "n_layers": direction.n_layers,
        "layer": direction.layer,
        "norm": round(direction.norm, 6),
        **direction.meta,
        "vector": [round(float(x), 7) for x in direction.vector],
        "base_percentiles": [round(float(x), 6) for x in direction.base_percentiles],
    }
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    tmp.replace(p)
    return p
