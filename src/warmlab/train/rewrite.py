"""Warm / cold rewrites of assistant turns by an LLM, each checked for lost or added facts.

Pure core: `build_prompt` (one assistant turn, with the conversation before it), `clean_reply` (strips
wrappers a model adds, only where that is unambiguous) and `check_turn` (`checker.check_rewrite`, plus an
empty or cut-off reply). A conversation is kept only when every one of its assistant turns passes.

`rewrite_file` drives any inspect model over a conversation source, appending each finished conversation
to OUT (kept, in the documented user format) or OUT.rejected.jsonl (one line per failing turn, with the
reasons), so a killed run resumes where it stopped and a rejected rewrite never reaches training data.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, TextIO

from warmlab.errors import WarmlabError
from warmlab.train.checker import check_rewrite
from warmlab.train.conversations import STYLES, Conversation, load_source, with_assistant_turns

DEFAULT_MAX_TOKENS = 1024
DEFAULT_BATCH_SIZE = 32
EMPTY = "empty rewrite"
CUT_OFF = "rewrite cut off at the token limit (raise --max-tokens)"
_ROLE_LABELS = {"system": "System", "user": "User", "assistant": "Assistant"}


# --- the pure core -------------------------------------------------------------------------------------


def check_style(style: str) -> str:
    if style not in STYLES:
        raise WarmlabError(f"style must be one of {', '.join(STYLES)}, not {style!r}")
    return style


def instructions(style: str) -> str:
    """The team-written rewrite instructions for a style (prompts/rewrite_STYLE.txt)."""
    check_style(style)
    return (files("warmlab") / "prompts" / f"rewrite_{style}.txt").read_text(encoding="utf-8").strip()


def build_prompt(style: str, before: Sequence[dict[str, str]], original: str) -> list[dict[str, str]]:
    """System + user messages asking for a `style` rewrite of `original`, given the conversation `before` it.

    The context is the original conversation: every turn can then be rewritten at once (batching is most of
    the speed on a CPU), and the context only helps the model read the user's situation.
    """
    history = "\n\n".join(f"{_ROLE_LABELS[m['role']]}: {m['content']}" for m in before)
    user = (
        f"The conversation so far:\n\n<conversation>\n{history}\n</conversation>\n\n"
        f"The assistant's next response, to rewrite in the {style} style:\n\n"
        f"<response>\n{original}\n</response>\n\n"
        f"Write the {style} rewrite of this response now, and nothing else."
    )
    return [{"role": "system", "content": instructions(style)}, {"role": "user", "content": user}]


_PREAMBLE = re.compile(
    r"(?:(?:sure|okay|ok|certainly|of course)[,!.]?\s+)?"
    r"(?:here(?:'s|’s| is)\s+(?:the|a|my|your)\b.{0,60}?(?:rewrit|version|response|revision).*"
    r"|(?:the\s+)?(?:rewritten|revised|warm(?:er)?|cold(?:er)?)\s+(?:\w+\s+)?(?:response|version|rewrite).*)"
    r":\s*",
    re.IGNORECASE,
)
_QUOTES = {'"': '"', "“": "”", "'": "'"}


def _strip_tags(text: str, original: str) -> str:
    if "<response>" in original or "</response>" in original:
        return text  # the tags are part of the content
    if text.startswith("<response>"):
        text = text[len("<response>") :]
    if text.endswith("</response>"):
        text = text[: -len("</response>")]
    return text.strip()


def clean_reply(reply: str, original: str) -> str:
    """The rewrite inside a model's reply: drops our <response> tags, a one-line preamble ("Here is the
    rewritten response:") and quotes around the whole reply, each only when the original has no such thing
    (otherwise it could be content); anything else is left for the checker to judge."""
    text = _strip_tags(reply.strip(), original)
    first, sep, rest = text.partition("\n")
    if sep and rest.strip() and _PREAMBLE.fullmatch(first.strip()):
        orig_first = original.strip().partition("\n")[0]
        if not _PREAMBLE.fullmatch(orig_first.strip()):
            text = _strip_tags(rest.strip(), original)
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        inner = text[1:-1]
        o = original.strip()
        wrapped_original = len(o) >= 2 and _QUOTES.get(o[0]) == o[-1]
        if text[0] not in inner and text[-1] not in inner and not wrapped_original:
            text = inner.strip()
    return text


def check_turn(original: str, rewrite: str, truncated: bool = False) -> tuple[str, ...]:
    """Reasons to reject `rewrite` of `original` (empty when it passes)."""
    if not rewrite.strip():
        return (EMPTY,)
    reasons = [CUT_OFF] if truncated else []
    return (*reasons, *check_rewrite(original, rewrite).reasons)


def reason_kind(reason: str) -> str:
    """A reason without its particulars, for summaries: "number '42' missing ..." -> "number missing ..."."""
    r = re.sub(r"'.*'", "", reason)
    r = re.sub(r"\([^)]*\)", "", r).split(":")[0]
    r = re.sub(r"\b\d+\b", "", r)
    return " ".join(r.split())


@dataclass(frozen=True)
class Reply:
    """A model's answer to one rewrite prompt; `truncated` when it stopped at the token limit."""

    text: str
    truncated: bool = False


