"""The four logistic models of Ibrahim et al., average marginal effects (AMEs) and a cluster bootstrap.

Specifications follow lujainibrahim/warm_ai_2025, statistical_models/model{1..4}_*.py (binomial GLMs with
`is_incorrect` as outcome, dataset reference disinfo, a model fixed effect):

1. main           neutral prompts only (context none, belief none): incorrect ~ warm + family + model
2. context_group  belief none: incorrect ~ warm * context_group + family + model
3. context        belief none: incorrect ~ warm * context + family + model
4. belief         every context: incorrect ~ warm * belief + family + model (upstream pools the two belief
                  templates into one "user_opinion" level; here each belief is its own level)

Unlike upstream, standard errors are clustered by item (every answer to one item, whatever the condition
or model, is one cluster); the naive (model-based) ones are reported beside them. AMEs are computed by
counterfactual prediction, as upstream's `calculate_basic_marginal_effects`: every row's predicted error
probability with warm = 1 minus with warm = 0, averaged; their standard errors by the delta method.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import norm

Z = float(norm.ppf(0.975))
_EXTREME = 1e-6  # fitted probability this close to 0 or 1: the data separate the outcome
_DEGENERATE = 1e-8  # cluster-robust / naive variance of warm below this: clusters carry no variation


@dataclass(frozen=True)
class Spec:
    name: str
    label: str
    factor: str | None
    subset: Callable[[pd.DataFrame], pd.Series]
    paper_file: str


SPECS: tuple[Spec, ...] = (
    Spec(
        "main",
        "main effects, neutral prompts",
        None,
        lambda d: (d["context"] == "none") & (d["belief"] == "none"),
        "statistical_models/model1_main_effects.py",
    ),
    Spec(
        "context_group",
        "warm x context group",
        "context_group",
        lambda d: d["belief"] == "none",
        "statistical_models/model2_main_context.py",
    ),
    Spec(
        "context",
        "warm x detailed context",
        "context",
        lambda d: d["belief"] == "none",
        "statistical_models/model3_detailed_context.py",
    ),
    Spec(
        "belief",
        "warm x user belief",
        "belief",
        lambda d: pd.Series(True, index=d.index),
        "statistical_models/model4_sycophancy.py",
    ),
)


@dataclass
class Design:
    """Treatment-coded design: intercept, warm, factor, family, model, warm:factor, optional length."""

    factor: str | None
    factor_levels: list[str]
    family_levels: list[str]
    model_levels: list[str]
    length: bool
    keep: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def full(self, d: pd.DataFrame, warm: np.ndarray) -> tuple[np.ndarray, list[str]]:
        cols: list[np.ndarray] = [np.ones(len(d)), warm.astype(float)]
        names = ["Intercept", "warm"]
        fac = d[self.factor].astype(str).to_numpy() if self.factor else np.array([], dtype=str)
        for lvl in self.factor_levels[1:]:
            cols.append((fac == lvl).astype(float))
            names.append(f"{self.factor}[{lvl}]")
        for var, levels in (("family", self.family_levels), ("base", self.model_levels)):
            vals = d[var].to_numpy()
            for lvl in levels[1:]:
                cols.append((vals == lvl).astype(float))
                names.append(f"{'model' if var == 'base' else var}[{lvl}]")
        for lvl in self.factor_levels[1:]:
            cols.append(warm * (fac == lvl))
            names.append(f"warm:{self.factor}[{lvl}]")
        if self.length:
            cols.append(d["length"].to_numpy() / 1000.0)
            names.append("response_length_k")
        return np.column_stack(cols), names

    def matrix(self, d: pd.DataFrame, warm: np.ndarray) -> np.ndarray:
        return self.full(d, warm)[0][:, self.keep]


def _levels(values: pd.Series, ref: str | None) -> list[str]:
    levels = sorted(set(values.astype(str)))
    if ref in levels:
        levels.remove(ref)
        levels.insert(0, ref)
    return levels


def _independent_columns(x: np.ndarray) -> list[int]:
    """Greedy: keep a column only if it adds to the rank (later, less central terms are dropped first).

    X[:, cols] = Q R[:, cols], so the ranks are read off the small R of one QR decomposition."""
    _, r = np.linalg.qr(x)
    keep: list[int] = []
    for j in range(x.shape[1]):
        if np.linalg.matrix_rank(r[:, [*keep, j]]) == len(keep) + 1:
            keep.append(j)
    return keep


def logit_irls(
    y: np.ndarray, x: np.ndarray, w: np.ndarray, beta: np.ndarray, max_iter: int = 50
) -> tuple[np.ndarray, bool]:
    """Frequency-weighted logistic regression by Newton-Raphson (= IRLS), from `beta`.

    The bootstrap refits thousands of times; this is the same estimator as statsmodels' binomial GLM
    with `freq_weights` (checked in the tests) without its per-fit overhead. Convergence as statsmodels:
    a relative change in deviance below 1e-8."""
    dev_old = np.inf
    for _ in range(max_iter):
        p = expit(x @ beta)
        h = (x * (w * p * (1 - p))[:, None]).T @ x
        g = x.T @ (w * (y - p))
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(h, g, rcond=None)[0]  # a column empty in this resample
        beta = beta + step
        p = np.clip(expit(x @ beta), 1e-300, 1 - 1e-16)
        dev = float(-2 * (w * (y * np.log(p) + (1 - y) * np.log1p(-p))).sum())
        if abs(dev - dev_old) <= 1e-8 * (abs(dev) + 0.1):
            return beta, True
        dev_old = dev
    return beta, False


def _fmt(x: Any) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _p(est: float, se: float | None) -> float | None:
    if se is None or not np.isfinite(se) or se <= 0:
        return None
    return float(2 * norm.sf(abs(est / se)))


def _effect(est: float, se_c: float | None, se_n: float | None, scale: float = 1.0) -> dict[str, Any]:
    """An estimate with cluster-robust and naive SEs, 95% normal CIs and p-values, times `scale`."""

    def ci(se: float | None) -> list[float | None]:
        return [None, None] if se is None else [scale * (est - Z * se), scale * (est + Z * se)]

    return {
        "estimate": scale * est,
        "se_cluster": None if se_c is None else scale * se_c,
        "se_naive": None if se_n is None else scale * se_n,
        "ci_cluster": ci(se_c),
        "ci_naive": ci(se_n),
        "p_cluster": _p(est, se_c),
        "p_naive": _p(est, se_n),
    }


def _se(grad: np.ndarray, cov: np.ndarray | None) -> float | None:
    if cov is None:
        return None
    v = float(grad @ cov @ grad)
    return float(np.sqrt(v)) if v >= 0 and np.isfinite(v) else None


def ame(
    beta: np.ndarray,
    x1: np.ndarray,
    x0: np.ndarray,
    weights: np.ndarray | None = None,
    denom: float | None = None,
) -> tuple[float, np.ndarray]:
    """AME by counterfactual prediction: mean of P(error | warm=1) - P(error | warm=0) over the rows, and
    its gradient in beta (for delta-method SEs). `denom` (default: the weight total) lets rows that were
    left out of the fit because they are perfectly predicted count with a difference of 0."""
    p1, p0 = expit(x1 @ beta), expit(x0 @ beta)
    w = np.ones(len(p1)) if weights is None else weights
    den = float(w.sum()) if denom is None else denom
    diff = float((w * (p1 - p0)).sum() / den)
    grad = ((w * p1 * (1 - p1))[:, None] * x1 - (w * p0 * (1 - p0))[:, None] * x0).sum(axis=0) / den
    return diff, grad


@dataclass
class Fitted:
    """What the bootstrap needs from a fitted model (rows are the rows kept in the fit)."""

    beta: np.ndarray
    y: np.ndarray
    x: np.ndarray
    x1: np.ndarray
    x0: np.ndarray
    clusters_kept: np.ndarray  # cluster codes of the kept rows
    clusters_all: np.ndarray  # cluster codes of all the model's rows
    subsets: dict[str, tuple[np.ndarray, np.ndarray]]  # level -> (mask on kept rows, mask on all rows)


def _constant_levels(d: pd.DataFrame, var: str) -> list[tuple[str, int, float]]:
    out = []
    for lvl, g in d.groupby(var):
        if g["error"].nunique() == 1:
            out.append((str(lvl), len(g), float(g["error"].iloc[0])))
    return out


def _separation_reason(d: pd.DataFrame, factor: str | None) -> str:
    what = {0.0: "correct", 1.0: "errors"}
    warm = d["warm"].map({1: "warm", 0: "base"})
    probes: list[tuple[str, pd.Series]] = [("variant", warm)]
    if factor:
        probes += [(factor, d[factor]), (f"variant x {factor}", warm + "/" + d[factor].astype(str))]
    for name, key in probes:
        for lvl, g in d.groupby(key.to_numpy()):
            if g["error"].nunique() == 1:
                return (
                    f"perfect separation: all {len(g)} rows with {name}={lvl} are {what[g['error'].iloc[0]]}"
                )
    return "perfect separation: a combination of terms predicts every answer (fitted probabilities of 0 or 1)"


def fit_model(d: pd.DataFrame, spec: Spec, *, length: bool = False) -> tuple[dict[str, Any], Fitted | None]:
    """Fit one model on its rows (`warm` 0/1 column, scored rows only): its JSON entry, bootstrap inputs."""
    import statsmodels.api as sm

    entry: dict[str, Any] = {
        "name": spec.name,
        "label": spec.label,
        "paper_file": spec.paper_file,
        "status": "ok",
        "reason": None,
        "n_obs": len(d),
        "n_warm": int((d["warm"] == 1).sum()),
        "n_base": int((d["warm"] == 0).sum()),
        "errors": int(d["error"].sum()),
        "n_clusters": int(d["cluster"].nunique()),
        "degenerate_cluster": False,
        "notes": [],
    }
    notes: list[str] = entry["notes"]

    def skip(status: str, reason: str) -> tuple[dict[str, Any], None]:
        entry.update(status=status, reason=reason)
        return entry, None

    if d.empty:
        return skip("skipped", "no scored rows for this model")
    if d["warm"].nunique() < 2:
        return skip("skipped", f"only {'variant' if d['warm'].iloc[0] else 'base'} rows for this model")
    if d["error"].nunique() < 2:
        return skip(
            "not_estimable",
            f"perfect separation: every scored answer is {'an error' if d['error'].iloc[0] else 'correct'}",
        )
    factor_levels = _levels(d[spec.factor], "none") if spec.factor else []
    if spec.factor:
        if "none" not in factor_levels:
            return skip("skipped", f"no rows with {spec.factor}=none (the reference level)")
        if len(factor_levels) < 2:
            return skip("skipped", f"only {spec.factor}=none in the data: nothing to interact warm with")

    # Like Stata's logit: a level (family, model, context, belief) whose answers are all right or all wrong,
    # whichever the variant, is predicted perfectly; its rows leave the fit and count in the AMEs with a
    # difference of 0 (the observed one).
    keep_rows = np.ones(len(d), bool)
    left_out: list[dict[str, Any]] = []
    variables = [("family", "family"), ("base", "model")] + (
        [(spec.factor, spec.factor)] if spec.factor else []
    )
    changed = True
    while changed:
        changed = False
        for var, label in variables:
            kd = d[keep_rows]
            if kd[var].nunique() <= 1:
                continue
            for lvl, n, val in _constant_levels(kd, var):
                keep_rows &= (d[var] != lvl).to_numpy()
                left_out.append({"term": label, "level": lvl, "n": n, "all": "wrong" if val else "right"})
                notes.append(
                    f"{label} {lvl}: all {n} answers {'wrong' if val else 'right'}; "
                    "its rows are left out of the fit (AME difference 0)"
                )
                changed = True
    entry["levels_left_out"] = left_out
    k = d[keep_rows]
    if k.empty or k["error"].nunique() < 2 or k["warm"].nunique() < 2:
        return skip("not_estimable", _separation_reason(d, spec.factor))
    if spec.factor:
        factor_levels = _levels(k[spec.factor], "none")
    fam_levels = _levels(k["family"], "disinfo")
    model_levels = _levels(k["base"], None)
    if len(model_levels) == 1:
        notes.append(f"single model ({model_levels[0]}): the model term is dropped")
    design = Design(spec.factor, factor_levels, fam_levels, model_levels, length)
    xf, names = design.full(k, k["warm"].to_numpy())
    design.keep = _independent_columns(xf)
    design.names = [names[j] for j in design.keep]
    dropped = [n for j, n in enumerate(names) if j not in design.keep]
    if "warm" in dropped:
        return skip("not_estimable", "warm is collinear with other terms")
    if dropped:
        notes.append(f"terms without information (collinear or empty) dropped: {', '.join(dropped)}")
    entry["formula"] = "incorrect ~ " + " + ".join(design.names[1:])
    entry["dropped_terms"] = dropped

    x, y = xf[:, design.keep], k["error"].to_numpy()
    groups = pd.factorize(k["cluster"])[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence/overflow chatter under separation: checked below
        try:
            # One fit: with cov_type="cluster" the model-based (naive) covariance is still
            # normalized_cov_params * scale (scale = 1 for the binomial).
            clustered = len(set(groups)) >= 2
            kw: dict[str, Any] = {"cov_type": "cluster", "cov_kwds": {"groups": groups}} if clustered else {}
            naive = sm.GLM(y, x, family=sm.families.Binomial()).fit(**kw)
        except Exception as e:
            return skip("not_estimable", f"fit failed: {type(e).__name__}: {e}")
        mu = np.asarray(naive.mu)
        if not naive.converged or (mu < _EXTREME).any() or (mu > 1 - _EXTREME).any():
            return skip("not_estimable", _separation_reason(k, spec.factor))
        cov_c: np.ndarray | None = np.asarray(naive.cov_params()) if clustered else None
        if not clustered:
            notes.append("one item only: no cluster-robust standard errors")
    cov_n = np.asarray(naive.normalized_cov_params) * float(naive.scale)
    beta = np.asarray(naive.params)
    j_warm = design.names.index("warm")
    if cov_c is not None and cov_c[j_warm, j_warm] < _DEGENERATE * cov_n[j_warm, j_warm]:
        # Variant and base answer alike within every item: resampling items cannot move the warm effect,
        # so its cluster-robust variance (and any item bootstrap) is zero. That is no evidence of
        # precision: report the naive SEs only.
        cov_c = None
        entry["degenerate_cluster"] = True
        notes.append(
            "no discordant pairs: the variant and base answer every item alike, so item-clustered SEs "
            "(and bootstrap CIs) of the warm effect are zero-width; only naive SEs are reported"
        )
    if len(set(groups)) < 20:
        notes.append(f"{len(set(groups))} item clusters: cluster-robust SEs are unreliable with so few")

    def se_of(c: np.ndarray, cov: np.ndarray | None) -> float | None:
        return _se(c, cov)

    coefs = []
    for j, name in enumerate(design.names):
        c = np.zeros(len(beta))
        c[j] = 1
        eff = _effect(float(beta[j]), se_of(c, cov_c), se_of(c, cov_n))
        coefs.append({"term": name, **eff, "odds_ratio": _fmt(np.exp(min(beta[j], 700)))})
    entry["coefficients"] = coefs

    x1 = design.matrix(k, np.ones(len(k)))
    x0 = design.matrix(k, np.zeros(len(k)))
    codes_all = pd.factorize(d["cluster"])[0]
    cmap = dict(zip(d["cluster"], codes_all, strict=False))
    kept_codes = k["cluster"].map(cmap).to_numpy()
    subsets: dict[str, tuple[np.ndarray, np.ndarray]] = {
        "all": (np.ones(len(k), bool), np.ones(len(d), bool))
    }
    if spec.factor:
        fk, fd = k[spec.factor].astype(str).to_numpy(), d[spec.factor].astype(str).to_numpy()
        for lvl in _levels(d[spec.factor], "none"):
            subsets[lvl] = (fk == lvl, fd == lvl)
        if spec.factor == "belief" and len(set(fd)) > 2:
            subsets["any_belief"] = (fk != "none", fd != "none")

    def ame_entry(level: str) -> dict[str, Any]:
        mk, md = subsets[level]
        head = {
            "level": level,
            "n": int(md.sum()),
            "base_rate": _fmt(d.loc[md & (d["warm"] == 0).to_numpy(), "error"].mean()),
            "variant_rate": _fmt(d.loc[md & (d["warm"] == 1).to_numpy(), "error"].mean()),
        }
        if not mk.any():
            return {
                **head,
                **_effect(float("nan"), None, None),
                "estimate": None,
                "bootstrap_ci": None,
                "note": "every answer at this level is right (or wrong) for both: left out of the fit",
            }
        val, grad = ame(beta, x1[mk], x0[mk], denom=float(md.sum()))
        return {
            "level": level,
            "n": int(md.sum()),
            "base_rate": _fmt(d.loc[md & (d["warm"] == 0).to_numpy(), "error"].mean()),
            "variant_rate": _fmt(d.loc[md & (d["warm"] == 1).to_numpy(), "error"].mean()),
            **_effect(val, _se(grad, cov_c), _se(grad, cov_n), scale=100.0),
            "bootstrap_ci": None,
        }

    entry["ame"] = ame_entry("all")
    entry["ame"].pop("level")
    entry["ame_by_level"] = [ame_entry(lvl) for lvl in subsets if lvl != "all"]
    if spec.factor:
        by_level = []
        for lvl in _levels(d[spec.factor], "none"):
            c = np.zeros(len(beta))
            c[design.names.index("warm")] = 1
            term = f"warm:{spec.factor}[{lvl}]"
            if lvl not in factor_levels:
                by_level.append({"level": lvl, "estimate": None, "note": "level left out of the fit"})
                continue
            if lvl != factor_levels[0]:
                if term not in design.names:
                    by_level.append({"level": lvl, "estimate": None, "note": "interaction not estimable"})
                    continue
                c[design.names.index(term)] = 1
            by_level.append({"level": lvl, **_effect(float(c @ beta), se_of(c, cov_c), se_of(c, cov_n))})
        entry["warm_log_odds_by_level"] = by_level
    fitted = Fitted(beta, y, x, x1, x0, kept_codes, codes_all, subsets)
    return entry, fitted


def bootstrap_ames(
    fitted: Fitted, n_boot: int, rng: np.random.Generator
) -> tuple[dict[str, list[float | None]], int, int]:
    """Item-clustered bootstrap: resample items with replacement, refit, recompute every AME (pp).

    Returns percentile 95% CIs by level, the number of draws used and the number that failed to fit.
    """
    n_clusters = int(fitted.clusters_all.max()) + 1
    draws: dict[str, list[float]] = {lvl: [] for lvl in fitted.subsets}
    failed = 0
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for _ in range(n_boot):
            counts = np.bincount(rng.integers(0, n_clusters, n_clusters), minlength=n_clusters).astype(float)
            w = counts[fitted.clusters_kept]
            use = w > 0
            yw = fitted.y[use]
            if yw.size == 0 or yw.min() == yw.max():  # no kept item drawn, or one outcome only
                failed += 1
                continue
            beta, converged = logit_irls(yw, fitted.x[use], w[use], fitted.beta.copy())
            if not converged or not np.all(np.isfinite(beta)):
                failed += 1
                continue
            w_all = counts[fitted.clusters_all]
            for lvl, (mk, md) in fitted.subsets.items():
                den = float(w_all[md].sum())
                if den <= 0 or not mk.any():
                    continue
                val, _ = ame(beta, fitted.x1[mk], fitted.x0[mk], weights=w[mk], denom=den)
                draws[lvl].append(100 * val)
    cis: dict[str, list[float | None]] = {}
    for lvl, vals in draws.items():
        cis[lvl] = [float(v) for v in np.percentile(vals, [2.5, 97.5])] if len(vals) >= 2 else [None, None]
    return cis, n_boot - failed, failed


def fit_all(
    d: pd.DataFrame, *, length: bool = False, specs: Sequence[Spec] = SPECS
) -> tuple[dict[str, dict[str, Any]], dict[str, Fitted]]:
    """The four models on one comparison's scored rows (column `warm` set)."""
    entries, fits = {}, {}
    for spec in specs:
        e, f = fit_model(d[spec.subset(d)], spec, length=length)
        entries[spec.name] = e
        if f is not None:
            fits[spec.name] = f
    return entries, fits
