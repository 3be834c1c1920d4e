"""The personality battery's own report section (after its generic tables): the Big Five profile per
variant with CIs and its shift from the base, facets, Cronbach's alpha, and the answer-order check."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from warmlab.report.markup import cells_table
from warmlab.tasks.personality.analysis import analyse
from warmlab.tasks.personality.data import DOMAINS, facet_name

e = html.escape


def _f(x: Any, signed: bool = False, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def _ci(ci: Any, signed: bool = False) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    return f" [{_f(ci[0], signed)}, {_f(ci[1], signed)}]"


_table = partial(cells_table, raw=True)  # cells are HTML (escaped by the callers)


def _cell(entry: Mapping[str, Any] | None) -> str:
    if not entry or not entry.get("n"):
        return "–"
    out = e(_f(entry["mean"]) + _ci(entry["ci"]))
    if entry.get("n_pairs"):
        out += "<br><span class='note'>" + e(f"Δ {_f(entry['diff'], True)}{_ci(entry['diff_ci'], True)}")
        out += "</span>"
    return out


def scale_grid(entries: Sequence[Mapping[str, Any]], scales: Sequence[str], label: Mapping[str, str]) -> str:
    """Rows: variants; columns: scales; each cell the mean [CI] and, under it, the shift from the base."""
    variants = list(dict.fromkeys((x["variant"], x["model"]) for x in entries))
    at = {(x["variant"], x["model"], x["scale"]): x for x in entries}
    rows = [[e(v), *(_cell(at.get((v, m, s))) for s in scales)] for v, m in variants]
    return _table(["variant", *(label.get(s, s) for s in scales)], rows)


def facet_grid(entries: Sequence[Mapping[str, Any]]) -> str:
    """Rows: the 30 facets; columns: variants."""
    variants = list(dict.fromkeys((x["variant"], x["model"]) for x in entries))
    at = {(x["variant"], x["model"], x["scale"]): x for x in entries}
    facets = sorted({x["scale"] for x in entries}, key=lambda f: ("NEOAC".find(f[0]), f))
    rows = [
        [e(f"{f} {facet_name(f)}"), *(_cell(at.get((v, m, f))) for v, m in variants)]
        for f in facets
        if len(f) >= 2 and f[0] in DOMAINS and f[1:].isdigit()
    ]
    return _table(["facet", *(v for v, _ in variants)], rows)


def reliability_table(entries: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for x in entries:
        cells = [e(x["variant"]), str(x["respondents"])]
        for d in DOMAINS:
            a = x["domains"].get(d)
            k = x["items"].get(d, 0)
            cells.append(e(f"{_f(a)} ({k} items)") if k else "–")
        rows.append(cells)
    return _table(["variant", "administrations", *DOMAINS.values()], rows)


def order_table(entries: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for x in entries:
        rows.append(
            [
                e(x["variant"]),
                e(_f(x["forward"]["mean"]) + _ci(x["forward"]["ci"])) if x["forward"]["n"] else "–",
                e(_f(x["reversed"]["mean"]) + _ci(x["reversed"]["ci"])) if x["reversed"]["n"] else "–",
                e(_f(x["diff"], True) + _ci(x["diff_ci"], True)) if x["n_pairs"] else "–",
                str(x["n_pairs"]),
                "–" if x["first_share"] is None else f"{100 * x['first_share']:.0f}% of {x['n_answers']}",
            ]
        )
    head = [
        "variant",
        "raw answer, scale forward",
        "raw answer, scale reversed",
        "forward − reversed",
        "pairs",
        "picked the first number",
    ]
    return _table(head, rows)


def _figure(mode: str, entries: Sequence[Mapping[str, Any]], roles: Mapping[str, str]) -> str:
    from warmlab.report.figures import profile

    lines: dict[str, dict[str, Any]] = {}
    for x in entries:
        if x.get("n"):
            ln = lines.setdefault(
                x["variant"],
                {"variant": x["variant"], "role": roles.get(x["variant"], "other"), "points": []},
            )
            ln["points"].append(
                {"level": DOMAINS.get(x["scale"], x["scale"]), "mean": x["mean"], "ci": x["ci"]}
            )
    if not lines:
        return ""
    fig_id = f"fig-personality-{mode}"
    svg = profile({"": list(lines.values())}, ylabel="keyed score (1-5)", fig_id=fig_id, ylim=(1, 5))
    return (
        f'<figure id="{e(fig_id)}">{svg}<figcaption>Big Five profile ({e(mode)} mode): mean keyed score per '
        "domain with its 95% item-clustered bootstrap CI, by variant</figcaption></figure>"
    )


def personality_report(
    rows: Sequence[Mapping[str, Any]], stats: Mapping[str, Any], roles: Mapping[str, str]
) -> str:
    """Battery.report: (rows, battery stats, roles) -> HTML."""
    draws = int(stats.get("bootstrap") or 1000)
    result = analyse(rows, draws=draws, seed=int(stats.get("seed") or 0))
    if not result:
        return ""
    out = ['<h3 id="personality-profile">Personality: Big Five profile</h3>']
    out.append(
        '<ul class="note"><li>keyed score: the answer (1 very inaccurate ... 5 very accurate), reversed for '
        "minus-keyed items; a domain's score is the mean over its items (24 per domain in the full "
        "inventory); 3 is the scale's middle</li><li>Δ: paired shift from the base over the same "
        "samples (item, framing, answer order), 95% item-clustered bootstrap CI</li><li>Cronbach's alpha: "
        "each administration (an instruction wording x answer order) is one respondent; alpha near or "
        "below 0, or undefined (–), says the model does not answer the items of a scale consistently; "
        "with a handful of administrations it is itself unstable</li></ul>"
    )
    letters = list(DOMAINS)
    for mode, m in result.items():
        out.append(_figure(mode, m["domains"], roles))
        out.append(f"<h4>Domains ({e(mode)})</h4>")
        out.append(scale_grid(m["domains"], letters, DOMAINS))
        if m["argmax"]:
            out.append(
                "<details><summary>the same with the most likely answer instead of the expected one"
                "</summary>" + scale_grid(m["argmax"], letters, DOMAINS) + "</details>"
            )
        out.append(f"<details><summary>30 facets ({e(mode)})</summary>{facet_grid(m['facets'])}</details>")
        out.append(f"<h4>Reliability of the scales ({e(mode)})</h4>")
        out.append(reliability_table(m["reliability"]))
        facets = "".join(
            f"<li>{e(x['variant'])}: "
            + e(", ".join(f"{f} {_f(a)}" for f, a in sorted(x["facets"].items())) or "none")
            + "</li>"
            for x in m["reliability"]
        )
        out.append(f"<details><summary>alpha per facet (4 items each)</summary><ul>{facets}</ul></details>")
        if any(x["n_pairs"] for x in m["order"]):
            out.append(f"<h4>Answer order check ({e(mode)})</h4>")
            out.append(
                '<p class="note">The same item with the scale listed forward (1 = very inaccurate) and '
                "reversed (1 = very accurate). A model answering the statement gives the same raw answer "
                'both ways (difference near 0); one that picks a position does not (always "1": -4).</p>'
            )
            out.append(order_table(m["order"]))
    return "\n".join(x for x in out if x)
