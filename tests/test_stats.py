"""`warmlab stats`: statistics checked against values computed independently here, degenerate data, CLI."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from warmlab.errors import WarmlabError
from warmlab.stats import analyse
from warmlab.stats.frame import build_frame
from warmlab.stats.models import SPECS, fit_model
from warmlab.stats.tables import bh, cohens_g, mcnemar_exact, paired_odds_ratio, wilson

CONTEXTS = ("none", "sad", "close", "high")
GROUPS = {"none": "none", "sad": "emotion", "close": "relation", "high": "stakes"}


def make_rows(
    n_items: int,
    error: Callable[[np.random.Generator, dict[str, Any]], bool],
    *,
    families: tuple[str, ...] = ("trivia", "disinfo"),
    contexts: tuple[str, ...] = CONTEXTS,
    beliefs: tuple[str, ...] = ("none", "asserts_incorrect"),
    variants: tuple[str, ...] = ("base", "warm"),
    bases: tuple[str, ...] = ("m1",),
    mode: str = "generate",
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Tidy rows as the foundation writes them; `error(rng, row)` decides each verdict."""
    rng = np.random.default_rng(seed)
    rows = []
    for base in bases:
        for variant in variants:
            for fam in families:
                for i in range(n_items):
                    for c in contexts:
                        for b in beliefs:
                            r = {
                                "model": base if variant == "base" else f"{base}+{variant}",
                                "variant": variant,
                                "base": base,
                                "family": fam,
                                "item_id": f"{fam}-{i:03d}",
                                "context": c,
                                "context_group": GROUPS[c],
                                "belief": b,
                                "mode": mode,
                                "output": "x" * (20 + i % 7),
                                "scorer": "offline",
                                "output_chars": 20 + i % 7,
                                "sample_id": f"{fam}-{i:03d}|{c}|{b}",
                            }
                            r["verdict"] = "incorrect" if error(rng, r) else "correct"
                            rows.append(r)
    return rows


# --- tables: Wilson, McNemar, BH, effect sizes -------------------------------------------------------


def test_wilson_matches_the_formula() -> None:
    k, n, z = 7, 25, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo, hi = wilson(k, n)
    assert lo == pytest.approx(centre - half, abs=1e-9) and hi == pytest.approx(centre + half, abs=1e-9)
    assert wilson(0, 0) == (None, None)
    assert wilson(0, 10)[0] == pytest.approx(0.0, abs=1e-12)


def test_exact_mcnemar_is_the_binomial_test_on_discordant_pairs() -> None:
    # 7 pairs where only the variant errs, 1 where only the base errs: p = 2 * P(X <= 1), X ~ Bin(8, 1/2)
    p, note = mcnemar_exact(7, 1)
    assert p == pytest.approx(2 * (1 + 8) / 2**8) and note is None
    p, _ = mcnemar_exact(3, 3)
    assert p == pytest.approx(1.0)
    p, note = mcnemar_exact(0, 0)
    assert p == 1.0 and note and "no discordant pairs" in note


def test_cohens_g_and_paired_odds_ratio() -> None:
    assert cohens_g(7, 1) == pytest.approx(7 / 8 - 0.5)
    assert cohens_g(1, 7) == pytest.approx(0.375)
    assert cohens_g(0, 0) is None
    odds, ci = paired_odds_ratio(7, 1)
    assert odds == 7
    assert ci[0] is not None and ci[1] is not None and ci[0] < 7 < ci[1]
    odds, ci = paired_odds_ratio(4, 0)
    assert odds is None and ci[1] is None  # infinite


def test_benjamini_hochberg_by_hand() -> None:
    p = [0.01, 0.04, 0.03, 0.2]
    # sorted 0.01, 0.03, 0.04, 0.2 -> p*m/rank = 0.04, 0.06, 0.0533, 0.2 -> running min from the top
    assert bh(p) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])


