"""The judge cascade: which rows an LLM judge scores, and which verdict a row keeps (pure, no model here).

The offline scorer decides first. The judge then scores
- every row the offline scorer left `undecided` (role "undecided"), or with `judge_all` every row it
  scored correct, incorrect or undecided (role "all"); and
- a seeded random sample of `sample` rows the offline scorer decided (correct or incorrect) in each group
  (one model, variant and mode), to measure how often the two agree (role "agreement").
Refusals (detected first, by phrase) and empty outputs (`unparsed`) are never sent: there is no answer to
grade. A row's primary verdict is the judge's where the judge was asked to settle it (roles "undecided"
and "all") and stays the offline scorer's on the agreement sample; both verdicts are kept (`by_scorer`).

The sample is the `sample` decided rows of a group with the smallest hash of (seed, group, sample id): the
same rows whatever order rows arrive in, so a resumed run judges only what is still missing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from warmlab.errors import WarmlabError

Role = Literal["undecided", "all", "agreement"]
ROLES: tuple[Role, ...] = ("undecided", "all", "agreement")
#: offline verdicts a judge may be asked about (refusal, unparsed and invalid rows have no answer to grade)
SENDABLE = frozenset({"correct", "incorrect", "undecided"})
#: offline verdicts the agreement sample is drawn from (the ones an error rate counts)
DECIDED_ANSWERS = frozenset({"correct", "incorrect"})
DEFAULT_SAMPLE = 50


@dataclass(frozen=True)
class CascadeSettings:
    """judge_all: the judge scores every sendable row (it is the primary scorer); sample: decided rows per
    group judged to measure agreement (0: none); seed: which ones."""

    judge_all: bool = False
    sample: int = DEFAULT_SAMPLE
    seed: int = 0

    def __post_init__(self) -> None:
        if self.sample < 0:
            raise WarmlabError(f"the judge's agreement sample must be 0 or more rows, not {self.sample}")


@dataclass(frozen=True)
class Candidate:
    """One scored row as the cascade sees it. `judged`: a judge verdict is already recorded (resume)."""

    key: int  # the row's index
    group: Hashable
    sample_id: str
    verdict: str
    judged: bool = False


def rank(seed: int, group: Hashable, sample_id: str) -> str:
    """A stable pseudo-random rank of a row within its group (no dependence on row order)."""
    return hashlib.sha256(f"{seed}|{group!r}|{sample_id}".encode()).hexdigest()


def select(candidates: Iterable[Candidate], settings: CascadeSettings) -> dict[int, Role]:
    """The rows to send to the judge now, with the role each is judged in (rows already judged are left
    out, but still count towards their group's agreement sample)."""
    out: dict[int, Role] = {}
    decided: dict[Hashable, list[Candidate]] = defaultdict(list)
    for c in candidates:
        if c.verdict not in SENDABLE:
            continue
        if c.verdict == "undecided" or settings.judge_all:
            if not c.judged:
                out[c.key] = "undecided" if c.verdict == "undecided" else "all"
            continue
        decided[c.group].append(c)
    for group, cs in decided.items():
        picked = sorted(cs, key=lambda c: rank(settings.seed, group, c.sample_id))[: settings.sample]
        out.update({c.key: "agreement" for c in picked if not c.judged})
    return out


def primary(offline: str, judge: str, role: Role) -> str:
    """The verdict a judged row keeps: the judge's where it was asked to settle the row, else offline's."""
    return offline if role == "agreement" else judge


def count_roles(roles: Mapping[int, Role]) -> dict[str, int]:
    """{role: rows} for a one-line summary."""
    counts = dict.fromkeys(ROLES, 0)
    for r in roles.values():
        counts[r] += 1
    return {k: v for k, v in counts.items() if v}
