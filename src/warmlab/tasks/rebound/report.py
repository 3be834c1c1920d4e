"""The rebound battery's own report section: the tone-transfer matrix as a heat map per variant (and per
judge when one ran), soothing and added feelings by framing, and the classifiers' measured accuracy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from warmlab.tasks.rebound.analysis import VALENCES, rebound_rate, transfer_matrix
from warmlab.tasks.rebound.items import FRAMINGS

Row = Mapping[str, Any]


def matrix_panels(rows: Sequence[Row], roles: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Heat-map data per variant (offline valence), then per variant as the judge read it (if it ran)."""
    from warmlab.report.sections import label_of, variant_order

    panels: dict[str, dict[str, Any]] = {}
    judged: dict[str, dict[str, Any]] = {}
    for v in variant_order([str(r["variant"]) for r in rows], roles):
        mine = [r for r in rows if r["variant"] == v]
        m = transfer_matrix(_pairs(mine, None))
        panels[label_of(v, roles)] = _panel(m)
        judge = sorted({k for r in mine for k in (r.get("by_scorer") or {}) if k.startswith("judge:")})
        for name in judge:
            jm = transfer_matrix(_pairs(mine, name))
            if any(sum(row.values()) for row in jm["counts"].values()):
                judged[f"{label_of(v, roles)}, {name}"] = _panel(jm)
    return {**panels, **judged}


def _pairs(rows: Sequence[Row], scorer: str | None) -> list[tuple[str, str | None]]:
    out = []
    for r in rows:
        framing = str((r.get("condition") or {}).get("framing"))
        outs = (r.get("by_scorer") or {}).get(scorer) if scorer else r.get("outcomes")
        if framing in FRAMINGS and outs is not None:
            val = outs.get("valence")
            out.append((framing, val if val in VALENCES else None))
    return out


def _panel(m: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "rows": [f"{f} prompt" for f in m["rows"]],
        "columns": list(m["columns"]),
        "values": [[m["shares"][f][c] for c in m["columns"]] for f in m["rows"]],
        "n": [[m["counts"][f][c] for c in m["columns"]] for f in m["rows"]],
    }


def bar_panels(stats: Mapping[str, Any], roles: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Soothing and added-feeling rates by framing (x) and variant (bars), from the breakdown."""
    from warmlab.report.sections import entry, label_of, role_of, variant_order

    out: dict[str, list[dict[str, Any]]] = {}
    for outcome, title in (("soothing", "soothing"), ("added_feelings", "added feelings")):
        rows = []
        for f in FRAMINGS:
            o = entry(stats, outcome, by=("framing", f))
            if o is None:
                continue
            by_variant = {str(v["variant"]): v for v in o["variants"] if v.get("n")}
            for v in variant_order(list(by_variant), roles):
                x = by_variant[v]
                ci = x.get("ci") or [None, None]
                rows.append(
                    {
                        "group": f,
                        "label": label_of(v, roles),
                        "role": role_of(v, roles),
                        "value": x["mean"],
                        "ci_low": ci[0],
                        "ci_high": ci[1],
                    }
                )
        if rows:
            out[title] = rows
    return out


def accuracy_note() -> str:
    """The offline classifiers' measured accuracy, read from their shipped held-out scores."""
    from warmlab.classifiers.talk import load_weights
    from warmlab.tasks.rebound.analysis import framing_check

    probes = load_weights("feelings")
    sooth = probes["soothing"].heldout.get("replies", {}).get("soothing", {})
    added = probes["attributes_feeling"].heldout.get("replies", {}).get("added_feelings", {})
    vader = framing_check(probe=False)
    nan = float("nan")
    return (
        "Offline scorer accuracy: valence (VADER, mean over sentences) reads "
        f"{100 * vader['vader']['accuracy']:.0f}% of the team's {vader['n']} prompts as their framing; "
        f"held-out replies (n = {sooth.get('n', '?')}): soothing F1 {sooth.get('f1', nan):.2f}, "
        f"added feelings F1 {added.get('f1', nan):.2f} ({added.get('n_positive', '?')} positives)."
    )


def rebound_report(rows: Sequence[Row], stats: Mapping[str, Any], roles: Mapping[str, str]) -> str:
    from warmlab.report.plots import grouped_bars, heatmap
    from warmlab.report.sections import figure, label_of, note, plain_rows, table, variant_order

    rows = plain_rows(rows)
    parts = ['<h3 id="rebound-matrix">Tone transfer</h3>']
    panels = matrix_panels(rows, roles)
    parts.append(
        figure(
            "fig-rebound-matrix",
            (
                lambda: heatmap(
                    panels,
                    title="Reply tone by prompt framing (share of each row)",
                    xlabel="reply valence",
                    ylabel="",
                    fig_id="fig-rebound-matrix",
                )
            )
            if panels
            else None,
            "Each row: the prompts of one framing; each cell: the share of their replies with that valence "
            "(n replies). A rebound is a negative prompt answered neutrally or positively.",
            missing=None if panels else "no generate-mode rows",
        )
    )
    rates = []
    for v in variant_order([str(r["variant"]) for r in rows], roles):
        rr = rebound_rate(_pairs([r for r in rows if r["variant"] == v], None))
        rates.append([label_of(v, roles), rr["n"], "–" if rr["rate"] is None else f"{100 * rr['rate']:.0f}%"])
    if rates:
        parts.append(table(["variant", "negative prompts", "rebound (neutral or positive reply)"], rates))
    parts.append(note("No human baseline is computed for tone: the comparison is between variants."))
    bars = bar_panels(stats, roles)
    parts.append(
        figure(
            "fig-rebound-feelings",
            (
                lambda: grouped_bars(
                    bars,
                    title="Soothing and added feelings by prompt framing (95% Wilson CI)",
                    ylabel="share of replies (%)",
                    fig_id="fig-rebound-feelings",
                    percent=True,
                    xlabel="prompt framing",
                )
            )
            if bars
            else None,
            "Soothing: the reply minimises or redirects a negative feeling; added feelings: it names a "
            "feeling the user did not express (the neutral framing expresses none).",
            missing=None if bars else "no breakdown by framing in the statistics",
        )
    )
    parts.append(note(accuracy_note()))
    return "\n".join(parts)
