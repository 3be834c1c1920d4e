"""The run path: battery registry, inspect registration, layering, the public API, generic statistics."""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

import pytest

import warmlab
from warmlab.stats.outcomes import analyse_battery
from warmlab.tasks import batteries, get_battery

SRC = Path(__file__).resolve().parents[1] / "src" / "warmlab"


def test_every_battery_is_a_folder_with_a_readme_and_a_registered_task() -> None:
    from inspect_ai._util.registry import registry_lookup

    import warmlab._registry  # noqa: F401  (what inspect's entry point imports)

    found = batteries()
    assert {"reliability", "pushback", "warmth"} <= set(found)
    for name, b in found.items():
        assert (SRC / "tasks" / name / "README.md").is_file()
        assert b.summary and b.modes and b.outcomes
        assert registry_lookup("task", f"warmlab/{name}") is not None
        assert set(b.modes) >= {o for oc in b.outcomes for o in oc.modes}
    assert len({o.id for o in get_battery("pushback").outcomes}) == len(get_battery("pushback").outcomes)


def test_warmlab_tasks_lists_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    from warmlab.cli import main

    main(["tasks"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == list(batteries())


# Which packages a module may import: a lower layer never imports a higher one (the data path).
LAYERS = [
    "errors",
    "core",
    "embedded",
    "models",
    "items",
    "conditions",
    "tiny",
    "batcher",
    "provider",
    "classifiers",
    "scoring",
    "measure",
    "solvers",
    "train",
    "directions",
    "tasks",
    "results",
    "rescore",
    "stats",
    "summary",
    "report",
    "study",
    "commands",
    "cli",
    "_registry",
]
#: imports allowed against the order: train's lazy uses of directions (screening) and of tasks (support
#: profiles, the simulated user for RL); the direction store and hooks, which specs and the provider use;
#: the pure intervals module, which any layer may use; a battery's own report section drawing through the
#: report's figure helpers
ALLOWED = {
    ("train", "directions"),
    ("train", "tasks"),
    ("train", "results"),
    ("models", "directions.store"),
    ("provider", "directions.hooks"),
    ("*", "stats.intervals"),
    ("tasks", "report.figures"),
}


def _imports(path: Path) -> set[str]:
    """Modules of warmlab imported by a file, without the `warmlab.` prefix."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("warmlab."):
            out.add(node.module.removeprefix("warmlab."))
        elif isinstance(node, ast.Import):
            out |= {a.name.removeprefix("warmlab.") for a in node.names if a.name.startswith("warmlab.")}
    return out


def test_no_lower_layer_imports_a_higher_one() -> None:
    rank = {name: i for i, name in enumerate(LAYERS)}
    bad = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        me = rel.parts[0].removesuffix(".py")
        if me == "__init__" or me not in rank:
            continue
        for module in _imports(path):
            dep = module.split(".")[0]
            allowed = (me, dep) in ALLOWED or (me, module) in ALLOWED or ("*", module) in ALLOWED
            # a battery's own report section (`Battery.report`) belongs to the report layer
            allowed = allowed or (
                rel.parts[-1] == "report.py" and me == "tasks" and dep in ("report", "stats")
            )
            if dep in rank and rank[dep] > rank[me] and not allowed:
                bad.append(f"{rel} imports warmlab.{module}")
    assert not bad, bad


def test_public_api_evaluates_loads_and_analyses(tiny_model: Path, tmp_path: Path) -> None:
    assert set(warmlab.batteries()) >= {"reliability", "pushback", "warmth"}
    path = warmlab.evaluate(
        [str(tiny_model), f"{tiny_model}@system=warm"],
        task="pushback",
        modes=["choice"],
        out=tmp_path,
        limit=1,
        families="trivia",
        schedules="plain",
        turns=2,
        batch_size=4,
    )
    rows = warmlab.load_results(path.parent)
    assert len(rows) == 2 and {r["variant"] for r in rows} == {"base", "system=warm"}
    stats = warmlab.analyse(rows, bootstrap=50)
    assert stats["schema"] == "warmlab.stats/2" and "pushback" in stats["batteries"]


def _row(variant: str, sid: str, item: str, **outcomes: Any) -> dict[str, Any]:
    return {
        "task": "pushback",
        "model": "m" if variant == "base" else f"m+{variant}",
        "variant": variant,
        "base": "m",
        "mode": "generate",
        "sample_id": sid,
        "item_id": item,
        "condition": {},
        "outcomes": outcomes,
        "scorer": "offline",
    }


def test_generic_statistics_pair_each_variant_with_its_base() -> None:
    rows = []
    for i in range(40):
        base_held = 1
        warm_held = 0 if i < 12 else 1  # 12 of 40 flip only in the warm variant
        for v, held in (("base", base_held), ("warm", warm_held)):
            rows.append(
                _row(
                    v,
                    f"s{i}",
                    f"item{i // 2}",
                    direction="regressive",
                    held_final=held,
                    correct_final=held,
                    flips=1 - held,
                    held_by_turn=[1, 1, held],
                    margin_by_turn=[1.0],
                )
            )
    rows.append(_row("warm", "lonely", "x", direction="progressive", held_final=0, correct_final=1, flips=0))
    stats = analyse_battery(rows, get_battery("pushback"), bootstrap=300)
    m = stats["modes"]["generate"]
    held = next(o for o in m["outcomes"] if o["outcome"] == "held_final")
    base, warm = (next(v for v in held["variants"] if v["variant"] == n) for n in ("base", "warm"))
    assert (base["mean"], warm["mean"], warm["n"]) == (1.0, 0.7, 40)  # the progressive row is outside
    (p,) = held["paired"]
    assert p["n_pairs"] == 40 and p["n_items"] == 20
    assert p["diff"] == pytest.approx(-0.3) and p["ci"][1] < 0 < 1 - p["ci"][0]
    assert p["discordant"] == {"variant_only": 0, "base_only": 12} and p["p_value"] < 0.001
    curve = next(o for o in m["outcomes"] if o["outcome"] == "held_by_turn")
    (pc,) = curve["paired"]
    assert [round(t["diff"], 2) for t in pc["curve"]] == [0.0, 0.0, -0.3]
    flips = next(o for o in m["outcomes"] if o["outcome"] == "flips")
    assert flips["paired"][0]["diff"] == pytest.approx(12 / 41 - 0, abs=0.3)
    corrected = next(o for o in m["outcomes"] if o["outcome"] == "corrected_final")
    assert corrected["paired"][0]["n_pairs"] == 0  # no base row for the lonely progressive dialogue
    assert not any(math.isnan(x) for x in (p["ci"][0], p["ci"][1]))


def test_a_second_scorer_reports_its_agreement_and_breakdowns_split_by_condition() -> None:
    from dataclasses import replace

    battery = replace(get_battery("pushback"), breakdown=("family",))
    rows = []
    for i in range(20):
        for v in ("base", "warm"):
            judge_val = 1 if i < 10 else 0
            offline_val = judge_val if i % 5 else 1 - judge_val  # 4 disagreements of 20
            r = _row(v, f"s{i}", f"i{i}", direction="regressive", correct_final=offline_val)
            r["condition"] = {"family": "trivia" if i % 2 else "disinfo"}
            r["by_scorer"] = {
                "offline": {"correct_final": offline_val},
                "judge:x": {"correct_final": judge_val},
            }
            rows.append(r)
    stats = analyse_battery(rows, battery, bootstrap=100)
    m = stats["modes"]["generate"]
    entry = next(o for o in m["outcomes"] if o["outcome"] == "correct_final")
    (ag,) = entry["agreement"]
    assert ag["scorers"] == ["judge:x", "offline"] and ag["n"] == 40 and ag["agreement"] == pytest.approx(0.8)
    assert ag["kappa"] == pytest.approx(0.6)
    by = m["by"]["family"]
    assert set(by) == {"trivia", "disinfo"}
    held = next(o for o in by["trivia"] if o["outcome"] == "correct_final")
    assert sum(v["n"] for v in held["variants"]) == 20


def test_no_source_file_grows_past_about_500_lines() -> None:
    """One obvious place for each thing: a module that outgrows this is split by what it does."""
    big = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 560
    }
    assert not big, big
