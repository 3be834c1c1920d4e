"""Load items from the starter bank, our own JSONL files and the upstream datasets in shared/data.

Every loader returns `list[Item]` and raises `WarmlabError` (one line, naming the file and, where it
applies, the line) for a missing file, an unreadable row or a missing column. Upstream files are only
read, never copied or rewritten.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import random
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.items.schema import FAMILIES, Item

PathLike = str | os.PathLike[str]

#: What `load_source` accepts, one entry per kind; a spec joins several with commas.
SOURCE_KINDS: dict[str, str] = {
    "starter": "starter (the bank shipped with warmlab) or starter:FAMILY for one family",
    "jsonl": "jsonl:PATH, items in warmlab's own schema; a bare PATH ending in .jsonl works too",
    "truthfulqa": "truthfulqa:PATH, TruthfulQA.csv (v1, 817 questions, or current, 790)",
    "triviaqa": "triviaqa:PATH, DPR-format TriviaQA TSV (question TAB list of aliases)",
    "medqa": "medqa:PATH, MedQA USMLE 4-option JSONL",
    "fever": "fever:PATH, FEVER paper_dev JSONL (REFUTES claims only)",
    "scifact": "scifact:PATH, SciFact claims JSONL, or a folder with claims_train.jsonl and claims_dev.jsonl",
    "sycon": "sycon:PATH, SYCON-Bench's false-presupposition folder (with its own pushback turns)",
}

#: Accepted answers to "Is it true that <false claim>?".
DISINFO_CORRECT: tuple[str, ...] = ("No", "false", "not true", "untrue", "incorrect")


# ---------------------------------------------------------------- file access


def _require_file(path: PathLike) -> Path:
    p = Path(path).expanduser()
    if not p.exists():
        raise WarmlabError(f"{p} does not exist")
    if not p.is_file():
        raise WarmlabError(f"{p} is not a file")
    return p


def _read_text(path: PathLike) -> str:
    p = _require_file(path)
    try:
        # utf-8-sig: TruthfulQA v1 starts with a BOM; for every other file it is plain UTF-8.
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise WarmlabError(f"{p}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise WarmlabError(f"{p}: cannot read ({e.strerror})") from None


def _one_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def json_lines(name: str, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line."""
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise WarmlabError(f"{name}:{lineno}: invalid JSON ({e.msg}, column {e.colno})") from None
        if not isinstance(obj, dict):
            raise WarmlabError(f"{name}:{lineno}: expected a JSON object, got {type(obj).__name__}")
        yield lineno, obj


def _row_error(name: str, lineno: int, e: BaseException) -> WarmlabError:
    msg = f"missing key {e}" if isinstance(e, KeyError) else _one_line(e)
    return WarmlabError(f"{name}:{lineno}: {msg}")


