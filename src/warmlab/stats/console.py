"""A readable console view of `analyse()`'s result (rich tables)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _pct(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{100 * x:.{digits}f}%"


def _pp(x: float | None) -> str:
    return "-" if x is None else f"{x:+.1f}"


def _ci(ci: list[float | None] | None) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return "-"
    return f"[{ci[0]:+.1f}, {ci[1]:+.1f}]"


def _p(p: float | None) -> str:
    return "-" if p is None else ("<0.001" if p < 0.001 else f"{p:.3f}")


def coverage_cell(e: Mapping[str, Any]) -> str:
    """ "92% (46/50)": decided over scored rows (scored: every row but invalid)."""
    cov = e.get("coverage")
    if cov is None:
        return "-"
    scored = int(e.get("n_rows") or 0) - int(e.get("invalid") or 0)
    return f"{100 * cov:.0f}% ({e.get('n_decided')}/{scored})"


def agreement_cell(a: Mapping[str, Any] | None) -> str:
    """ "94% k=0.81 (n=48)": offline scorer vs judge on the error flag."""
    if not a or not a.get("n"):
        return "-"
    kappa = "-" if a.get("kappa") is None else f"{a['kappa']:.2f}"
    return f"{100 * a['agreement']:.0f}% k={kappa} (n={a['n']})"


def rates_table(res: dict[str, Any]) -> Table:
    t = Table(
        title="error rate by variant x family (95% Wilson CI; refusals as in the foundation rule); "
        "coverage = decided / scored"
    )
    for col in (
        "mode",
        "model",
        "variant",
        "family",
        "error",
        "95% CI",
        "counted",
        "coverage",
        "undecided",
        "refusals",
        "unparsed",
    ):
        t.add_column(col)
    for e in res["error_rates"]:
        if e["level"] == "cell":
            continue
        t.add_row(
            e["mode"],
            e["model"],
            e["variant"],
            e["family"],
            _pct(e["rate"]),
            f"{_pct(e['ci_low'])}-{_pct(e['ci_high'])}" if e["ci_low"] is not None else "-",
            str(e["n_scored"]),
            coverage_cell(e),
            str(e.get("undecided", "-")),
            str(e["refusals"]),
            str(e["unparsed"]),
        )
    return t


def paired_table(res: dict[str, Any]) -> Table:
    t = Table(
        title="variant vs base, paired (exact McNemar; q = BH FDR over cells): overall and cells q < 0.05"
    )
    for col in (
        "mode",
        "base",
        "variant",
        "family",
        "context",
        "belief",
        "pairs",
        "base",
        "variant",
        "diff pp",
        "v-only/b-only",
        "p",
        "q",
        "g",
        "coverage b/v",
        "judge agrees",
    ):
        t.add_column(col)
    for e in res["paired"]:
        if e["level"] == "cell" and (e["q_value"] is None or e["q_value"] >= 0.05):
            continue
        t.add_row(
            e["mode"],
            e["base"],
            e["variant"],
            e["family"],
            e["context"],
            e["belief"],
            str(e["n_pairs"]),
            _pct(e["base_rate"], 0),
            _pct(e["variant_rate"], 0),
            _pp(e["diff_pp"]),
            f"{e['variant_only']}/{e['base_only']}",
            _p(e["p_value"]),
            _p(e["q_value"]),
            "-" if e["cohens_g"] is None else f"{e['cohens_g']:.2f}",
            f"{_pct(e.get('base_coverage'), 0)}/{_pct(e.get('variant_coverage'), 0)}",
            agreement_cell(e.get("agreement")),
        )
    return t


def models_table(res: dict[str, Any]) -> Table:
    t = Table(title="warm effect on the error rate: AME in percentage points (counterfactual prediction)")
    for col in (
        "mode",
        "variant",
        "model",
        "level",
        "n",
        "AME pp",
        "CI (cluster)",
        "CI (naive)",
        "bootstrap",
        "p (cluster)",
    ):
        t.add_column(col)
    for mode, by_variant in res["models"].items():
        for variant, entries in by_variant.items():
            for name, e in entries.items():
                if e["status"] != "ok":
                    t.add_row(
                        mode,
                        variant,
                        name,
                        "",
                        str(e["n_obs"]),
                        f"[yellow]{e['status']}[/]",
                        e["reason"] or "",
                    )
                    continue
                for lv in [{"level": "all", **e["ame"]}, *e["ame_by_level"]]:
                    t.add_row(
                        mode,
                        variant,
                        name,
                        lv["level"],
                        str(lv["n"]),
                        _pp(lv["estimate"]),
                        _ci(lv["ci_cluster"]),
                        _ci(lv["ci_naive"]),
                        _ci(lv["bootstrap_ci"]),
                        _p(lv["p_cluster"]),
                    )
    return t


def print_result(res: dict[str, Any], console: Console | None = None) -> None:
    if console is None:
        from warmlab.core.console import wide_console

        console = wide_console()
    m = res["meta"]
    for b in (res.get("batteries") or {}).values():
        for t in battery_tables(b):
            console.print(t)
    if "n_scored" not in m:  # no reliability rows
        for w in res["warnings"]:
            console.print(f"[yellow]warning:[/] {w}", highlight=False)
        return
    cov = "-" if m.get("coverage") is None else f"{100 * m['coverage']:.0f}%"
    console.print(
        f"[bold]warmlab stats[/] {m['source'] or ''}: {m['n_rows']} rows, {m['n_scored']} counted, "
        f"coverage {cov} ({m.get('n_undecided', 0)} undecided), {m['n_refusals']} refusals, "
        f"{m['n_unparsed']} unparsed, {m['n_items']} items; "
        f"models {', '.join(m['models'])}; refusal rule: {m['refusal_rule']}",
        highlight=False,
    )
    for line in judge_lines(m.get("judge")):
        console.print(line, highlight=False)
    console.print(rates_table(res))
    if res["paired"]:
        console.print(paired_table(res))
    if res["models"]:
        console.print(models_table(res))
    h = res["headline"]
    if h:
        for mode, hm in h["by_mode"].items():
            main = hm["models"].get("main", {})
            if main.get("status") == "ok":
                a = main["ame"]
                agree = hm.get("agreement")
                console.print(
                    f"[bold]headline[/] ({mode}, {h['variant']} vs base, neutral prompts): "
                    f"{_pp(a['estimate'])} pp error, 95% CI {_ci(a['ci_cluster'])} (item-clustered), "
                    f"bootstrap {_ci(a['bootstrap_ci'])}"
                    + "".join(
                        f"; coverage base {_pct(po.get('base_coverage'), 0)}, {h['variant']} "
                        f"{_pct(po.get('variant_coverage'), 0)}"
                        for po in hm.get("paired_overall") or []
                    )
                    + (f"; offline vs judge agree {agreement_cell(agree)}" if agree else "")
                )
            else:
                console.print(f"[bold]headline[/] ({mode}, {h['variant']}): main model {main.get('reason')}")
    for w in res["warnings"]:
        console.print(f"[yellow]warning:[/] {w}", highlight=False)


def judge_lines(j: Mapping[str, Any] | None) -> list[str]:
    """Who judged which rows (meta.judge), and the overall agreement."""
    if not j:
        return []
    out = []
    for x in j["judges"]:
        roles = ", ".join(f"{n} {r}" for r, n in x["roles"].items())
        out.append(
            f"judge {x['model']} (prompt {x['prompt']}, max_tokens {x['max_tokens']}, temperature "
            f"{x['temperature']}): {x['rows']} rows ({roles})"
        )
    out.append(f"offline vs judge, all judged rows: {agreement_cell(j.get('agreement'))}")
    return out


def _fmt_ci(mean: float | None, ci: Sequence[float | None], pct: bool) -> str:
    if mean is None:
        return "-"
    k = 100.0 if pct else 1.0
    lo, hi = ci if ci else (None, None)
    body = f"{k * mean:.1f}" + ("%" if pct else "")
    if lo is None or hi is None:
        return body
    return f"{body} [{k * lo:.1f}, {k * hi:.1f}]"


def battery_tables(stats: dict[str, Any]) -> list[Table]:
    """Console tables of one battery's statistics (warmlab.stats.outcomes): per mode and outcome, each
    variant's mean or rate with its CI and its paired difference from the base."""
    tables = []
    stand_in = " (scripted stand-in user)" if stats.get("scripted_user") else ""
    for mode, m in stats["modes"].items():
        t = Table(
            title=escape(f"{stats['task']} [{mode}]{stand_in}: outcome by variant, paired with the base")
        )
        for col in ("outcome", "variant", "n", "value [95% CI]", "vs base [95% CI]", "pairs"):
            t.add_column(col, overflow="fold")
        for o in m["outcomes"]:
            pct = o["kind"] in ("binary", "verdict")
            paired = {(p["variant"], p["model"]): p for p in o["paired"]}
            for v in o["variants"]:
                if o["kind"] == "per_turn":
                    curve = v.get("curve") or []
                    cell = " ".join(f"{c['mean']:.2f}" if c["mean"] is not None else "-" for c in curve)
                    t.add_row(o["outcome"], v["variant"], str(v.get("n", 0)), f"by turn: {cell}", "", "")
                    continue
                if not v.get("n"):
                    continue
                p = paired.get((v["variant"], v["model"]))
                diff = "-"
                if p and p.get("n_pairs"):
                    k = 100.0 if pct else 1.0
                    lo, hi = p["ci"]
                    diff = f"{k * p['diff']:+.1f}" + (" pp" if pct else "")
                    if lo is not None and hi is not None:
                        diff += f" [{k * lo:+.1f}, {k * hi:+.1f}]"
                t.add_row(
                    o["outcome"],
                    v["variant"],
                    str(v["n"]),
                    _fmt_ci(v["mean"], v["ci"], pct),
                    diff,
                    str(p["n_pairs"]) if p else "",
                )
        notes = [
            f"{o['outcome']}: {a['scorers'][0]} vs {a['scorers'][1]} agree on {100 * a['agreement']:.0f}% of "
            f"{a['n']} (kappa {'-' if a['kappa'] is None else format(a['kappa'], '.2f')})"
            for o in m["outcomes"]
            for a in o.get("agreement") or []
        ]
        if notes:
            t.caption = escape("; ".join(notes))
        tables.append(t)
    return tables
