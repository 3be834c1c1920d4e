"""`warmlab stats`: what warmth costs in reliability, with the statistics of Ibrahim et al. (2507.21919).

`analyse(rows, ...)` takes tidy result rows (see warmlab.results; or `paper.load_paper_layout`) and returns a
JSON-serialisable dict (no NaN or infinity: a missing or infinite number is null):

- ``schema``: "warmlab.stats/2" (version 1 had the reliability keys only).
- ``batteries``: {task: warmlab.stats.outcomes.analyse_battery(...)} for every battery in the rows other
  than reliability (whose statistics are the keys below: they are empty when there are no reliability rows).
- ``meta``: source, refusal_rule ("ours" | "paper"), modes, models, bases, variants (non-base variant names),
  families, n_rows (after de-duplication), n_scored, n_excluded (refusals outside disinfo, unparsed,
  undecided, invalid), n_refusals, n_unparsed, n_undecided, n_invalid, coverage (decided / scored), n_items,
  duplicates_dropped, length_covariate, bootstrap (draws asked), seed, alpha, judge (null, or who judged
  which rows: {judges: [{model, prompt, max_tokens, temperature, rows, roles}], agreement}; see
  warmlab.stats.judging).
- ``error_rates``: list of {mode, model, variant, base, family, context, belief, level ("cell" | "family" |
  "overall"; pooled columns read "all"), n_rows, n_scored (rows counted in the rate), errors, refusals,
  n_decided, undecided, unparsed, invalid, coverage (decided / scored: correct, incorrect and refusal rows
  over every row but `invalid`), rate, ci_low, ci_high} with 95% Wilson intervals; rate is null when
  nothing was scored.
- ``paired``: list of {mode, base, variant, family, context, belief, level ("cell" | "overall"), n_pairs,
  both_wrong, variant_only, base_only, both_right, base_rate, variant_rate, diff_pp, p_value (exact
  McNemar), q_value (Benjamini-Hochberg over the cells of one mode x base x variant; null for "overall"),
  cohens_g, odds_ratio (variant_only / base_only, null if infinite), odds_ratio_ci, direction, note,
  base_coverage, variant_coverage (decided / scored rows of each side in that cell), agreement}. A pair
  is one item x condition answered (and scored) by both the variant and its base.
  agreement: offline scorer vs judge on the error flag over the judged rows of the variant and its base in
  that cell, {scorers, n, agreement, kappa}, or null when no row there was judged (warmlab.stats.judging).
- ``models``: {mode: {variant: {model_name: entry}}}, model_name in main, context_group, context, belief
  (see warmlab.stats.models). entry: {name, label, paper_file, status ("ok" | "not_estimable" |
  "skipped"), reason, agreement (offline vs judge over the judged rows of the variant and its base, or
  null), formula, n_obs, n_warm, n_base, errors, n_clusters, degenerate_cluster (variant and
  base answer every item alike: no cluster-robust SEs and no bootstrap), dropped_terms, notes,
  coefficients: [{term, estimate, se_cluster, se_naive, ci_cluster, ci_naive, p_cluster, p_naive,
  odds_ratio}] (log-odds), ame: {estimate (pp), n, base_rate, variant_rate, se_cluster, se_naive,
  ci_cluster, ci_naive, p_cluster, p_naive, bootstrap_ci}, ame_by_level: [same + level] for the
  interacted factor (belief adds "any_belief": all rows with a user belief), warm_log_odds_by_level:
  [{level, estimate, se_cluster, ...}] (the warm coefficient plus its interaction: upstream's "marginal
  effects with tests")}. A variant is compared with the base rows of the same base models (warm = 1 for
  the variant), pooling models with a model fixed effect.
- ``headline``: {variant, chosen_because, bootstrap: {draws, used, failed, seed} | null, by_mode: {mode:
  {models: {model_name: {status, reason, ame}}, paired_overall: [paired "overall" entries], agreement
  (offline vs judge over the judged rows of that variant and its base, or null)}}}; null when there is no
  variant besides base. Bootstrap CIs (item-clustered, percentile) are computed for the
  headline variant only.
- ``warnings``: list of one-line strings (degenerate data, models not estimable, missing bases, ...).
- ``comparisons``: paired differences between a capped or steered variant and its unhooked model, and
  between the pairs given in `compare` (see warmlab.stats.compare), over every battery both ran.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from warmlab.errors import WarmlabError

SCHEMA = "warmlab.stats/2"
MODEL_NAMES = ("main", "context_group", "context", "belief")

__all__ = ["MODEL_NAMES", "SCHEMA", "analyse", "clean_json"]


def clean_json(obj: Any) -> Any:
    """NaN/inf -> None and numpy scalars -> Python, recursively (JSON has neither)."""
    if isinstance(obj, dict):
        return {str(k): clean_json(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean_json(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _dedupe(rows: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    from warmlab.results.rows import latest_rows, upgrade

    latest = latest_rows(upgrade(dict(r)) for r in rows)
    return latest, len(rows) - len(latest)


def analyse_batteries(rows: Sequence[dict[str, Any]], bootstrap: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Statistics of every battery besides reliability present in the rows (see stats.outcomes)."""
    from warmlab.stats.outcomes import analyse_battery
    from warmlab.tasks import batteries

    present = {str(r.get("task")) for r in rows}
    return {
        name: analyse_battery(rows, b, bootstrap=bootstrap, seed=seed)
        for name, b in batteries().items()
        if name in present and name != "reliability"
    }


