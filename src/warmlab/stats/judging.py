"""Reliability rows scored by more than one scorer (the judge cascade): who judged what, and how often the
offline scorer and the judge agree on the error flag (raw, Cohen's kappa, n) for any slice of rows.

Agreement is read on the flag that enters the error rate (warmlab.tasks.reliability.error_flag): a row
counts when both scorers gave it a flag (undecided, unparsed and non-disinfo refusals give none), so the
rows a judge settled because the offline scorer abstained do not enter it; the agreement sample and
`--judge-all` rows do.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from warmlab.stats.outcomes import agreement

Row = Mapping[str, Any]


def judged_rows(rows: Sequence[Row]) -> list[Row]:
    """Rows with verdicts from two or more scorers."""
    return [r for r in rows if len(r.get("by_scorer") or {}) >= 2]


def _outcome() -> Any:
    from warmlab.tasks import get_battery

    return get_battery("reliability").outcomes[0]


def agreement_of(rows: Sequence[Row]) -> dict[str, Any] | None:
    """Offline vs judge on these rows: {scorers, n, agreement, kappa}; None when no row has both. With
    several judges, the pair with the most rows."""
    pairs = [a for a in agreement(_outcome(), rows) if "offline" in a["scorers"]]
    return max(pairs, key=lambda a: a["n"]) if pairs else None


def _matches(r: Row, e: Mapping[str, Any], fields: Sequence[str]) -> bool:
    return all(e.get(f) in (None, "all") or str(r.get(f)) == str(e[f]) for f in fields)


def attach_agreement(
    entries: list[dict[str, Any]], rows: Sequence[Row], select: Callable[[Row, Mapping[str, Any]], bool]
) -> None:
    """Add `agreement` to each entry, over the judged rows `select(row, entry)` keeps (None: none)."""
    judged = judged_rows(rows)
    for e in entries:
        e["agreement"] = agreement_of([r for r in judged if select(r, e)]) if judged else None


def in_paired(r: Row, e: Mapping[str, Any]) -> bool:
    """A row that enters a paired entry: the variant's or its base's, same mode and base model, its cell."""
    base = str(r.get("base") or r.get("model"))
    return (
        r.get("mode") == e["mode"]
        and base == e["base"]
        and r.get("variant") in (e["variant"], "base")
        and _matches(r, e, ("family", "context", "belief"))
    )


def judge_summary(rows: Sequence[Row]) -> dict[str, Any] | None:
    """Who judged and how: [{model, prompt, max_tokens, temperature, rows, roles}], with the overall
    offline-judge agreement; None when no row was judged."""
    recs = [r["judge"] for r in rows if isinstance(r.get("judge"), Mapping)]
    if not recs:
        return None
    setups: dict[str, dict[str, Any]] = {}
    roles: dict[str, Counter[str]] = {}
    for rec in recs:
        setup = {k: rec.get(k) for k in ("model", "prompt", "max_tokens", "temperature")}
        key = json.dumps(setup, sort_keys=True)
        setups.setdefault(key, setup)
        roles.setdefault(key, Counter())[str(rec.get("role"))] += 1
    return {
        "judges": [{**s, "rows": sum(roles[k].values()), "roles": dict(roles[k])} for k, s in setups.items()],
        "agreement": agreement_of(judged_rows(rows)),
    }
