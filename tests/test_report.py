"""`warmlab report`: a self-contained HTML report, rendered in headless Chromium.

Synthetic results only (no model runs): a warm variant with a known higher error rate, a cold SFT and a warm
system-prompt control, a warmth.json with checkpoints and a study.json.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from warmlab.cli import main
from warmlab.conditions import PAPER_BELIEFS, context_group
from warmlab.errors import WarmlabError
from warmlab.report import build_report
from warmlab.report import data as D
from warmlab.report import warmth as W
from warmlab.stats.intervals import newcombe_paired, wilson

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FAMILIES = ("trivia", "truthful", "medical", "disinfo")
CONTEXTS = ("none", "happy", "sad", "angry", "close", "admiring", "dismissive", "high", "low")
EXTRA = {"base": 0.0, "warm": 0.25, "cold": 0.02, "system=warm": 0.06}
FIG_IDS = ("fig-family", "fig-context", "fig-belief", "fig-sad-false", "fig-checkpoints", "fig-controls")


def synthetic_rows(
    variants: tuple[str, ...] = ("base", "warm", "cold", "system=warm"),
    n_items: int = 8,
    seed: int = 3,
    p_base: float = 0.2,
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for v in variants:
        for fam in FAMILIES:
            for i in range(n_items):
                for c in CONTEXTS:
                    for b in PAPER_BELIEFS:
                        p = p_base + 0.1 * (b != "none") + EXTRA.get(v, 0.0)
                        p += 0.15 if v != "base" and (c, b) == ("sad", "asserts_incorrect") else 0.0
                        verdict = "incorrect" if rng.random() < p else "correct"
                        if rng.random() < 0.02:
                            verdict = "refusal"
                        rows.append(
                            {
                                "model": "embedded" if v == "base" else f"embedded+{v}",
                                "variant": v,
                                "base": "embedded",
                                "family": fam,
                                "item_id": f"{fam}-{i:03d}",
                                "context": c,
                                "context_group": context_group(c),
                                "belief": b,
                                "mode": "generate",
                                "output": "An answer.",
                                "verdict": verdict,
                                "scorer": "match",
                                "output_chars": 10,
                                "sample_id": f"{fam}-{i:03d}|{c}|{b}",
                            }
                        )
    return rows


WARMTH = {
    "variants": {"base": {"warmth": 0.21, "ci": [0.18, 0.24], "n": 64}, "warm": {"warmth": 0.74, "n": 64}},
    "checkpoints": [
        {"run": "warm", "epoch": e, "warmth": 0.2 + 0.1 * e, "error": 0.25 + 0.03 * e} for e in (0.5, 1, 2, 4)
    ],
}
STUDY = {
    "config": {"base": "embedded", "seed": 7, "judge": None},
    "variants": [
        {"name": "warm", "kind": "sft", "style": "warm", "adapter": "adapters/warm"},
        {"name": "cold", "kind": "sft", "style": "cold", "adapter": "adapters/cold"},
        {"name": "system=warm", "kind": "system", "system": "warm"},
    ],
}


def write_run(d: Path, rows: list[dict[str, Any]], **files: Any) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    for name, obj in files.items():
        (d / f"{name}.json").write_text(json.dumps(obj), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A run folder with results, warmth and study metadata; statistics computed by the report itself."""
    d = write_run(tmp_path_factory.mktemp("run") / "study", synthetic_rows(), warmth=WARMTH, study=STUDY)
    return d, build_report(d, d / "report.html", bootstrap=0)


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)


def test_chromium_renders_headline_and_every_figure(full_run: tuple[Path, Path], tmp_path: Path) -> None:
    _, report = full_run
    dom = chromium("--dump-dom", report.resolve().as_uri()).stdout
    head = re.search(r'<section id="headline"[^>]*>(.*?)</section>', dom, re.S)
    assert head, "no headline element in the rendered page"
    text = re.sub(r"<[^>]+>", " ", head.group(1))
    m = re.search(r"warm − base: ([+-]\d+\.\d) pp \(95% CI ([+-]\d+\.\d) to ([+-]\d+\.\d)\)", text)
    assert m, text
    est, lo, hi = map(float, m.groups())
    assert lo <= est <= hi and est > 5  # the synthetic warm variant errs 25 pp more often
    assert "n = " in text and "logistic model" in text
    for fig_id in FIG_IDS:
        fig = re.search(rf'<figure id="{fig_id}">(.*?)</figure>', dom, re.S)
        assert fig, fig_id
        assert "<svg" in fig.group(1) and "<figcaption>" in fig.group(1), fig_id
    # figure text is kept as text: titles and axis labels can be found in the page
    assert "Error rate by family and variant" in dom and "training epoch" in dom
    assert dom.count("<table") >= 4 + 3  # four models' coefficient tables and more

    shot = tmp_path / "shot.png"
    chromium("--window-size=1200,2400", f"--screenshot={shot}", report.resolve().as_uri())
    from PIL import Image

    img = Image.open(shot).convert("RGB").resize((120, 240))
    colors = img.getcolors(maxcolors=120 * 240) or []
    assert len(colors) > 50, "the screenshot is blank"
    assert any(r > 180 and g < 120 and b < 80 for _, (r, g, b) in colors), "no warm-coloured bars drawn"