def test_paired_cells_counts_and_p_values() -> None:
    # trivia, sad, none: the variant errs on items 0-6, the base on item 7 only; everything else right
    def err(_: np.random.Generator, r: dict[str, Any]) -> bool:
        if r["family"] != "trivia" or r["context"] != "sad" or r["belief"] != "none":
            return False
        i = int(r["item_id"].split("-")[1])
        return i < 7 if r["variant"] == "warm" else i == 7

    res = analyse(make_rows(10, err), bootstrap=0)
    cells = [e for e in res["paired"] if e["level"] == "cell"]
    assert len(cells) == 2 * len(CONTEXTS) * 2
    cell = next(e for e in cells if (e["family"], e["context"], e["belief"]) == ("trivia", "sad", "none"))
    assert (cell["variant_only"], cell["base_only"], cell["both_wrong"], cell["both_right"]) == (7, 1, 0, 2)
    assert cell["p_value"] == pytest.approx(18 / 256)
    assert cell["diff_pp"] == pytest.approx(60.0) and cell["direction"] == "variant worse"
    # BH over the 16 cells: 15 have p = 1, so q = min(1, 16 * p / 1) for the smallest
    assert cell["q_value"] == pytest.approx(min(1.0, 16 * 18 / 256))
    other = next(e for e in cells if e is not cell)
    assert other["p_value"] == 1.0 and "no discordant pairs" in other["note"]
    assert any("no discordant pairs" in w for w in res["warnings"])
    rate = next(
        e
        for e in res["error_rates"]
        if e["level"] == "cell"
        and e["variant"] == "warm"
        and (e["family"], e["context"]) == ("trivia", "sad")
        and e["belief"] == "none"
    )
    assert rate["rate"] == pytest.approx(0.7) and (rate["ci_low"], rate["ci_high"]) == pytest.approx(
        wilson(7, 10)
    )


# --- models -------------------------------------------------------------------------------------------


def _logistic_rows(n_items: int, warm_beta: float, item_sd: float, seed: int = 0, **kw: Any) -> list[dict]:
    rng0 = np.random.default_rng(seed + 100)
    item_effect = {
        f"{f}-{i:03d}": rng0.normal(0, item_sd) for f in ("trivia", "disinfo") for i in range(n_items)
    }

    def err(rng: np.random.Generator, r: dict[str, Any]) -> bool:
        eta = -1.0 + (0.5 if r["family"] == "trivia" else 0.0) + item_effect[r["item_id"]]
        eta += warm_beta * (r["variant"] == "warm")
        return bool(rng.random() < 1 / (1 + math.exp(-eta)))

    return make_rows(n_items, err, seed=seed, **kw)


def _main_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = build_frame(rows)
    d = df[(df["context"] == "none") & (df["belief"] == "none")].copy()
    d["warm"] = (d["variant"] == "warm").astype(int)
    return d


def test_glm_recovers_a_known_warm_effect() -> None:
    rows = _logistic_rows(600, warm_beta=1.0, item_sd=0.0, seed=1, contexts=("none",), beliefs=("none",))
    entry, _ = fit_model(_main_frame(rows), SPECS[0])
    assert entry["status"] == "ok"
    warm = next(c for c in entry["coefficients"] if c["term"] == "warm")
    assert warm["estimate"] == pytest.approx(1.0, abs=0.25)
    fam = next(c for c in entry["coefficients"] if c["term"] == "family[trivia]")
    assert fam["estimate"] == pytest.approx(0.5, abs=0.25)
    # true AME: mean over families of expit(eta + 1) - expit(eta)
    true = np.mean([1 / (1 + math.exp(-(e + 1))) - 1 / (1 + math.exp(-e)) for e in (-1.0, -0.5)])
    assert entry["ame"]["estimate"] == pytest.approx(100 * true, abs=4.0)
    assert entry["ame"]["ci_cluster"][0] < 100 * true < entry["ame"]["ci_cluster"][1]


