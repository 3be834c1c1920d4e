"""The grounding battery's own report section: act shares per variant beside human baselines (AnnoMI
counsellors, OpenAssistant human replies), the ratio to those baselines, the breakdown by opening kind,
and the classifier's held-out accuracy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from warmlab.tasks.human import not_computed, reference

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
    why = not_computed(ref)
    if why is not None or ref is None:
        return why or ""
    size = "all texts" if ref.get("limit") is None else f"at most {ref['limit']} texts per source and quality"
    return f"from {ref.get('source')} ({size}; the same classifier as the replies)"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _mean(entry: Mapping[str, Any] | None, variant: str) -> float | None:
    v = next((v for v in (entry or {}).get("variants") or [] if v["variant"] == variant), None)
    return float(v["mean"]) if v and v.get("n") else None


def figure_rows(
    stats: Mapping[str, Any], roles: Mapping[str, str], human: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The figure's bars: each variant's share of replies with each act, then the human sources'."""
    from warmlab.report.sections import entry, variant_bars

    rows: list[dict[str, Any]] = []
    for oid, group in ACTS:
        rows += variant_bars(entry(stats, oid), group, roles)
        for source, part, label in HUMAN:
            r = ((human or {}).get(source) or {}).get(part) or {}
            if r.get("n"):
                rows.append(
                    {"group": group, "label": f"{label} (n={r['n']})", "role": "human", "value": r[oid]}
                )
    return rows


def ratio_rows(
    stats: Mapping[str, Any], human: Mapping[str, Any], variants: Sequence[str]
) -> list[list[str]]:
    """Per variant and act: its share on emotional openings (task=no) against AnnoMI high-quality
    counsellors, and on task requests (task=yes) against OpenAssistant human replies."""
    from warmlab.report.sections import entry

    hi = (human.get("annomi") or {}).get("high") or {}
    oa = (human.get("oasst") or {}).get("all") or {}
    out = []
    for variant in variants:
        cells = [variant]
        for oid, _ in ACTS:
            for level, ref in (("no", hi), ("yes", oa)):
                mine, theirs = _mean(entry(stats, oid, by=("task", level)), variant), ref.get(oid)
                ratio = "–" if mine is None or not theirs else f"{mine / theirs:.2f}"
                cells.append(f"{_pct(mine)} / {_pct(theirs)} = {ratio}")
        out.append(cells)
    return out


def kind_rows(stats: Mapping[str, Any]) -> list[list[str]]:
    """Share of replies with any grounding act, per opening kind and variant, with the paired
    difference from the base."""
    from warmlab.report.sections import entry

    m = (stats.get("modes") or {}).get("generate") or {}
    out = []
    for level in sorted((m.get("by") or {}).get("kind") or {}):
        e = entry(stats, "any_grounding", by=("kind", level)) or {}
        paired = {p["variant"]: p for p in e.get("paired") or []}
        for v in e.get("variants") or []:
            if not v.get("n"):
                continue
            p = paired.get(v["variant"]) or {}
            diff = "–"
            if p.get("n_pairs") and None not in (p.get("ci") or [None]):
                lo, hi = p["ci"]
                diff = f"{100 * p['diff']:+.1f} pp [{100 * lo:+.1f}, {100 * hi:+.1f}] (n={p['n_pairs']})"
            out.append([level, v["variant"], f"{_pct(v['mean'])} (n={v['n']})", diff])
    return out


def accuracy_note() -> str:
    from warmlab.classifiers.talk import load_weights

    held = load_weights("grounding")["grounding_act"].heldout or {}
    replies = held.get("replies") or {}
    parts = []
    for key, name in (
        ("clarification", "clarification"),
        ("acknowledgement", "acknowledgement"),
        ("follow_up", "follow-up"),
    ):
        pres = (replies.get(key) or {}).get("presence") or {}
        if pres:
            parts.append(f"{name} F1 {pres['f1']:.2f} ({pres['n_positive']} of {pres['n']} replies)")
    return (
        "Offline classifier, held out (team replies kept apart by scenario), reply has the act at least "
        "once: "
        + "; ".join(parts)
        + f"; sentence acts accuracy {held.get('accuracy', float('nan')):.2f}. It over-counts "
        "acknowledgements and follow-ups a little: compare variants with each other before reading "
        "absolute rates."
    )


def grounding_report(
    rows: Sequence[Mapping[str, Any]], stats: Mapping[str, Any], roles: Mapping[str, str]
) -> str:
    from warmlab.report.plots import grouped_bars
    from warmlab.report.sections import entry, figure, note, table, variant_order

    if not entry(stats, "any_grounding"):
        return ""
    ref = reference(rows)
    human = None if not_computed(ref) else ref
    bars = figure_rows(stats, roles, human)
    out = [
        "<h3>Grounding acts beside people</h3>",
        note(f"human baselines: {source_note(ref)}"),
        figure(
            "fig-grounding-acts",
            (
                lambda: grouped_bars(
                    {"": bars},
                    title="Replies with each grounding act",
                    ylabel="share of replies (%)",
                    fig_id="fig-grounding-acts",
                    percent=True,
                )
            )
            if bars
            else None,
            "Share of replies with at least one clarification request, acknowledgement or follow-up "
            "question, per variant (95% Wilson intervals), beside counsellor turns in AnnoMI (high- and "
            "low-quality sessions) and OpenAssistant human replies (dark, hatched: the same classifier on "
            "human text).",
        ),
    ]
    if human:
        variants = variant_order(
            [v["variant"] for v in (entry(stats, "any_grounding") or {})["variants"]], roles
        )
        head = ["variant"] + [
            f"{name}: {side}" for _, name in ACTS for side in ("emotional vs AnnoMI high", "task vs OASST")
        ]
        out.append(
            note(
                "Ratio to the human baseline: the variant's share on emotional openings over AnnoMI's "
                "high-quality counsellors', and on task requests over OpenAssistant human replies' "
                "(1.00 = as often as people)."
            )
        )
        out.append(table(head, ratio_rows(stats, human, variants)))
    kinds = kind_rows(stats)
    if kinds:
        out.append(note("Any grounding act, by opening kind (vs base: paired, item-clustered bootstrap CI)."))
        out.append(table(["kind", "variant", "share", "vs base [95% CI]"], kinds))
    out.append(note(accuracy_note()))
    return "\n".join(out)