#: Sends one prompt (role/content dicts) to a model.
Generate = Callable[[list[dict[str, str]]], Awaitable[Reply]]


@dataclass(frozen=True)
class TurnRewrite:
    turn: int  # index among the assistant turns
    message_index: int  # index in `messages`
    original: str
    rewrite: str
    reasons: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class ConversationRewrite:
    conversation: Conversation
    style: str
    turns: tuple[TurnRewrite, ...]

    @property
    def kept(self) -> bool:
        return all(t.ok for t in self.turns)

    def output_record(self) -> dict[str, Any]:
        """The kept conversation in the user format (valid input for `warmlab train sft --data`)."""
        c = self.conversation
        messages = with_assistant_turns(c.messages, [t.rewrite for t in self.turns])
        rec: dict[str, Any] = {"id": c.id, "messages": [dict(m) for m in messages], "style": self.style}
        rec["original"] = [t.original for t in self.turns]
        if c.category:
            rec["category"] = c.category
        rec["split"] = c.split
        for k, v in c.meta.items():  # the user's own keys travel along (ours win on a clash)
            rec.setdefault(k, v)
        return rec

    def rejected_records(self) -> list[dict[str, Any]]:
        return [
            {
                "id": self.conversation.id,
                "style": self.style,
                "turn": t.turn,
                "message_index": t.message_index,
                "reasons": list(t.reasons),
                "rejected": t.rewrite,
                "original": t.original,
            }
            for t in self.turns
            if not t.ok
        ]


def turn_prompts(conv: Conversation, style: str) -> list[tuple[int, int, list[dict[str, str]]]]:
    """(assistant-turn index, message index, prompt) for each assistant turn of `conv`."""
    out = []
    slots = [i for i, m in enumerate(conv.messages) if m["role"] == "assistant"]
    for k, i in enumerate(slots):
        out.append((k, i, build_prompt(style, conv.messages[:i], conv.messages[i]["content"])))
    return out


async def rewrite_conversation(conv: Conversation, style: str, generate: Generate) -> ConversationRewrite:
    """Rewrite and check every assistant turn of `conv` (the turns are generated concurrently)."""
    prompts = turn_prompts(conv, style)
    replies = await asyncio.gather(*(generate(p) for _, _, p in prompts))
    turns = []
    for (k, i, _), reply in zip(prompts, replies, strict=True):
        original = conv.messages[i]["content"]
        text = clean_reply(reply.text, original)
        turns.append(TurnRewrite(k, i, original, text, check_turn(original, text, reply.truncated)))
    return ConversationRewrite(conv, style, tuple(turns))


# --- files: resumable output ---------------------------------------------------------------------------


def rejected_path(out: Path) -> Path:
    """OUT.rejected.jsonl beside OUT (`rw.jsonl` -> `rw.rejected.jsonl`)."""
    stem = out.name[: -len(".jsonl")] if out.name.endswith(".jsonl") else out.name
    return out.with_name(stem + ".rejected.jsonl")