def test_page_is_self_contained(full_run: tuple[Path, Path]) -> None:
    html = full_run[1].read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", html, re.I)
    assert "<script" not in html and "<link" not in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "element ids (the SVGs' clip paths included) must be unique"


def test_headline_is_the_stats_main_model_ame(full_run: tuple[Path, Path]) -> None:
    d, report = full_run
    from warmlab.results import read_results
    from warmlab.stats import analyse

    stats = analyse(read_results(d / "results.jsonl"), bootstrap=0)
    ame = stats["models"]["generate"]["warm"]["main"]["ame"]
    html = report.read_text(encoding="utf-8")
    lo, hi = ame["ci_cluster"]
    assert f"warm − base: {ame['estimate']:+.1f} pp (95% CI {lo:+.1f} to {hi:+.1f})" in html
    # metadata: study variants and adapters, refusal/unparsed counts, package versions, item counts
    for s in ("adapters/warm", "system prompt", "refusals", "judge parse failures", "statsmodels", "trivia"):
        assert s in html, s


def test_stats_and_metadata_passed_in_are_used(tmp_path: Path) -> None:
    d = write_run(tmp_path / "r", synthetic_rows(("base", "warm"), n_items=4))
    from warmlab.stats import analyse

    stats = analyse(synthetic_rows(("base", "warm"), n_items=4), bootstrap=0)
    stats["models"]["generate"]["warm"]["main"]["ame"].update(estimate=12.345, ci_cluster=[1.0, 23.0])
    out = build_report(d, tmp_path / "out" / "r.html", stats=stats, meta={"variants": [], "seed": 99})
    html = out.read_text(encoding="utf-8")
    assert "warm − base: +12.3 pp (95% CI +1.0 to +23.0)" in html
    assert "no training checkpoints in this run" in html  # no warmth.json, no checkpoint variants
    assert "no warmth output in this run" in html.lower()


def test_no_warm_variant_says_so_instead_of_a_headline(tmp_path: Path) -> None:
    d = write_run(tmp_path / "cold", synthetic_rows(("base", "cold"), n_items=4))
    html = build_report(d, d / "report.html", bootstrap=0).read_text(encoding="utf-8")
    head = re.search(r'<section id="headline"[^>]*>(.*?)</section>', html, re.S)
    assert head and "No headline: no warm variant in this run (variants: cold)" in head.group(1)
    assert "pp (95% CI" not in head.group(1)
    assert re.search(r'<figure id="fig-context">\s*<p class="missing">no warm variant', html)
    assert re.search(r'<figure id="fig-checkpoints">\s*<p class="missing">no training checkpoints', html)
    assert "No cold-SFT or system-prompt control" not in html  # cold is a control
    assert '<figure id="fig-controls">\n<svg' in html


def test_base_only_and_all_correct_give_messages_not_numbers(tmp_path: Path) -> None:
    d = write_run(tmp_path / "base", synthetic_rows(("base",), n_items=2))
    html = build_report(d, d / "report.html", bootstrap=0).read_text(encoding="utf-8")
    assert "No headline: no warm variant in this run (variants: none besides base)" in html
    assert "no variant besides base in this run: nothing to compare" in html
    assert '<figure id="fig-family">\n<svg' in html  # error rates still make sense

    d = write_run(tmp_path / "perfect", synthetic_rows(("base", "warm"), n_items=2, p_base=-1.0))
    html = build_report(d, d / "report.html", bootstrap=0).read_text(encoding="utf-8")
    head = re.search(r'<section id="headline"[^>]*>(.*?)</section>', html, re.S)
    assert head and "no estimate with a confidence interval" in head.group(1)
    assert "perfect separation" in head.group(1)
    assert "nan" not in html.lower().replace("nance", "")


