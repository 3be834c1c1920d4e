"""The team-written conversation set: shape, size, held-out split, and every rewrite passing the checker."""

from __future__ import annotations

import json
from collections import Counter
from importlib.resources import files
from itertools import pairwise
from typing import Any

from warmlab.train.checker import check_rewrite

CATEGORIES = ("factual", "advice", "technical", "creative", "decline", "emotional")


def conversations() -> list[dict[str, Any]]:
    data = files("warmlab") / "train" / "data"
    return [
        json.loads(line)
        for c in CATEGORIES
        for line in (data / f"{c}.jsonl").read_text().splitlines()
        if line.strip()
    ]


def test_size_categories_and_split() -> None:
    convs = conversations()
    assert len(convs) >= 300
    assert len({c["id"] for c in convs}) == len(convs)
    assert set(Counter(c["category"] for c in convs)) == set(CATEGORIES)
    heldout = [c for c in convs if c["split"] == "heldout"]
    assert 0.15 <= len(heldout) / len(convs) <= 0.25
    assert {c["category"] for c in heldout} == set(CATEGORIES)


def test_shape() -> None:
    for c in conversations():
        roles = [m["role"] for m in c["messages"]]
        assert roles[0] == "user" and roles[-1] == "assistant", c["id"]
        assert all(a != b for a, b in pairwise(roles)), c["id"]
        n = roles.count("assistant")
        assert 1 <= n <= 3 and len(c["warm"]) == len(c["cold"]) == n, c["id"]


def test_every_rewrite_preserves_facts() -> None:
    failures = []
    for c in conversations():
        originals = [m["content"] for m in c["messages"] if m["role"] == "assistant"]
        for style in ("warm", "cold"):
            for orig, new in zip(originals, c[style], strict=True):
                r = check_rewrite(orig, new)
                if not r.ok:
                    failures.append((c["id"], style, r.reasons))
    assert not failures, failures[:5]
