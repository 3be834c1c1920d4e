"""Pure scoring of IPIP-NEO-120 answers: likelihood-based (judge-free) and parsed (generate mode).

Raw answers run 1 (very inaccurate) to 5 (very accurate); an item's keyed score is the raw answer for
plus-keyed items and 6 - raw for minus-keyed ones. Facet and domain scores are the mean keyed score of
their items (1-5, so facets of 4 items and domains of 24 compare on one scale).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from warmlab.tasks.personality.data import IpipItem
from warmlab.tasks.personality.prompts import ANSWERS, listed, raw_answer


def keyed_score(item: IpipItem, raw: float) -> float:
    """Raw answer (1-5) -> keyed score (minus-keyed items reversed)."""
    if not 1 <= raw <= 5:
        raise ValueError(f"an answer runs 1-5, not {raw}")
    return raw if item.keyed == "plus" else 6 - raw


def answer_probabilities(logliks: Sequence[float]) -> list[float]:
    """Softmax over the five answers' log-likelihoods (the model's distribution over the scale)."""
    if len(logliks) != 5:
        raise ValueError(f"need 5 log-likelihoods, got {len(logliks)}")
    top = max(logliks)
    e = [math.exp(x - top) for x in logliks]
    total = sum(e)
    return [x / total for x in e]


def choice_outcomes(item: IpipItem, logliks: Sequence[float], order: str = "forward") -> dict[str, float]:
    """Judge-free outcomes of one item from the log-likelihoods of the listed numbers 1-5 (in `order`):
    the expected keyed score, the keyed score of the most likely answer, that raw answer and the probability
    it got, the expected raw answer (above 3: agrees, whatever the item's key) and the expected listed
    number (position: near 1 whatever the order is a preference for the first number, not an answer)."""
    listed(order)  # an unknown order fails here
    p_number = answer_probabilities(logliks)
    p = p_number if order == "forward" else p_number[::-1]  # probability per raw answer 1-5
    raw_expected = sum(k * pk for k, pk in enumerate(p, 1))
    best = max(range(5), key=lambda k: (p[k], -k)) + 1  # a tie goes to the lower answer
    return {
        "expected": keyed_score(item, raw_expected),
        "argmax": keyed_score(item, best),
        "raw_argmax": float(best),
        "p_argmax": p[best - 1],
        "raw": raw_expected,
        "position": sum(k * pk for k, pk in enumerate(p_number, 1)),
    }


def generate_outcomes(item: IpipItem, text: str, order: str = "forward") -> dict[str, float | int | None]:
    """Outcomes of a generated reply: the parsed listed number, its raw answer and keyed score (None when
    unparsed) and `unparsed` (0/1)."""
    number = parse_answer(text, order)
    if number is None:
        return {"score": None, "raw": None, "position": None, "answer": None, "unparsed": 1}
    raw = raw_answer(number, order)
    return {"score": keyed_score(item, raw), "raw": raw, "position": number, "answer": raw, "unparsed": 0}


_PHRASES = sorted(((a.lower(), n) for n, a in enumerate(ANSWERS, 1)), key=lambda t: -len(t[0]))
_DIGIT = re.compile(r"(?<![\d.])([1-5])(?![\d]|\.\d)")
_PHRASE = re.compile("|".join(re.escape(p) for p, _ in _PHRASES), re.IGNORECASE)


def parse_answer(text: str, order: str = "forward") -> int | None:
    """The listed number (1-5) a generated reply picks, or None when there is none or it is ambiguous.

    Rules: the first stand-alone digit 1-5 (not part of a longer number or a decimal), and the first
    answer phrase ("moderately accurate", ...), read as the number it has in `order`; when both occur
    they must agree. A digit followed by "out of"/"/" a scale (e.g. "4 out of 5", "4/5") counts once."""
    t = re.sub(r"([1-5])\s*(?:/|out of)\s*5\b", r"\1", text, flags=re.IGNORECASE)
    d = _DIGIT.search(t)
    ph = _PHRASE.search(t)
    digit = int(d.group(1)) if d else None
    phrase = int(raw_answer(dict(_PHRASES)[ph.group(0).lower()], order)) if ph else None
    if digit is not None and phrase is not None and digit != phrase:
        return None
    return digit if digit is not None else phrase


def scale_scores(scores: Mapping[str, float], items: Sequence[IpipItem]) -> dict[str, dict[str, float]]:
    """Mean keyed score per domain and per facet over the items that have a score (item id -> keyed
    score; unanswered items are left out of their scale's mean). Scales with no answered item are absent."""
    by_domain: dict[str, list[float]] = {}
    by_facet: dict[str, list[float]] = {}
    for item in items:
        if item.id in scores and scores[item.id] is not None and not math.isnan(scores[item.id]):
            by_domain.setdefault(item.domain, []).append(scores[item.id])
            by_facet.setdefault(item.facet_code, []).append(scores[item.id])
    return {
        "domains": {k: sum(v) / len(v) for k, v in sorted(by_domain.items())},
        "facets": {k: sum(v) / len(v) for k, v in sorted(by_facet.items())},
    }


def cronbach_alpha(matrix: Sequence[Sequence[float]]) -> float:
    """Cronbach's alpha of a respondents x items matrix of keyed scores:
    k/(k-1) * (1 - sum of item variances / variance of the total), sample variances.
    nan when it is undefined (fewer than 2 items or respondents, or no variance in the totals)."""
    n = len(matrix)
    k = len(matrix[0]) if n else 0
    if n < 2 or k < 2 or any(len(row) != k for row in matrix):
        return math.nan

    def var(xs: Sequence[float]) -> float:
        m = sum(xs) / len(xs)
        return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)

    totals = [sum(row) for row in matrix]
    total_var = var(totals)
    if total_var == 0:
        return math.nan
    item_var = sum(var([row[j] for row in matrix]) for j in range(k))
    return k / (k - 1) * (1 - item_var / total_var)


def scale_alphas(
    administrations: Sequence[Mapping[str, float]], items: Sequence[IpipItem]
) -> dict[str, dict[str, float]]:
    """Cronbach's alpha per domain and per facet, each administration (e.g. a framing of the questions)
    one respondent; only items answered in every administration count."""
    common = [i for i in items if all(i.id in a and not math.isnan(a[i.id]) for a in administrations)]
    out: dict[str, dict[str, float]] = {"domains": {}, "facets": {}}
    for kind, key in (("domains", lambda i: i.domain), ("facets", lambda i: i.facet_code)):
        groups: dict[str, list[IpipItem]] = {}
        for i in common:
            groups.setdefault(key(i), []).append(i)
        for name, its in sorted(groups.items()):
            out[kind][name] = cronbach_alpha([[a[i.id] for i in its] for a in administrations])
    return out
