"""Training data for SFT: which conversations, and their token ids with labels on assistant tokens only
(see warmlab.train.sft for why we tokenize ourselves)."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.train.conversations import STYLES, Conversation, load_source


def _failed_rewrite(conv: Conversation) -> bool:
    """A `warmlab rewrite` record that failed its checks: a rejection record, or turns that no longer pass
    against the originals it carries (`warmlab rewrite` keeps only passing ones; this guards hand edits)."""
    from warmlab.train.checker import check_rewrite

    m = conv.meta
    if "rejected" in m or m.get("reasons"):
        return True
    original = m.get("original")
    if isinstance(original, list):
        turns = conv.assistant_turns
        if len(original) != len(turns) or not all(isinstance(o, str) and o.strip() for o in original):
            return True
        return not all(check_rewrite(o, r).ok for o, r in zip(original, turns, strict=True))
    return False


def select_conversations(
    source: str, style: str, limit: int | None = None, seed: int = 0
) -> tuple[list[Conversation], int]:
    """The `split == "train"` conversations of `source` in `style`, and how many failed rewrites were dropped.

    Conversations with `warm`/`cold` rewrites (the starter set) are restyled, each turn re-checked with the
    rewrite checker; conversations written by `warmlab rewrite` (meta `style`) are already styled.
    """
    from warmlab.train.checker import check_rewrite

    if style not in STYLES:
        raise WarmlabError(f"style must be warm or cold, not {style!r}")
    convs = [c for c in load_source(source) if c.split == "train"]
    if not convs:
        raise WarmlabError(f'no conversations with split "train" in {source}')
    out: list[Conversation] = []
    dropped = 0
    for c in convs:
        have = c.meta.get("style")
        if have is not None:
            if have != style:
                raise WarmlabError(f"{source} holds {have} rewrites (conversation {c.id}), not {style}")
            if _failed_rewrite(c):
                dropped += 1
                continue
            out.append(c)
        elif style in c.rewrites:
            pairs = zip(c.assistant_turns, c.rewrites[style], strict=True)
            if not all(check_rewrite(o, r).ok for o, r in pairs):
                dropped += 1
                continue
            out.append(c.styled(style))
        else:
            raise WarmlabError(
                f"no {style} rewrites in {source} (conversation {c.id}); run warmlab rewrite first"
            )
    if not out:
        raise WarmlabError(f"no {style} conversation in {source} passed the rewrite checks")
    if limit is not None and limit < len(out):
        keep = sorted(random.Random(seed).sample(range(len(out)), limit))
        out = [out[i] for i in keep]
    return out, dropped


def data_hash(convs: Sequence[Conversation]) -> str:
    h = hashlib.sha256()
    for c in convs:
        h.update(json.dumps([c.id, list(c.messages)], sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()


def _render(tok: Any, messages: Sequence[dict[str, str]], generation_prompt: bool) -> str:
    return str(
        tok.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=generation_prompt)
    )


def assistant_spans(tok: Any, messages: Sequence[dict[str, str]]) -> list[tuple[str, list[tuple[int, int]]]]:
    """Texts to train on and, for each, the character spans of assistant turns (content + end of turn).

    One text per conversation when the template is prefix-preserving, else one per assistant turn.
    """
    full = _render(tok, messages, False)
    spans: list[tuple[int, int]] = []
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        before = _render(tok, messages[:i], True)
        upto = _render(tok, messages[: i + 1], False)
        if not (full.startswith(upto) and upto.startswith(before)):
            return _per_turn(tok, messages)
        spans.append((len(before), len(upto)))
    return [(full, spans)]


def _per_turn(tok: Any, messages: Sequence[dict[str, str]]) -> list[tuple[str, list[tuple[int, int]]]]:
    out = []
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        before = _render(tok, messages[:i], True)
        text = _render(tok, messages[: i + 1], False)
        start = next((k for k, (x, y) in enumerate(zip(before, text, strict=False)) if x != y), len(before))
        out.append((text, [(start, len(text))]))
    return out


def encode(tok: Any, text: str, spans: Sequence[tuple[int, int]]) -> dict[str, list[int]]:
    """`input_ids` and `labels` (-100 on every token that does not start inside an assistant span)."""
    if not getattr(tok, "is_fast", False):
        raise WarmlabError("training needs a fast (Rust) tokenizer: character offsets locate assistant turns")
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(enc["input_ids"])
    labels = [
        t if any(a <= start < b for a, b in spans) else -100
        for t, (start, _end) in zip(ids, enc["offset_mapping"], strict=True)
    ]
    return {"input_ids": ids, "labels": labels}


def build_examples(
    tok: Any, convs: Sequence[Conversation], max_length: int
) -> tuple[list[dict[str, list[int]]], int]:
    """Tokenized examples, truncated to `max_length`; examples left with no assistant token are dropped."""
    examples, dropped = [], 0
    for c in convs:
        for text, spans in assistant_spans(tok, c.messages):
            ex = encode(tok, text, spans)
            ex = {k: v[:max_length] for k, v in ex.items()}
            if all(label == -100 for label in ex["labels"]):
                dropped += 1
                continue
            examples.append(ex)
    if not examples:
        raise WarmlabError(f"no training example has an assistant token within --max-length {max_length}")
    return examples, dropped
