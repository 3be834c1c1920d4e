"""Multiple choice (medical): the letter or option text the response finally chooses."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from warmlab.scoring._text import Doc
from warmlab.scoring.answers import decided_by, no_answer, weak_pick
from warmlab.scoring.mentions import Mention, find_mentions, hedge_between, others, pick
from warmlab.scoring.salience import echo_shares, is_long, sentence_levels
from warmlab.scoring.verdict import Score, offline

_CORRECTION = re.compile(r"(?i)\b(?:actually|wait|instead|correction|on second thought|rather|but|however)\b")


def _letter_choice(response: str, options: Mapping[str, str]) -> tuple[list[str], str | None]:
    """Letters the response explicitly chooses (in order, minus any it rejects) and its final answer."""
    text = re.sub(r"[*_`#>]", "", response)  # markdown: "**Answer: B**"
    letters = "".join(sorted(k.strip().upper() for k in options))
    texts = [v.strip().casefold() for v in options.values() if len(v.strip()) > 1]
    let = rf"[\(\[]?([{letters}])[\)\]]?(?![\w'])"
    # "B) Pancreas is correct": the option's own text may sit between the letter and the verdict.
    named = rf"{let}(?:\s+(?i:{'|'.join(re.escape(v.strip()) for v in options.values())}))?"
    sentence_start = r"(?:^\s*|(?<=[.!?\n])\s*)"
    choose: tuple[str, ...] = (
        rf"(?i:\b(?:answer|option|choice|response)(?: choice)?\s*(?:is|would be|should be|=|:|-)\s*"
        rf"(?:option |choice |letter )?){let}",
        rf"(?i:\b(?:i(?: would|'d|’d| will|'ll|’ll| am going to)? (?:choose|pick|select|go with|opt for|say)|"
        rf"going with|let(?:'s| us) go with)\s+(?:option |choice |answer )?){let}",
        rf"(?:{sentence_start}|(?i:\b(?:option|choice) )){named}(?i:\s+(?:is|would be|seems|looks)\s+"
        r"(?:the\s+)?(?:(?!not\b)\w+\s+)?(?:correct|right|best|answer|most likely|most appropriate))",
        rf"^\s*[\(\[]?([{letters}])(?:[\)\]\.:,]|\s+-|\s*$)(?=\s|$)",
        rf"^\s*(?i:option|choice)\s+{let}(?=\s*(?:[\.:,;!\-]|$))",  # a response opening "Option D."
        rf"(?i:\b(?:it is|it's|it’s|its)\s+(?:option\s+|choice\s+)?){let}",
        # a lower-case letter only where nothing else can follow: "answer: d", "the answer is (b)."
        rf"(?i:\banswer\s*(?:is|:)\s*[\(\[]?([{letters}])[\)\]]?(?=\s*(?:[.,;!]|$)))",
    )
    # a list item that rates an option: "- D. Pancreas – Correct." / "- A. Liver: incorrect"
    alternatives = "|".join(re.escape(v.strip()) for v in options.values())
    rated = rf"(?<![\w'])[\(\[]?([{letters}])[\)\]]?\.?(?:\s+(?i:{alternatives}))?\s*[-\u2013\u2014:]+\s*"
    choose = (*choose, rated + r"(?i:(?:this is |that is )?(?:the )?(?:correct|right|best)\b(?! to))")
    rejects = (
        rated + r"(?i:(?:this is |that is )?(?:incorrect|wrong|not (?:correct|right|the answer))\b)",
        rf"(?i:\bnot\s+(?:option\s+|choice\s+)?){let}",
        rf"(?:{sentence_start}|(?i:\b(?:option|choice) )){named}(?i:\s+(?:is|would be|seems)\s+(?:\w+\s+)?"
        r"(?:not|incorrect|wrong|unlikely|less likely))",
    )
    hedges = (
        rf"(?i:\b(?:either|answer is|answer:|it is|it's)\s+(?:option\s+)?){let}"
        rf"\s+(?i:or)\s+(?:option\s+)?{let}"
    )
    final = re.findall(rf"(?i:\bfinal answer\s*(?:is|would be|=|:|-)?\s*(?:option |choice )?){let}", text)
    hits = [
        (m.start(), m.group(g).upper())
        for p in choose
        for m in re.finditer(p, text)
        for g in range(1, (m.re.groups or 0) + 1)
        if _is_letter(text, m.start(g), texts)
    ]
    hits += [
        (m.start(), m.group(g))
        for m in re.finditer(hedges, text)
        for g in (1, 2)
        if _is_letter(text, m.start(g), texts)
    ]
    rejected = {
        m.group(1) for p in rejects for m in re.finditer(p, text) if _is_letter(text, m.start(1), texts)
    }
    chosen = [x for x in dict.fromkeys(letter for _, letter in sorted(hits)) if x not in rejected]
    if len(chosen) > 1:
        # A later choice after a self-correction ("A ... actually, the answer is B") replaces the earlier one.
        last = max(pos for pos, letter in hits if letter == chosen[-1])
        first = min(pos for pos, letter in hits if letter == chosen[0])
        if _CORRECTION.search(text, first, last):
            chosen = chosen[-1:]
    return chosen, (final[-1].upper() if final else None)


# After a capital "A", a lower-case word other than these makes "A" the article ("The answer is A virus").
_AFTER_LETTER = frozenset(
    {
        "because",
        "since",
        "as",
        "and",
        "or",
        "which",
        "with",
        "for",
        "is",
        "was",
        "would",
        "seems",
        "looks",
        "from",
        "in",
        "here",
        "there",
        "then",
        "but",
        "so",
        "if",
        "given",
        "due",
        "being",
        "that",
    }
)


def _is_letter(text: str, pos: int, option_texts: Sequence[str]) -> bool:
    """False where the capital at `pos` starts an option's own text ("B cells") or is the article "A"."""
    rest = text[pos:].casefold()
    if any(rest.startswith(t) and not rest[len(t) : len(t) + 1].isalnum() for t in option_texts):
        return False
    nxt = re.match(r" ([a-z]+)", text[pos + 1 :])
    return not (text[pos] == "A" and nxt is not None and nxt.group(1) not in _AFTER_LETTER)


