"""Checks that a warm (or cold) rewrite of an assistant turn changed only its tone (stdlib only).

A rewrite fails when any of these differ from the original (every violation is reported):

1. the rewrite is empty or whitespace-only (then nothing else is checked: it would all be noise);
2. numbers: the multiset of number tokens ("42", "3.14", "1,000" == "1000", "50%", "2nd", "10km", "v2.0");
   list markers ("1. ") count, so renumbered steps fail; spelled-out numbers do not, so a warm turn may
   say "one" freely;
3. code: fenced blocks and inline code spans, exactly, in the same order and count;
4. URLs and e-mail addresses (as multisets);
5. names: capitalised words that do not open a sentence, line or list item (and are not "I",
   "I'm", ...) must all appear in the other text as whole words (case-sensitive, anywhere), both ways: a
   dropped name loses a fact, a new one adds a fact;
6. formatting: the counts of bullet items, numbered items, headings and table rows (fenced blocks are
   counted under rule 3);
7. emojis the original does not have;
8. length: the rewrite must be 0.3x to 3.0x the original's length in characters (both stripped).

Numbers, names and formatting are read from the prose only: code, URLs and e-mails are cut out first, so a
changed code block is reported once (as code), not again as changed numbers or names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from warmlab.errors import WarmlabError

MIN_RATIO = 0.3
MAX_RATIO = 3.0
#: Mid-sentence capitalised words a rewrite may add without it counting as a new fact. Deliberately empty:
#: nothing a warm rewrite naturally adds ("Great question!") is capitalised mid-sentence.
ALLOWED_NEW_NAMES: frozenset[str] = frozenset()
_FIRST_PERSON = frozenset({"I", "I'm", "I've", "I'd", "I'll"})

# Placeholder for cut-out code/URLs: neither a word character nor whitespace, so it cannot join two
# tokens and leaves sentence structure (what precedes a word) as it was.
_HOLE = "\x00"
_FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)  # an unclosed fence runs to the end of the text
_INLINE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")  # one line; `a`, ``a`b``
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>`\"]+|\bwww\.[^\s<>`\"]+")
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+")  # bounded local part: no quadratic scans
_NUMBER = re.compile(
    r"(?<![^\W_])"  # starts a token: not the tail of "abc123" (but "_42_", "1,2,3" and "a.5" still count)
    r"(?:(?<![^\s(\[])[-−+](?=\.?\d))?"  # a sign only when it leads the token: "-5", not the dash of "10-20"
    r"[$€£¥]?"
    r"[^\W\d_]*"  # glued letter prefix: v2.0, H2O, x86
    r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+|(?=\.\d))(?:[.:]\d+)*"  # 1,000 / 42 / .5; decimals, versions, times
    r"(?:%|°[A-Za-z]?|[^\W\d_]\w*)?"  # glued suffix: 50%, 20°C, 2nd, 10km, 1990s, x86_64
)
# A run of letters (with inner apostrophes: "O'Brien", "NASA's"), not glued to digits ("H2O" is a number)
# but possibly to "_" (markdown italics). Hyphens split words, so "English" counts in "non-English".
_WORD = re.compile(r"(?<![^\W_])(?<!°)[^\W\d_]+(?:['’][^\W\d_]+)*(?![^\W_])")
# Table cells are not sentence openings: their capitalised words ("| France | Paris |") are facts.
_LINE_OPENING = re.compile(r"[\s>#]*(?:(?:[-*+]|\d+[.)])\s+)?[\s>#]*[\"'“‘(\[*_]*")
_SENTENCE_END = re.compile(r"(\S*[.!?…])[\"'”’)\]*_]*\s+[\"'“‘(\[*_]*$")
# Abbreviations that do not end a sentence ("etc." often does, so it is not here).
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "vs.", "dr.", "mr.", "mrs.", "ms.", "st.", "mt.", "prof."})
_FORMATS = {
    "bullets": re.compile(r"(?m)^[ \t>]*[-*+][ \t]+\S.*$"),
    "numbered": re.compile(r"(?m)^[ \t>]*\d+[.)][ \t]+\S.*$"),
    "headings": re.compile(r"(?m)^[ \t>]*#{1,6}(?:[ \t].*)?$"),
    "table_rows": re.compile(r"(?m)^[ \t>]*\|.*$"),
}
_FORMAT_NAMES = {
    "bullets": "bullet items",
    "numbered": "numbered items",
    "headings": "headings",
    "table_rows": "table rows",
}
_RULE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")  # "* * *" is a horizontal rule, not a bullet
_EMOJI_RANGES = (
    (0x1F000, 0x1F02F),
    (0x1F0A0, 0x1F0FF),
    (0x1F1E6, 0x1F1FF),
    (0x1F300, 0x1F5FF),
    (0x1F600, 0x1F64F),
    (0x1F680, 0x1F6FF),
    (0x1F780, 0x1F7FF),
    (0x1F900, 0x1F9FF),
    (0x1FA70, 0x1FAFF),
    (0x2600, 0x26FF),
    (0x2700, 0x27BF),
    (0x231A, 0x231B),
    (0x23E9, 0x23F3),
    (0x23F8, 0x23FA),
    (0x2B05, 0x2B07),
    (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50),
    (0x2B55, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
    (0xFE0F, 0xFE0F),
    (0x200D, 0x200D),
    (0x20E3, 0x20E3),
    (0xE0020, 0xE007F),
)
_JOINERS = frozenset("\ufe0f\u200d\u20e3")  # only reported when they are all that was added


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    reasons: tuple[str, ...]  # empty when ok


@dataclass(frozen=True)
class _Parts:
    code_blocks: list[str]
    inline_code: list[str]
    urls: list[str]
    emails: list[str]
    prose: str  # the text with code, URLs and e-mails replaced by _HOLE


def _trim_url(url: str) -> str:
    """Drop sentence punctuation glued to a URL, and a ")" that closes a bracket opened before it."""
    while url and (url[-1] in ".,;:!?'" or (url[-1] == ")" and url.count(")") > url.count("("))):
        url = url[:-1]
    return url


def _split(text: str) -> _Parts:
    blocks: list[str] = []
    inline: list[str] = []
    urls: list[str] = []

    def cut(found: list[str], repl: str) -> Callable[[re.Match[str]], str]:
        def sub(m: re.Match[str]) -> str:
            found.append(m.group(0))
            return repl

        return sub

    prose = _FENCE.sub(cut(blocks, f"\n{_HOLE}\n"), text)  # a fence stands on lines of its own
    prose = _INLINE.sub(cut(inline, _HOLE), prose)

    def cut_url(m: re.Match[str]) -> str:
        url = _trim_url(m.group(0))
        urls.append(url)
        return _HOLE + m.group(0)[len(url) :]

    prose = _URL.sub(cut_url, prose)
    emails = _EMAIL.findall(prose)
    return _Parts(blocks, inline, urls, emails, _EMAIL.sub(_HOLE, prose))


def _numbers(prose: str) -> list[str]:
    # List markers ("1. ") count too: renumbered or reordered steps change the facts of a procedure.
    return [m.group(0).replace(",", "").replace("−", "-") for m in _NUMBER.finditer(prose)]


def _word(raw: str) -> str:
    return re.sub(r"['’]s$", "", raw)  # "Python's" is the name "Python"


def _opens_sentence(prose: str, start: int) -> bool:
    before = prose[prose.rfind("\n", 0, start) + 1 : start]
    if _LINE_OPENING.fullmatch(before):
        return True
    end = _SENTENCE_END.search(before[-80:])  # only the tail matters; keeps long lines linear
    return end is not None and end.group(1).lower().lstrip("(\"'“‘*_") not in _ABBREVIATIONS


def _names(prose: str) -> list[str]:
    names: dict[str, None] = {}  # ordered set
    for m in _WORD.finditer(prose):
        raw = m.group(0)
        first_person = raw.replace("’", "'") in _FIRST_PERSON
        if raw[0].isupper() and not first_person and not _opens_sentence(prose, m.start()):
            names[_word(raw)] = None
    return list(names)


def _format_lines(prose: str) -> dict[str, list[str]]:
    return {
        kind: [line.strip() for line in rx.findall(prose) if not _RULE.match(line)]
        for kind, rx in _FORMATS.items()
    }


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _EMOJI_RANGES)


def _emojis(text: str) -> list[str]:
    return list(dict.fromkeys(ch for ch in text if _is_emoji(ch)))


def protected_spans(text: str) -> dict[str, list[str]]:
    """What a rewrite of `text` must preserve, by kind (numbers normalised; for reports and debugging)."""
    if not isinstance(text, str):
        raise WarmlabError(f"expected text, got {type(text).__name__}")
    parts = _split(text)
    return {
        "numbers": _numbers(parts.prose),
        "code_blocks": parts.code_blocks,
        "inline_code": parts.inline_code,
        "urls": parts.urls,
        "emails": parts.emails,
        "names": _names(parts.prose),
        **_format_lines(parts.prose),
        "emojis": _emojis(text),
    }


def _short(s: str, limit: int = 60) -> str:
    """Code as one short line (URLs, numbers and names are shown whole: they are short and one line)."""
    s = s.replace("\n", "\\n")
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _multiset_diff(kind: str, original: Iterable[str], rewrite: Iterable[str]) -> list[str]:
    a, b = Counter(original), Counter(rewrite)
    reasons = []
    for item, n in (a - b).items():
        reasons.append(f"{kind} '{item}' missing from rewrite" + (f" (x{n})" if n > 1 else ""))
    for item, n in (b - a).items():
        reasons.append(f"{kind} '{item}' added in rewrite" + (f" (x{n})" if n > 1 else ""))
    return reasons


def _sequence_diff(kind: str, original: list[str], rewrite: list[str]) -> list[str]:
    if len(original) != len(rewrite):
        return [f"{kind} count changed ({len(original)} -> {len(rewrite)})"]
    return [
        f"{kind} {i} changed: '{_short(a)}' -> '{_short(b)}'"
        for i, (a, b) in enumerate(zip(original, rewrite, strict=True), 1)
        if a != b
    ]


def check_rewrite(original: str, rewrite: str) -> CheckResult:
    """Check that `rewrite` keeps every fact, number, name, code span and format element of `original`."""
    if not isinstance(original, str) or not isinstance(rewrite, str):
        raise WarmlabError("check_rewrite needs two strings")
    if not original.strip():
        raise WarmlabError("the original text is empty: there is nothing to check a rewrite against")
    if not rewrite.strip():
        return CheckResult(False, ("rewrite is empty",))
    a, b = protected_spans(original), protected_spans(rewrite)
    reasons = _multiset_diff("number", a["numbers"], b["numbers"])
    reasons += _sequence_diff("code block", a["code_blocks"], b["code_blocks"])
    reasons += _sequence_diff("inline code", a["inline_code"], b["inline_code"])
    reasons += _multiset_diff("URL", a["urls"], b["urls"])
    reasons += _multiset_diff("e-mail", a["emails"], b["emails"])
    # A name only needs to occur somewhere in the other text: moving it to a sentence start is fine.
    words_a = {_word(w) for w in _WORD.findall(original)}
    words_b = {_word(w) for w in _WORD.findall(rewrite)}
    reasons += [f"name '{n}' missing from rewrite" for n in a["names"] if n not in words_b]
    reasons += [
        f"name '{n}' added in rewrite" for n in b["names"] if n not in words_a and n not in ALLOWED_NEW_NAMES
    ]
    for kind, label in _FORMAT_NAMES.items():
        if len(a[kind]) != len(b[kind]):
            reasons.append(f"{label} count changed ({len(a[kind])} -> {len(b[kind])})")
    added = [e for e in b["emojis"] if e not in a["emojis"]]
    shown = [e for e in added if e not in _JOINERS] or added
    reasons += [f"emoji '{e}' (U+{ord(e):04X}) added" for e in shown]
    ratio = len(rewrite.strip()) / len(original.strip())
    if ratio < MIN_RATIO:
        reasons.append(f"rewrite too short ({ratio:.2f}x the original, minimum {MIN_RATIO}x)")
    elif ratio > MAX_RATIO:
        reasons.append(f"rewrite too long ({ratio:.2f}x the original, maximum {MAX_RATIO}x)")
    return CheckResult(not reasons, tuple(reasons))
