"""Reading a judge's reply robustly: labelled lines ("VALENCE: positive"), key=value counts, yes/no.

Every reader returns None when the reply does not say what was asked (the caller counts it as unparsed,
never guesses). Markdown emphasis (`*`), brackets and quotes around keys and values are ignored; when a key is
given twice, the last one counts (judges often restate their verdict at the end).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_NOISE = re.compile(r"[*`#\"'\[\]()]")


def _clean(text: str) -> str:
    return _NOISE.sub("", (text or "").replace("\u2019", "'"))


def _key(key: str) -> str:
    """A key pattern whose "_" also matches a space, a hyphen or nothing (ADDED_FEELINGS, Added feelings)."""
    return r"[ _\-]?".join(re.escape(part) for part in key.split("_"))


def labelled_value(text: str, key: str) -> str | None:
    """The value after the last `KEY:` (or `KEY =`, `KEY -`) starting a line, stripped; None if absent."""
    pat = re.compile(rf"^\s*{_key(key)}\s*[:=\-]\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
    found = pat.findall(_clean(text))
    return found[-1].strip().rstrip(".") if found else None


def choice(
    text: str, key: str, options: Sequence[str], synonyms: Mapping[str, str] | None = None
) -> str | None:
    """The option named after `KEY:`; the value must be exactly one option (or a synonym of one)."""
    value = labelled_value(text, key)
    if value is None:
        return None
    words = re.findall(r"[a-z][a-z\-]*", value.lower())
    table = {o.lower(): o for o in options} | {k.lower(): v for k, v in (synonyms or {}).items()}
    hits = {table[w] for w in words if w in table}
    return hits.pop() if len(hits) == 1 else None


def yes_no(text: str, key: str) -> int | None:
    """1 for yes/true, 0 for no/false after `KEY:`; None otherwise (both, neither, or missing)."""
    v = choice(text, key, ("yes", "no"), {"true": "yes", "false": "no", "y": "yes", "n": "no"})
    return None if v is None else int(v == "yes")


def counts(text: str, keys: Sequence[str], maximum: int = 100) -> dict[str, int] | None:
    """Non-negative integers for every key, from `key=N` / `key: N` pairs anywhere in the reply (the last
    occurrence of each); None unless all keys are present and in range."""
    clean = _clean(text)
    out: dict[str, int] = {}
    for key in keys:
        pat = re.compile(rf"\b{_key(key)}\b\s*[:=]\s*(-?\d+)\b", re.IGNORECASE)
        found = pat.findall(clean)
        if not found:
            return None
        n = int(found[-1])
        if not 0 <= n <= maximum:
            return None
        out[key] = n
    return out


def name_list(
    text: str, key: str, names: Mapping[str, str], none_words: Sequence[str] = ("none",)
) -> list[str] | None:
    """Canonical names listed after `KEY:` (comma, semicolon or 'and' separated). An empty list when the
    value is a none-word; None when any item is not a known name (a partial reading would be a guess)."""
    value = labelled_value(text, key)
    if value is None:
        return None
    items = [i.strip().lower() for i in re.split(r",|;|\band\b|/|\|", value) if i.strip()]
    if len(items) == 1 and items[0] in none_words:
        return []
    table = {k.lower(): v for k, v in names.items()}
    out: list[str] = []
    for item in items:
        key_ = re.sub(r"\s+", " ", re.sub(r"[^a-z_\- ]", "", item)).strip()
        if key_ not in table:
            return None
        if table[key_] not in out:
            out.append(table[key_])
    return out