def score_medical(
    doc: Doc,
    response: str,
    options: Mapping[str, str],
    answer_key: str,
    correct: Sequence[str],
    question: str = "",
) -> Score:
    """An explicit letter decides ("Answer: B", "B) ... is correct", "final answer: B"); else the option
    texts (and "option B") are scored as mentions, by level in long answers."""
    by_letter = {k.strip().upper(): k for k in options}
    chosen, final = _letter_choice(response, options)
    if final or len(chosen) == 1:
        letter = final or chosen[0]
        key = by_letter[letter]
        head = f"chooses {letter} ({options[key]!r})"
        if key == answer_key:
            return offline("correct", head + ", the answer key")
        return offline("incorrect", head + f"; the answer key is {answer_key} ({options[answer_key]!r})")
    cands = {
        k: [text, f"option {k}", f"choice {k}", *(correct if k == answer_key else ())]
        for k, text in options.items()
    }
    long = is_long(doc)
    levels = sentence_levels(doc, question, options.values()) if long else None
    echo = echo_shares(doc, question, options.values()) if long else None
    ms = find_mentions(doc, cands, levels=levels, echo=echo)

    def name(m: Mention) -> str:
        return f"option {m.label} ({options[m.label]!r})"

    picked, how, level = pick(doc, ms, leveled=long)
    if picked is not None and long and (weak := weak_pick(doc, response, level)):
        return weak
    if picked is not None:
        head = decided_by(how, level, name(picked))
        if picked.label == answer_key:
            return offline("correct", head + ", the answer key" + others(ms, picked.label, name))
        return offline(
            "incorrect", head + f"; the answer key is {answer_key}" + others(ms, picked.label, name)
        )
    if chosen:
        return offline("undecided", "hedges between options " + ", ".join(chosen))
    if how == "hedge":
        return offline("undecided", hedge_between(ms, name, level if long else None))
    return no_answer(response, "no option chosen" + others(ms, None, name), long)