def read_records(path: Path, style: str) -> list[dict[str, Any]]:
    """The finished records of an output file; a half-written last line (a killed run) is cut off the file.

    A broken line before the last, or records of the other style, are user errors (another file's content).
    """
    if not path.exists():
        return []
    if not path.is_file():
        raise WarmlabError(f"{path} is not a file")
    data = path.read_bytes()
    records: list[dict[str, Any]] = []
    pos = good_end = 0
    chunks = data.split(b"\n")
    for n, raw in enumerate(chunks, 1):
        last = n == len(chunks)
        end = pos + len(raw) + (0 if last else 1)
        if raw.strip():
            try:
                rec = json.loads(raw)
                bad = not isinstance(rec, dict) or "id" not in rec
            except (json.JSONDecodeError, UnicodeDecodeError):
                bad = True
            if bad and last:
                break  # half-written: dropped below and redone
            if bad:
                raise WarmlabError(
                    f"{path}:{n}: not a rewrite record (invalid JSON or no id); use another --out"
                )
            if rec.get("style") != style:
                raise WarmlabError(
                    f"{path} holds {rec.get('style')!r} rewrites, not {style!r}; use another --out"
                )
            records.append(rec)
        pos = good_end = end
    if good_end < len(data) or (data and not data.endswith(b"\n")):
        with path.open("r+b") as f:
            f.truncate(good_end)
            if good_end and not data[:good_end].endswith(b"\n"):
                f.seek(good_end)
                f.write(b"\n")
    return records


def _append(f: TextIO, records: list[dict[str, Any]]) -> None:
    # one write per conversation: a kill leaves at most one half line, which the next run drops
    f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    f.flush()


@dataclass
class RewriteSummary:
    out: Path
    rejected_file: Path
    kept: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # reason kind -> rejected conversations
    done_before: int = 0
    done_now: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        top = ", ".join(f"{k} {n}" for k, n in self.reasons.most_common())
        return f"kept {self.kept} / rejected {self.rejected}" + (f" (reasons: {top})" if top else "")

    def add_rejected(self, records: Sequence[dict[str, Any]]) -> None:
        by_id: dict[str, set[str]] = {}
        for r in records:
            by_id.setdefault(str(r["id"]), set()).update(reason_kind(x) for x in r.get("reasons", []))
        self.rejected += len(by_id)
        for kinds in by_id.values():
            self.reasons.update(kinds)


