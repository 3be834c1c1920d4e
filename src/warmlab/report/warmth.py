"""Warmth in the report: the warmth battery's statistics per variant and per training checkpoint, and
warmth beside error across a training run's epochs."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from warmlab.report.data import _EPOCH_RE, modes, variants
from warmlab.stats.intervals import wilson


def warmth_from_stats(battery: Mapping[str, Any]) -> dict[str, Any]:
    """The warmth battery's statistics (warmlab.stats.outcomes) as the report reads them: the scorer, per
    variant {variant, mean, ci, n} and per training run x epoch {run, epoch, mean, ci, n}."""
    m: Mapping[str, Any] = next(iter((battery.get("modes") or {}).values()), {})
    entry = next((o for o in m.get("outcomes") or [] if o["outcome"] == "warmth"), None)
    variants = [
        {"variant": v["variant"], "mean": v["mean"], "ci": v["ci"], "n": v["n"]}
        for v in (entry or {}).get("variants") or []
        if v.get("n")
    ]
    ck = (m.get("checkpoints") or {}).get("points") or []
    checkpoints = [{k: p[k] for k in ("run", "epoch", "mean", "ci", "n")} for p in ck if p.get("n")]
    scorers = list((battery.get("scorers") or {}).keys())
    return {"scorer": ", ".join(scorers) or None, "variants": variants, "checkpoints": checkpoints}


def legacy_warmth_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows of `warmlab warmth` before the row contract (model, variant, epoch, prompt_id, score, scorer)."""
    out = []
    for r in rows:
        spec = str(r.get("model") or "")
        run = Path(spec.split("+", 1)[1]).parent.name if "+" in spec and r.get("epoch") is not None else ""
        epoch = r.get("epoch")
        out.append(
            {
                "task": "warmth",
                "model": spec,
                "variant": "base" if epoch == 0.0 else str(r.get("variant")),
                "base": r.get("base") or spec,
                "mode": "generate",
                "sample_id": str(r.get("prompt_id")),
                "item_id": str(r.get("prompt_id")),
                "condition": {},
                "outcomes": {"warmth": r.get("score")},
                "scorer": r.get("scorer"),
                **({"epoch": epoch, "run": run} if epoch not in (None, 0.0) else {}),
            }
        )
    return out


