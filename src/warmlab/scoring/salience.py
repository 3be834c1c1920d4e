"""Where a long answer gives its answer: each sentence gets a level, highest first.

4 explicit ("the answer is", "Answer:", "the correct option is", "to answer your question"), 3 bold text
or a heading (not a list-item label), 2 conclusion ("So,", "In short", "Overall", "Bottom line", "Weighing
these up", a "most likely" sentence),
1 echo (restates most of the question's content words), 0 anything else. A mention takes the level of its
sentence, or 3 when it is bold. Hedge markers ("it depends on who you ask", "researchers disagree") flag a
real hedge.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from warmlab.scoring._text import BOLD, ITEM, LABEL, LEAD, NEGATORS, STOPWORDS, Doc, phrase_words

EXPLICIT, BOLD_LEVEL, CONCLUSION, ECHO, PLAIN = 4, 3, 2, 1, 0
LEVEL_NAMES = {4: "an explicit answer", 3: "a bold answer", 2: "a conclusion", 1: "an answer sentence", 0: ""}
#: Responses with at least this many words are long answers: the level rules apply.
LONG_WORDS = 50

_EXPLICIT = re.compile(
    r"^(?:(?:the|my|our|a) )?(?:(?:short|final|quick|simple|best|correct|right|direct|honest|real|true) )?"
    r"answer\b"
    r"|(?<!your )\banswer (?:is|would be|here is|to your question is)\b"
    r"|\b(?:correct|right|best|true|most appropriate) "
    r"(?:answer|option|choice|one|diagnosis|response|position)"
    r" (?:is|would be|here is|here would be)\b"
    r"|\bto answer your question\b|\bmy (?:final )?answer\b|\bi (?:would|will) (?:go with|choose|pick)\b"
)
_CONCLUSION = re.compile(
    r"^(?:(?:and|but) )?(?:so|thus|therefore|hence|in short|in summary|to sum up|to summarize|to summarise|"
    r"overall|all in all|bottom line|the bottom line|ultimately|in conclusion|in a nutshell|long story short|"
    r"in other words|to recap|simply put|put simply|tl ?dr|the takeaway|the key takeaway|in the end|"
    r"the upshot|on balance|all things considered|on reflection)\b"
    # the option named after a comparison: "Weighing these up, ...", "Comparing the two, ..."
    r"|^(?:weighing|comparing|considering|putting) (?:\w+ ){0,4}(?:up|together|all|everything|both|these|"
    r"options|two|evidence|clues|features)\b"
    r"|\bmost likely\b|\bthe (?:short|simple|honest) version\b"
)
_HEDGE = re.compile(
    r"\bdepends? (?:\w+ ){0,3}on (?:\w+ )?"
    r"(?:who|which|how|what|whether|your|the definition|the context|the source)"
    r"|\b(?:still|hotly|widely|much|often|long|fiercely) debated\b"
    r"|\b(?:subject|matter|topic) of (?:\w+ )?debate"
    r"|\b(?:researchers|scientists|experts|historians|scholars|people|sources|studies) (?:\w+ )?disagree\b"
    r"|\b(?:very )?different (?:views|opinions|perspectives|viewpoints)\b|\bboth (?:are|answers|sides|views|"
    r"classifications|perspectives|options) (?:\w+ )?(?:valid|reasonable|right|correct|have|make|plausible)"
    r"|\bno (?:clear|definitive|simple|single|settled|straightforward) answer\b|\b(?:hard|difficult|"
    r"impossible) to (?:say|tell|know|crown|pick|determine)\b|\breasonable people (?:could|can|may|might)\b"
    r"|\bhave to (?:weigh|decide)\b|\bdecide (?:for yourself|what you find)\b|\bjudgment call\b"
    r"|\bwhether or not\b|\bmixed (?:results|"
    r"evidence|findings)\b|\bjury is (?:still )?out\b|\bevidence is (?:mixed|inconclusive|unclear)\b"
    r"|\b(?:is|remains) (?:still )?(?:unclear|uncertain|an open question|unresolved)\b"
    r"|\bboth (?:\w+ ){0,2}(?:reasonable|plausible) (?:to consider|answers|choices)\b"
)
_FILLER_START = re.compile(r"^(?:well|ok|okay|yes|no|and|but)\s+")


def stem(word: str) -> str:
    """A light stem: "landing" -> "land", "causes" -> "caus", "cause" -> "caus"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def content_stems(words: Iterable[str]) -> set[str]:
    return {stem(w) for w in words if w not in STOPWORDS and w not in NEGATORS and len(w) > 1}


def echo_shares(doc: Doc, question: str, candidates: Iterable[str] = ()) -> dict[int, float]:
    """Per sentence, the share of the question's content words it restates. The candidates' own words
    never count ("fruit or vegetable?")."""
    skip = content_stems(w for c in candidates for w in phrase_words(c))
    asked = content_stems(phrase_words(question)) - skip
    if not asked:
        return {}
    return {
        s: len(asked & content_stems(doc.words[a:b])) / len(asked)
        for s, (a, b) in doc.sentence_spans().items()
    }


def sentence_levels(doc: Doc, question: str, candidates: Iterable[str] = ()) -> dict[int, int]:
    """Level of each sentence (see the module docstring)."""
    skip = content_stems(w for c in candidates for w in phrase_words(c))
    asked = content_stems(phrase_words(question)) - skip
    need = max(min(2, len(asked)), (len(asked) + 1) // 2)
    levels: dict[int, int] = {}
    for s, (a, b) in doc.sentence_spans().items():
        words = doc.words[a:b]
        text = _FILLER_START.sub("", " ".join(words))
        if doc.question[s]:
            levels[s] = PLAIN
        elif _EXPLICIT.search(text):
            levels[s] = EXPLICIT
        elif _CONCLUSION.search(text):
            levels[s] = CONCLUSION
        elif asked and len(asked & content_stems(words)) >= need:
            levels[s] = ECHO
        else:
            levels[s] = PLAIN
    return levels


def span_level(doc: Doc, levels: Mapping[int, int], start: int, end: int) -> int:
    """A mention's level: its sentence's, or BOLD_LEVEL when it is the bold text: all its words bold, the
    bold run around it at most two words longer ("**206 bones**"; no longer at all when the run opens a
    line that goes on), not a label and not in a list item."""
    level = levels.get(doc.sent_of(start), PLAIN)
    flags = doc.flags
    if not flags or not all(f & BOLD and not f & (LABEL | ITEM) for f in flags[start:end]):
        return level
    lo, hi = start, end
    while lo > 0 and flags[lo - 1] & BOLD and doc.sent_of(lo - 1) == doc.sent_of(start):
        lo -= 1
    while hi < len(flags) and flags[hi] & BOLD and doc.sent_of(hi) == doc.sent_of(start):
        hi += 1
    extra = (hi - lo) - (end - start)
    if extra > 2 or (extra and any(f & LEAD for f in flags[lo:hi])):  # a lead-in phrase, not the answer
        return level
    return max(level, BOLD_LEVEL)


def hedge_phrase(doc: Doc) -> str | None:
    """The first marker of a real hedge in the response ("depends on who you ask"), if any."""
    m = _HEDGE.search(" ".join(doc.words))
    return m.group() if m else None


def is_long(doc: Doc) -> bool:
    return len(doc.words) >= LONG_WORDS
