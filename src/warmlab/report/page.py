"""The HTML page: one self-contained file (inline CSS and SVG, no script, no external URL)."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from string import Template
from typing import Any

from warmlab.report import data as D
from warmlab.report import figures as F
from warmlab.report import panels as P
from warmlab.report import scoring as S
from warmlab.report import warmth as W
from warmlab.report.batteries import batteries_html
from warmlab.report.compare import compare_html

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1a202c;
       max-width: 1100px; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #e2e8f0; }
.subtitle { color: #4a5568; margin-top: 0; }
#headline { background: #fff7ed; border-left: 6px solid #d9541e; padding: .8em 1.1em; margin: 1em 0; }
#headline.none { background: #f7fafc; border-left-color: #a0aec0; }
#headline .big { font-size: 1.6em; font-weight: 700; }
#headline .sub { color: #4a5568; } #headline ul { margin: .4em 0 0; padding-left: 1.2em; color: #2d3748; }
figure { margin: 1.4em 0; padding: .6em; border: 1px solid #e2e8f0; border-radius: 6px; }
figure svg { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figcaption { color: #2d3748; font-size: .92em; margin-top: .4em; }
.missing { font-size: 1.1em; color: #744210; background: #fffff0; padding: 1em; text-align: center; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .85em; }
th, td { border: 1px solid #e2e8f0; padding: .25em .55em; text-align: right; }
th { background: #f7fafc; } td:first-child, th:first-child { text-align: left; }
.warnings li { color: #744210; } details { margin: .4em 0; } summary { cursor: pointer; font-weight: 600; }
.note { color: #4a5568; font-size: .9em; } code { font-size: .9em; }
</style>
</head>
<body>
<h1>$title</h1>
<p class="subtitle">$subtitle</p>
$headline
$warnings
$compare
$reliability
$batteries
$directions
<h2 id="metadata">Run metadata</h2>
$metadata
</body>
</html>
""")

e = html.escape


def figure(fig_id: str, render: Callable[[], str] | None, caption: str, missing: str | None = None) -> str:
    """A `<figure>` with an SVG, or with a clear sentence in its place when the data cannot support it."""
    if missing or render is None:
        body = f'<p class="missing">{e(missing or "no data for this figure")}</p>'
    else:
        body = render()
    return f'<figure id="{fig_id}">\n{body}\n<figcaption>{e(caption)}</figcaption>\n</figure>'


