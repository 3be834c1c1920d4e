"""The support battery's own report section (after the generic one): final emotion by intention group and
kind, how the dialogues ended, and what the scripted stand-in can and cannot show."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from warmlab.report.markup import cells_table

e = html.escape
STOPS = ("satisfied", "goodbye", "max_turns", "gave_up", "user_failed")

STAND_IN = (
    "Scripted stand-in: the user's emotion follows exact rules over the reply's phrasing (reflecting the "
    "feeling, open questions, unwanted advice, minimising, a fit with the hidden intention; "
    "tasks/support/features.py). It rewards phrasing, not understanding, so these numbers show that the "
    "battery runs and how replies differ in those cues; they are not evidence of support quality."
)
RL_ON_STAND_IN = (
    "The RL variant(s) {names} were trained against a simulated user; when that was this same scripted "
    "stand-in (the CPU profile's default), their support score measures how well they learned its cues "
    "(a run on the CPU profile learned to open with \u201cI'm so sorry\u201d), on held-out profiles but "
    "under the same rules: not an independent measure."
)


def _fmt(x: Any, signed: bool = False) -> str:
    if x is None:
        return "\u2013"
    return f"{x:+.1f}" if signed else f"{x:.1f}"


def _ci(ci: Any, signed: bool = False) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    return f" [{_fmt(ci[0], signed)}, {_fmt(ci[1], signed)}]"


def _final(entries: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    return next((o for o in entries if o.get("outcome") == "final_emotion"), None)


def by_level_rows(by: Mapping[str, Sequence[Mapping[str, Any]]], variants: Sequence[str]) -> list[list[str]]:
    """One row per level x variant: final emotion [CI] (n) and the paired difference from the base."""
    rows = []
    for level, entries in by.items():
        o = _final(entries)
        if o is None:
            continue
        vals = {v["variant"]: v for v in o["variants"] if v.get("n")}
        paired = {p["variant"]: p for p in o["paired"] if p.get("n_pairs")}
        for name in variants:
            v = vals.get(name)
            if v is None:
                continue
            p = paired.get(name)
            diff = f"{_fmt(p['diff'], True)}{_ci(p['ci'], True)} ({p['n_pairs']} pairs)" if p else "\u2013"
            rows.append([level, name, f"{_fmt(v['mean'])}{_ci(v['ci'])}", str(v["n"]), diff])
    return rows


def stop_rows(rows: Sequence[Mapping[str, Any]], variants: Sequence[str]) -> list[list[str]]:
    """How each variant's dialogues ended (counts of the user's stop reasons; no checkpoints)."""
    out = []
    for name in variants:
        got = Counter(
            str((r.get("outcomes") or {}).get("stop"))
            for r in rows
            if r.get("variant") == name and r.get("epoch") is None and r.get("scorer") != "error"
        )
        if got:
            out.append([name, str(sum(got.values())), *(str(got.get(s, 0)) for s in STOPS)])
    return out


def support_report(
    rows: Sequence[Mapping[str, Any]], stats: Mapping[str, Any], roles: Mapping[str, str]
) -> str:
    """Battery.report for support: (its rows, its statistics, variant roles) -> HTML."""
    m: Mapping[str, Any] = (stats.get("modes") or {}).get("generate") or {}
    final = _final(m.get("outcomes") or [])
    names = [v["variant"] for v in (final or {}).get("variants") or [] if v.get("n")]
    names = list(dict.fromkeys(names))
    out = ['<h3 id="support-detail">support: by intention and how dialogues ended</h3>']
    notes = []
    if stats.get("scripted_user"):
        notes.append(STAND_IN)
        rl = [n for n in names if roles.get(n) == "rl"]
        if rl:
            notes.append(RL_ON_STAND_IN.format(names=", ".join(rl)))
    elif stats.get("users"):
        notes.append(
            "Simulated user: " + ", ".join(f"{u} ({n} dialogues)" for u, n in stats["users"].items())
        )
    out += [f'<p class="note">{e(n)}</p>' for n in notes]
    head = ["level", "variant", "final emotion [95% CI]", "n", "vs base [95% CI]"]
    for field, title in (("group", "intention group"), ("intention", "hidden intention")):
        by = (m.get("by") or {}).get(field) or {}
        table_rows = by_level_rows(by, names)
        if table_rows:
            out.append(f"<h4>final emotion by {e(title)}</h4>")
            out.append(cells_table(head, table_rows))
    ends = stop_rows(rows, names)
    if ends:
        out.append("<h4>how the dialogues ended</h4>")
        out.append(cells_table(["variant", "dialogues", *STOPS], ends))
        out.append(
            '<p class="note">satisfied: emotion reached 100; gave_up: it fell below 10; goodbye: the '
            "(LLM) user left; max_turns: the turn cap; user_failed: the simulator's output was unusable "
            "after its retries (not scored).</p>"
        )
    return "\n".join(out) if len(out) > 1 else ""
