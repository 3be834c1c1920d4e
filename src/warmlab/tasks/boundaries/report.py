"""The boundaries battery's own report section (after the generic tables): holding by category and by
rubric item for every variant beside its paired difference from the base, the first-failure survival
curve (Kaplan-Meier), judge-offline agreement per rubric item, the secure system prompt beside the warm
variants (boundaries, warmth and factual reliability), and the worst dialogues inline."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from warmlab.report.markup import cells_table
from warmlab.tasks.boundaries.rubric import ITEMS
from warmlab.tasks.boundaries.scorers import OFFLINE_SCORER

e = html.escape
Row = Mapping[str, Any]
WORST_PER_VARIANT = 3


def _pct(x: Any, signed: bool = False) -> str:
    if x is None:
        return "–"
    return f"{100 * x:+.0f} pp" if signed else f"{100 * x:.0f}%"


def _num(x: Any, signed: bool = False) -> str:
    if x is None:
        return "–"
    return f"{x:+.2f}" if signed else f"{x:.2f}"


def _ci(ci: Any, fmt: Any) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    return f" [{fmt(ci[0], True)}, {fmt(ci[1], True)}]"


def _order(variants: Iterable[str], role: Mapping[str, str]) -> list[str]:
    rank = {"base": 0, "warm": 1, "cold": 2, "system": 3, "secure": 4}
    return sorted(set(variants), key=lambda v: (rank.get(role.get(v, "other"), 5), v))


def _cells(entry: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Per variant: its value (mean, n) and its paired difference from the base (diff, ci, n_pairs)."""
    if not entry:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for v in entry.get("variants") or []:
        out.setdefault(str(v["variant"]), {"mean": v.get("mean"), "n": v.get("n", 0)})
    for p in entry.get("paired") or []:
        if p.get("n_pairs"):
            out.setdefault(str(p["variant"]), {}).update(diff=p["diff"], ci=p.get("ci"), n_pairs=p["n_pairs"])
    return out


def _cell(c: Mapping[str, Any] | None, pct: bool, base: bool) -> str:
    if not c or not c.get("n"):
        return "–"
    fmt = _pct if pct else _num
    text = f"{fmt(c['mean'])} (n {c['n']})"
    if not base and c.get("diff") is not None:
        text += f"; {fmt(c['diff'], True)}{_ci(c.get('ci'), fmt)}"
    return text


def _find(entries: Sequence[Mapping[str, Any]], outcome: str) -> Mapping[str, Any] | None:
    return next((o for o in entries if o.get("outcome") == outcome), None)


def category_table(mode: Mapping[str, Any], variants: Sequence[str]) -> str:
    by = ((mode.get("by") or {}).get("category")) or {}
    rows = []
    for cat, entries in sorted(by.items()):
        cells = _cells(_find(entries, "held"))
        rows.append([cat.replace("_", " "), *(_cell(cells.get(v), True, v == "base") for v in variants)])
    if not rows:
        return '<p class="note">no per-category values</p>'
    return cells_table(["category", *variants], rows)


def item_table(entries: Sequence[Mapping[str, Any]], variants: Sequence[str]) -> str:
    rows = []
    for item in ITEMS:
        cells = _cells(_find(entries, f"{item.name}_rate"))
        if not any(c.get("n") for c in cells.values()):
            continue
        better = {"good": "higher better", "harmful": "lower better"}.get(item.kind, "right when warranted")
        rows.append([f"{item.name} ({better})", *(_cell(cells.get(v), True, v == "base") for v in variants)])
    if not rows:
        return '<p class="note">no per-item values</p>'
    return cells_table(["rubric item: share of turns", *variants], rows)


# ---- survival -------------------------------------------------------------------------------------------


def survival_time(outcomes: Mapping[str, Any]) -> tuple[int, int] | None:
    """(turn, event): the first failing assistant turn (event 1), or the last turn known to hold (event 0:
    censored there); None when not even the first turn is known."""
    first = outcomes.get("first_failure_turn")
    if first is not None:
        return int(first), 1
    holding = outcomes.get("holding_by_turn") or []
    known = 0
    for h in holding:
        if h != 1:
            break
        known += 1
    return (known, 0) if known else None


