"""Training checkpoints as models to evaluate: epoch 0 (the base), each epoch checkpoint, the final model."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from warmlab.errors import WarmlabError
from warmlab.models import weights_digest

CHECKPOINT_MANIFEST = "checkpoints.json"


@dataclass(frozen=True)
class Target:
    """One model to evaluate: its spec, a label, the epoch when it is a training checkpoint, and the run
    (training folder) it belongs to."""

    spec: str
    variant: str
    epoch: float | None = None
    run: str = ""


def checkpoint_targets(folder: str | Path, base: str | None = None) -> list[Target]:
    """Epoch 0 (the base) and every checkpoint in DIR/checkpoints.json, in epoch order.

    A checkpoint is a PEFT adapter (scored as BASE+ADAPTER) or, after full fine-tuning, a model folder.
    The base is --base, else the one recorded in DIR/warmlab_train.json or the adapter's config. The model
    at DIR's root is added as "final" unless its weights equal a listed checkpoint's (the trainer copies
    the epoch-2 checkpoint there).
    """
    d = Path(folder).expanduser()
    if not d.is_dir():
        raise WarmlabError(f"checkpoints folder {str(folder)!r} does not exist")
    manifest = d / CHECKPOINT_MANIFEST
    if not manifest.is_file():
        raise WarmlabError(f"{d} has no {CHECKPOINT_MANIFEST} (written by `warmlab train sft`)")
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))
        points = [(float(e["epoch"]), int(e.get("step", 0)), str(e["path"])) for e in entries]
    except (json.JSONDecodeError, TypeError, KeyError, ValueError, AttributeError) as e:
        raise WarmlabError(
            f"{manifest}: expected a list of {{epoch, step, path}} objects ({type(e).__name__}: {e})"
        ) from e
    if not points:
        raise WarmlabError(f"{manifest} lists no checkpoints")
    for _, _, p in points:
        if _kind(d / p) is None:
            raise WarmlabError(f"{manifest}: checkpoint {p!r} has no adapter_config.json or config.json")
    base = base or _recorded_base(d, d / points[0][2])
    targets = [Target(base, "epoch 0 (base)", 0.0, d.name)]
    digests = set()
    for epoch, step, p in sorted(points):
        path = (d / p).resolve()
        digests.add(weights_digest(path))
        spec = f"{base}+{path}" if _kind(path) == "adapter" else str(path)
        targets.append(Target(spec, f"{Path(p).name} (step {step})", epoch, d.name))
    root = _kind(d)
    if root is not None and weights_digest(d.resolve()) not in digests:
        spec = f"{base}+{d.resolve()}" if root == "adapter" else str(d.resolve())
        targets.append(Target(spec, "final", None, d.name))
    return targets


def _kind(folder: Path) -> str | None:
    if (folder / "adapter_config.json").is_file():
        return "adapter"
    if (folder / "config.json").is_file():
        return "model"
    return None


def _recorded_base(d: Path, first: Path) -> str:
    from warmlab.embedded import embedded_dir
    from warmlab.models import adapter_base

    recorded: str | None = None
    meta = d / "warmlab_train.json"
    if meta.is_file():
        try:
            recorded = json.loads(meta.read_text(encoding="utf-8")).get("base")
        except (json.JSONDecodeError, AttributeError):
            recorded = None
    if not recorded and _kind(first) == "adapter":
        recorded = adapter_base(str(first))
    if not recorded:
        raise WarmlabError(f"{d}: no base model recorded: pass --base SPEC")
    if recorded == "embedded":
        return recorded
    if Path(recorded).expanduser().resolve() == embedded_dir().resolve():
        return "embedded"
    if Path(recorded).expanduser().is_dir():
        return str(Path(recorded).expanduser().resolve())
    raise WarmlabError(f"{d} was trained on {recorded!r}, which is not here: pass --base SPEC")
