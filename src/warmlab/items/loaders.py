"""Load items from the starter bank, our own JSONL files and the upstream datasets in shared/data.

Every loader returns `list[Item]` and raises `WarmlabError` (one line, naming the file and, where it
applies, the line) for a missing file, an unreadable row or a missing column. Upstream files are only
read, never copied or rewritten.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import unicodedata
from collections.abc import Iterator, Sequence
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
        from warmlab.items.trivia import load_triviaqa

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