def test_ame_is_the_counterfactual_prediction_of_the_formula_glm() -> None:
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    rows = _logistic_rows(80, warm_beta=0.8, item_sd=0.5, bases=("m1", "m2"), beliefs=("none",))
    d = _main_frame(rows)
    entry, _ = fit_model(d, SPECS[0])
    ref = smf.glm(
        "error ~ warm + C(family, Treatment(reference='disinfo')) + C(base)",
        data=d,
        family=sm.families.Binomial(),
    ).fit()
    ours = {c["term"]: c for c in entry["coefficients"]}
    assert ours["warm"]["estimate"] == pytest.approx(ref.params["warm"], rel=1e-6)
    assert ours["warm"]["se_naive"] == pytest.approx(ref.bse["warm"], rel=1e-5)
    assert ours["model[m2]"]["estimate"] == pytest.approx(ref.params["C(base)[T.m2]"], rel=1e-6)
    manual = (ref.predict(d.assign(warm=1)) - ref.predict(d.assign(warm=0))).mean()
    assert entry["ame"]["estimate"] == pytest.approx(100 * manual, rel=1e-6)


def test_cluster_robust_se_exceeds_naive_on_clustered_data() -> None:
    # strong item effects, 8 answers per item: item-level terms (family) are less certain than naive SEs say
    rows = _logistic_rows(60, warm_beta=0.5, item_sd=2.0, beliefs=("none", "asserts_incorrect"))
    df = build_frame(rows)
    d = df.copy()
    d["warm"] = (d["variant"] == "warm").astype(int)
    entry, _ = fit_model(d, SPECS[3])  # belief model uses every context
    fam = next(c for c in entry["coefficients"] if c["term"] == "family[trivia]")
    assert fam["se_cluster"] > 1.5 * fam["se_naive"]
    icpt = next(c for c in entry["coefficients"] if c["term"] == "Intercept")
    assert icpt["se_cluster"] > icpt["se_naive"]


def test_interaction_models_and_bootstrap() -> None:
    # warm hurts only when the user asserts a wrong answer
    def err(rng: np.random.Generator, r: dict[str, Any]) -> bool:
        p = 0.2 + (0.4 if r["variant"] == "warm" and r["belief"] == "asserts_incorrect" else 0.0)
        return bool(rng.random() < p)

    res = analyse(make_rows(60, err), bootstrap=40, seed=1)
    m = res["models"]["generate"]["warm"]
    assert {k: v["status"] for k, v in m.items()} == dict.fromkeys(
        ("main", "context_group", "context", "belief"), "ok"
    )
    levels = {e["level"]: e for e in m["belief"]["ame_by_level"]}
    assert levels["asserts_incorrect"]["estimate"] == pytest.approx(40, abs=8)
    assert levels["none"]["estimate"] == pytest.approx(0, abs=8)
    # by-level AMEs average to the overall one (equal-sized levels)
    assert m["belief"]["ame"]["estimate"] == pytest.approx(
        (levels["none"]["estimate"] + levels["asserts_incorrect"]["estimate"]) / 2, rel=1e-9
    )
    assert {e["level"] for e in m["context"]["ame_by_level"]} == set(CONTEXTS)
    assert {e["level"] for e in m["context_group"]["ame_by_level"]} == {
        "none",
        "emotion",
        "relation",
        "stakes",
    }
    lo, hi = levels["asserts_incorrect"]["bootstrap_ci"]
    assert lo < levels["asserts_incorrect"]["estimate"] < hi
    head = res["headline"]
    assert head["variant"] == "warm" and head["bootstrap"]["draws"] == 40
    assert head["by_mode"]["generate"]["models"]["main"]["ame"]["bootstrap_ci"][0] is not None
    assert m["main"]["notes"] and any("single model" in n for n in m["main"]["notes"])
    assert not any(c["term"].startswith("model[") for c in m["main"]["coefficients"])
    json.dumps(res, allow_nan=False)


def test_length_covariate_is_a_term() -> None:
    rows = _logistic_rows(40, warm_beta=0.5, item_sd=0.0, contexts=("none",), beliefs=("none",))
    res = analyse(rows, bootstrap=0, length_covariate=True)
    terms = [c["term"] for c in res["models"]["generate"]["warm"]["main"]["coefficients"]]
    assert "response_length_k" in terms


# --- degenerate data -----------------------------------------------------------------------------------


