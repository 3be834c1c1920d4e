"""Coverage (decided / scored) beside every error rate: stats, console tables, the eval summary, the demo's
table and the report. Decided: correct, incorrect, refusal; scored: every row but invalid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

VERDICTS = ("correct", "incorrect", "undecided", "unparsed", "refusal", "invalid")


def rows(variant: str = "base", verdicts: tuple[str, ...] = VERDICTS) -> list[dict[str, Any]]:
    return [
        {
            "schema": "warmlab.row/2",
            "task": "reliability",
            "model": "m" if variant == "base" else f"m@{variant}",
            "variant": variant,
            "base": "m",
            "mode": "generate",
            "sample_id": f"t{i}|none|none",
            "item_id": f"t{i}",
            "condition": {"family": "trivia", "context": "none", "context_group": "none", "belief": "none"},
            "outcomes": {"verdict": v},
            "scorer": "offline",
            "output": "x",
        }
        for i, v in enumerate(verdicts)
    ]


def test_coverage_counts_decided_rows_over_scored_rows() -> None:
    from warmlab.stats import analyse

    res = analyse(rows(), bootstrap=0)
    overall = next(e for e in res["error_rates"] if e["level"] == "overall")
    assert (overall["n_decided"], overall["undecided"], overall["unparsed"], overall["invalid"]) == (
        3,
        1,
        1,
        1,
    )
    assert overall["coverage"] == pytest.approx(3 / 5)  # invalid rows were never scored
    assert (overall["n_scored"], overall["errors"]) == (2, 1)  # the rate counts correct and incorrect
    assert res["meta"]["coverage"] == pytest.approx(3 / 5) and res["meta"]["n_undecided"] == 1
    assert res["meta"]["judge"] is None
    only_invalid = analyse(rows(verdicts=("invalid",)), bootstrap=0)
    assert only_invalid["error_rates"][0]["coverage"] is None  # nothing scored: no coverage, not 0%


def test_every_table_shows_coverage_beside_the_error_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from warmlab.commands.study import print_study
    from warmlab.report import build_report
    from warmlab.stats import analyse
    from warmlab.stats.console import print_result
    from warmlab.summary import print_summary

    both = rows() + rows("warm", ("correct", "correct", "incorrect", "undecided", "undecided", "correct"))
    print_summary(both, by_condition=True)
    out = capsys.readouterr().out
    assert "60% (3/5)" in out and "67% (4/6)" in out  # base, warm: per family
    assert "50% (2), cov 60%" in out  # the context x belief cell
    res = analyse(both, bootstrap=0)
    overall = next(p for p in res["paired"] if p["level"] == "overall")
    assert (overall["base_coverage"], overall["variant_coverage"]) == pytest.approx((3 / 5, 4 / 6))
    print_result(res)
    out = capsys.readouterr().out
    assert "coverage 64% (3 undecided)" in out and "60% (3/5)" in out and "67% (4/6)" in out
    assert "60%/67%" in out  # beside the paired effect
    (tmp_path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in both))
    (tmp_path / "stats.json").write_text(json.dumps(res))
    print_study(tmp_path)
    out = capsys.readouterr().out
    assert "coverage, all" in out and "60% (3/5)" in out and "67% (4/6)" in out
    page = build_report(tmp_path, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Error rate and coverage" in page and "60% (3/5)" in page and "67% (4/6)" in page
    assert "Scored offline only (no LLM judge)" in page
    headline = page[page.index('<section id="headline"') : page.index("</section>")]
    assert "generate: coverage 64% (7/11) of warm and base answers decided" in headline
