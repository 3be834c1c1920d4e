"""Forward hooks on a causal LM's decoder layers: capture activations, steer, cap.

Steering adds `alpha * v` (v the raw mean difference, so alpha = -1 moves a state back by one
positive-negative gap); capping clamps the projection on the unit direction at a threshold and leaves the
orthogonal part alone (after the Assistant Axis, arXiv:2601.10387): `h - max(0, h.u - tau) u`. Both act on
every position.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from warmlab.directions.store import Direction, load_direction
from warmlab.errors import WarmlabError


def decoder_layers(model: Any) -> Any:
    """The model's list of decoder blocks (Llama/Qwen/Mistral `model.layers`, GPT-2 `transformer.h`, ...):
    the ModuleList with as many entries as the config has hidden layers."""
    import torch

    n = model_shape(model)[1]
    found = [
        (name.count("."), name, m)
        for name, m in model.named_modules()
        if isinstance(m, torch.nn.ModuleList) and len(m) == n
    ]
    if not found:
        raise WarmlabError(f"cannot find the {n} decoder layers of {type(model).__name__}")
    return min(found, key=lambda t: (t[0], t[1]))[2]


def model_shape(model: Any) -> tuple[int, int]:
    """(hidden size, number of decoder layers) from the model's (text) config."""
    cfg = model.config
    cfg = cfg.get_text_config() if hasattr(cfg, "get_text_config") else cfg
    hidden = getattr(cfg, "hidden_size", None) or getattr(cfg, "n_embd", None)
    layers = getattr(cfg, "num_hidden_layers", None) or getattr(cfg, "n_layer", None)
    if not hidden or not layers:
        raise WarmlabError(f"{type(model).__name__}: the config gives no hidden size or layer count")
    return int(hidden), int(layers)


def _edit_output(output: Any, fn: Callable[[Any], Any]) -> Any:
    """Apply `fn` to the hidden states of a block's output (a tensor, or a tuple that starts with one)."""
    if isinstance(output, tuple):
        return (fn(output[0]), *output[1:])
    return fn(output)


def _hidden(output: Any) -> Any:
    return output[0] if isinstance(output, tuple) else output


def cap_hidden(h: Any, unit: Any, tau: float) -> Any:
    """Clamp the projection of every position of `h` (..., D) on `unit` at `tau`; below it, `h` is kept."""
    u = unit.to(dtype=h.dtype, device=h.device)
    excess = (h @ u - tau).clamp(min=0)
    return h - excess.unsqueeze(-1) * u


def steer_hidden(h: Any, vector: Any, alpha: float) -> Any:
    return h + alpha * vector.to(dtype=h.dtype, device=h.device)


@dataclass(frozen=True)
class Hook:
    """One resolved intervention: kind (cap | steer), the direction, and the percentile or multiple."""

    kind: str
    direction: Direction
    value: float


def resolve_hooks(interventions: Sequence[Any]) -> list[Hook]:
    """`models.Intervention`s -> hooks with their direction files loaded."""
    return [Hook(i.kind, load_direction(i.file), float(i.value)) for i in interventions]


def attach(model: Any, hooks: Sequence[Hook], name: str = "the model") -> list[Any]:
    """Register the hooks on `model`; returns the handles (`detach` removes them). A direction of a model of
    another shape is refused before anything is registered."""
    hidden, n_layers = model_shape(model)
    for h in hooks:
        h.direction.check_model(hidden, n_layers, name)
    layers = decoder_layers(model)
    handles = []
    for h in hooks:
        if h.kind not in ("cap", "steer"):
            raise WarmlabError(f"unknown intervention {h.kind!r}; use cap or steer")
        fn = _editor(h)
        handles.append(
            layers[h.direction.layer].register_forward_hook(lambda _m, _i, out, f=fn: _edit_output(out, f))
        )
    return handles


def _editor(h: Hook) -> Callable[[Any], Any]:
    import torch

    d = h.direction
    if h.kind == "cap":
        unit, tau = torch.tensor(d.unit, dtype=torch.float32), d.threshold(h.value)
        return lambda x: cap_hidden(x, unit, tau)
    vec, alpha = torch.tensor(d.vector, dtype=torch.float32), h.value
    return lambda x: steer_hidden(x, vec, alpha)


def detach(handles: Sequence[Any]) -> None:
    for h in handles:
        h.remove()


@contextlib.contextmanager
def hooked(model: Any, hooks: Sequence[Hook]) -> Iterator[Any]:
    """The model with the hooks on for the duration of the block, and none left behind (also on error)."""
    handles = attach(model, hooks)
    try:
        yield model
    finally:
        detach(handles)


class Capture:
    """Records a reduction of chosen layers' outputs on each forward pass (registered after any steering or
    capping hooks, so it sees the edited states). `reduce(hidden) -> tensor` runs inside the hook, so whole
    sequences of every layer are never kept."""

    def __init__(self, model: Any, layers: Sequence[int], reduce: Callable[[Any], Any]) -> None:
        self.model, self.layer_ids, self.reduce = model, list(layers), reduce
        self.out: dict[int, Any] = {}
        self._handles: list[Any] = []

    def __enter__(self) -> Capture:
        blocks = decoder_layers(self.model)
        for i in self.layer_ids:
            self._handles.append(blocks[i].register_forward_hook(self._make(i)))
        return self

    def _make(self, i: int) -> Callable[..., None]:
        def hook(_m: Any, _inp: Any, output: Any) -> None:
            self.out[i] = self.reduce(_hidden(output).float())

        return hook

    def __exit__(self, *exc: object) -> None:
        detach(self._handles)
        self._handles = []