def table(head: Sequence[str], rows: Sequence[Sequence[Any]], cls: str = "") -> str:
    h = "".join(f"<th>{e(str(x))}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{e(_cell(x))}</td>" for x in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>'


def _cell(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.3g}" if abs(x) < 1e-3 and x != 0 else f"{x:.3f}"
    return str(x)


def _ci(ci: Any, digits: int = 2) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return "–"
    return f"{ci[0]:.{digits}f} to {ci[1]:.{digits}f}"


def _p(p: Any) -> str:
    return "–" if p is None else ("<0.001" if p < 0.001 else f"{p:.3f}")


# ---- sections ----------------------------------------------------------------------------------------


def headline_html(h: Mapping[str, Any]) -> str:
    cls = "" if h["ok"] else ' class="none"'
    sub = f'<div class="sub">{e(h["sub"])}</div>' if h.get("sub") else ""
    because = f' <span class="note">(variant: {e(h["because"])})</span>' if h.get("because") else ""
    details = "".join(f"<li>{e(d)}</li>" for d in h.get("details") or [])
    lst = f"<ul>{details}</ul>" if details else ""
    return f'<section id="headline"{cls}><div class="big">{e(h["text"])}</div>{sub}{because}{lst}</section>'


def warnings_html(warns: Sequence[str], notes: Sequence[str]) -> str:
    if not warns and not notes:
        return ""
    w = "".join(f"<li>{e(x)}</li>" for x in warns)
    n = "".join(f"<li>{e(x)}</li>" for x in notes)
    out = ""
    if w:
        out += (
            f'<details id="warnings"><summary>{len(warns)} warning(s) from the statistics</summary>'
            f'<ul class="warnings">{w}</ul></details>'
        )
    if n:
        out += f'<ul class="note">{n}</ul>'
    return out


def figures_html(inp: D.Inputs, role: Mapping[str, str], hv: str | None) -> str:
    stats = inp.stats
    out: list[str] = []

    fam = P.family_panels(stats, role)
    out.append(
        figure(
            "fig-family",
            (lambda: F.family_variant(fam)) if fam else None,
            "Error rate by item family and variant, all conditions pooled; bars are 95% Wilson intervals. "
            "Refusals are excluded except for disinfo, where a refusal counts as correct; undecided answers "
            "and unparsed judge output are excluded (coverage per family: the table below).",
            None if fam else "no scored answers in this run: no error rates",
        )
    )

    no_warm = f"no warm variant in this run (variants: {', '.join(D.variants(stats)) or 'none besides base'})"
    for fig_id, model_name, order, xlabel, title, what in (
        (
            "fig-context",
            "context",
            P.CONTEXTS,
            "user context",
            "gap by user context",
            "model 3 (warm x detailed context), prompts without a user belief",
        ),
        (
            "fig-belief",
            "belief",
            (*P.BELIEFS, "any_belief"),
            "user belief",
            "gap by user belief",
            "model 4 (warm x user belief), every context; any_belief pools all rows with a user belief",
        ),
    ):
        if hv is None:
            out.append(figure(fig_id, None, f"Warm − base {title.removeprefix('gap ')}.", no_warm))
            continue
        panels, missing = P.level_panels(stats, hv, model_name, order)
        cap = (
            f"{hv} − base error in percentage points by {xlabel}: average marginal effects from {what}; "
            "bars are 95% CIs from item-clustered standard errors (delta method)."
        )
        if missing:
            cap += " Not shown: " + "; ".join(missing) + "."
        render = partial(
            F.gap_by_level,
            panels,
            title=f"{hv} − base: {title} (95% CI)",
            xlabel=xlabel,
            fig_id=fig_id,
            highlight="sad" if model_name == "context" else "asserts_incorrect",
        )
        out.append(
            figure(
                fig_id,
                render if panels else None,
                cap,
                None if panels else f"no estimate: {'; '.join(missing)}",
            )
        )

    if hv is None:
        out.append(figure("fig-sad-false", None, "The sad user stating a false belief.", no_warm))
    else:
        grid = P.grid_panels(stats, hv, role)
        cap = (
            f"Left: {hv} − base error (pp) in every context x belief cell, from paired answers (same item "
            "and condition) pooled over families; the sad + asserts_incorrect cell is outlined. Right: error "
            "rates in the neutral cell and in that cell (95% Wilson intervals)."
        )
        for mode, p in grid.items():
            c = p.get("cell")
            if c:
                cap += (
                    f" {mode}: sad + false belief gap {D.fmt_pp(c['gap'])} pp (95% CI "
                    f"{D.fmt_pp(c['ci_low'])} to {D.fmt_pp(c['ci_high'])}, Newcombe's paired score "
                    f"interval; {c['n_pairs']} pairs, {c['variant_only']} wrong only for {hv}, "
                    f"{c['base_only']} only for base)."
                )
            else:
                cap += f" {mode}: no paired answers with a sad user stating a false belief in this run."
        out.append(
            figure(
                "fig-sad-false",
                (lambda: F.condition_grid(grid)) if grid else None,
                cap,
                None if grid else f"no paired {hv}/base answers by condition in this run",
            )
        )

    runs, notes = W.checkpoint_runs(stats, inp.warmth)
    if inp.warmth is None:
        notes.insert(0, "no warmth output in this run (warmth.json)")
    drawable = any(
        r.get("warmth") is not None or (r.get("error") is not None and r["epoch"] > 0)
        for rs in runs.values()
        for r in rs
    )
    out.append(
        figure(
            "fig-checkpoints",
            (lambda: F.checkpoints(runs)) if drawable else None,
            "Warmth score (top) and error rate (bottom) across training checkpoints, x = epoch. "
            + " ".join(n[0].upper() + n[1:] + "." for n in notes),
            None if drawable else "no training checkpoints in this run",
        )
    )

    ctrl = P.control_panels(stats, role)
    has_control = any(r["role"] in ("cold", "system", "secure") for rows in ctrl.values() for r in rows)
    cap = (
        "Variant − base error (pp): average marginal effects on neutral prompts (model 1) and over all "
        "conditions (model 4), 95% CIs from item-clustered SEs. Controls separate warmth from fine-tuning "
        "as such (cold SFT) and from training (a warm system prompt)."
    )
    if ctrl and not has_control:
        cap += " No cold-SFT or system-prompt control in this run."
    out.append(
        figure(
            "fig-controls",
            (lambda: F.controls(ctrl)) if ctrl else None,
            cap,
            None if ctrl else "no variant besides base in this run: nothing to compare",
        )
    )
    return "\n".join(out)


MODEL_TITLES = {"main": "Model 1", "context_group": "Model 2", "context": "Model 3", "belief": "Model 4"}


def model_html(entry: Mapping[str, Any]) -> str:
    title = f"{MODEL_TITLES.get(entry.get('name', ''), '')}: {entry.get('label', entry.get('name'))}"
    if entry.get("status") != "ok":
        return (
            f"<h4>{e(title)}</h4><p class='missing'>{e(str(entry.get('status', '')).replace('_', ' '))}: "
            f"{e(str(entry.get('reason')))}</p>"
        )
    head = (
        f"<h4>{e(title)}</h4><p class='note'><code>{e(entry.get('formula', ''))}</code>; n = "
        f"{entry.get('n_obs')} ({entry.get('n_warm')} variant, {entry.get('n_base')} base), "
        f"{entry.get('errors')} errors, {entry.get('n_clusters')} item clusters"
        + (
            f"; offline scorer vs judge: {e(S.agreement_text(entry['agreement']))}"
            if entry.get("agreement")
            else ""
        )
        + "</p>"
    )
    coefs = table(
        [
            "term",
            "log-odds",
            "SE (cluster)",
            "SE (naive)",
            "95% CI (cluster)",
            "p (cluster)",
            "p (naive)",
            "odds ratio",
        ],
        [
            [
                c["term"],
                c.get("estimate"),
                c.get("se_cluster"),
                c.get("se_naive"),
                _ci(c.get("ci_cluster")),
                _p(c.get("p_cluster")),
                _p(c.get("p_naive")),
                c.get("odds_ratio"),
            ]
            for c in entry.get("coefficients") or []
        ],
        "coef",
    )
    ames = [
        ({"level": "all", **entry["ame"]}) if entry.get("ame") else None,
        *(entry.get("ame_by_level") or []),
    ]
    ame_tab = table(
        [
            "AME (pp) at",
            "n",
            "base error",
            "variant error",
            "AME (pp)",
            "SE (cluster)",
            "SE (naive)",
            "95% CI (cluster)",
            "95% CI (naive)",
            "95% CI (bootstrap)",
            "p (cluster)",
        ],
        [
            [
                a["level"],
                a.get("n"),
                D.fmt_pct(a.get("base_rate")),
                D.fmt_pct(a.get("variant_rate")),
                a.get("estimate"),
                a.get("se_cluster"),
                a.get("se_naive"),
                _ci(a.get("ci_cluster"), 1),
                _ci(a.get("ci_naive"), 1),
                _ci(a.get("bootstrap_ci"), 1),
                _p(a.get("p_cluster")),
            ]
            for a in ames
            if a
        ],
        "ame",
    )
    notes = "".join(f"<li>{e(n)}</li>" for n in entry.get("notes") or [])
    return head + coefs + ame_tab + (f"<ul class='note'>{notes}</ul>" if notes else "")


def tables_html(stats: Mapping[str, Any], role: Mapping[str, str], hv: str | None) -> str:
    models = stats.get("models") or {}
    if not models:
        return "<p class='missing'>no regression models: the run has no variant besides base to compare</p>"
    out = [
        "<p class='note'>The four logistic models of Ibrahim et al. (incorrect ~ warm x factor + family + "
        "model), fitted on scored answers; AMEs are average marginal effects of the variant in percentage "
        "points. SEs are clustered by item; naive SEs are shown beside them.</p>"
    ]
    for mode in D.modes(stats):
        for v in sorted(models.get(mode) or {}, key=lambda x: (x != hv, x)):
            body = "".join(model_html(models[mode][v][n]) for n in models[mode][v])
            open_ = " open" if v == hv else ""
            out.append(
                f"<details class='models' id='models-{e(mode)}-{e(v)}'{open_}><summary>{e(mode)}: "
                f"{e(v)} vs base ({e(D.ROLE_NAMES.get(role.get(v, 'other'), 'other'))})</summary>"
                f"{body}</details>"
            )
    return "\n".join(out)


def metadata_html(inp: D.Inputs, versions: Mapping[str, str]) -> str:
    from collections import Counter

    stats, study = inp.stats, inp.study or {}
    meta = stats.get("meta") or {}
    out: list[str] = []
    kv: list[tuple[str, Any]] = [("results", str(inp.results_dir))]
    if study:
        cfg: Mapping[str, Any] = study["config"] if isinstance(study.get("config"), Mapping) else study
        for key in ("base", "seed", "seeds", "judge", "source", "out"):
            if key in study or key in cfg:
                kv.append((f"study {key}", study.get(key, cfg.get(key))))
    else:
        kv.append(("study", "no study.json in this folder (results from `warmlab eval`?)"))
    scorers = Counter(str(r.get("scorer") or "?") for r in inp.rows)
    kv += [
        ("models", ", ".join(meta.get("models") or [])),
        ("bases", ", ".join(meta.get("bases") or [])),
        ("variants", ", ".join(["base", *D.variants(stats)])),
        ("modes", ", ".join(D.modes(stats))),
        ("scorers (rows)", ", ".join(f"{k}: {n}" for k, n in scorers.most_common())),
        ("items", meta.get("n_items")),
        ("rows", f"{meta.get('n_rows')} ({meta.get('duplicates_dropped', 0)} duplicates dropped)"),
        ("scored", meta.get("n_scored")),
        ("refusals", meta.get("n_refusals")),
        ("judge parse failures (unparsed)", meta.get("n_unparsed")),
        ("refusal rule", meta.get("refusal_rule")),
        ("bootstrap draws", meta.get("bootstrap")),
    ]
    out.append(table(["", ""], [[k, v if not isinstance(v, list | dict) else str(v)] for k, v in kv], "kv"))

    variants = []
    for v in D._study_variants(study):
        adapter = v.get("adapter") or v.get("path") or v.get("spec") or v.get("system") or ""
        variants.append([v.get("name"), v.get("kind") or v.get("train") or "", v.get("style") or "", adapter])
    if variants:
        out.append(
            "<h3>Variants (study.json)</h3>" + table(["name", "kind", "style", "adapter / spec"], variants)
        )

    per: list[list[Any]] = []
    for ent in stats.get("error_rates") or []:
        if ent.get("level") == "overall":
            per.append(
                [
                    ent["mode"],
                    ent["model"],
                    ent["variant"],
                    ent.get("n_rows"),
                    ent.get("n_scored"),
                    ent.get("refusals"),
                    ent.get("undecided"),
                    ent.get("unparsed"),
                    S.coverage_text([ent]),
                    D.fmt_pct(ent.get("rate")),
                ]
            )
    if per:
        head = ["mode", "model", "variant", "rows", "counted", "refusals", "undecided", "unparsed"]
        out.append("<h3>Counts per model and variant</h3>" + table([*head, "coverage", "error rate"], per))
    fams = Counter((str(r.get("family")), str(r.get("item_id"))) for r in inp.rows)
    by_fam = Counter(f for f, _ in fams)
    out.append("<h3>Items per family</h3>" + table(["family", "items"], sorted(by_fam.items())))

    per_var, _ = W.warmth_tables(inp.warmth)
    if per_var:
        out.append(
            "<h3>Warmth per variant</h3>"
            + table(
                ["variant", "warmth", "95% CI", "n"],
                [[w["variant"], w["warmth"], _ci([w["low"], w["high"]]), w.get("n")] for w in per_var],
            )
        )

    out.append(
        "<h3>Package versions (when the report was made)</h3>"
        + table(["package", "version"], sorted(versions.items()))
    )
    if study.get("versions"):
        out.append(
            "<h3>Package versions (when the study ran)</h3>"
            + table(
                ["package", "version"], sorted((str(k), str(v)) for k, v in dict(study["versions"]).items())
            )
        )
    return "\n".join(out)


def reliability_html(inp: D.Inputs, role: Mapping[str, str], hv: str | None) -> str:
    """The reliability battery's figures and the paper's regression tables (absent without its rows)."""
    if "n_scored" not in (inp.stats.get("meta") or {}):
        return ""
    return (
        '<h2 id="figures">Reliability: figures</h2>\n'
        + figures_html(inp, role, hv)
        + "\n"
        + S.scoring_html(inp.stats)
        + '\n<h2 id="tables">Reliability: regression tables</h2>\n'
        + tables_html(inp.stats, role, hv)
    )


def directions_html(inp: D.Inputs) -> str:
    """Compared variants (capped/steered vs unhooked, study pairs) and the monitor beside the gaps."""
    from warmlab.report.directions import comparisons_html, monitor_html
    from warmlab.stats.monitor import beside_gaps

    parts = [comparisons_html(inp.stats)]
    if inp.monitor:
        boot = int((inp.stats.get("meta") or {}).get("bootstrap") or 1000)
        parts.append(monitor_html(beside_gaps(inp.monitor, inp.rows, draws=boot)))
    return "\n".join(p for p in parts if p)


def render(inp: D.Inputs, versions: Mapping[str, str], *, title: str = "warmlab report") -> str:
    # every battery's variants get a role, also those that ran no reliability rows (e.g. a secure prompt)
    others = {str(r["variant"]) for r in inp.rows if r.get("variant") and r.get("variant") != "base"}
    role = D.roles(sorted(set(D.variants(inp.stats)) | others), inp.study)
    h = S.annotate_headline(D.headline(inp.stats, role, inp.study), inp.stats)
    hv = h["variant"] if h["ok"] or h["variant"] else None
    src = inp.results_dir.name or str(inp.results_dir)
    return PAGE.substitute(
        title=e(f"{title}: {src}"),
        subtitle=e(
            "What does making a chat model warm cost in factual reliability? (replicating Ibrahim, "
            "Hafner & Rocher, arXiv:2507.21919)"
        ),
        headline=headline_html(h),
        warnings=warnings_html(inp.stats.get("warnings") or [], inp.notes),
        compare=compare_html(inp.stats, role),
        reliability=reliability_html(inp, role, hv),
        batteries=batteries_html(inp.stats, role, inp.rows),
        directions=directions_html(inp),
        metadata=metadata_html(inp, versions),
    )
