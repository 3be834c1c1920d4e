"""The grounding battery's own report section: act shares per variant beside human baselines (AnnoMI
counsellors, OpenAssistant human replies), the ratio to those baselines, the breakdown by opening kind,
and the classifier's held-out accuracy."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from warmlab.tasks.human import NOT_COMPUTED, reference

e = html.escape
ACTS = (
    ("any_clarification", "clarification"),
    ("any_acknowledgement", "acknowledgement"),
    ("any_follow_up", "follow-up"),
    ("any_grounding", "any act"),
)
HUMAN = (
    ("annomi", "high", "AnnoMI counsellors, high quality"),
    ("annomi", "low", "AnnoMI counsellors, low quality"),
    ("oasst", "all", "OpenAssistant human replies"),
)


def source_note(ref: Mapping[str, Any] | None) -> str:
    if not ref:
        return NOT_COMPUTED
    size = "all texts" if ref.get("limit") is None else f"at most {ref['limit']} texts per source and quality"
    return f"from {ref.get('source')} ({size}; the same classifier as the replies)"


def _entry(mode: Mapping[str, Any], oid: str) -> Mapping[str, Any] | None:
    return next((o for o in mode.get("outcomes") or [] if o["outcome"] == oid), None)


def _by(mode: Mapping[str, Any], field: str, level: str, oid: str) -> Mapping[str, Any] | None:
    entries = ((mode.get("by") or {}).get(field) or {}).get(level) or []
    return next((o for o in entries if o["outcome"] == oid), None)


def _mean(entry: Mapping[str, Any] | None, variant: str) -> float | None:
    for v in (entry or {}).get("variants") or []:
        if v["variant"] == variant and v.get("n"):
            return float(v["mean"])
    return None


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def figure_rows(
    mode: Mapping[str, Any], roles: Mapping[str, str], human: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The figure's bars: each variant's share of replies with each act, then the human sources'."""
    rows: list[dict[str, Any]] = []
    for oid, group in ACTS:
        entry = _entry(mode, oid)
        for v in (entry or {}).get("variants") or []:
            if v.get("n"):
                ci = v.get("ci") or [None, None]
                rows.append(
                    {
                        "group": group,
                        "label": f"{v['variant']} (n={v['n']})",
                        "role": roles.get(v["variant"], "base" if v["variant"] == "base" else "other"),
                        "value": v["mean"],
                        "ci_low": ci[0],
                        "ci_high": ci[1],
                    }
                )
        for source, part, label in HUMAN:
            r = ((human or {}).get(source) or {}).get(part) or {}
            if r.get("n"):
                rows.append(
                    {"group": group, "label": f"{label} (n={r['n']})", "value": r[oid], "reference": True}
                )
    return rows


def ratio_rows(mode: Mapping[str, Any], human: Mapping[str, Any]) -> list[list[str]]:
    """Per variant and act: its share on emotional openings (task=no) against AnnoMI high-quality
    counsellors, and on task requests (task=yes) against OpenAssistant human replies."""
    hi = (human.get("annomi") or {}).get("high") or {}
    oa = (human.get("oasst") or {}).get("all") or {}
    variants = [v["variant"] for v in (_entry(mode, "any_grounding") or {}).get("variants") or []]
    out = []
    for variant in variants:
        cells = [variant]
        for oid, _ in ACTS:
            for level, ref in (("no", hi), ("yes", oa)):
                mine, theirs = _mean(_by(mode, "task", level, oid), variant), ref.get(oid)
                ratio = "–" if mine is None or not theirs else f"{mine / theirs:.2f}"
                cells.append(f"{_pct(mine)} / {_pct(theirs)} = {ratio}")
        out.append(cells)
    return out


def kind_rows(mode: Mapping[str, Any]) -> list[list[str]]:
    """Share of replies with any grounding act, per opening kind and variant, with the paired
    difference from the base."""
    levels = sorted((mode.get("by") or {}).get("kind") or {})
    out = []
    for level in levels:
        entry = _by(mode, "kind", level, "any_grounding") or {}
        paired = {p["variant"]: p for p in entry.get("paired") or []}
        for v in entry.get("variants") or []:
            if not v.get("n"):
                continue
            p = paired.get(v["variant"]) or {}
            diff = "–"
            if p.get("n_pairs"):
                lo, hi = p["ci"]
                diff = f"{100 * p['diff']:+.1f} pp [{100 * lo:+.1f}, {100 * hi:+.1f}] (n={p['n_pairs']})"
            out.append([level, v["variant"], f"{_pct(v['mean'])} (n={v['n']})", diff])
    return out


def accuracy_note() -> str:
    from warmlab.classifiers.talk import load_weights

    held = load_weights("grounding")["grounding_act"].heldout or {}
    replies = held.get("replies") or {}
    parts = [
        f"{name}: F1 {replies[k]['presence']['f1']:.2f} ({replies[k]['presence']['n_positive']} of "
        f"{replies[k]['presence']['n']})"
        for k, name in (
            ("clarification", "clarification"),
            ("acknowledgement", "acknowledgement"),
            ("follow_up", "follow-up"),
        )
        if k in replies
    ]
    return (
        "Offline classifier, held out (team replies kept apart by scenario), has the act at least once: "
        + "; ".join(parts)
        + f"; sentence acts accuracy {held.get('accuracy', float('nan')):.2f}. It over-counts "
        "acknowledgements and follow-ups a little: compare variants with each other before reading "
        "absolute rates."
    )


def grounding_report(
    rows: Sequence[Mapping[str, Any]],
    stats: Mapping[str, Any],
    roles: Mapping[str, str],
) -> str:
    from warmlab.report import figures as F
    from warmlab.report.page import figure, table

    mode = (stats.get("modes") or {}).get("generate")
    if not mode:
        return ""
    human = reference(rows)
    out = [
        "<h3>Grounding acts beside people</h3>",
        f'<p class="note">human baselines: {e(source_note(human))}</p>',
    ]
    bars = figure_rows(mode, roles, human)
    out.append(
        figure(
            "fig-grounding-acts",
            (
                lambda: F.grouped_bars(
                    {"": bars},
                    title="Replies with each grounding act",
                    ylabel="share of replies (%)",
                    fig_id="fig-grounding-acts",
                    highlight=("any act",),
                )
            )
            if bars
            else None,
            "Share of replies with at least one clarification request, acknowledgement or follow-up "
            "question, per variant (95% Wilson intervals), beside counsellor turns in AnnoMI (high- and "
            "low-quality sessions) and OpenAssistant human replies (hatched, same classifier; no interval).",
        )
    )
    if human:
        head = ["variant"] + [
            f"{name}: {side}" for _, name in ACTS for side in ("emotional vs AnnoMI high", "task vs OASST")
        ]
        out.append(
            '<p class="note">Ratio to the human baseline: the variant\'s share on emotional '
            "openings over AnnoMI high-quality counsellors', and on task requests over OpenAssistant "
            "human replies' (1.00 = as often as people).</p>"
        )
        out.append(table(head, ratio_rows(mode, human)))
    kinds = kind_rows(mode)
    if kinds:
        out.append(
            '<p class="note">Any grounding act, by opening kind (vs base: paired, item-clustered '
            "bootstrap CI).</p>"
        )
        out.append(table(["kind", "variant", "share", "vs base [95% CI]"], kinds))
    out.append(f'<p class="note">{e(accuracy_note())}</p>')
    return "\n".join(out)
