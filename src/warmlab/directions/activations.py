"""Residual-stream states of a local model over (context, response) texts, without generation.

Each item is a chat context rendered with the generation prompt and a response continuing it; the boundary
is split the way the provider splits continuations (`LocalModel.continuation_ids`). Sequences are left-padded
with explicit position ids, so a padded row gives the same states as the row alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from warmlab.directions.hooks import Capture

MAX_RESPONSE_TOKENS = 160  # the mean over a reply's first tokens; long replies only cost time
DEFAULT_BATCH = 16


@dataclass(frozen=True)
class Encoded:
    ids: list[int]
    n_response: int


def encode_items(local: Any, items: Sequence[tuple[str, str]], max_response: int) -> list[Encoded]:
    out = []
    for context, response in items:
        ctx, resp = local.continuation_ids(context, response)
        resp = resp[:max_response]
        if not resp:
            raise ValueError(f"empty response after context {context[-60:]!r}")
        out.append(Encoded(ctx + resp, len(resp)))
    return out


def _batches(
    local: Any, enc: Sequence[Encoded], batch_size: int
) -> Iterator[tuple[list[int], dict[str, Any], Any]]:
    """(item indices, model inputs, response mask) per batch, items of similar length together."""
    import torch

    pad = local.loaded.tokenizer.pad_token_id
    order = sorted(range(len(enc)), key=lambda i: len(enc[i].ids))
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        width = max(len(enc[i].ids) for i in idx)
        ids = torch.full((len(idx), width), pad, dtype=torch.long)
        mask = torch.zeros((len(idx), width), dtype=torch.long)
        resp = torch.zeros((len(idx), width), dtype=torch.float32)
        for row, i in enumerate(idx):
            e = enc[i]
            ids[row, width - len(e.ids) :] = torch.tensor(e.ids)
            mask[row, width - len(e.ids) :] = 1
            resp[row, width - e.n_response :] = 1.0
        dev = local.loaded.device
        inputs = {
            "input_ids": ids.to(dev),
            "attention_mask": mask.to(dev),
            "position_ids": (mask.cumsum(-1) - 1).clamp(min=0).to(dev),
            "use_cache": False,
        }
        yield idx, inputs, resp.to(dev)


def _forward(local: Any, inputs: dict[str, Any]) -> None:
    import torch

    with local.loaded.lock, torch.inference_mode():
        # Only the hooks' captures are needed: skip the vocabulary projection where the model allows it.
        try:
            local.loaded.model(**inputs, logits_to_keep=1)
        except TypeError:
            local.loaded.model(**inputs)


def response_means(
    local: Any,
    items: Sequence[tuple[str, str]],
    layers: Sequence[int],
    batch_size: int = DEFAULT_BATCH,
    max_response: int = MAX_RESPONSE_TOKENS,
) -> np.ndarray:
    """Mean state over each response's tokens at each layer: (items, layers, hidden)."""
    enc = encode_items(local, items, max_response)
    out: np.ndarray | None = None
    holder: dict[str, Any] = {}

    def reduce(h: Any) -> Any:
        m = holder["mask"]
        return ((h * m.unsqueeze(-1)).sum(1) / m.sum(1, keepdim=True)).cpu()

    with Capture(local.loaded.model, layers, reduce) as cap:
        for idx, inputs, mask in _batches(local, enc, batch_size):
            holder["mask"] = mask
            _forward(local, inputs)
            block = np.stack([cap.out[layer].numpy() for layer in layers], axis=1)
            if out is None:
                out = np.zeros((len(enc), len(layers), block.shape[-1]), dtype=np.float64)
            out[idx] = block
    assert out is not None
    return out


@dataclass(frozen=True)
class Projection:
    """Projections of one item on a direction: at the last context token (where the reply starts) and at
    each response token."""

    prompt: float
    response: np.ndarray

    @property
    def response_mean(self) -> float:
        return float(self.response.mean())


def projections(
    local: Any,
    items: Sequence[tuple[str, str]],
    layer: int,
    unit: np.ndarray,
    batch_size: int = DEFAULT_BATCH,
    max_response: int = MAX_RESPONSE_TOKENS,
) -> list[Projection]:
    """Per item, the projection on `unit` at `layer` of the last context token and of every response token."""
    import torch

    enc = encode_items(local, items, max_response)
    u = torch.tensor(unit, dtype=torch.float32)
    out: list[Projection | None] = [None] * len(enc)
    with Capture(local.loaded.model, [layer], lambda h: (h @ u.to(h.device)).cpu()) as cap:
        for idx, inputs, _mask in _batches(local, enc, batch_size):
            _forward(local, inputs)
            proj = cap.out[layer].numpy()
            for row, i in enumerate(idx):
                n = enc[i].n_response
                out[i] = Projection(float(proj[row, -n - 1]), proj[row, -n:].astype(np.float64))
    return [p for p in out if p is not None]