def _dedupe(texts: Sequence[str]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for t in texts:
        t = t.strip()
        if t:
            out.setdefault(t)
    return tuple(out)


def _norm(text: str) -> str:
    """Case-, accent-, punctuation- and article-insensitive form used to compare answers."""
    if not text.isascii():  # the accent strip is the slow part, and most answers are ASCII
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower()
    text = re.sub(r"[^\w\s]|_", " ", text)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


# ---------------------------------------------------------------- our own schema


def _parse_items(name: str, text: str) -> list[Item]:
    items = []
    for lineno, obj in json_lines(name, text):
        try:
            items.append(Item.from_json(obj))
        except (TypeError, ValueError, AttributeError) as e:
            raise WarmlabError(f"{name}:{lineno}: {_one_line(e)}") from None
    return items


def load_jsonl(path: PathLike) -> list[Item]:
    """Items in warmlab's schema, one JSON object per line (blank lines skipped)."""
    return _parse_items(str(Path(path).expanduser()), _read_text(path))


def load_starter(families: Sequence[str] | None = None) -> list[Item]:
    """The starter bank shipped in the package, all families or the ones named."""
    if isinstance(families, str):  # a lone family name would otherwise be iterated letter by letter
        families = [families]
    wanted = list(FAMILIES) if families is None else list(families)
    unknown = [f for f in wanted if f not in FAMILIES]
    if unknown:
        raise WarmlabError(f"unknown family {unknown[0]!r} (valid: {', '.join(FAMILIES)})")
    items: list[Item] = []
    for fam in dict.fromkeys(wanted):
        res = files("warmlab.items") / "data" / f"{fam}.jsonl"
        if not res.is_file():
            raise WarmlabError(f"starter bank file items/data/{fam}.jsonl is missing from the package")
        got = _parse_items(f"items/data/{fam}.jsonl", res.read_text(encoding="utf-8"))
        wrong = next((it for it in got if it.family != fam), None)
        if wrong is not None:
            raise WarmlabError(f"items/data/{fam}.jsonl: item {wrong.id!r} has family {wrong.family!r}")
        items += got
    return items


# ---------------------------------------------------------------- TruthfulQA


def _split_answers(cell: str) -> list[str]:
    # Upstream separates with "; " but a few cells end in ";" or use ";  ", so split on ";" and trim.
    return [a.strip() for a in (cell or "").split(";") if a.strip()]


def load_truthfulqa(path: PathLike) -> list[Item]:
    """TruthfulQA.csv, v1 (817 rows, BOM) or current (790 rows, with `Best Incorrect Answer`).

    correct = Best Answer + Correct Answers (deduplicated); incorrect = Best Incorrect Answer when the
    column exists, else the first of Incorrect Answers (all of them are kept in meta).
    """
    name = str(Path(path).expanduser())
    reader = csv.DictReader(io.StringIO(_read_text(path), newline=""))
    need = ["Type", "Category", "Question", "Best Answer", "Correct Answers", "Incorrect Answers"]
    missing = [c for c in need if c not in (reader.fieldnames or [])]
    if missing:
        raise WarmlabError(f"{name}: missing column(s) {', '.join(missing)}")
    items = []
    for index, row in enumerate(reader):
        try:
            incorrect_all = _split_answers(row["Incorrect Answers"])
            best_wrong = (row.get("Best Incorrect Answer") or "").strip()
            meta: dict[str, Any] = {"type": row["Type"], "category": row["Category"]}
            if incorrect_all:
                meta["incorrect_answers"] = incorrect_all
            if (row.get("Source") or "").strip():
                meta["reference"] = row["Source"].strip()
            item = Item(
                id=f"tqa-{index}",
                family="truthful",
                question=(row["Question"] or "").strip(),
                correct=_dedupe([row["Best Answer"] or "", *_split_answers(row["Correct Answers"])]),
                incorrect=best_wrong or (incorrect_all[0] if incorrect_all else ""),
                source="truthfulqa",
                meta=meta,
            )
            item.validate()
        except (TypeError, ValueError, AttributeError) as e:
            raise _row_error(name, reader.line_num, e) from None
        items.append(item)
    return items


# ---------------------------------------------------------------- TriviaQA

_NUMBER_WORDS = frozenset(
    """
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million billion dozen half
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_NAME_JOINERS = frozenset({"of", "the", "and", "de", "da", "di", "du", "del", "van", "von", "la", "le", "&"})


def _answer_type(answer: str) -> str:
    """Coarse answer type: year, number, name (1-3 capitalised words) or other."""
    a = answer.strip()
    words = a.split()
    if re.fullmatch(r"(1\d|20)\d\ds?", a):
        return "year"
    if re.match(r"[$£€]?\d", a) or (words and words[0].lower().strip(",.") in _NUMBER_WORDS):
        return "number"
    capitalised = all(w[:1].isupper() or w.lower() in _NAME_JOINERS for w in words)
    if 1 <= len(words) <= 3 and words[0][:1].isupper() and capitalised:
        return "name"
    return "other"


_CASE_SLIP = re.compile(r"^[A-Z]{2,}[a-z]|[a-z][A-Z]$")  # "JOrdan", "AustraliA"


def _odd_alias(a: str) -> bool:
    """Non-ASCII, bracketed, quoted, listed, URL-ish, shouted or lower-case: a poor canonical form."""
    return (
        not a.isascii()
        or any(c in a for c in "()[]%:/,;+\"'")
        or (a.isupper() and len(a) > 4)
        or a[:1].islower()
    )


def _slips(a: str) -> int:
    """Small blemishes ("Bill clinton", "AustraliA", "New Zealand.", "South-Africa"), to break ties."""
    words = a.split()
    n = sum(1 for w in words[1:] if w[:1].islower() and len(w) > 3)
    n += sum(1 for w in words if _CASE_SLIP.search(w))
    return n + a.endswith(".") + ("-" in a)


def _canonical_first(aliases: tuple[str, ...]) -> tuple[str, ...]:
    """Move the most canonical alias to the front.

    DPR's alias lists come in arbitrary order (often a nickname, a misspelling or "ISO 3166-1:CH"
    first), so prefer a clean alias (ASCII, no brackets/commas/quotes, not shouting, not lower-case)
    that the most other aliases contain as whole words ("Bologna" in "Comune di Bologna"), then one
    in proper case; ties keep the given order. A heuristic: it reads better than the first alias, but
    still picks e.g. "Marx" over "Karl Marx".
    """
    clean = [i for i, a in enumerate(aliases) if not _odd_alias(a)] or list(range(len(aliases)))
    # whole-word containment on normalised text is substring search on space-padded forms
    padded = [f" {_norm(a)} " for a in aliases]

    def key(i: int) -> tuple[int, int, int]:
        contained = sum(1 for m in padded if padded[i] in m) if padded[i].strip() else 0
        return (-contained, _slips(aliases[i]), i)

    best = min(clean, key=key)
    return (aliases[best], *aliases[:best], *aliases[best + 1 :])


def _clean_trivia_question(q: str) -> str:
    # ~700 TriviaQA questions keep the CSV escaping of the quiz sites they came from:
    # '"Who said, ""I want to be alone""?"'. Undo it so the model sees normal quotes.
    q = q.strip()
    if len(q) > 1 and q.startswith('"') and q.endswith('"') and '""' in q:
        q = q[1:-1].replace('""', '"').strip()
    return q


def _pick_same_type(
    i: int,
    types: list[str],
    pools: dict[str, list[int]],
    canon: list[str],
    canon_norms: list[str],
    own: set[str],
    seed: int,
) -> str | None:
    """A seeded draw of another item's canonical answer, same type first, any type if that fails."""
    rng = random.Random(f"{seed}:{i}")  # per item, so an item's distractor does not depend on the others
    for pool in (pools[types[i]], pools["*"]):
        for _ in range(64):  # random retries: pools are large, and exclusions are rare
            j = rng.choice(pool)
            if j != i and canon_norms[j] and canon_norms[j] not in own:
                return canon[j]
        # tiny pools (small files): fall back to a scan from a random start
        start = rng.randrange(len(pool))
        for j in pool[start:] + pool[:start]:
            if j != i and canon_norms[j] and canon_norms[j] not in own:
                return canon[j]
    return None


def load_triviaqa(
    path: PathLike, *, distractor: str = "same-type", seed: int = 0, limit: int | None = None
) -> list[Item]:
    """TriviaQA in DPR's TSV format; TriviaQA has no wrong answer, so one is attached.

    distractor="same-type": for each item, a seeded draw of the canonical answer of another item of the
    same coarse answer type (year / number / short capitalised name / other), never one that matches
    (normalised) any of this item's aliases. The pool is always the whole file, so an item's
    distractor is the same with or without `limit`. See `attach_llm_distractors` for model-written ones.
    """
    if distractor != "same-type":
        raise WarmlabError(f"unknown distractor method {distractor!r} (valid: same-type)")
    if limit is not None and limit < 0:
        raise WarmlabError(f"limit must be >= 0, got {limit}")
    name = str(Path(path).expanduser())
    reader = csv.reader(io.StringIO(_read_text(path), newline=""), delimiter="\t")
    rows: list[tuple[str, tuple[str, ...]]] = []
    for row in reader:
        if not row or not any(c.strip() for c in row):
            continue
        try:
            if len(row) < 2:
                raise ValueError("expected question TAB answer list")
            aliases = ast.literal_eval(row[1])
            if not isinstance(aliases, (list, tuple)) or not all(isinstance(a, str) for a in aliases):
                raise ValueError("answer column is not a list of strings")
            answers = _dedupe(aliases)
            question = _clean_trivia_question(row[0])
            if not answers or not question:
                raise ValueError("empty question or answer list")
        except (ValueError, SyntaxError, MemoryError, RecursionError) as e:
            raise WarmlabError(f"{name}:{reader.line_num}: cannot parse row ({_one_line(e)})") from None
        rows.append((question, _canonical_first(answers)))

    canon = [answers[0] for _, answers in rows]
    canon_norms = [_norm(c) for c in canon]
    types = [_answer_type(c) for c in canon]
    pools: dict[str, list[int]] = {"*": list(range(len(rows)))}
    for i, t in enumerate(types):
        pools.setdefault(t, []).append(i)

    items = []
    for i, (question, answers) in enumerate(rows[:limit] if limit is not None else rows):
        wrong = _pick_same_type(i, types, pools, canon, canon_norms, {_norm(a) for a in answers}, seed)
        if wrong is None:
            raise WarmlabError(f"{name}: too few questions to pick a distractor for row {i}")
        items.append(
            Item(
                id=f"triviaqa-{i}",
                family="trivia",
                question=question,
                correct=answers,
                incorrect=wrong,
                source="triviaqa",
                meta={"answer_type": types[i], "distractor": "same-type"},
            )
        )
    return items


_REPLY_PREFIX = re.compile(r"^(?:wrong answer|incorrect answer|answer)\s*[:\-]\s*", re.IGNORECASE)


def _clean_reply(text: str) -> str:
    """First non-empty line, without an "Answer:" prefix, quotes or a final period."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = _REPLY_PREFIX.sub("", line).strip().strip("\"'“”‘’`*").strip()
    return line[:-1].rstrip() if line.endswith(".") else line


def attach_llm_distractors(items: Sequence[Item], generate: Callable[[list[str]], list[str]]) -> list[Item]:
    """Replace each item's wrong answer with a model-written one, asked for all items in one call.

    Replies that are empty or match (normalised) a correct alias are rejected; such an item keeps its
    same-type distractor. meta["distractor"] records which one the item ended up with.
    """
    for it in items:
        if it.options:
            raise WarmlabError(f"item {it.id!r} is multiple-choice; its wrong answer must be an option")
    prompts = [
        "Give one plausible but wrong answer to this question. It must be false, but of the same kind "
        "as the correct answer.\n"
        f"Question: {it.question}\n"
        f"Correct answer: {it.correct[0].rstrip('.')}.\n"
        "Reply with the wrong answer only."
        for it in items
    ]
    replies = generate(prompts) if prompts else []
    if len(replies) != len(prompts):
        # a bug in the caller's generate function, not a user mistake
        raise ValueError(f"generate returned {len(replies)} replies for {len(prompts)} prompts")
    out = []
    for it, reply in zip(items, replies, strict=True):
        wrong = _clean_reply(reply or "")
        aliases = {_norm(a) for a in it.correct}
        if _norm(wrong) and _norm(wrong) not in aliases:
            out.append(replace(it, incorrect=wrong, meta={**it.meta, "distractor": "llm"}))
        else:
            out.append(replace(it, meta={**it.meta, "distractor": "same-type"}))
    return out


# ---------------------------------------------------------------- MedQA


def load_medqa(path: PathLike, *, seed: int = 0) -> list[Item]:
    """MedQA USMLE 4-option JSONL.

    incorrect = one of the three wrong options, drawn with `random.Random(f"{seed}:{index}")` from
    the wrong letters in sorted order, so each item's choice is fixed by the seed and its index alone.
    """
    name = str(Path(path).expanduser())
    items = []
    for index, (lineno, row) in enumerate(json_lines(name, _read_text(path))):
        try:
            raw = row["options"]
            if not isinstance(raw, dict):
                raise ValueError("options is not an object")
            options = {str(k): str(v).strip() for k, v in raw.items()}
            key = str(row["answer_idx"])
            if key not in options:
                raise ValueError(f"answer_idx {key!r} is not among the options")
            wrong_keys = sorted(k for k in options if k != key and options[k] != options[key])
            if not wrong_keys:
                raise ValueError("no wrong option")
            wrong_key = random.Random(f"{seed}:{index}").choice(wrong_keys)
            item = Item(
                id=f"medqa-{index}",
                family="medical",
                question=str(row["question"]).strip(),
                correct=(options[key],),
                incorrect=options[wrong_key],
                options=options,
                answer_key=key,
                source="medqa-usmle-4opt",
                meta={"meta_info": row.get("meta_info"), "incorrect_key": wrong_key},
            )
            item.validate()
        except (KeyError, TypeError, ValueError) as e:
            raise _row_error(name, lineno, e) from None
        items.append(item)
    return items


# ---------------------------------------------------------------- FEVER and SciFact

# Sentence-initial words that are never names, so lower-casing them is always safe.
_FUNCTION_WORDS = frozenset(
    """
    a an the this that these those there it its in on at of for from by with to as after before
    during since until while when where if although though because both either neither each every
    all some many most few several no none not one two three four five six seven eight nine ten
    only also more less other another such he she they we you his her their our your
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_WORD = re.compile(r"[A-Za-z][\w'-]*")


def _claim_vocab(claims: Sequence[str]) -> tuple[set[str], set[str]]:
    """Words seen lower-case and capitalised away from the start of a claim, in the same file."""
    low: set[str] = set()
    cap: set[str] = set()
    for c in claims:
        for w in _WORD.findall(c)[1:]:
            (low if w[0].islower() else cap).add(w)
    return low, cap


def _claim_body(claim: str, vocab: tuple[set[str], set[str]]) -> str:
    """The claim as a clause: final period dropped, first letter lower-cased unless it looks like a name.

    A first word is lower-cased when it is a function word ("The", "A", "In"), or when the same file
    uses it lower-case and never capitalised mid-sentence and the next word is not capitalised
    ("Patients with ..." but not "Match Point ..."). Acronyms and words with digits or inner capitals
    ("DNA", "CHiPs", "A&E", "T2") are kept. FEVER claims mostly start with names, so this errs on keeping.
    """
    text = re.sub(r"[\s.]+(?=[\"”']?$)", "", claim.strip())  # also "wrestler.." and "Inc.."
    first, _, rest = text.partition(" ")
    if not first[:1].isupper() or first == "I" or any(c.isupper() or c.isdigit() for c in first[1:]):
        return text
    core = re.sub(r"\W+$", "", first)
    lowered = core[:1].lower() + core[1:]
    low, cap = vocab
    if lowered in _FUNCTION_WORDS or (lowered in low and core not in cap and not rest[:1].isupper()):
        return first[:1].lower() + first[1:] + (" " + rest if rest else "")
    return text


def _claim_item(
    item_id: str, claim: str, source: str, meta: dict[str, Any], vocab: tuple[set[str], set[str]]
) -> Item:
    # FEVER and SciFact give no correction text, so the true statement is the plain negation.
    body = _claim_body(claim, vocab)
    return Item(
        id=item_id,
        family="disinfo",
        question=f"Is it true that {body}?",
        correct=DISINFO_CORRECT,
        incorrect="Yes",
        false_statement=claim.strip(),
        true_statement=f"It is not true that {body}.",
        source=source,
        meta=meta,
    )


def load_fever(path: PathLike) -> list[Item]:
    """FEVER paper_dev JSONL; only REFUTES claims (the false ones) become items."""
    name = str(Path(path).expanduser())
    rows = list(json_lines(name, _read_text(path)))
    vocab = _claim_vocab([str(r.get("claim", "")) for _, r in rows])
    items = []
    for lineno, row in rows:
        try:
            if row["label"] != "REFUTES":
                continue
            evidence = row.get("evidence") or []
            pages = sorted({str(e[2]) for group in evidence for e in group if e[2] is not None})
            meta = {"evidence_pages": pages}
            item = _claim_item(f"fever-{row['id']}", str(row["claim"]), "fever", meta, vocab)
            item.validate()
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise _row_error(name, lineno, e) from None
        items.append(item)
    return items


def load_scifact(path: PathLike) -> list[Item]:
    """SciFact claims whose evidence is all CONTRADICT (none SUPPORT); a folder reads train then dev."""
    p = Path(path).expanduser()
    standard = [(p if p.is_dir() else p.parent) / f"claims_{split}.jsonl" for split in ("train", "dev")]
    paths = standard if p.is_dir() else [p]
    loaded = [
        (str(f), f.stem.removeprefix("claims_"), list(json_lines(str(f), _read_text(f)))) for f in paths
    ]
    # the capitalisation vocabulary spans both standard files when they are there, so a claim reads the
    # same whether its file is loaded alone or with the folder
    extra = [f for f in standard if f not in paths and f.is_file()]
    claims = [r.get("claim", "") for _, _, rows in loaded for _, r in rows]
    claims += [r.get("claim", "") for f in extra for _, r in json_lines(str(f), _read_text(f))]
    vocab = _claim_vocab([str(c) for c in claims])
    items = []
    for name, split, rows in loaded:
        for lineno, row in rows:
            try:
                evidence = row["evidence"] or {}
                labels = {str(e["label"]) for sets in evidence.values() for e in sets}
                if labels != {"CONTRADICT"}:
                    continue
                meta = {"split": split, "evidence_docs": sorted(evidence)}
                item = _claim_item(f"scifact-{row['id']}", str(row["claim"]), "scifact", meta, vocab)
                item.validate()
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                raise _row_error(name, lineno, e) from None
            items.append(item)
    return items


# ---------------------------------------------------------------- source specs


def _load_one(part: str, seed: int) -> list[Item]:
    kind, sep, arg = part.partition(":")
    if part == "starter" or (kind == "starter" and sep):
        return load_starter([arg] if arg else None)
    if kind not in SOURCE_KINDS and part.endswith(".jsonl"):
        kind, arg = "jsonl", part
    elif kind not in SOURCE_KINDS or not sep:
        kinds = ", ".join(SOURCE_KINDS)
        raise WarmlabError(f"unknown item source {part!r} (kinds: {kinds}, or a path ending in .jsonl)")
    if not arg.strip():
        raise WarmlabError(f"item source {part!r} needs a path: {kind}:PATH")
    path = Path(arg.strip()).expanduser()
    if not path.exists():
        raise WarmlabError(f"item source {part!r}: {path} does not exist")
    if kind == "jsonl":
        return load_jsonl(path)
    if kind == "truthfulqa":
        return load_truthfulqa(path)
    if kind == "triviaqa":
        return load_triviaqa(path, seed=seed)
    if kind == "medqa":
        return load_medqa(path, seed=seed)
    if kind == "fever":
        return load_fever(path)
    if kind == "sycon":
        from warmlab.items.sycon import load_sycon

        return load_sycon(path)
    return load_scifact(path)


def load_source(spec: str, *, seed: int = 0) -> list[Item]:
    """Items from a source spec such as "starter" or "truthfulqa:PATH,fever:PATH" (see SOURCE_KINDS).

    Paths containing commas cannot be named here. Item ids must be unique across all sources.
    """
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if not parts:
        raise WarmlabError(f"empty item source (kinds: {', '.join(SOURCE_KINDS)})")
    seen: dict[str, str] = {}
    items: list[Item] = []
    for part in parts:
        for it in _load_one(part, seed):
            if it.id in seen:
                where = repr(part) if seen[it.id] == part else f"{seen[it.id]!r} and {part!r}"
                raise WarmlabError(f"duplicate item id {it.id!r} in {where}")
            seen[it.id] = part
            items.append(it)
    return items
