"""How the reliability answers were scored, in the report: coverage (decided / scored) beside every error
rate, and the judge cascade (which judge, rubric version and decoding; how many rows it graded and why;
how often it agrees with the offline scorer, beside each effect)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from warmlab.report import data as D
from warmlab.report.markup import cells_table

e = html.escape


def coverage_text(entries: Sequence[Mapping[str, Any]]) -> str:
    """Decided over scored rows, pooled over error-rate entries: "83% (40/48)"; "–" without the counts."""
    if not entries or not all("n_decided" in x for x in entries):
        return "–"
    decided = sum(int(x.get("n_decided") or 0) for x in entries)
    scored = sum(int(x.get("n_rows") or 0) - int(x.get("invalid") or 0) for x in entries)
    return f"{100 * decided / scored:.0f}% ({decided}/{scored})" if scored else "–"


def agreement_text(a: Mapping[str, Any] | None) -> str:
    """ "94% agree, Cohen's kappa 0.81, n = 48" (offline scorer vs judge on the error flag)."""
    if not a or not a.get("n"):
        return "–"
    kappa = "–" if a.get("kappa") is None else f"{a['kappa']:.2f}"
    return f"{100 * a['agreement']:.0f}% agree, Cohen's kappa {kappa}, n = {a['n']}"


_table = partial(cells_table, cls="coverage")


def coverage_table(stats: Mapping[str, Any]) -> str:
    """Error rate [95% CI] and coverage per mode x variant x family (and all families)."""
    rows = []
    for ent in stats.get("error_rates") or []:
        if ent.get("level") not in ("family", "overall") or D.is_checkpoint(str(ent["variant"])):
            continue
        rate = D.fmt_pct(ent.get("rate"))
        if ent.get("ci_low") is not None and ent.get("ci_high") is not None:
            rate += f" [{D.fmt_pct(ent['ci_low'])}, {D.fmt_pct(ent['ci_high'])}]"
        rows.append(
            [
                str(ent["mode"]),
                str(ent["model"]),
                str(ent["variant"]),
                str(ent["family"]),
                rate,
                str(ent.get("n_scored")),
                coverage_text([ent]),
                str(ent.get("undecided", "–")),
                str(ent.get("refusals")),
                str(ent.get("unparsed")),
            ]
        )
    if not rows:
        return ""
    head = ["mode", "model", "variant", "family", "error [95% CI]", "counted", "coverage", "undecided"]
    return (
        "<h3 id='coverage'>Error rate and coverage</h3><p class='note'>Coverage: the share of scored answers "
        "the scorers could decide (correct, incorrect or refusal); undecided and unparsed answers are left "
        "out of the error rate, so an error rate is only as representative as its coverage.</p>"
        + _table([*head, "refusals", "unparsed"], rows)
    )


def judge_html(stats: Mapping[str, Any]) -> str:
    """The judge cascade: who judged, how, which rows, and the agreement beside every paired effect."""
    j = (stats.get("meta") or {}).get("judge")
    if not j:
        return (
            "<h3 id='judge'>Scorers</h3><p class='note'>Scored offline only (no LLM judge): answers the "
            "offline scorer could not settle stay undecided and out of the error rates.</p>"
        )
    out = [
        "<h3 id='judge'>Scorers: the judge cascade</h3>",
        "<p class='note'>The offline scorer decides first; the judge grades the answers it left undecided "
        "(or every answer, with --judge-all) and a seeded random sample of the decided ones per model and "
        "mode, to measure how often the two agree on the error flag.</p>",
    ]
    out.append(
        _table(
            ["judge", "prompt", "max_tokens", "temperature", "rows judged", "why"],
            [
                [
                    str(x.get("model")),
                    str(x.get("prompt")),
                    str(x.get("max_tokens")),
                    str(x.get("temperature")),
                    str(x.get("rows")),
                    ", ".join(f"{n} {r}" for r, n in (x.get("roles") or {}).items()),
                ]
                for x in j.get("judges") or []
            ],
        )
    )
    out.append(f"<p>Offline scorer vs judge, all judged rows: {e(agreement_text(j.get('agreement')))}</p>")
    effects = [
        [
            str(p["mode"]),
            f"{p['variant']} vs {p['base']}",
            D.fmt_pp(p.get("diff_pp")),
            str(p.get("n_pairs")),
            f"{D.fmt_pct(p.get('base_coverage'))} / {D.fmt_pct(p.get('variant_coverage'))}",
            agreement_text(p.get("agreement")),
        ]
        for p in stats.get("paired") or []
        if p.get("level") == "overall"
    ]
    if effects:
        head = [
            "mode",
            "comparison",
            "difference (pp)",
            "pairs",
            "coverage base / variant",
            "offline vs judge",
        ]
        out.append(
            "<p class='note'>Agreement beside each paired effect (the judged rows of the variant and its "
            "base):</p>" + _table(head, effects)
        )
    return "\n".join(out)


def scoring_html(stats: Mapping[str, Any]) -> str:
    return coverage_table(stats) + "\n" + judge_html(stats)


def annotate_headline(h: dict[str, Any], stats: Mapping[str, Any]) -> dict[str, Any]:
    """The headline's details with the coverage of the compared answers and, when a judge ran, its
    agreement with the offline scorer (per mode)."""
    hv = h.get("variant")
    if not hv:
        return h
    extra = []
    by_mode = (stats.get("headline") or {}).get("by_mode") or {}
    for mode in D.modes(stats):
        ents = [
            x
            for x in stats.get("error_rates") or []
            if x.get("level") == "overall" and x["mode"] == mode and x["variant"] in ("base", hv)
        ]
        line = f"{mode}: coverage {coverage_text(ents)} of {hv} and base answers decided"
        agree = (by_mode.get(mode) or {}).get("agreement")
        if agree:
            line += f"; offline scorer vs judge: {agreement_text(agree)}"
        extra.append(line)
    return {**h, "details": [*(h.get("details") or []), *extra]}
