"""Conversations for rewriting and SFT: the team's starter set, OpenAssistant trees, and users' own JSONL.

User format (one conversation per line; `id` optional, other keys kept in `meta`):

    {"id": "c1", "messages": [{"role": "system", "content": "..."},
                              {"role": "user", "content": "..."},
                              {"role": "assistant", "content": "..."}]}

Roles are `system` (optional, first only), `user` and `assistant`, alternating from the first user turn;
at least one assistant turn; no empty contents. `id` (default: FILE-STEM-LINE) is unique in a file;
`category` and `split` (default `train`; the starter set uses `heldout` too) are strings. Optional
`warm`/`cold` lists hold a rewrite of each assistant turn, in order (the starter set has both);
`warmlab rewrite` writes this format too, with `style` and `original` (the original assistant texts).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.items.loaders import json_lines

STYLES = ("warm", "cold")
STARTER_CATEGORIES = ("factual", "technical", "advice", "creative", "decline", "emotional")
ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Conversation:
    id: str
    messages: tuple[dict[str, str], ...]
    category: str = ""
    split: str = "train"
    rewrites: dict[str, tuple[str, ...]] = field(default_factory=dict)  # style -> one text per assistant turn
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def assistant_turns(self) -> list[str]:
        return [m["content"] for m in self.messages if m["role"] == "assistant"]

    def styled(self, style: str) -> Conversation:
        """This conversation with its assistant turns replaced by the `style` rewrite."""
        texts = self.rewrites.get(style)
        if texts is None:
            raise WarmlabError(f"conversation {self.id} has no {style} rewrite")
        return replace(self, messages=with_assistant_turns(self.messages, texts), rewrites={})

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "messages": [dict(m) for m in self.messages]}
        if self.category:
            out["category"] = self.category
        out["split"] = self.split
        out.update({k: list(v) for k, v in self.rewrites.items()})
        out.update(self.meta)
        return out


def with_assistant_turns(
    messages: Iterable[dict[str, str]], texts: Iterable[str]
) -> tuple[dict[str, str], ...]:
    msgs = [dict(m) for m in messages]
    slots = [i for i, m in enumerate(msgs) if m["role"] == "assistant"]
    new = list(texts)
    if len(new) != len(slots):
        raise WarmlabError(f"{len(new)} rewritten turns for {len(slots)} assistant turns")
    for i, text in zip(slots, new, strict=True):
        msgs[i]["content"] = text
    return tuple(msgs)


def validate_messages(messages: Any, where: str) -> tuple[dict[str, str], ...]:
    """Check roles, order and contents; return the messages as plain role/content dicts."""
    if not isinstance(messages, list) or not messages:
        raise WarmlabError(f"{where}: `messages` must be a non-empty list")
    out: list[dict[str, str]] = []
    for n, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("content"), str):
            raise WarmlabError(f"{where}: message {n} needs a `role` and a string `content`")
        role = m.get("role")
        if role not in ROLES:
            raise WarmlabError(f"{where}: message {n} has role {role!r}; roles are system, user, assistant")
        if role == "system" and n != 0:
            raise WarmlabError(f"{where}: a system message may only come first")
        if not m["content"].strip():
            raise WarmlabError(f"{where}: message {n} ({role}) is empty")
        out.append({"role": str(role), "content": m["content"]})
    turns = [m["role"] for m in out if m["role"] != "system"]
    for n, role in enumerate(turns):
        want = "user" if n % 2 == 0 else "assistant"
        if role != want:
            raise WarmlabError(f"{where}: turns must alternate user/assistant starting with user")
    if "assistant" not in turns:
        raise WarmlabError(f"{where}: no assistant turn")
    return tuple(out)


def _from_record(rec: dict[str, Any], where: str, default_id: str) -> Conversation:
    if "messages" not in rec and isinstance(rec.get("prompt"), dict) and "message_tree_id" in rec:
        raise WarmlabError(f"{where}: this is an OpenAssistant tree file; read it as oasst:PATH")
    messages = validate_messages(rec.get("messages"), where)
    n_assistant = sum(m["role"] == "assistant" for m in messages)
    rewrites: dict[str, tuple[str, ...]] = {}
    for style in STYLES:
        if style not in rec:
            continue
        texts = rec[style]
        if (
            not isinstance(texts, list)
            or len(texts) != n_assistant
            or not all(isinstance(t, str) for t in texts)
        ):
            raise WarmlabError(f"{where}: `{style}` must hold one text per assistant turn ({n_assistant})")
        for k, t in enumerate(texts):
            if not t.strip():
                raise WarmlabError(f"{where}: empty rewrite (`{style}` text {k} is empty)")
        rewrites[style] = tuple(texts)
    raw_id = rec.get("id", default_id)
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or not str(raw_id).strip():
        raise WarmlabError(f"{where}: `id` must be a non-empty string")
    for key in ("category", "split"):
        if key in rec and not isinstance(rec[key], str):
            raise WarmlabError(f"{where}: `{key}` must be a string")
    known = {"id", "messages", "category", "split", *STYLES}
    return Conversation(
        id=str(raw_id),
        messages=messages,
        category=rec.get("category", ""),
        split=rec.get("split", "train"),
        rewrites=rewrites,
        meta={k: v for k, v in rec.items() if k not in known},
    )


def _read(p: Path) -> str:
    try:
        return p.read_text(encoding="utf-8-sig")  # tolerate a BOM (files saved by some editors)
    except (OSError, UnicodeDecodeError) as e:
        raise WarmlabError(f"cannot read {p}: {e}") from None


def load_jsonl(path: str | Path) -> list[Conversation]:
    """Conversations in the documented user format (see module docstring)."""
    p = Path(path)
    if not p.is_file():
        raise WarmlabError(f"conversation file not found: {p}")
    convs = [_from_record(rec, f"{p}:{n}", f"{p.stem}-{n}") for n, rec in json_lines(str(p), _read(p))]
    if not convs:
        raise WarmlabError(f"{p}: no conversations")
    seen: set[str] = set()
    for c in convs:
        if c.id in seen:
            raise WarmlabError(f"{p}: conversation id {c.id!r} occurs more than once")
        seen.add(c.id)
    return convs


def load_starter(categories: Iterable[str] = STARTER_CATEGORIES) -> list[Conversation]:
    """The team-written starter set (330 conversations with warm and cold rewrites)."""
    root = files("warmlab.train") / "data"
    out: list[Conversation] = []
    for cat in dict.fromkeys(categories):  # "factual+factual" must not duplicate ids
        if cat not in STARTER_CATEGORIES:
            raise WarmlabError(f"unknown starter category {cat!r}; known: {', '.join(STARTER_CATEGORIES)}")
        with as_file(root / f"{cat}.jsonl") as p:
            out.extend(load_jsonl(p))
    return out


_OASST_ROLES = {"prompter": "user", "assistant": "assistant"}


def _usable(node: Any, include_synthetic: bool) -> bool:
    return (
        isinstance(node, dict)
        and not node.get("deleted")
        and node.get("review_result", True) is not False
        and (include_synthetic or not node.get("synthetic"))
    )


def _best(replies: list[Any], include_synthetic: bool) -> list[dict[str, Any]]:
    ok = [r for r in replies if _usable(r, include_synthetic)]
    return sorted(ok, key=lambda r: (r.get("rank") is None, r.get("rank") or 0))


def _oasst_paths(
    node: dict[str, Any], path: list[dict[str, Any]], max_turns: int, branches: str, include_synthetic: bool
) -> Iterator[list[dict[str, Any]]]:
    """Root-to-assistant paths. A path ends at an assistant message when the user-turn budget is spent or
    nothing usable follows it (a follow-up question nobody answered does not discard the answer before it)."""
    if node.get("role") not in _OASST_ROLES or not isinstance(node.get("text"), str):
        raise WarmlabError("a message has no `text` or a role other than prompter/assistant")
    path = [*path, node]
    n_user = sum(m["role"] == "prompter" for m in path)
    if node["role"] == "assistant" and n_user >= max_turns:
        yield path
        return
    replies = _best(node.get("replies") or [], include_synthetic)
    found = False
    for r in replies:
        for p in _oasst_paths(r, path, max_turns, branches, include_synthetic):
            found = True
            yield p
        if found and branches == "best":
            return  # the best-ranked reply that leads to an answer
    if not found and node["role"] == "assistant":
        yield path


def load_oasst(
    path: str | Path, *, max_turns: int = 3, branches: str = "best", include_synthetic: bool = False
) -> list[Conversation]:
    """OpenAssistant message trees (`en_100_tree.jsonl`-style export) as linear conversations.

    `branches="best"` follows the best-ranked usable reply at each step (one conversation per tree);
    `"all"` yields every root-to-assistant path. Paths stop after `max_turns` user turns. Deleted,
    review-rejected and (unless `include_synthetic`) model-written messages are skipped, as are trees
    not in English.
    """
    if branches not in ("best", "all"):
        raise WarmlabError("branches must be best or all")
    if max_turns < 1:
        raise WarmlabError("max_turns must be at least 1")
    p = Path(path)
    if not p.is_file():
        raise WarmlabError(f"OpenAssistant file not found: {p}")
    out: list[Conversation] = []
    for n, tree in json_lines(str(p), _read(p)):
        where = f"{p}:{n}"
        root = tree.get("prompt")
        if not isinstance(root, dict) or root.get("role") != "prompter":
            raise WarmlabError(f"{where}: not an OpenAssistant message tree (no prompter `prompt`)")
        if root.get("lang", "en") != "en" or not _usable(root, include_synthetic):
            continue
        tree_id = str(tree.get("message_tree_id", n))
        try:
            paths = list(_oasst_paths(root, [], max_turns, branches, include_synthetic))
        except WarmlabError as e:
            raise WarmlabError(f"{where}: {e}") from None
        for k, msgs in enumerate(paths):
            if any(not m["text"].strip() for m in msgs):
                continue
            messages = tuple({"role": _OASST_ROLES[m["role"]], "content": m["text"]} for m in msgs)
            out.append(
                Conversation(
                    id=f"oasst-{tree_id}-{k}",
                    messages=validate_messages(list(messages), where),
                    category="oasst",
                )
            )
    if not out:
        raise WarmlabError(f"{p}: no usable conversations")
    return out


def load_source(source: str) -> list[Conversation]:
    """`starter`, `starter:CATEGORY[+CATEGORY]`, `oasst:PATH`, `jsonl:PATH` or a FILE.jsonl path."""
    kind, _, arg = source.partition(":")
    if source == "starter":
        return load_starter()
    if kind == "starter":
        return load_starter(arg.split("+"))
    if kind == "oasst" and arg:
        return load_oasst(arg)
    if kind == "jsonl" and arg:
        return load_jsonl(arg)
    if source.endswith(".jsonl") or Path(source).is_file():
        return load_jsonl(source)
    raise WarmlabError(
        f"unknown conversation source {source!r}; use starter, oasst:PATH, jsonl:PATH or FILE.jsonl"
    )


def write_jsonl(convs: Iterable[Conversation], path: str | Path) -> None:
    """Write atomically, so an interrupted write never replaces a good file with half of one."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for c in convs:
            f.write(json.dumps(c.to_json(), ensure_ascii=False) + "\n")
    tmp.replace(p)
