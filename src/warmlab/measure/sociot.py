"""SocioT warmth (after Cheng, Yu & Jurafsky 2025): how much more likely a scorer LM finds a text after warm
relational frames ("My friend said to me:") than after cold ones ("The stranger said to me:").

score(text) = mean over warm frames of log p(text | frame) / n_tokens
            - mean over cold frames of log p(text | frame) / n_tokens

The paper-faithful method for a capable scorer LM (e.g. GPT-2 or larger). The embedded 135M model is too
small to be a reliable scorer (it ordered cold < original < warm on 4 of 12 team triples, chance), which is
why the default warmth scorer is the embedding probe.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib.resources import files

from warmlab.errors import WarmlabError

FRAMES_FILE = "sociot_frames.json"
# (context, continuation) pairs -> (sum of log-probabilities, continuation tokens)
Loglik = Callable[[list[tuple[str, str]]], list[tuple[float, int]]]


@lru_cache(maxsize=1)
def default_frames() -> tuple[tuple[str, ...], tuple[str, ...]]:
    data = json.loads((files("warmlab") / "measure" / FRAMES_FILE).read_text(encoding="utf-8"))
    return tuple(data["warm"]), tuple(data["cold"])


def sociot_scores(
    texts: Sequence[str],
    loglik: Loglik,
    warm_frames: Sequence[str] | None = None,
    cold_frames: Sequence[str] | None = None,
    texts_per_batch: int = 4,
) -> list[float]:
    """Mean per-token log-probability ratio, warm frames minus cold frames, for each text."""
    warm, cold = default_frames()
    warm = tuple(warm_frames) if warm_frames is not None else warm
    cold = tuple(cold_frames) if cold_frames is not None else cold
    if not warm or not cold:
        raise WarmlabError("SocioT needs at least one warm and one cold frame")
    frames = [*warm, *cold]
    out: list[float] = []
    for start in range(0, len(texts), texts_per_batch):
        chunk = texts[start : start + texts_per_batch]
        # Boundary as the tokenizer would see running text: frame without trailing space, " " + text.
        pairs = [(f.rstrip(), " " + t.strip()) for t in chunk for f in frames]
        res = loglik(pairs)
        for i in range(len(chunk)):
            per_token = [s / max(n, 1) for s, n in res[i * len(frames) : (i + 1) * len(frames)]]
            w, c = per_token[: len(warm)], per_token[len(warm) :]
            out.append(sum(w) / len(w) - sum(c) / len(c))
    return out


def local_loglik(spec_text: str) -> Loglik:
    """Continuation scoring with a local causal LM named by a warmlab model spec."""
    from warmlab.models import parse_spec
    from warmlab.provider import LocalModel, load_local

    spec = parse_spec(spec_text)
    if not spec.is_local or spec.base is None:
        raise WarmlabError(
            f"the SocioT scorer must be a local causal LM (embedded, a folder, a hub id, BASE+ADAPTER), "
            f"not {spec_text!r}"
        )
    if spec.system:
        raise WarmlabError(
            f"the SocioT scorer {spec_text!r} takes no @system= prompt (frames are its context)"
        )
    local = LocalModel(load_local(spec.base, spec.adapter))

    def run(pairs: list[tuple[str, str]]) -> list[tuple[float, int]]:
        with local.loaded.lock:
            return local.loglik_batch(pairs)

    return run