def _pick_headline(variants: list[str], headline: str | None) -> tuple[str | None, str]:
    if headline is not None:
        if headline not in variants:
            have = ", ".join(variants) or "none"
            raise WarmlabError(f"--headline {headline!r}: no such variant (variants besides base: {have})")
        return headline, "chosen with --headline"
    if not variants:
        return None, "no variant besides base"
    if "warm" in variants:
        return "warm", "the variant named 'warm'"
    return variants[0], f"no variant named 'warm': the first variant, {variants[0]!r}"


def analyse(
    rows: Sequence[dict[str, Any]],
    *,
    refusal_rule: str = "ours",
    mode: str | None = None,
    headline: str | None = None,
    length_covariate: bool = False,
    bootstrap: int = 1000,
    seed: int = 0,
    source: str | None = None,
    warnings: Sequence[str] = (),
    compare: Sequence[Sequence[str]] = (),
) -> dict[str, Any]:
    """Error rates, paired tests, the four GLMs with AMEs, and a headline; see the module docstring."""
    from warmlab.stats.frame import build_frame, scored
    from warmlab.stats.judging import agreement_of, attach_agreement, in_paired, judge_summary, judged_rows
    from warmlab.stats.models import bootstrap_ames, fit_all
    from warmlab.stats.tables import ALPHA, coverage, error_rates, paired

    if not rows:
        raise WarmlabError(f"no result rows in {source}" if source else "no result rows to analyse")
    if bootstrap < 0:
        raise WarmlabError("--bootstrap must be 0 (off) or a positive number of draws")
    all_rows, dupes = _dedupe(rows)
    untagged = next((r for r in all_rows if not r.get("task")), None)
    if untagged is not None:
        from warmlab.stats.frame import REQUIRED

        missing = [c for c in ("task", *REQUIRED) if c not in untagged]
        raise WarmlabError(f"result rows lack column(s): {', '.join(missing)}")
    others = analyse_batteries(all_rows, bootstrap, seed)
    from warmlab.stats.compare import compare as compare_pairs

    compared = compare_pairs(all_rows, compare, bootstrap, seed)
    from warmlab.results.rows import flat

    rows = [flat(r) for r in all_rows if r.get("task") == "reliability"]
    if not rows:
        if not others:
            raise WarmlabError(f"no result rows in {source}" if source else "no result rows to analyse")
        return _battery_only(others, source, seed, bootstrap, compared)
    df = build_frame(rows, refusal_rule)
    warn: list[str] = list(warnings)
    warn += [f"{b['task']}: {x}" for b in others.values() for x in b["warnings"]]
    if dupes:
        warn.append(
            f"{dupes} duplicate row(s) (same model, variant, mode, item x condition): the last is used"
        )
    if mode is not None:
        present = sorted(df["mode"].unique())
        df = df[df["mode"] == mode]
        if df.empty:
            raise WarmlabError(f"no rows with mode {mode!r} (modes present: {', '.join(present)})")
    ok = scored(df)
    cov = coverage(df["verdict"])
    modes = sorted(df["mode"].unique())
    variants = sorted(v for v in df["variant"].unique() if v != "base")
    meta = {
        "source": source,
        "refusal_rule": refusal_rule,
        "modes": modes,
        "models": sorted(df["model"].unique()),
        "bases": sorted(df["base"].unique()),
        "variants": variants,
        "families": sorted(df["family"].unique()),
        "n_rows": len(df),
        "n_scored": len(ok),
        "n_excluded": len(df) - len(ok),
        "n_refusals": int(df["refused"].sum()),
        "n_unparsed": int((df["verdict"] == "unparsed").sum()),
        "n_undecided": cov["undecided"],
        "n_invalid": cov["invalid"],
        "coverage": cov["coverage"],
        "n_items": int(df["cluster"].nunique()),
        "duplicates_dropped": dupes,
        "length_covariate": length_covariate,
        "bootstrap": bootstrap,
        "seed": seed,
        "alpha": ALPHA,
    }
    if ok.empty:
        warn.append("no scored rows (all refusals or unparsed): no rates, tests or models")
    if not variants:
        warn.append("no variant besides base: error-rate tables only")

    comparisons: list[tuple[str, str, str]] = []
    for m in modes:
        dm = df[df["mode"] == m]
        have_base = set(dm.loc[dm["variant"] == "base", "base"])
        for base, variant in sorted(set(zip(dm["base"], dm["variant"], strict=True))):
            if variant == "base":
                continue
            if base not in have_base:
                warn.append(f"{m}: variant {variant!r} of {base!r} has no base rows to compare with")
                continue
            comparisons.append((m, base, variant))
    paired_entries = paired(df, comparisons)
    if mode is not None:
        rows = [r for r in rows if r.get("mode") == mode]
    attach_agreement(paired_entries, rows, in_paired)
    judged = judged_rows(rows)
    no_disc = [e for e in paired_entries if e["level"] == "cell" and e["variant_only"] + e["base_only"] == 0]
    if no_disc:
        warn.append(f"{len(no_disc)} paired cell(s) with no discordant pairs: p = 1 (no evidence either way)")
    for m, base, variant in comparisons:
        if not any(
            e["level"] == "overall" and (e["mode"], e["base"], e["variant"]) == (m, base, variant)
            for e in paired_entries
        ):
            warn.append(f"{m}: {variant!r} and its base {base!r} share no scored item x condition pairs")

    head_variant, because = _pick_headline(variants, headline)
    models: dict[str, dict[str, dict[str, Any]]] = {}
    head: dict[str, Any] | None = None
    if head_variant is not None:
        head = {"variant": head_variant, "chosen_because": because, "bootstrap": None, "by_mode": {}}
    rng = np.random.default_rng(seed)
    boot_used: dict[str, int] = {}
    boot_failed: dict[str, int] = {}
    boot_info = {"draws": bootstrap, "used": boot_used, "failed": boot_failed, "seed": seed}
    for m in modes:
        for variant in variants:
            bases = sorted({b for mm, b, v in comparisons if mm == m and v == variant})
            if not bases:
                continue
            sel = ok[
                (ok["mode"] == m) & ok["base"].isin(bases) & ok["variant"].isin(["base", variant])
            ].copy()
            sel["warm"] = (sel["variant"] == variant).astype(int)
            entries, fits = fit_all(sel, length=length_covariate)
            models.setdefault(m, {})[variant] = entries
            agree = agreement_of(
                [
                    r
                    for r in judged
                    if r.get("mode") == m
                    and r.get("variant") in ("base", variant)
                    and str(r.get("base") or r.get("model")) in bases
                ]
            )
            for e in entries.values():
                e["agreement"] = agree
            for name, e in entries.items():
                if e["status"] != "ok":
                    warn.append(f"{m}/{variant}/{name}: {e['status'].replace('_', ' ')}: {e['reason']}")
                elif e.get("degenerate_cluster"):
                    warn.append(
                        f"{m}/{variant}/{name}: no discordant pairs (variant and base answer every item "
                        "alike): naive SEs only"
                    )
            if len(bases) == 1 and any(e["status"] == "ok" for e in entries.values()):
                warn.append(f"{m}/{variant}: single model ({bases[0]}): the model term is dropped")
            if variant == head_variant and head is not None:
                if bootstrap > 0:
                    for name, fitted in fits.items():
                        if entries[name].get("degenerate_cluster"):
                            continue  # every draw would give the same warm effect: no interval
                        cis, used, failed = bootstrap_ames(fitted, bootstrap, rng)
                        entries[name]["ame"]["bootstrap_ci"] = cis["all"]
                        for lv in entries[name]["ame_by_level"]:
                            lv["bootstrap_ci"] = cis.get(lv["level"])
                        boot_used[f"{m}/{name}"] = used
                        boot_failed[f"{m}/{name}"] = failed
                        if failed > bootstrap // 10:
                            warn.append(
                                f"{m}/{variant}/{name}: {failed} of {bootstrap} bootstrap draws "
                                "could not be fitted"
                            )
                    head["bootstrap"] = boot_info
                head["by_mode"][m] = {
                    "models": {
                        name: {"status": e["status"], "reason": e["reason"], "ame": e.get("ame")}
                        for name, e in entries.items()
                    },
                    "paired_overall": [
                        e
                        for e in paired_entries
                        if e["level"] == "overall" and e["mode"] == m and e["variant"] == variant
                    ],
                    "agreement": agree,
                }
    meta["headline_variant"] = head_variant
    meta["judge"] = judge_summary(rows)
    result = {
        "schema": SCHEMA,
        "meta": meta,
        "error_rates": error_rates(df),
        "paired": paired_entries,
        "models": models,
        "headline": head,
        "warnings": list(dict.fromkeys(warn)),
        "batteries": others,
        "comparisons": compared,
    }
    cleaned: dict[str, Any] = clean_json(result)
    return cleaned


def _battery_only(
    others: dict[str, Any], source: str | None, seed: int, bootstrap: int, comparisons: list[dict[str, Any]]
) -> dict[str, Any]:
    """The result when the rows hold no reliability battery: its keys are empty."""
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "meta": {
            "source": source,
            "modes": [],
            "variants": [],
            "n_rows": 0,
            "seed": seed,
            "bootstrap": bootstrap,
        },
        "error_rates": [],
        "paired": [],
        "models": {},
        "headline": None,
        "warnings": [w for b in others.values() for w in (f"{b['task']}: {x}" for x in b["warnings"])],
        "batteries": others,
        "comparisons": comparisons,
    }
    cleaned: dict[str, Any] = clean_json(result)
    return cleaned