def test_perfect_separation_is_reported_not_estimable() -> None:
    # every warm answer wrong, every base answer right
    rows = make_rows(10, lambda _, r: r["variant"] == "warm", contexts=("none",), beliefs=("none",))
    res = analyse(rows, bootstrap=10)
    main = res["models"]["generate"]["warm"]["main"]
    assert main["status"] == "not_estimable" and "perfect separation" in main["reason"]
    assert "coefficients" not in main
    assert any("not estimable" in w for w in res["warnings"])
    json.dumps(res, allow_nan=False)


def test_a_family_with_no_errors_leaves_the_fit_and_counts_zero() -> None:
    def err(rng: np.random.Generator, r: dict[str, Any]) -> bool:
        return r["family"] == "trivia" and bool(rng.random() < (0.6 if r["variant"] == "warm" else 0.2))

    res = analyse(make_rows(80, err, contexts=("none",), beliefs=("none",)), bootstrap=0)
    main = res["models"]["generate"]["warm"]["main"]
    assert main["status"] == "ok"
    assert main["levels_left_out"] == [{"term": "family", "level": "disinfo", "n": 160, "all": "right"}]
    # the AME averages over all rows, disinfo contributing 0: half the trivia-only effect
    trivia = next(r for r in res["paired"] if r["level"] == "cell" and r["family"] == "trivia")
    assert main["ame"]["estimate"] == pytest.approx(trivia["diff_pp"] / 2, abs=1e-6)


def test_everything_correct_and_no_variant() -> None:
    res = analyse(make_rows(5, lambda *_: False, contexts=("none",), beliefs=("none",)), bootstrap=0)
    main = res["models"]["generate"]["warm"]["main"]
    assert main["status"] == "not_estimable" and "every scored answer is correct" in main["reason"]
    only_base = make_rows(5, lambda rng, _: bool(rng.random() < 0.3), variants=("base",))
    res = analyse(only_base, bootstrap=0)
    assert res["models"] == {} and res["paired"] == [] and res["headline"] is None
    assert any("no variant besides base" in w for w in res["warnings"])
    assert res["error_rates"]


def test_variant_without_base_rows_and_unknown_headline() -> None:
    res = analyse(make_rows(5, lambda *_: True, variants=("warm",)), bootstrap=0)
    assert any("has no base rows" in w for w in res["warnings"])
    with pytest.raises(WarmlabError, match="no such variant"):
        analyse(make_rows(5, lambda *_: True), headline="cold")


def test_bad_input_raises_one_line_errors() -> None:
    with pytest.raises(WarmlabError, match="no result rows"):
        analyse([])
    with pytest.raises(WarmlabError, match="no rows with mode 'choice'"):
        analyse(make_rows(3, lambda *_: True), mode="choice")
    with pytest.raises(WarmlabError, match="lack column"):
        analyse([{"model": "m"}])


def test_refusals_and_unparsed_follow_the_foundation_rule() -> None:
    rows = make_rows(4, lambda *_: False, contexts=("none",), beliefs=("none",))
    rows[0]["verdict"] = "refusal"  # trivia: excluded
    rows[4]["verdict"] = "refusal"  # disinfo: counts as correct
    rows[5]["verdict"] = "unparsed"
    res = analyse(rows, bootstrap=0)
    assert res["meta"]["n_refusals"] == 2 and res["meta"]["n_unparsed"] == 1
    assert res["meta"]["n_excluded"] == 2 and res["meta"]["n_scored"] == len(rows) - 2


def test_modes_are_analysed_separately() -> None:
    rows = make_rows(20, lambda rng, r: bool(rng.random() < 0.3)) + make_rows(
        20, lambda rng, r: bool(rng.random() < 0.5), mode="choice", seed=1
    )
    res = analyse(rows, bootstrap=0)
    assert set(res["models"]) == {"generate", "choice"}
    assert set(analyse(rows, bootstrap=0, mode="choice")["models"]) == {"choice"}