def kaplan_meier(times: Sequence[tuple[int, int]], width: int) -> list[dict[str, Any]]:
    """Share still holding after each turn 0..width (Kaplan-Meier, statsmodels), with a pointwise 95%
    interval on the log(-log) scale from Greenwood's variance."""
    import numpy as np
    from statsmodels.duration.survfunc import SurvfuncRight

    if not times:
        return []
    fit = SurvfuncRight(np.array([t for t, _ in times], float), np.array([d for _, d in times], float))
    pts: list[dict[str, Any]] = [{"turn": 0, "mean": 1.0, "ci": [1.0, 1.0], "n": len(times)}]
    for turn in range(1, width + 1):
        at = [k for k, t in enumerate(fit.surv_times) if t <= turn]
        s = float(fit.surv_prob[at[-1]]) if at else 1.0
        se = float(fit.surv_prob_se[at[-1]]) if at else 0.0
        at_risk = sum(t >= turn for t, _ in times)
        if 0 < s < 1 and se > 0:
            z = 1.959964 * se / (s * abs(math.log(s)))
            lo, hi = s ** math.exp(z), s ** math.exp(-z)
        else:  # no failure yet (1) or all failed (0): no spread to show
            lo, hi = s, s
        pts.append({"turn": turn, "mean": s, "ci": [lo, hi], "n": at_risk})
    return pts


def survival_figure(rows: Sequence[Row], role: Mapping[str, str], variants: Sequence[str]) -> str:
    from warmlab.report import figures as F

    lines = []
    width = max((int((r.get("outcomes") or {}).get("turns") or 0) for r in rows), default=0)
    for v in variants:
        times = [t for r in rows if r.get("variant") == v and (t := survival_time(r.get("outcomes") or {}))]
        if times:
            lines.append({"variant": v, "role": role.get(v, "other"), "points": kaplan_meier(times, width)})
    if not lines:
        return '<p class="missing">no conversation to draw a survival curve from</p>'
    svg = F.curves(
        {"": lines}, ylabel="still holding", fig_id="fig-boundaries-survival", xlabel="assistant turn"
    )
    return (
        f'<figure id="fig-boundaries-survival">{svg}<figcaption>First-failure survival: share of '
        "conversations with no failing turn up to each assistant turn (Kaplan-Meier; conversations that "
        "ended without a failure are censored at their last turn), pointwise 95% bands.</figcaption></figure>"
    )


# ---- agreement ------------------------------------------------------------------------------------------


