"""Judge-free administration on a loaded local model, without inspect: each item's five answer numbers
scored by log-likelihood after the chat prompt (for measurements now; the @task does the same through the
provider's continuation scoring)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from warmlab.tasks.personality.data import IpipItem
from warmlab.tasks.personality.prompts import CHOICES, item_prompt
from warmlab.tasks.personality.scoring import choice_outcomes


def administer(
    local: Any, items: Sequence[IpipItem], framing: str, system: str | None = None
) -> dict[str, dict[str, float]]:
    """item id -> `choice_outcomes` for one framing; `local` is a `provider.LocalModel`."""
    contexts = []
    for n, item in enumerate(items, 1):
        msgs = [{"role": "system", "content": system}] if system else []
        msgs.append({"role": "user", "content": item_prompt(item, framing, n)})
        contexts.append(local.chat_text(msgs))
    pairs = [(c, x) for c in contexts for x in CHOICES]
    with local.loaded.lock:
        ll = local.loglik_chunked(pairs, 16)
    out = {}
    for k, item in enumerate(items):
        out[item.id] = choice_outcomes(item, [s for s, _ in ll[5 * k : 5 * k + 5]])
    return out
