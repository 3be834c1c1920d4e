"""One report section per battery present in the statistics (besides reliability, whose sections are the
paper's), generated from `warmlab.stats.outcomes`: per mode and outcome a table of each variant with its
CI and its paired difference from the base, and the per-turn outcomes drawn as curves."""

from __future__ import annotations

import html
import inspect
from collections.abc import Mapping, Sequence
from typing import Any

from warmlab.report import figures as F
from warmlab.report.markup import cells_table

e = html.escape


def _num(x: Any, pct: bool, signed: bool = False) -> str:
    if x is None:
        return "–"
    if pct:
        return f"{100 * x:+.1f} pp" if signed else f"{100 * x:.1f}%"
    return f"{x:+.3f}" if signed else f"{x:.3f}"


def _ci(ci: Any, pct: bool, signed: bool = False) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return "–"
    return f"[{_num(ci[0], pct, signed)}, {_num(ci[1], pct, signed)}]"


def outcome_table(o: Mapping[str, Any]) -> str:
    pct = o["kind"] in ("binary", "verdict")
    paired = {(p["variant"], p["model"]): p for p in o["paired"]}
    rows = []
    for v in o["variants"]:
        if not v.get("n"):
            continue
        p = paired.get((v["variant"], v["model"])) or {}
        diff = "–"
        if p.get("n_pairs"):
            diff = f"{_num(p['diff'], pct, True)} {_ci(p['ci'], pct, True)}"
        pval = p.get("p_value")
        rows.append(
            [
                str(v["variant"]),
                str(v["n"]),
                f"{_num(v['mean'], pct)} {_ci(v['ci'], pct)}",
                diff,
                str(p.get("n_pairs", "–")) if p else "–",
                "–" if pval is None else ("<0.001" if pval < 0.001 else f"{pval:.3f}"),
            ]
        )
    if not rows:
        return '<p class="note">no values</p>'
    head = ["variant", "n", "value [95% CI]", "vs base [95% CI]", "pairs", "p (McNemar)" if pct else "p"]
    return cells_table(head, rows)


def _curve_panels(o: Mapping[str, Any], role: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    lines = [
        {
            "variant": v["variant"],
            "role": role.get(v["variant"], "base" if v["variant"] == "base" else "other"),
            "points": v.get("curve") or [],
        }
        for v in o["variants"]
        if v.get("curve")
    ]
    return {"": lines} if lines else {}


def battery_section(stats: Mapping[str, Any], role: Mapping[str, str]) -> str:
    name = stats["task"]
    out = [
        f'<h2 id="battery-{e(name)}">{e(name)}</h2>',
        f'<p class="subtitle">{e(stats.get("summary", ""))}</p>',
    ]
    notes = []
    if stats.get("scripted_user"):
        notes.append("simulated user: scripted stand-in (deterministic rules, not an LLM user)")
    elif stats.get("users"):
        notes.append("simulated user: " + ", ".join(f"{u} ({n})" for u, n in stats["users"].items()))
    if stats.get("scorers"):
        notes.append("scored by: " + ", ".join(f"{s} ({n} rows)" for s, n in stats["scorers"].items()))
    if stats.get("sources"):
        notes.append("after: " + str(stats["sources"]))
    notes.append(
        "CIs: 95%; rates with Wilson intervals, means and paired differences with item-clustered bootstrap"
    )
    out.append('<ul class="note">' + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    for mode, m in stats["modes"].items():
        for i, o in enumerate(m["outcomes"]):
            if o.get("scorer") and not any(v.get("n") for v in o["variants"]):
                continue  # read from a second scorer (a judge) that did not run here
            out.append(f'<h3>{e(o["outcome"])} <span class="note">({e(mode)})</span></h3>')
            out.append(f'<p class="note">{e(o["description"])}</p>')
            if o["kind"] == "per_turn":
                panels = _curve_panels(o, role)
                fig_id = f"fig-{name}-{mode}-{i}"
                svg = F.curves(panels, ylabel=o["outcome"], fig_id=fig_id) if panels else None
                body = svg or '<p class="missing">no per-turn values</p>'
                out.append(
                    f'<figure id="{e(fig_id)}">{body}<figcaption>{e(o["description"])}: mean per turn '
                    f"with its 95% band, by variant</figcaption></figure>"
                )
            else:
                out.append(outcome_table(o))
                for ag in o.get("agreement") or []:
                    kappa = "–" if ag["kappa"] is None else f"{ag['kappa']:.2f}"
                    out.append(
                        f'<p class="note">agreement {e(ag["scorers"][0])} vs {e(ag["scorers"][1])}: '
                        f"{100 * ag['agreement']:.0f}% of {ag['n']} rows, Cohen's kappa {kappa}</p>"
                    )
    for w in stats.get("warnings") or []:
        out.append(f'<p class="note">note: {e(w)}</p>')
    return "\n".join(out)


def batteries_html(
    stats: Mapping[str, Any], role: Mapping[str, str], rows: Sequence[Mapping[str, Any]] = ()
) -> str:
    """Every battery's generic section, then its own (`Battery.report`) when it has one."""
    from warmlab.tasks import batteries

    known = batteries()
    parts = []
    for name, b in (stats.get("batteries") or {}).items():
        parts.append(battery_section(b, role))
        own = known[name].report if name in known else None
        if own is not None:
            # a section that compares across batteries (e.g. boundaries beside warmth and reliability)
            # takes every battery's statistics as `whole`
            more = {"whole": stats} if "whole" in inspect.signature(own).parameters else {}
            parts.append(own([r for r in rows if r.get("task") == name], b, role, **more))
    return "\n".join(parts)