def turn_agreement(rows: Sequence[Row]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per judge scorer, per rubric item: judge vs offline labels over every assistant turn scored both
    ways (n, raw agreement, Cohen's kappa)."""
    from warmlab.tasks.boundaries.judge import agreement

    pairs: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for r in rows:
        by = r.get("by_scorer") or {}
        off = by.get(OFFLINE_SCORER)
        if off is None:
            continue
        for name, judged in by.items():
            if name == OFFLINE_SCORER:
                continue
            j, o = pairs.setdefault(name, ([], []))
            for k in range(int(off.get("turns") or 0)):
                j.append({i.name: (judged.get(f"{i.name}_by_turn") or [None] * 99)[k] for i in ITEMS})
                o.append({i.name: (off.get(f"{i.name}_by_turn") or [None] * 99)[k] for i in ITEMS})
    return {name: agreement(j, o) for name, (j, o) in pairs.items()}


def agreement_html(rows: Sequence[Row]) -> str:
    found = turn_agreement(rows)
    if not found:
        return ""
    out = ["<h3>Judge and offline classifier, turn by turn</h3>"]
    for name, per_item in found.items():
        body = [
            [
                item,
                str(a["n"]),
                "–" if a["agree"] is None else f"{100 * a['agree']:.0f}%",
                "–" if a["kappa"] is None else f"{a['kappa']:.2f}",
            ]
            for item, a in per_item.items()
        ]
        out.append(
            f'<p class="note">{e(name)} vs {e(OFFLINE_SCORER)}, every assistant turn scored both ways</p>'
        )
        out.append(cells_table(["rubric item", "turns", "agreement", "Cohen's kappa"], body))
    return "\n".join(out)


# ---- the secure system prompt ---------------------------------------------------------------------------


def _outcome_cells(battery: Mapping[str, Any] | None, outcome: str) -> dict[str, dict[str, Any]]:
    for m in ((battery or {}).get("modes") or {}).values():
        found = _find(m.get("outcomes") or [], outcome)
        if found:
            return _cells(found)
    return {}


def _reliability(whole: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Per variant and mode: error rate − base (pp) over all conditions, exact McNemar p and pairs."""
    out: dict[str, dict[str, str]] = {}
    for p in whole.get("paired") or []:
        if p.get("level") != "overall" or p.get("diff_pp") is None:
            continue
        pv = p.get("p_value")
        ptxt = "–" if pv is None else ("<0.001" if pv < 0.001 else f"{pv:.3f}")
        out.setdefault(str(p["variant"]), {})[str(p["mode"])] = (
            f"{p['diff_pp']:+.0f} pp (p {ptxt}, {p['n_pairs']} pairs)"
        )
    return out


def paired_between(rows: Sequence[Row], a: str, b: str, outcome: str) -> dict[str, Any] | None:
    """Variant a − variant b on one outcome over the samples both answered (same base model), with an
    item-clustered bootstrap CI."""
    from warmlab.stats.intervals import cluster_bootstrap

    def key(r: Row) -> tuple[str, str]:
        return str(r.get("base")), str(r.get("sample_id"))

    theirs = {key(r): r for r in rows if r.get("variant") == b}
    pts = []
    for r in rows:
        other = theirs.get(key(r)) if r.get("variant") == a else None
        va = (r.get("outcomes") or {}).get(outcome)
        vb = ((other or {}).get("outcomes") or {}).get(outcome)
        if va is not None and vb is not None:
            pts.append((float(va) - float(vb), str(r.get("item_id"))))
    if not pts:
        return None
    ci = cluster_bootstrap([d for d, _ in pts], [i for _, i in pts], n=1000, seed=0)
    return {"diff": sum(d for d, _ in pts) / len(pts), "ci": list(ci), "n_pairs": len(pts)}


def secure_html(
    rows: Sequence[Row], stats: Mapping[str, Any], role: Mapping[str, str], whole: Mapping[str, Any] | None
) -> str:
    """Does the secure prompt hold boundaries while keeping warmth and factual reliability? Every variant's
    paired difference from the base on each, then secure − each warm variant on the boundaries."""
    variants = [v for v in _order({str(r.get("variant")) for r in rows}, role) if v != "base"]
    secure = [v for v in variants if role.get(v) == "secure"]
    if not secure:
        return ""
    held = _outcome_cells(stats, "held")
    fail = _outcome_cells(stats, "fail_rate")
    warmth = _outcome_cells((whole or {}).get("batteries", {}).get("warmth"), "warmth")
    reli = _reliability(whole or {})
    modes = sorted({m for per in reli.values() for m in per})
    body = []
    for v in variants:
        wv = warmth.get(v) or {}
        body.append(
            [
                f"{v} ({role.get(v, 'other')})",
                _cell(held.get(v), True, False),
                _cell(fail.get(v), True, False),
                "–" if wv.get("diff") is None else f"{_num(wv['diff'], True)}{_ci(wv.get('ci'), _num)}",
                *(reli.get(v, {}).get(m, "–") for m in modes),
            ]
        )
    head = [
        "variant (role)",
        "held: rate; − base [95% CI]",
        "failing turns: share; − base",
        "warmth − base [95% CI]",
        *(f"reliability error − base ({m})" for m in modes),
    ]
    out = [
        "<h3>The secure system prompt beside the warm variants</h3>",
        '<p class="note">Each variant paired with the base on the same samples: holding boundaries here, '
        "warmth from the warmth battery, factual error from the reliability battery (all conditions "
        "pooled, exact McNemar). A secure base should hold boundaries (held up, failing turns down) "
        "without losing warmth or reliability. A dash: that battery did not run for the variant.</p>",
        cells_table(head, body),
    ]
    warm = [v for v in variants if role.get(v) == "warm"]
    direct = []
    for s in secure:
        for w in warm:
            d = paired_between(rows, s, w, "held")
            if d:
                direct.append(
                    [f"{s} − {w}", f"{_pct(d['diff'], True)}{_ci(d['ci'], _pct)}", str(d["n_pairs"])]
                )
    if direct:
        out.append(
            '<p class="note">Secure against each warm variant directly, on the same scenarios '
            "(held; item-clustered bootstrap):</p>"
        )
        out.append(cells_table(["comparison", "held: difference [95% CI]", "pairs"], direct))
    return "\n".join(out)


# ---- worst cases ----------------------------------------------------------------------------------------


def worst_cases(rows: Sequence[Row], per_variant: int = WORST_PER_VARIANT) -> list[tuple[Row, Row]]:
    """(variant row, base row) where the variant failed and its base held on the same scenario; earliest
    failures first, at most `per_variant` per variant."""
    base = {(str(r.get("model")), str(r.get("sample_id"))): r for r in rows if r.get("variant") == "base"}
    found: dict[str, list[tuple[Row, Row]]] = {}
    for r in rows:
        if r.get("variant") == "base" or (r.get("outcomes") or {}).get("held") != 0:
            continue
        b = base.get((str(r.get("base")), str(r.get("sample_id"))))
        if b is not None and (b.get("outcomes") or {}).get("held") == 1:
            found.setdefault(str(r["variant"]), []).append((r, b))
    out = []
    for _, cases in sorted(found.items()):
        cases.sort(key=lambda c: (c[0]["outcomes"].get("first_failure_turn") or 99, str(c[0]["sample_id"])))
        out.extend(cases[:per_variant])
    return out


def _anchor(r: Row) -> str:
    raw = f"boundaries-case-{r.get('variant')}-{r.get('sample_id')}"
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in raw)


def transcript_html(r: Row) -> str:
    reasons = (r.get("outcomes") or {}).get("fail_reasons_by_turn") or []
    out, turn = [], 0
    for m in r.get("transcript") or []:
        text = e(str(m.get("content", ""))).replace("\n", "<br>")
        if m.get("role") == "assistant":
            why = reasons[turn] if turn < len(reasons) else ""
            turn += 1
            mark = f' <b class="bad">fails: {e(why)}</b>' if why else ""
            out.append(f"<p><b>assistant {turn}</b>{mark}<br>{text}</p>")
        else:
            out.append(f'<p class="note"><b>user</b><br>{text}</p>')
    return "".join(out) or '<p class="missing">no transcript in the row</p>'


def worst_html(rows: Sequence[Row]) -> str:
    cases = worst_cases(rows)
    if not cases:
        return '<p class="note">No dialogue where a variant failed and its base held.</p>'
    links, parts = [], []
    for r, b in cases:
        o = r["outcomes"]
        cat = (r.get("condition") or {}).get("category", "")
        title = (
            f"{r['variant']} · {r['sample_id']} ({cat}): fails at turn {o.get('first_failure_turn')} "
            f"({o.get('first_failure_kind')}); the base held"
        )
        links.append(f'<li><a href="#{_anchor(r)}">{e(title)}</a></li>')
        parts.append(
            f'<details id="{_anchor(r)}"><summary>{e(title)}</summary>{transcript_html(r)}'
            "<details><summary>the base on the same scenario</summary>"
            f"{transcript_html(b)}</details></details>"
        )
    return (
        '<p class="note">Dialogues where a variant failed and its base held (earliest failures first, '
        f"at most {WORST_PER_VARIANT} per variant):</p><ul>" + "".join(links) + "</ul>" + "".join(parts)
    )


def boundaries_report(
    rows: Sequence[Row],
    stats: Mapping[str, Any],
    role: Mapping[str, str],
    whole: Mapping[str, Any] | None = None,
) -> str:
    """The battery's own section: `rows` are its rows, `stats` its statistics, `whole` every battery's."""
    from warmlab.report.data import roles

    named = {str(r.get("variant")) for r in rows}
    role = {**roles(sorted(named - {"base"})), **role}  # variants the caller gave no role to: by name
    mode = (stats.get("modes") or {}).get("generate") or {}
    variants = _order({str(r.get("variant")) for r in rows}, role)
    if not rows or not mode:
        return ""
    scripted = " (scripted stand-in user)" if stats.get("scripted_user") else ""
    out = [
        f"<h3>Boundaries by category{e(scripted)}</h3>",
        '<p class="note">Share of conversations where every turn held; for each variant, its paired '
        "difference from the base on the same scenarios with an item-clustered bootstrap 95% CI.</p>",
        category_table(mode, variants),
        "<h3>Rubric items</h3>",
        '<p class="note">Share of assistant turns showing each item; variants as above.</p>',
        item_table(mode.get("outcomes") or [], variants),
    ]
    by = (mode.get("by") or {}).get("category") or {}
    for cat, entries in sorted(by.items()):
        out.append(
            f"<details><summary>rubric items in {e(cat)}</summary>{item_table(entries, variants)}</details>"
        )
    out += [
        "<h3>First failure</h3>",
        survival_figure(rows, role, variants),
        agreement_html(rows),
        secure_html(rows, stats, role, whole),
        "<h3>Worst cases</h3>",
        worst_html(rows),
    ]
    return "\n".join(p for p in out if p)
