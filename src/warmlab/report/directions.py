"""Report sections for persona directions: capped/steered (and other compared) variants against their
reference, and the monitor's shifts beside the measured warmth and error gaps."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from warmlab.report.markup import cells_table

e = html.escape
FIRST = ("reliability", "pushback", "warmth")  # what capping should restore (errors, survival) and keep


def _num(x: Any, pct: bool, signed: bool = True) -> str:
    if x is None:
        return "–"
    if pct:
        return f"{100 * x:+.1f} pp" if signed else f"{100 * x:.1f}%"
    return f"{x:+.3f}" if signed else f"{x:.3f}"


def _ci(ci: Any, pct: bool) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    return f" [{_num(ci[0], pct)}, {_num(ci[1], pct)}]"


def _p(p: Any) -> str:
    return "–" if p is None else ("<0.001" if p < 0.001 else f"{p:.3f}")


def _result_row(x: Mapping[str, Any]) -> list[str]:
    pct = x["kind"] in ("binary", "verdict")
    what = x["outcome"] + (f" ({x['event']})" if x.get("event") else "")
    return [
        x["task"],
        x["mode"],
        what,
        _num(x["variant_mean"], pct, signed=False),
        _num(x["base_mean"], pct, signed=False),
        _num(x["diff"], pct) + _ci(x["ci"], pct),
        str(x["n_pairs"]),
        _p(x.get("p_value")),
        {"lower": "lower", "higher": "higher"}.get(str(x.get("better")), "–"),
    ]


def comparisons_html(stats: Mapping[str, Any]) -> str:
    """One table per compared pair: the primary outcome of every battery first, the rest folded."""
    comps = stats.get("comparisons") or []
    if not comps:
        return ""
    out = [
        '<h2 id="comparisons">Capped, steered and compared variants</h2>',
        '<p class="note">Each variant against its reference on the samples both answered (not against the '
        "base): a capped or steered variant against the same model without its hooks, and the pairs the "
        "study names. Capping restores reliability where the error difference is below 0 with its CI, and "
        "keeps warmth where the warmth difference is near 0. Differences are paired, with 95% "
        "item-clustered bootstrap CIs; p: exact McNemar for binary outcomes.</p>",
    ]
    head = [
        "battery",
        "mode",
        "outcome",
        "variant",
        "reference",
        "difference [95% CI]",
        "pairs",
        "p",
        "better",
    ]
    for c in comps:
        why = "the same model without its hooks" if c.get("why") == "hooks" else "named in the study"
        out.append(f"<h3>{e(c['variant'])} vs {e(c['reference'])} <span class='note'>({e(why)})</span></h3>")
        results = sorted(c["results"], key=lambda x: FIRST.index(x["task"]) if x["task"] in FIRST else 99)
        main = [x for x in results if x.get("primary")]
        rest = [x for x in results if not x.get("primary")]
        out.append(cells_table(head, [_result_row(x) for x in main]) if main else "")
        if rest:
            out.append(
                f"<details><summary>{len(rest)} more outcome(s)</summary>"
                + cells_table(head, [_result_row(x) for x in rest])
                + "</details>"
            )
    return "\n".join(x for x in out if x)


def _r(c: Mapping[str, Any]) -> str:
    if c.get("r") is None:
        n = int(c.get("n") or 0)
        why = "fewer than 3 points" if n < 3 else "no spread (the shift or the gap is the same everywhere)"
        return f"r undefined: {why} (n = {n})"
    ci = c.get("ci") or [None, None]
    band = f" [{ci[0]:+.2f}, {ci[1]:+.2f}]" if ci[0] is not None else " (no CI below 4 points)"
    return f"r = {c['r']:+.2f}{band}, n = {c['n']}"


def monitor_html(summary: Mapping[str, Any] | None) -> str:
    """The shift of every monitored model beside its warmth and error gaps, and their correlations."""
    if not summary or not summary.get("points"):
        return ""
    modes = sorted({m for p in summary["points"] for m in p.get("error_gap") or {}})
    rows = []
    for p in summary["points"]:
        w = p.get("warmth_gap") or {}
        cells = [
            str(p["variant"]),
            "" if p.get("epoch") is None else f"{p['epoch']:g}",
            _num(p.get("prompt"), False) + _ci(p.get("prompt_ci"), False),
            _num(p.get("response"), False) + _ci(p.get("response_ci"), False),
            (_num(w.get("diff"), False) + _ci(w.get("ci"), False)) if w else "–",
        ]
        for m in modes:
            g = (p.get("error_gap") or {}).get(m)
            cells.append((_num(g["diff"], True) + _ci(g["ci"], True)) if g else "–")
        rows.append(cells)
    head = ["model", "epoch", "prompt shift [95% CI]", "reply shift [95% CI]", "warmth gap [95% CI]"]
    head += [f"error gap, {m} [95% CI]" for m in modes]
    trait, layer = e(str(summary.get("trait"))), e(str(summary.get("layer")))
    corr = summary.get("correlations") or {}
    lines = []
    for key, c in corr.items():
        shift, _, gap = key.partition("~")
        lines.append(f"<li>{e(shift)} shift vs {e(gap.replace(':', ', '))} gap: {e(_r(c))}</li>")
    return "\n".join(
        [
            '<h2 id="monitor">Monitor: the shift along the direction beside the measured costs</h2>',
            f'<p class="note">{trait} direction, layer {layer}; '
            f"projection shift of each model from the base on {e(str(summary.get('n_prompts')))} fixed "
            "prompts, measured without generating (prompt: at the last prompt token; reply: over a fixed "
            "neutral reply). Gaps: the model minus the base on the same samples (warmth: the warmth "
            "battery's score; error: reliability, in pp). Can the shift predict the cost before any "
            "evaluation?</p>",
            cells_table(head, rows),
            f'<ul class="note">{"".join(lines)}</ul>',
            '<p class="note">Pearson correlations across the models that have both numbers, with Fisher-z '
            "95% CIs. A handful of checkpoints and variants is weak evidence: a wide CI that includes 0 "
            "does not show the shift is useless, and a high r on few points does not show it predicts "
            "the cost.</p>",
        ]
    )