# --- CLI ----------------------------------------------------------------------------------------------


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from warmlab.cli import main

    try:
        main(args)
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_json_and_rejects_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["stats", "--results", str(tmp_path / "missing")], capsys)
    assert code == 2 and err.startswith("warmlab: error:") and "does not exist" in err
    assert len(err.strip().splitlines()) == 1
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "results.jsonl").write_text("", encoding="utf-8")
    code, _, err = _run(["stats", "--results", str(tmp_path / "empty")], capsys)
    assert code == 2 and "no result rows" in err

    run = tmp_path / "run"
    run.mkdir()
    rows = make_rows(30, lambda rng, r: bool(rng.random() < (0.5 if r["variant"] == "warm" else 0.2)))
    (run / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, _, err = _run(["stats", "--results", str(run), "--mode", "choice"], capsys)
    assert code == 2 and "no rows with mode" in err
    code, _, err = _run(["stats", "--results", str(run), "--bootstrap", "-1"], capsys)
    assert code == 2 and "--bootstrap" in err
    out_json = tmp_path / "out" / "stats.json"
    code, out, err = _run(
        ["stats", "--results", str(run), "--bootstrap", "20", "--out", str(out_json)], capsys
    )
    assert code == 0, err
    assert "headline" in out and "error rate" in out
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["schema"] == "warmlab.stats/2"
    assert set(data) == {
        "schema",
        "meta",
        "error_rates",
        "paired",
        "models",
        "headline",
        "warnings",
        "batteries",
        "comparisons",
    }
    assert data["models"]["generate"]["warm"]["main"]["ame"]["estimate"] > 0


def test_bootstrap_refit_matches_statsmodels_with_frequency_weights() -> None:
    import statsmodels.api as sm

    from warmlab.stats.models import logit_irls

    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(400), rng.integers(0, 2, 400), rng.normal(size=400)])
    y = (rng.random(400) < 1 / (1 + np.exp(-(x @ np.array([-0.5, 1.0, 0.3]))))).astype(float)
    w = rng.integers(1, 4, 400).astype(float)  # a resample: rows repeated 1-3 times
    ref = sm.GLM(y, x, family=sm.families.Binomial(), freq_weights=w).fit()
    beta, converged = logit_irls(y, x, w, np.zeros(3))
    assert converged and beta == pytest.approx(np.asarray(ref.params), abs=1e-7)


def test_bootstrap_survives_draws_that_miss_every_kept_item() -> None:
    """Separation can leave one item cluster in the fit; most draws then contain none of its rows."""
    from warmlab.stats.models import Fitted, bootstrap_ames

    y = np.array([0.0, 1.0, 0.0, 1.0])
    x = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    x1, x0 = x.copy(), x.copy()
    x1[:, 1], x0[:, 1] = 1.0, 0.0
    keep = np.ones(4, dtype=bool)
    all_rows = np.ones(40, dtype=bool)
    fitted = Fitted(
        beta=np.zeros(2),
        y=y,
        x=x,
        x1=x1,
        x0=x0,
        clusters_kept=np.zeros(4, dtype=int),  # the one kept cluster
        clusters_all=np.arange(40) // 2,  # of 20 in all
        subsets={"all": (keep, all_rows)},
    )
    cis, used, failed = bootstrap_ames(fitted, 50, np.random.default_rng(0))
    assert used + failed == 50 and failed > 0
    assert set(cis) == {"all"}


def test_identical_answers_give_no_zero_width_interval() -> None:
    """Variant and base agree on every pair: the warm effect is 0 and its cluster-robust SE and item
    bootstrap are exactly zero. That is a degenerate case, not certainty: only naive SEs are reported."""
    verdicts: dict[str, bool] = {}

    def same(rng: np.random.Generator, r: dict[str, Any]) -> bool:
        return verdicts.setdefault(r["sample_id"], bool(rng.random() < 0.4))

    res = analyse(make_rows(15, same), bootstrap=50)
    main = res["models"]["generate"]["warm"]["main"]
    assert main["status"] == "ok" and main["degenerate_cluster"]
    ame = main["ame"]
    assert ame["estimate"] == pytest.approx(0.0, abs=1e-9)
    assert ame["ci_cluster"] == [None, None] and ame["bootstrap_ci"] is None
    assert ame["ci_naive"][0] < -1 and ame["ci_naive"][1] > 1  # a real interval of several pp
    assert any("no discordant pairs" in n for n in main["notes"])
    assert any("main: no discordant pairs" in w for w in res["warnings"])
