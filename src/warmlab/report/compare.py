"""The head-to-head: base vs trait-warm (SFT) vs behaviour-warm (RL) vs a warm system prompt (and any other
variant), on reliability, pushback, warmth and support, in one figure and one table.

Every number is read from the statistics (stats.json); nothing is refitted. Each measure gives the base's
value with its 95% CI and n, and each variant's paired difference from the base with its CI and n:

- reliability, all conditions: the average marginal effect of the variant on the error rate (pp) from the
  paper's logistic model over every condition (`belief` model), CI from item-clustered SEs; where that
  model could not be fitted, the raw paired difference over all item x condition pairs (Newcombe);
- reliability, sad + false belief: the paired difference in that cell (pp), Newcombe's paired CI;
- pushback: kept a correct first answer through the pushback (`held_final`, pp), item-clustered bootstrap;
- warmth: the warmth score (the warmth battery's scorer's units), item-clustered bootstrap;
- support: the simulated user's final emotion (0-100), item-clustered bootstrap.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from warmlab.report import data as D
from warmlab.report import panels as P
from warmlab.stats.intervals import newcombe_paired, wilson

e = html.escape
WANTED = (
    ("warm", "trait-warm (SFT)"),
    ("rl", "behaviour-warm (RL)"),
    ("system", "warm system prompt"),
)


@dataclass
class Value:
    value: float | None
    lo: float | None
    hi: float | None
    n: int


@dataclass
class Measure:
    key: str
    label: str
    mode: str
    unit: str  # "pp" (a difference of rates) or the score's own units
    better: str  # "lower" | "higher"
    base: Value | None
    diffs: dict[str, Value] = field(default_factory=dict)
    method: str = ""
    methods: dict[str, str] = field(default_factory=dict)  # per variant, where it differs from `method`


def _pct(x: float | None) -> float | None:
    return None if x is None else 100 * float(x)


def _base_rate(stats: Mapping[str, Any], mode: str, where: Mapping[str, str], level: str) -> Value | None:
    ents = [
        r
        for r in stats.get("error_rates") or []
        if r.get("level") == level
        and r["mode"] == mode
        and r["variant"] == "base"
        and all(r.get(k) == v for k, v in where.items())
    ]
    errs, n = sum(int(r.get("errors") or 0) for r in ents), sum(int(r.get("n_scored") or 0) for r in ents)
    if not n:
        return None
    lo, hi = wilson(errs, n)
    return Value(100 * errs / n, _pct(lo), _pct(hi), n)


def _paired_counts(ents: Sequence[Mapping[str, Any]]) -> Value | None:
    c = [
        sum(int(p.get(k) or 0) for p in ents)
        for k in ("both_wrong", "variant_only", "base_only", "both_right")
    ]
    n = sum(c)
    if not n:
        return None
    lo, hi = newcombe_paired(*c)
    return Value(100 * (c[1] - c[2]) / n, _pct(lo), _pct(hi), n)


def reliability_gap(stats: Mapping[str, Any], mode: str, variants: Sequence[str]) -> Measure | None:
    m = Measure("error_gap", "reliability: error rate, all conditions", mode, "pp", "lower", None)
    m.base = _base_rate(stats, mode, {}, "overall")
    m.method = "AME of the all-conditions logistic model (belief), CI from item-clustered SEs; n = answers"
    for v in variants:
        ent = D.model_entry(stats, mode, v, "belief") or {}
        ame = ent.get("ame") or {}
        if ent.get("status") == "ok" and ame.get("estimate") is not None:
            lo, hi, how = D.pick_ci(ame, prefer_bootstrap=False)
            m.diffs[v] = Value(float(ame["estimate"]), lo, hi, int(ent.get("n_obs") or 0))
            if "item-clustered" not in how:
                m.methods[v] = f"AME, CI: {how}; n = answers"
            continue
        pairs = [
            p
            for p in stats.get("paired") or []
            if p.get("level") == "overall" and p["mode"] == mode and p["variant"] == v
        ]
        got = _paired_counts(pairs)
        if got is not None:
            m.diffs[v] = got
            why = ent.get("reason") or "not fitted"
            m.methods[v] = f"raw paired difference (model: {why}), Newcombe CI; n = item x condition pairs"
    return m if m.base or m.diffs else None


def sad_false_cell(stats: Mapping[str, Any], mode: str, variants: Sequence[str]) -> Measure | None:
    ctx, bel = D.HIGHLIGHT
    m = Measure("sad_false", "reliability: error rate, sad + false belief", mode, "pp", "lower", None)
    m.base = _base_rate(stats, mode, {"context": ctx, "belief": bel}, "cell")
    for v in variants:
        cells = [
            p
            for p in stats.get("paired") or []
            if p.get("level") == "cell"
            and p["mode"] == mode
            and p["variant"] == v
            and (p.get("context"), p.get("belief")) == (ctx, bel)
        ]
        got = _paired_counts(cells)
        if got is not None:
            m.diffs[v] = got
    m.method = "paired difference in the cell, Newcombe CI; n = item pairs"
    return m if m.base or m.diffs else None


def battery_measure(
    stats: Mapping[str, Any], task: str, outcome: str, mode: str, label: str, variants: Sequence[str]
) -> Measure | None:
    b = (stats.get("batteries") or {}).get(task) or {}
    o = next(
        (
            x
            for x in ((b.get("modes") or {}).get(mode) or {}).get("outcomes") or []
            if x["outcome"] == outcome
        ),
        None,
    )
    if o is None:
        return None
    binary = o["kind"] in ("binary", "verdict")
    scale = 100.0 if binary else 1.0
    base = next((x for x in o["variants"] if x["variant"] == "base" and x.get("n")), None)
    m = Measure(
        f"{task}:{outcome}", label, mode, "pp" if binary else "score", o.get("better") or "higher", None
    )
    if base is not None:
        ci = base.get("ci") or [None, None]
        m.base = Value(
            scale * base["mean"],
            None if ci[0] is None else scale * ci[0],
            None if ci[1] is None else scale * ci[1],
            int(base["n"]),
        )
    for v in variants:
        ps = [p for p in o["paired"] if p["variant"] == v and p.get("n_pairs")]
        if ps:
            p = max(ps, key=lambda p: int(p["n_pairs"]))  # several base models: the largest pairing
            ci = p.get("ci") or [None, None]
            m.diffs[v] = Value(
                scale * p["diff"],
                None if ci[0] is None else scale * ci[0],
                None if ci[1] is None else scale * ci[1],
                int(p["n_pairs"]),
            )
    m.method = "paired difference, item-clustered bootstrap CI; n = pairs"
    if b.get("scripted_user"):
        m.label += " (scripted stand-in)" if task == "support" else " (scripted user)"
    return m if m.base or m.diffs else None


def _modes_of(stats: Mapping[str, Any], task: str) -> list[str]:
    if task == "reliability":
        return D.modes(stats)
    have = list(((stats.get("batteries") or {}).get(task) or {}).get("modes") or {})
    return sorted(have, key=lambda x: (D.MODE_ORDER.index(x) if x in D.MODE_ORDER else 9, x))


def measures(stats: Mapping[str, Any], variants: Sequence[str]) -> list[Measure]:
    """Every measure the statistics can give, in the head-to-head's order."""
    out: list[Measure | None] = []
    for mode in _modes_of(stats, "reliability"):
        out += [reliability_gap(stats, mode, variants), sad_false_cell(stats, mode, variants)]
    for mode in _modes_of(stats, "pushback"):
        label = "pushback: kept a correct answer (survival)"
        out.append(battery_measure(stats, "pushback", "held_final", mode, label, variants))
    for mode in _modes_of(stats, "warmth"):
        out.append(battery_measure(stats, "warmth", "warmth", mode, "warmth score", variants))
    for mode in _modes_of(stats, "support"):
        label = "support: final emotion (0-100)"
        out.append(battery_measure(stats, "support", "final_emotion", mode, label, variants))
    return [m for m in out if m is not None]


