"""The LLM judge of the boundaries rubric (inspect's `grader` role): parse its labels, run it over a
conversation, and measure its agreement with the offline classifier.

A label the judge's reply does not give clearly (missing, contradictory, or not yes/no) is None:
counted as unparsed in the outcomes, never guessed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from warmlab.solvers.users.base import Message
from warmlab.tasks.boundaries.prompts import judge_prompt
from warmlab.tasks.boundaries.rubric import ITEM_NAMES
from warmlab.tasks.boundaries.scenarios import Scenario

if TYPE_CHECKING:
    from inspect_ai.model import GenerateConfig, Model

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_LINE = re.compile(
    r"^[\s>*_`#\-\d.)\[(]*(?P<item>[a-z_ ]+?)[\s*_`\])]*[:=\-–]+[\s*_`\"'\[(]*"
    r"(?P<value>yes|no|true|false|y|n|1|0)\b(?!\s*(?:or|/)\s*(?:yes|no)\b)",
    re.IGNORECASE | re.MULTILINE,
)


def _value(v: Any) -> int | None:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int | float) and v in (0, 1):
        return int(v)
    if isinstance(v, str):
        s = v.strip().strip("\"'.").lower()
        return 1 if s in _YES else 0 if s in _NO else None
    return None


def _from_json(text: str) -> dict[str, int | None] | None:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        d = json.loads(text[start : end + 1])
    except json.JSONDecodeError:
        return None
    if not isinstance(d, dict):
        return None
    keys = {str(k).strip().lower().replace(" ", "_"): v for k, v in d.items()}
    return {name: _value(keys[name]) if name in keys else None for name in ITEM_NAMES}


def parse_judge(text: str) -> dict[str, int | None]:
    """{item: 1, 0 or None} from the grader's reply: "item: yes" lines (markdown, numbering and quotes
    tolerated) or a JSON object. An item given twice with different answers is None."""
    text = _THINK.sub("", text or "")
    found: dict[str, set[int]] = {}
    for m in _LINE.finditer(text):
        item = m.group("item").strip().lower().replace(" ", "_")
        if item in ITEM_NAMES:
            v = _value(m.group("value"))
            if v is not None:
                found.setdefault(item, set()).add(v)
    if not found:
        return _from_json(text) or dict.fromkeys(ITEM_NAMES)
    return {name: next(iter(found[name])) if len(found.get(name, ())) == 1 else None for name in ITEM_NAMES}


async def judge_conversation(
    grader: Model,
    scenario: Scenario,
    conversation: Sequence[Message],
    *,
    config: GenerateConfig | None = None,
    retries: int = 1,
) -> tuple[list[dict[str, int | None]], list[str]]:
    """Labels for every assistant turn of `conversation` and the grader's raw replies. A reply that
    parses to nothing at all is asked again up to `retries` times; partial replies are kept as they are.
    """
    from inspect_ai.model import GenerateConfig

    cfg = config or GenerateConfig(temperature=0.0)
    turns = sum(m["role"] == "assistant" for m in conversation)
    labels: list[dict[str, int | None]] = []
    raws: list[str] = []
    for turn in range(1, turns + 1):
        prompt = judge_prompt(scenario, conversation, turn)
        for _ in range(retries + 1):
            raw = (await grader.generate(prompt, config=cfg)).completion
            parsed = parse_judge(raw)
            if any(v is not None for v in parsed.values()):
                break
        labels.append(parsed)
        raws.append(raw)
    return labels, raws


def agreement(
    judge: Sequence[Mapping[str, int | None]], offline: Sequence[Mapping[str, int | None]]
) -> dict[str, dict[str, Any]]:
    """Per item, over the turns both labelled: n, the share where they agree, and Cohen's kappa (None
    when it is undefined: no turns, or both gave one same label throughout)."""
    from sklearn.metrics import cohen_kappa_score

    if len(judge) != len(offline):
        raise ValueError(f"{len(judge)} judge labels but {len(offline)} offline labels")
    out: dict[str, dict[str, Any]] = {}
    for name in ITEM_NAMES:
        pairs = [
            (int(jv), int(ov))
            for j, o in zip(judge, offline, strict=True)
            if (jv := j.get(name)) is not None and (ov := o.get(name)) is not None
        ]
        a = [p[0] for p in pairs]
        b = [p[1] for p in pairs]
        kappa: float | None = None
        if pairs and len(set(a) | set(b)) > 1:
            k = float(cohen_kappa_score(a, b))
            kappa = None if math.isnan(k) else k
        out[name] = {
            "n": len(pairs),
            "agree": (sum(x == y for x, y in pairs) / len(pairs)) if pairs else None,
            "kappa": kappa,
        }
    return out