class Progress:
    """A one-line progress display on stderr, like evaluate.Progress, with kept/rejected counts."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.kept, self.t0 = label, total, 0, 0, time.monotonic()
        self.tty = sys.stderr.isatty()
        self._last = -1.0

    def tick(self, kept: bool) -> None:
        self.done += 1
        self.kept += kept
        now = time.monotonic()
        if self.done == self.total or now - self._last >= (0.5 if self.tty else 15):
            self._last = now
            rate = self.done / max(now - self.t0, 1e-9)
            msg = (
                f"{self.label}: {self.done}/{self.total} conversations "
                f"(kept {self.kept}, rejected {self.done - self.kept}; {rate:.2f}/s)"
            )
            print(
                ("\r" + msg) if self.tty else msg, end="" if self.tty else "\n", file=sys.stderr, flush=True
            )
            if self.tty and self.done == self.total:
                print(file=sys.stderr)


async def rewrite_all(
    convs: Sequence[Conversation],
    style: str,
    generate: Generate,
    out: Path,
    concurrency: int = DEFAULT_BATCH_SIZE,
    on_done: Callable[[ConversationRewrite], None] | None = None,
) -> list[ConversationRewrite]:
    """Rewrite `convs`, appending each to OUT or OUT.rejected.jsonl as soon as it is finished."""
    out.parent.mkdir(parents=True, exist_ok=True)
    sem = asyncio.Semaphore(max(1, concurrency))
    results: list[ConversationRewrite] = []
    with out.open("a", encoding="utf-8") as kept_f, rejected_path(out).open("a", encoding="utf-8") as rej_f:

        async def one(c: Conversation) -> None:
            async with sem:
                try:
                    r = await rewrite_conversation(c, style, generate)
                except WarmlabError:
                    raise
                except Exception as e:  # a model/provider failure: stop; finished work is on disk
                    msg = str(e).strip().splitlines()
                    raise WarmlabError(
                        f"model failed on conversation {c.id}: {msg[-1] if msg else type(e).__name__} "
                        "(finished conversations are kept; re-run to resume)"
                    ) from e
            if r.kept:
                _append(kept_f, [r.output_record()])
            else:
                _append(rej_f, r.rejected_records())
            results.append(r)
            if on_done:
                on_done(r)

        await asyncio.gather(*(one(c) for c in convs))
    return results


# --- driving a model through inspect -------------------------------------------------------------------


def inspect_generator(spec_text: str, max_tokens: int, batch_size: int) -> Generate:
    """A `Generate` over any inspect model (warmlab's local provider batches up to `batch_size`)."""
    from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser, GenerateConfig, get_model

    from warmlab.models import parse_spec

    spec = parse_spec(spec_text)
    if spec.system:
        raise WarmlabError("rewrite gives the model its own instructions; drop @system= from --model")
    model_args: dict[str, Any] = {"batch_size": batch_size} if spec.is_local else {}
    hf = spec.inspect_name.startswith("hf/")
    if hf:  # inspect's hf provider refuses temperature=0; greedy is a model arg there
        model_args["do_sample"] = False
    try:
        # inspect prints a hooks banner to stdout on first use; stdout is for our summary
        with contextlib.redirect_stdout(sys.stderr):
            model = get_model(spec.inspect_name, **model_args)
    except WarmlabError:
        raise
    except Exception as e:
        msg = str(e).strip().splitlines()
        raise WarmlabError(f"cannot use model {spec_text!r}: {msg[-1] if msg else type(e).__name__}") from e
    config = GenerateConfig(max_tokens=max_tokens, temperature=None if hf else 0)

    async def generate(prompt: list[dict[str, str]]) -> Reply:
        msgs: list[ChatMessage] = [
            ChatMessageSystem(content=m["content"])
            if m["role"] == "system"
            else ChatMessageUser(content=m["content"])
            for m in prompt
        ]
        out = await model.generate(msgs, config=config)
        used = out.usage.output_tokens if out.usage else 0
        truncated = out.stop_reason in ("max_tokens", "model_length") or used >= max_tokens
        return Reply(out.completion, truncated)

    return generate


def _same_file(a: Path, b: str) -> bool:
    return bool(b) and Path(b).expanduser().resolve() == a.resolve()


def rewrite_file(
    style: str,
    model: str,
    source: str,
    out: str | Path,
    *,
    limit: int | None = None,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    batch_size: int = DEFAULT_BATCH_SIZE,
    generate: Generate | None = None,
    progress: bool = True,
) -> RewriteSummary:
    """Rewrite every assistant turn of `source` (first `limit` conversations) in `style`; resumable.

    Conversations already in OUT or OUT.rejected.jsonl are skipped. `generate` replaces the model (tests).
    """
    check_style(style)
    out = Path(out)
    if limit is not None and limit < 1:
        raise WarmlabError("--limit must be at least 1")
    if max_tokens < 1 or batch_size < 1:
        raise WarmlabError("--max-tokens and --batch-size must be at least 1")
    if _same_file(out, source) or _same_file(out, source.partition(":")[2]):
        raise WarmlabError("--out must not be the input file")
    convs = load_source(source)[:limit]
    rej = rejected_path(out)
    kept_before, rejected_before = read_records(out, style), read_records(rej, style)
    done = {str(r["id"]) for r in kept_before} | {str(r["id"]) for r in rejected_before}
    todo = [c for c in convs if c.id not in done]
    summary = RewriteSummary(out, rej, done_before=len(convs) - len(todo))
    label = f"rewrite {style} [{model}]"
    t0 = time.monotonic()
    if not todo:
        print(f"{label}: all {len(convs)} conversations already in {out} / {rej.name}", file=sys.stderr)
    else:
        if summary.done_before:
            print(f"{label}: resuming, {summary.done_before} conversations already done", file=sys.stderr)
        gen = generate or inspect_generator(model, max_tokens, batch_size)
        bar = Progress(label, len(todo)) if progress else None
        results = asyncio.run(
            rewrite_all(todo, style, gen, out, batch_size, (lambda r: bar.tick(r.kept)) if bar else None)
        )
        summary.done_now = len(results)
    summary.seconds = time.monotonic() - t0
    wanted = {c.id for c in convs}
    summary.kept = sum(str(r["id"]) in wanted for r in read_records(out, style))
    summary.add_rejected([r for r in read_records(rej, style) if str(r["id"]) in wanted])
    return summary