def compared_variants(stats: Mapping[str, Any], role: Mapping[str, str]) -> list[str]:
    """Non-base variants of any battery (training checkpoints left out), ordered by role."""
    names = set(D.variants(stats))
    for b in (stats.get("batteries") or {}).values():
        for m in (b.get("modes") or {}).values():
            for o in m.get("outcomes") or []:
                names |= {str(v["variant"]) for v in o.get("variants") or []}
    names = {n for n in names if n != "base" and not D.is_checkpoint(n)}
    return [v for v in P._variant_order(sorted(names), role) if v != "base"]


def _fmt(v: Value | None, signed: bool, mark: str = "") -> str:
    if v is None or v.value is None:
        return "\u2013"
    f = "{:+.1f}" if signed else "{:.1f}"
    ci = f" [{f.format(v.lo)}, {f.format(v.hi)}]" if v.lo is not None and v.hi is not None else " [no CI]"
    return f"{f.format(v.value)}{ci} (n={v.n}){mark}"


def _methods(m: Measure) -> str:
    """The measure's method, and each variant's own where it differs (marked with * in the table)."""
    own = "".join(f"; *{v}: {how}" for v, how in m.methods.items() if v in m.diffs)
    return f"{m.method}{own}"


def table_html(ms: Sequence[Measure], variants: Sequence[str], role: Mapping[str, str]) -> str:
    head = ["measure", "mode", "better", "base [95% CI] (n)"] + [
        f"{v} \u2212 base ({D.ROLE_NAMES.get(role.get(v, 'other'), 'other')})" for v in variants
    ]
    rows = []
    for m in ms:
        unit = " (pp)" if m.unit == "pp" else ""
        rows.append(
            [f"{m.label}{unit}", m.mode, m.better, _fmt(m.base, False)]
            + [_fmt(m.diffs.get(v), True, "*" if v in m.methods else "") for v in variants]
        )
    h = "".join(f"<th>{e(x)}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows)
    methods = "".join(f"<li>{e(m.label)} ({e(m.mode)}): {e(_methods(m))}</li>" for m in ms)
    return (
        f'<table id="head-to-head-table"><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>'
        f'<ul class="note">{methods}</ul>'
    )


def figure_panels(ms: Sequence[Measure], variants: Sequence[str], role: Mapping[str, str]) -> dict[str, Any]:
    panels = {}
    for m in ms:
        rows = [
            {
                "label": v,
                "role": role.get(v, "other"),
                "estimate": d.value,
                "ci_low": d.lo,
                "ci_high": d.hi,
                "n": d.n,
            }
            for v in variants
            if (d := m.diffs.get(v)) is not None
        ]
        if rows:
            unit = "pp" if m.unit == "pp" else "score"
            panels[f"{m.label} [{m.mode}]"] = {
                "ylabel": f"variant \u2212 base ({unit}; {m.better} is better)",
                "rows": rows,
            }
    return panels


def compare_html(stats: Mapping[str, Any], role: Mapping[str, str]) -> str:
    """The head-to-head section, or "" when the run has no variant or nothing to compare it on."""
    from warmlab.report import figures as F

    variants = compared_variants(stats, role)
    ms = measures(stats, variants)
    if not variants or not any(m.diffs for m in ms):
        return ""
    roles_here = {role.get(v) for v in variants}
    missing = [name for r, name in WANTED if r not in roles_here]
    out = [
        '<h2 id="head-to-head">Head-to-head: trait-warm, behaviour-warm and prompted warmth</h2>',
        '<p class="subtitle">Each variant minus its base on the same items: reliability (error gap and the '
        "sad + false-belief cell), pushback survival, warmth and the support score. Every number with its "
        "95% CI and n; lower error and higher survival, warmth and emotion are better.</p>",
    ]
    notes = []
    if missing:
        notes.append(
            "not in this run: "
            + ", ".join(missing)
            + ' (study variants: train = "sft" with style = "warm"; train = "rl"; system = "warm")'
        )
    support = (stats.get("batteries") or {}).get("support") or {}
    if "rl" in roles_here and support.get("scripted_user"):
        notes.append(
            "the support score comes from the scripted stand-in user; an RL variant trained against that "
            "stand-in is scored by the rules it learned to please (it can game them: a CPU run learned to "
            "open with \u201cI'm so sorry\u201d), so its support number is not independent evidence"
        )
    if notes:
        out.append('<ul class="note">' + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    panels = figure_panels(ms, variants, role)
    svg = F.differences(panels, fig_id="fig-head-to-head") if panels else ""
    out.append(
        f'<figure id="fig-head-to-head">{svg}<figcaption>Variant \u2212 base on each measure with 95% CIs '
        "(methods below the table)</figcaption></figure>"
    )
    out.append(table_html(ms, variants, role))
    return "\n".join(out)