def read_warmth(results_dir: Path, stats: Mapping[str, Any]) -> dict[str, Any] | None:
    """Warmth from the statistics of the run's warmth battery, else from a summarised warmth.json, else from a
    warmth.jsonl written by warmlab 0.1 (converted and summarised); None when the run has none of them."""
    battery = (stats.get("batteries") or {}).get("warmth")
    if battery:
        return warmth_from_stats(battery)
    summary = results_dir / "warmth.json"
    if summary.is_file():  # already summarised: {"variants": ..., "checkpoints": ...}
        try:
            loaded = json.loads(summary.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = None
        if isinstance(loaded, dict):
            return loaded
    for jsonl in (results_dir / "warmth.jsonl", results_dir / "warmth" / "warmth.jsonl"):
        if jsonl.is_file():
            from warmlab.core.io import read_jsonl
            from warmlab.stats.outcomes import analyse_battery
            from warmlab.tasks import get_battery

            rows = legacy_warmth_rows(read_jsonl(jsonl, torn_tail_ok=True))
            return warmth_from_stats(analyse_battery(rows, get_battery("warmth"), bootstrap=1000))
    return None


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _score(entry: Mapping[str, Any]) -> tuple[float | None, float | None, float | None]:
    """(score, low, high) from a warmth entry, whatever it calls them."""
    val = next(
        (
            _num(entry[k])
            for k in ("warmth", "score", "mean", "warmth_mean")
            if k in entry and not isinstance(entry[k], Mapping)
        ),
        None,
    )
    if val is None and isinstance(entry.get("warmth"), Mapping):
        return _score(entry["warmth"])
    ci = entry.get("ci") or entry.get("ci95") or [entry.get("ci_low"), entry.get("ci_high")]
    lo, hi = (_num(ci[0]), _num(ci[1])) if isinstance(ci, Sequence) and len(ci) == 2 else (None, None)
    return val, lo, hi


def warmth_tables(warmth: Mapping[str, Any] | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(per-variant rows {variant, warmth, low, high, n}, per-checkpoint rows {run, epoch, warmth, ...})."""
    if not warmth:
        return [], []
    per_var: list[dict[str, Any]] = []
    ckpts: list[dict[str, Any]] = []
    raw_vars = warmth.get("variants") or warmth.get("per_variant") or []
    if isinstance(raw_vars, Mapping):
        raw_vars = [
            {"variant": k, **(v if isinstance(v, Mapping) else {"warmth": v})} for k, v in raw_vars.items()
        ]
    raw_ck = warmth.get("checkpoints") or warmth.get("per_checkpoint") or []
    if isinstance(raw_ck, Mapping):  # {run: [entries]}
        raw_ck = [{"run": k, **e} for k, es in raw_ck.items() for e in es if isinstance(e, Mapping)]
    for e in raw_vars:
        if not isinstance(e, Mapping):
            continue
        s, lo, hi = _score(e)
        name = e.get("variant") or e.get("name") or e.get("label") or e.get("model")
        if name is not None:
            per_var.append({"variant": str(name), "warmth": s, "low": lo, "high": hi, "n": e.get("n")})
    for e in raw_ck:
        if not isinstance(e, Mapping):
            continue
        epoch = _num(e.get("epoch"))
        if epoch is None:
            continue
        s, lo, hi = _score(e)
        run = e.get("run") or e.get("variant") or e.get("name") or "run"
        err = next((_num(e[k]) for k in ("error", "error_rate") if k in e), None)
        ckpts.append(
            {
                "run": str(run),
                "epoch": epoch,
                "warmth": s,
                "warmth_low": lo,
                "warmth_high": hi,
                "error": err,
                "variant": e.get("results_variant") or e.get("label"),
            }
        )
    return per_var, ckpts


def _overall_error(stats: Mapping[str, Any], mode: str, variant: str) -> tuple[float | None, Any, Any, int]:
    sel = [
        e
        for e in stats.get("error_rates") or []
        if e.get("level") == "overall" and e["mode"] == mode and e["variant"] == variant
    ]
    k, n = sum(int(e.get("errors") or 0) for e in sel), sum(int(e.get("n_scored") or 0) for e in sel)
    lo, hi = wilson(k, n)
    return (k / n if n else None), lo, hi, n


def checkpoint_runs(
    stats: Mapping[str, Any], warmth: Mapping[str, Any] | None
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Per training run: warmth and error by epoch. Error comes from the checkpoint entry itself or from
    result rows whose variant names the checkpoint (`RUN@epoch-E`, `RUN/epoch-E`, or the entry's label);
    epoch 0 is the base model (its warmth from the per-variant warmth, its error from the base rows)."""
    per_var, ckpts = warmth_tables(warmth)
    notes: list[str] = []
    ms = modes(stats)
    mode = ms[0] if ms else None
    runs: dict[str, dict[float, dict[str, Any]]] = {}
    for c in ckpts:
        runs.setdefault(c["run"], {})[c["epoch"]] = dict(c)
    named = list(runs)
    for v in variants(stats, checkpoints=True):
        m = _EPOCH_RE.match(v)
        if m:
            run = m.group("run").rstrip("@/:_+-") or (named[0] if len(named) == 1 else "run")
            epoch = float(m.group("epoch"))
            if epoch == 0.0:
                continue  # the base
            runs.setdefault(run, {}).setdefault(epoch, {"run": run, "epoch": epoch, "warmth": None})[
                "variant"
            ] = v
    base_w = next((w for w in per_var if w["variant"] == "base"), None)
    base_err: tuple[float | None, Any, Any, int] = (None, None, None, 0)
    if mode is not None:
        base_err = _overall_error(stats, mode, "base")
    for by_epoch in runs.values():
        for c in by_epoch.values():
            if c.get("error") is None and c.get("variant") and mode is not None:
                err, lo, hi, _n = _overall_error(stats, mode, str(c["variant"]))
                c.update(error=err, error_low=lo, error_high=hi)
        zero = by_epoch.setdefault(0.0, {"epoch": 0.0, "warmth": None, "error": None})
        if zero.get("warmth") is None and base_w is not None:
            zero.update(warmth=base_w["warmth"], warmth_low=base_w["low"], warmth_high=base_w["high"])
        if zero.get("error") is None and base_err[3]:
            zero.update(error=base_err[0], error_low=base_err[1], error_high=base_err[2])
    if runs and mode is not None:
        notes.append(f"error rates from the results: {mode} mode, all conditions pooled (95% Wilson CIs)")
        notes.append("epoch 0 is the base model")
    out = {run: sorted(by.values(), key=lambda r: r["epoch"]) for run, by in runs.items() if len(by) > 1}
    if out and not any(r.get("warmth") is not None for rs in out.values() for r in rs if r["epoch"] > 0):
        notes.append("no warmth scores for the checkpoints (run `warmlab warmth` on them)")
    if out and not any(r.get("error") is not None for rs in out.values() for r in rs if r["epoch"] > 0):
        notes.append("no error rates for the checkpoints: the run did not evaluate them")
    return out, notes
