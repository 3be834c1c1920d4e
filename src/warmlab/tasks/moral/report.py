"""The moral battery's own report section: moral language against sentiment per variant beside the human
point(s), each foundation per variant beside human text, the ratio to the human baseline, and the
lexicon's measured validity."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from warmlab.classifiers.moral import FOUNDATIONS

Row = Mapping[str, Any]
Z = 1.959964


def reference_of(rows: Sequence[Row]) -> tuple[Mapping[str, Any] | None, list[str]]:
    """The reference the rows carry (the first; every row of a run carries the same) and the names of all
    lexicons the rows were scored with."""
    refs = [r["reference"] for r in rows if isinstance(r.get("reference"), Mapping)]
    lexicons = sorted({str(x.get("lexicon")) for x in refs})
    with_human = [x for x in refs if x.get("human")]
    return (with_human or refs or [None])[0], lexicons


def human_ci(profile: Mapping[str, Any], key: str) -> list[float | None]:
    """Normal-approximation 95% interval of a human profile's mean (texts taken as independent; a rate's
    lower bound cut at 0)."""
    mean, sd, n = profile.get(key), profile.get(f"{key}_sd"), int(profile.get("n") or 0)
    if mean is None or sd is None or n < 2:
        return [None, None]
    half = Z * float(sd) / math.sqrt(n)
    low = float(mean) - half
    return [max(0.0, low) if key.endswith("per_1k") else low, float(mean) + half]  # a rate is never < 0


def _means(stats: Mapping[str, Any], outcome: str) -> dict[str, Mapping[str, Any]]:
    from warmlab.report.sections import entry

    o = entry(stats, outcome)
    return {str(v["variant"]): v for v in (o or {}).get("variants", []) if v.get("n")}


def scatter_points(
    stats: Mapping[str, Any], roles: Mapping[str, str], human: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    from warmlab.report.sections import label_of, role_of, variant_order

    moral, sent = _means(stats, "moral_per_1k"), _means(stats, "sentiment")
    pts = [
        {
            "label": label_of(v, roles),
            "role": role_of(v, roles),
            "x": sent[v]["mean"],
            "x_ci": sent[v].get("ci"),
            "y": moral[v]["mean"],
            "y_ci": moral[v].get("ci"),
        }
        for v in variant_order([v for v in moral if v in sent], roles)
    ]
    for h in human:
        pts.append(
            {
                "label": str(h["label"]),
                "role": "human",
                "x": h.get("sentiment"),
                "x_ci": human_ci(h, "sentiment"),
                "y": h.get("moral_per_1k"),
                "y_ci": human_ci(h, "moral_per_1k"),
            }
        )
    return pts


def foundation_bars(
    stats: Mapping[str, Any], roles: Mapping[str, str], human: Sequence[Mapping[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    from warmlab.report.sections import label_of, role_of, variant_order

    rows: list[dict[str, Any]] = []
    for f in FOUNDATIONS:
        key = f"{f}_per_1k"
        means = _means(stats, key)
        for v in variant_order(list(means), roles):
            ci = means[v].get("ci") or [None, None]
            rows.append(
                {
                    "group": f,
                    "label": label_of(v, roles),
                    "role": role_of(v, roles),
                    "value": means[v]["mean"],
                    "ci_low": ci[0],
                    "ci_high": ci[1],
                }
            )
        for h in human:
            lo, hi = human_ci(h, key)
            rows.append(
                {
                    "group": f,
                    "label": str(h["label"]),
                    "role": "human",
                    "value": h.get(key),
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    return {"": rows} if rows else {}


def ratio_rows(
    stats: Mapping[str, Any], roles: Mapping[str, str], human: Sequence[Mapping[str, Any]]
) -> list[list[str]]:
    from warmlab.report.sections import label_of, variant_order

    moral, sent = _means(stats, "moral_per_1k"), _means(stats, "sentiment")
    out = []
    for v in variant_order(list(moral), roles):
        m = moral[v]
        ci = m.get("ci") or [None, None]
        cells = [
            label_of(v, roles),
            str(m["n"]),
            f"{m['mean']:.1f}" + ("" if ci[0] is None else f" [{ci[0]:.1f}, {ci[1]:.1f}]"),
            "–" if v not in sent else f"{sent[v]['mean']:+.2f}",
        ]
        for h in human:
            base = h.get("moral_per_1k")
            cells.append("–" if not base else f"{m['mean'] / float(base):.2f}×")
        out.append(cells)
    return out


def moral_report(rows: Sequence[Row], stats: Mapping[str, Any], roles: Mapping[str, str]) -> str:
    from warmlab.report.plots import grouped_bars, scatter_ci
    from warmlab.report.sections import figure, note, plain_rows, table

    ref, lexicons = reference_of(plain_rows(rows))
    human: list[Mapping[str, Any]] = [h for h in ((ref or {}).get("human") or []) if h.get("n")]
    parts = ['<h3 id="moral-human">Moral language beside sentiment and human text</h3>']
    if not human:
        why = (ref or {}).get("human_missing") or "no path to human text was given"
        parts.append(
            note(
                f"Human baseline not computed: {why} (give the task a path to human text: "
                "-T baselines=../shared/data, or baselines = ... under [tasks.moral] in a study)."
            )
        )
    pts = scatter_points(stats, roles, human)
    parts.append(
        figure(
            "fig-moral-scatter",
            (
                lambda: scatter_ci(
                    pts,
                    title="Moral-foundation language against sentiment",
                    xlabel="sentiment (VADER compound, mean over sentences)",
                    ylabel="moral terms per 1,000 words",
                    fig_id="fig-moral-scatter",
                )
            )
            if pts
            else None,
            "One point per variant (95% item-clustered bootstrap CIs) and per human baseline (squares; "
            "normal approximation over texts).",
            missing=None if pts else "no moral_per_1k values",
        )
    )
    bars = foundation_bars(stats, roles, human)
    parts.append(
        figure(
            "fig-moral-foundations",
            (
                lambda: grouped_bars(
                    bars,
                    title="Each foundation per 1,000 words",
                    ylabel="terms per 1,000 words",
                    fig_id="fig-moral-foundations",
                    xlabel="moral foundation",
                )
            )
            if bars
            else None,
            "Variants (95% CIs) beside human-written text (hatched).",
            missing=None if bars else "no per-foundation values",
        )
    )
    ratios = ratio_rows(stats, roles, human)
    if ratios:
        head = ["variant", "n", "moral terms per 1,000 words [95% CI]", "sentiment"]
        head += [f"ratio to {h['label']} ({float(h['moral_per_1k']):.1f})" for h in human]
        parts.append(table(head, ratios))
    if human:
        parts.append(
            note(
                "Human text: "
                + "; ".join(f"{h['label']}: {h['n']} texts, {h.get('words', '?')} words" for h in human)
                + ". OpenAssistant replies answer requests of many kinds, not argument prompts like "
                "these: the comparison is of register, not matched."
            )
        )
    if ref is not None:
        chk = ref.get("lexicon_check") or {}
        f1 = float(chk.get("macro_f1", math.nan))
        parts.append(
            note(
                f"Lexicon: {', '.join(lexicons)}; on the team's labelled test sentences "
                f"(n = {chk.get('n', '?')}) it finds the labelled foundations with macro-F1 {f1:.2f} "
                "(the team wrote both, so this checks coverage and traps, not independent validity)."
            )
        )
    return "\n".join(parts)
