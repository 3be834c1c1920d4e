"""Text helpers shared by the scorers: folding, normalisation and a clause-aware tokeniser (stdlib only)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})

# Contractions are expanded so that negation is always spelled "not" and "i am", "you are", "that is" are
# always two words: the rule patterns then need one spelling only. Forms typed without the apostrophe
# ("dont", "isnt", "youre") are common in model output, so they are expanded too.
_CONTRACTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"\bcan'?t\b", "cannot"),
        (r"\bwon'?t\b", "will not"),
        (r"\bain'?t\b", "is not"),
        (r"\bshan'?t\b", "shall not"),
        (r"\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need)n'?t\b", r"\1 not"),
        (r"n't\b", " not"),
        (r"\bim\b", "i am"),
        (r"\byoure\b", "you are"),
        (
            r"\b(that|there|what|it)s\b"
            r"(?= (?:a|an|the|not|no|true|false|right|correct|wrong|just|actually)\b)",
            r"\1 is",
        ),
        (r"'re\b", " are"),
        (r"'s\b", " is"),
        (r"'m\b", " am"),
        (r"'ll\b", " will"),
        (r"'ve\b", " have"),
        (r"'d\b", " would"),
    )
)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
WORD_RE = re.compile(r"[^\W_]+")
_WORD_NUM = re.compile(r"\d+(?:\.\d+)+|[^\W_]+")  # as WORD_RE, decimal numbers kept whole
ARTICLES = frozenset({"the", "a", "an"})

_UNIT_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_UNITS = {w: i for i, w in enumerate(_UNIT_WORDS)}
_TEN_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_TENS = {w: 10 * i for i, w in enumerate(_TEN_WORDS, 2)}

#: Hedges before a number that do not change which answer it is ("about 10 percent").
APPROXIMATORS = frozenset({"about", "around", "roughly", "approximately", "some", "nearly", "almost"})
#: Words that flip a clause's polarity (used for statement restatements and sentence polarity).
NEGATORS = frozenset({"not", "no", "never", "cannot", "neither", "nor", "none", "nothing", "without"})
STOPWORDS = frozenset(
    {
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "should",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "as",
        "from",
        "than",
        "then",
        "so",
        "such",
        "about",
        "into",
        "your",
        "you",
        "i",
        "we",
        "they",
        "he",
        "she",
        "them",
        "their",
        "our",
        "my",
        "me",
        "there",
        "which",
        "who",
        "whom",
        "what",
        "when",
        "where",
        "how",
        "why",
        "if",
        "but",
        "also",
        "just",
        "only",
        "very",
        "more",
        "most",
        "any",
        "some",
        "all",
        "s",
    }
)


def fold(text: str) -> str:
    """Lowercase, strip accents, expand contractions ("isn't" -> "is not"), drop other apostrophes."""
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    return _THOUSANDS.sub("", text.replace("'", ""))  # "1,885" -> "1885"


def normalize(text: str) -> str:
    """Lowercase, strip accents, punctuation -> space, collapse spaces, drop a leading article.

    Contractions are expanded and other apostrophes dropped ("isn't" -> "is not", "O'Brien" -> "obrien").
    """
    words = WORD_RE.findall(fold(text))
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words)


def canon_numbers(words: list[str]) -> tuple[list[str], list[int]]:
    """Small number words to digits ("eight" -> "8", "twenty one" -> "21"), so "8" and "eight" match both
    ways. Returns the new words and, for each, the index of the word it came from."""
    out: list[str] = []
    src: list[int] = []
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w in _TENS and 0 < _UNITS.get(nxt, 0) < 10:
            out.append(str(_TENS[w] + _UNITS[nxt]))
            src.append(i)
            i += 2
            continue
        out.append(str(_TENS[w]) if w in _TENS else str(_UNITS[w]) if w in _UNITS else w)
        src.append(i)
        i += 1
    return out, src


def phrase_words(text: str) -> list[str]:
    """An answer or statement as matchable words: normalised, numbers as digits, leading article dropped."""
    words, _ = canon_numbers(_WORD_NUM.findall(fold(text)))
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return words


# ---------------------------------------------------------------- clause-aware tokenisation

# A word (a decimal number stays whole: "365.24", "7.35"), a sentence end ("." only before a space or the end,
# so "D.C." stays whole), or a clause break (comma, colon, bracket, dash standing alone, table bar).
_PIECE = re.compile(r"\d+(?:\.\d+)+|[^\W_]+|\.(?=\s|$)|[!?;\n]|[,:()\[\]{}|\u2014\u2013]|(?<!\S)-+(?!\S)")
#: Conjunctions that open a new clause; the word itself becomes the clause's marker.
SPLIT_WORDS = frozenset({"but", "however", "although", "though", "whereas", "while", "and", "so", "because"})
CONTRAST_WORDS = frozenset({"but", "however", "actually", "instead"})

#: Per-word markdown flags: inside **bold**; a label (bold at the head of a list item, or ending in ":",
#: as in "- **A. Liver** - ..." or "**Key facts:**"); a table row; a list item; bold opening a line that
#: goes on ("**Compared with Sydney** it is small": a lead-in, unless it is the answer alone).
BOLD, LABEL, TABLE, ITEM, LEAD = 1, 2, 4, 8, 16
_LIST_ITEM = re.compile(r"^\s*(?:[-*+\u2022]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s*")
_BOLD_SPAN = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


def _chunks(text: str) -> list[tuple[str, int]]:
    """The text as (piece, flags), line by line: bold spans split out, bullets and heading marks dropped."""
    out: list[tuple[str, int]] = []
    for line in text.split("\n"):
        item = _LIST_ITEM.match(line)
        table = (TABLE if line.lstrip().startswith("|") else 0) | (ITEM if item else 0)
        if not item and _HEADING.match(line):  # a heading reads like bold text: "## Canberra"
            out += [(_HEADING.sub("", line), table | BOLD), ("\n", 0)]
            continue
        body = line[item.end() :] if item else line
        pos = 0
        for b in _BOLD_SPAN.finditer(body):
            inner = b.group(1) or b.group(2) or ""
            at_head = not body[: b.start()].strip(" *_")
            label = (
                (item is not None and at_head)
                or inner.rstrip().endswith(":")
                or (body[b.end() :].lstrip().startswith(":"))
            )
            out.append((body[pos : b.start()], table))
            lead = LEAD if at_head and body[b.end() :].strip() else 0
            out.append((inner, table | BOLD | (LABEL if label else 0) | lead))
            pos = b.end()
        out.append((body[pos:], table))
        out.append(("\n", 0))
    return out


@dataclass
class Doc:
    """A response as words, each tagged with its clause; clauses know their sentence and opening marker."""

    words: list[str]
    clause: list[int]  # clause index of each word
    sentence: list[int]  # sentence index of each clause
    marker: list[str]  # what opened each clause: a conjunction from SPLIT_WORDS, "(" or ""
    question: list[bool]  # per sentence: ended with "?"
    flags: list[int] = field(default_factory=list)  # per word: BOLD | LABEL | TABLE

    def sent_of(self, i: int) -> int:
        return self.sentence[self.clause[i]]

    def clause_words(self, c: int) -> list[str]:
        return [w for w, k in zip(self.words, self.clause, strict=True) if k == c]

    def sentence_spans(self) -> dict[int, tuple[int, int]]:
        """First and one-past-last word index of each sentence that has words."""
        spans: dict[int, tuple[int, int]] = {}
        for i in range(len(self.words)):
            s = self.sent_of(i)
            spans[s] = (spans[s][0], i + 1) if s in spans else (i, i + 1)
        return spans

    def find(self, phrase: list[str], plural: bool = False) -> list[tuple[int, int]]:
        """Spans of `phrase` as whole words (clause breaks do not interrupt a match). An approximator may sit
        before a number inside it ("only about 10 percent" for "only 10 percent"); with `plural`, the last
        word may also carry an "s"/"es" ("tigers" for "tiger")."""
        n = len(phrase)
        if not n:
            return []
        last = phrase[-1]
        forms = {last}
        if plural and len(last) > 2 and last.isalpha():
            forms |= {last + "s", last + "es"}
        spans: list[tuple[int, int]] = []
        words = self.words
        for i in range(len(words)):
            j = i
            for k, p in enumerate(phrase):
                if k and j + 1 < len(words) and words[j] in APPROXIMATORS and p[:1].isdigit():
                    j += 1
                if j < len(words) and (words[j] == p or (k == n - 1 and words[j] in forms)):
                    j += 1
                else:
                    break
            else:
                spans.append((i, j))
        return spans

    def contrasts(self) -> list[int]:
        """Positions of contrast/correction markers: but, however, actually, instead, in fact."""
        return [
            i
            for i, w in enumerate(self.words)
            if w in CONTRAST_WORDS or (w == "fact" and i > 0 and self.words[i - 1] == "in")
        ]


def tokenize(text: str) -> Doc:
    """Split a response into words, clauses and sentences, with markdown flags per word."""
    raw: list[str] = []
    raw_clause: list[int] = []
    raw_flags: list[int] = []
    sentence, marker, question = [0], [""], [False]
    has_words = False

    def open_clause(mark: str, new_sentence: bool = False) -> None:
        nonlocal has_words
        if new_sentence:
            question.append(False)
        if has_words:
            sentence.append(len(question) - 1)
            marker.append(mark)
        else:  # reuse the empty clause
            sentence[-1] = len(question) - 1
            marker[-1] = mark
        has_words = False

    for chunk, flag in _chunks(text):
        for m in _PIECE.finditer(fold(chunk)):
            piece = m.group()
            if piece[0].isalnum():
                if piece in SPLIT_WORDS and has_words:
                    open_clause(piece)
                elif piece in SPLIT_WORDS:
                    marker[-1] = piece
                raw.append(piece)
                raw_clause.append(len(sentence) - 1)
                raw_flags.append(flag)
                has_words = True
            elif piece in (".", "!", "?", ";", "\n"):
                if piece == "?":
                    question[-1] = True
                open_clause("", new_sentence=True)
            else:
                open_clause("(" if piece in "([{" else "")
    words, src = canon_numbers(raw)
    return Doc(words, [raw_clause[i] for i in src], sentence, marker, question, [raw_flags[i] for i in src])