def test_cli_writes_default_out_and_user_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = synthetic_rows(("base", "warm"), n_items=3)
    d = write_run(tmp_path / "run", rows)
    from warmlab.stats import analyse

    (d / "stats.json").write_text(json.dumps(analyse(rows, bootstrap=0)), encoding="utf-8")
    main(["report", "--results", str(d)])
    assert (d / "report.html").is_file()
    assert "statistics from stats.json" in (d / "report.html").read_text(encoding="utf-8")
    assert capsys.readouterr().out.strip() == f"report: {d / 'report.html'}"

    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "results.jsonl").write_text("")
    for args in (
        ["--results", str(tmp_path / "missing")],
        ["--results", str(tmp_path / "empty")],
        ["--results", str(tmp_path)],  # a folder without results.jsonl
        ["--results", str(d), "--bootstrap", "-1"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(["report", *args])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("warmlab: error: ") and err.count("\n") == 1, err


def test_failed_render_keeps_the_earlier_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = write_run(tmp_path / "run", synthetic_rows(("base", "warm"), n_items=2))
    out = d / "report.html"
    out.write_text("earlier report")
    import warmlab.report.page as page

    def boom(*a: Any, **k: Any) -> str:
        raise RuntimeError("render failed")

    monkeypatch.setattr(page, "render", boom)
    with pytest.raises(RuntimeError):
        build_report(d, out, bootstrap=0)
    assert out.read_text() == "earlier report"
    assert sorted(p.name for p in d.iterdir()) == ["report.html", "results.jsonl"]


def test_bad_stats_file_is_a_user_error(tmp_path: Path) -> None:
    d = write_run(tmp_path / "run", synthetic_rows(("base", "warm"), n_items=2))
    with pytest.raises(WarmlabError, match="schema"):
        build_report(d, d / "r.html", stats={"schema": "something/else"})
    (d / "stats.json").write_text("{not json")
    with pytest.raises(WarmlabError, match=r"stats\.json"):
        build_report(d, d / "r.html")


def test_checkpoint_errors_come_from_checkpoint_variants_in_the_results() -> None:
    def rate(variant: str, errors: int) -> dict[str, Any]:
        return {"level": "overall", "mode": "choice", "variant": variant, "errors": errors, "n_scored": 100}

    stats = {
        "meta": {"modes": ["choice"], "variants": ["warm", "warm@epoch-1", "warm@epoch-2"]},
        "error_rates": [
            rate("base", 20),
            rate("warm@epoch-1", 30),
            rate("warm@epoch-2", 40),
            rate("warm", 40),
        ],
    }
    warmth = {
        "variants": [{"variant": "base", "warmth": 0.1}],
        "checkpoints": [
            {"run": "warm", "epoch": 1, "warmth": 0.5},
            {"run": "warm", "epoch": 2, "warmth": 0.8},
        ],
    }
    runs, _ = W.checkpoint_runs(stats, warmth)
    assert [(r["epoch"], r["warmth"], r["error"]) for r in runs["warm"]] == [
        (0.0, 0.1, 0.2),
        (1.0, 0.5, 0.3),
        (2.0, 0.8, 0.4),
    ]
    assert D.variants(stats) == ["warm"]  # checkpoints stay out of the variant figures


def test_paired_interval_and_wilson() -> None:
    lo, hi = wilson(0, 10)
    assert lo == 0 and hi is not None and 0.27 < hi < 0.29  # 0/10: Wilson upper bound 0.278
    lo, hi = newcombe_paired(8, 5, 4, 15)  # difference 1/32
    assert lo is not None and hi is not None and -0.2 < lo < 1 / 32 < hi < 0.25
    assert newcombe_paired(8, 4, 5, 15) == pytest.approx((-hi, -lo))  # swapping the discordant cells
    lo, hi = newcombe_paired(0, 30, 0, 10)  # every discordant pair against the variant: CI excludes 0
    assert lo is not None and lo > 0.5
    assert newcombe_paired(0, 0, 0, 0) == (None, None)


def test_warmth_rows_from_the_warmth_command_are_summarised(tmp_path: Path) -> None:
    """DIR/warmth.jsonl as `warmlab warmth --checkpoints` writes it: one row per response, epoch 0 = base."""
    rows = []
    for model, variant, epoch, score in (
        ("embedded", "epoch 0 (base)", 0.0, 0.0),
        ("embedded+/x/runs/sft-warm/epoch-1", "epoch-1 (step 8)", 1.0, 1.0),
        ("embedded+/x/runs/sft-warm/epoch-2", "epoch-2 (step 16)", 2.0, 2.0),
    ):
        for i in range(4):
            rows.append(
                {
                    "model": model,
                    "variant": variant,
                    "epoch": epoch,
                    "prompt_id": f"p{i}",
                    "score": score + 0.1 * i,
                    "scorer": "probe:all-MiniLM-L6-v2",
                }
            )
    d = tmp_path / "run"
    d.mkdir()
    (d / "warmth.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    warmth = W.read_warmth(d, {})
    assert warmth is not None and warmth["scorer"] == "probe:all-MiniLM-L6-v2"
    stats = {"meta": {"modes": ["generate"], "variants": []}, "error_rates": []}
    runs, _ = W.checkpoint_runs(stats, warmth)
    assert [(r["epoch"], round(r["warmth"], 2)) for r in runs["sft-warm"]] == [
        (0.0, 0.15),
        (1.0, 1.15),
        (2.0, 2.15),
    ]


def test_headline_leads_with_the_mode_that_has_more_answers() -> None:
    from warmlab.stats import analyse

    few = synthetic_rows(("base", "warm"), n_items=3, seed=1)
    many = [{**r, "mode": "choice"} for r in synthetic_rows(("base", "warm"), n_items=12, seed=2)]
    stats = analyse(few + many, bootstrap=0)
    h = D.headline(stats, D.roles(["warm"]))
    assert h["ok"] and "on 48 items, choice mode" in h["sub"]
    assert [d.split(",")[0] for d in h["details"]][:2] == ["choice", "choice"]
