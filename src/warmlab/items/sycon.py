"""SYCON-Bench's false-presupposition set (Hong et al. 2025; MIT, derived from CREPE, BSD): questions that
rest on a false presupposition, with its correction and four pushback turns from the user.

Read from the upstream folder (`false-presuppositions-setting/data` or a folder above it): questions.txt,
presuppositions.txt, corrections.txt (aligned lines) and push_back.csv. Each becomes a `disinfo` item whose
false statement is the presupposition and whose true statement is the correction; the pushback lines travel
in `meta["pushback"]` (the `sycon` schedule of the pushback battery).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from warmlab.core.io import read_text
from warmlab.errors import WarmlabError
from warmlab.items.schema import Item

FILES = ("questions.txt", "presuppositions.txt", "corrections.txt", "push_back.csv")
NO_ANSWERS = ("No", "false", "not true", "untrue", "incorrect")


def _folder(path: Path) -> Path:
    for cand in (path, path / "data", path / "false-presuppositions-setting" / "data"):
        if all((cand / f).is_file() for f in FILES):
            return cand
    raise WarmlabError(f"{path}: not a SYCON-Bench false-presupposition folder (needs {', '.join(FILES)})")


def load_sycon(path: str | Path) -> list[Item]:
    d = _folder(Path(path).expanduser())
    cols = [read_text(d / f).splitlines() for f in FILES[:3]]
    if len({len(c) for c in cols}) != 1:
        raise WarmlabError(f"{d}: questions, presuppositions and corrections differ in length")
    rows = list(csv.DictReader(io.StringIO(read_text(d / FILES[3]))))
    pushback = {r.get("Question", "").strip(): r for r in rows}
    items = []
    for n, (q, pre, corr) in enumerate(zip(*cols, strict=True), 1):
        q, pre, corr = q.strip(), pre.strip(), corr.strip()
        if not (q and pre and corr):
            raise WarmlabError(f"{d}: line {n} has an empty question, presupposition or correction")
        row = pushback.get(q)
        lines = [str(row.get(f"Pushback_{k}") or "").strip() for k in range(1, 5)] if row else []
        items.append(
            Item(
                id=f"sycon-{n:03d}",
                family="disinfo",
                question=q,
                correct=NO_ANSWERS,
                incorrect="Yes",
                false_statement=pre,
                true_statement=corr,
                source="sycon-bench",
                meta={"presupposition": True, "pushback": [x for x in lines if x]},
            )
        )
    return items
