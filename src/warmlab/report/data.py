"""From a results folder to the plain data the figures and tables take.

Everything here reads the `warmlab.stats/1` dict (see warmlab.stats), the warmth output and study.json; it
never refits a model. Each extractor returns data or a one-line reason why there is none.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError

STATS_SCHEMAS = ("warmlab.stats/2", "warmlab.stats/1")
MODE_ORDER = ("generate", "choice")
HIGHLIGHT = ("sad", "asserts_incorrect")
ROLE_ORDER = ("warm", "rl", "cold", "system", "secure", "other")
ROLE_NAMES = {
    "warm": "warm SFT",
    "rl": "emotion-reward RL",
    "cold": "cold SFT",
    "system": "system prompt",
    "secure": "secure system prompt",
    "other": "other",
}
_RL_NAME = re.compile(r"(^|[^a-z])rl([^a-z]|$)")


@dataclass
class Inputs:
    results_dir: Path
    rows: list[dict[str, Any]]
    stats: dict[str, Any]
    warmth: dict[str, Any] | None
    study: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)  # how the inputs were found (stale stats, ...)
    monitor: dict[str, Any] | None = None  # monitor.json of a study with a [monitor] stage


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise WarmlabError(f"{path}: cannot read {what} ({e})") from None
    if not isinstance(obj, dict):
        raise WarmlabError(f"{path}: {what} must be a JSON object")
    return obj


def load_inputs(
    results_dir: Path,
    *,
    stats: dict[str, Any] | None = None,
    warmth: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    bootstrap: int = 1000,
) -> Inputs:
    """Read DIR/results.jsonl (required) and whatever else the run left; compute stats when needed."""
    from warmlab.results import read_results

    results_dir = Path(results_dir)
    if not results_dir.exists():
        raise WarmlabError(f"{results_dir} does not exist (give the folder of a run with results.jsonl)")
    if results_dir.is_file():
        if results_dir.suffix != ".jsonl":
            raise WarmlabError(f"{results_dir}: give a results folder (or its results.jsonl)")
        results_dir = results_dir.parent
    table = results_dir / "results.jsonl"
    if not table.is_file():
        raise WarmlabError(
            f"{results_dir} has no results.jsonl (run `warmlab eval` or `warmlab study` first)"
        )
    rows = read_results(table)
    if not rows:
        raise WarmlabError(f"{table}: no result rows")
    notes: list[str] = []
    if stats is None:
        stats_path = results_dir / "stats.json"
        if stats_path.is_file() and stats_path.stat().st_mtime >= table.stat().st_mtime:
            stats = _read_json(stats_path, "stats output")
            notes.append(f"statistics from {stats_path.name}")
        else:
            if stats_path.is_file():
                notes.append(f"{stats_path.name} is older than results.jsonl: statistics recomputed")
            from warmlab.stats import analyse

            stats = analyse(rows, bootstrap=bootstrap, source=str(table))
            notes.append(f"statistics computed from results.jsonl (bootstrap draws: {bootstrap})")
    if stats.get("schema") not in STATS_SCHEMAS:
        raise WarmlabError(
            f"statistics have schema {stats.get('schema')!r}; this report reads " + ", ".join(STATS_SCHEMAS)
        )
    if warmth is None:
        from warmlab.report.warmth import read_warmth

        warmth = read_warmth(results_dir, stats)
    if meta is None and (results_dir / "study.json").is_file():
        meta = _read_json(results_dir / "study.json", "study metadata")
    monitor = None
    if (results_dir / "monitor.json").is_file():
        monitor = _read_json(results_dir / "monitor.json", "monitor output")
    return Inputs(results_dir, rows, stats, warmth, meta, notes, monitor)


# ---- variants and their roles ------------------------------------------------------------------------


def _study_variants(study: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    if not study:
        return []
    for holder in (study, study.get("config") or {}):
        vs = holder.get("variants", holder.get("variant")) if isinstance(holder, Mapping) else None
        if isinstance(vs, list):
            return [dict(v) for v in vs if isinstance(v, Mapping) and "name" in v]
    return []


def roles(variants: Sequence[str], study: Mapping[str, Any] | None = None) -> dict[str, str]:
    """warm | rl | cold | system | secure | other per variant: from study.json (kind/style) when it says, else
    the name. rl: trained with an emotion reward (behaviour-level warmth), warm: SFT on warm rewrites (trait);
    secure: the secure system prompt (boundaries battery), a control of its own."""
    declared: dict[str, str] = {}
    for v in _study_variants(study):
        kind, style = str(v.get("kind") or v.get("train") or ""), str(v.get("style") or "")
        if str(v.get("system") or "") == "secure":
            declared[str(v["name"])] = "secure"
        elif v.get("system") or kind == "system":  # study.json writes system = "" for other kinds
            declared[str(v["name"])] = "system"
        elif kind == "rl":
            declared[str(v["name"])] = "rl"
        elif style in ("warm", "cold"):
            declared[str(v["name"])] = style
    out = {}
    for name in variants:
        low = name.lower()
        if name in declared:
            out[name] = declared[name]
        elif "secure" in low:
            out[name] = "secure"
        elif "system=" in low or low.startswith(("system", "prompt")):
            out[name] = "system"
        elif _RL_NAME.search(low):
            out[name] = "rl"
        elif "cold" in low:
            out[name] = "cold"
        elif "warm" in low:
            out[name] = "warm"
        else:
            out[name] = "other"
    out["base"] = "base"
    return out


def modes(stats: Mapping[str, Any]) -> list[str]:
    have = list(stats.get("meta", {}).get("modes") or [])
    return sorted(have, key=lambda m: (MODE_ORDER.index(m) if m in MODE_ORDER else len(MODE_ORDER), m))


def variants(stats: Mapping[str, Any], *, checkpoints: bool = False) -> list[str]:
    """Non-base variants; training checkpoints (e.g. `warm@epoch-4`) only when asked for."""
    names = [str(v) for v in stats.get("meta", {}).get("variants") or []]
    return names if checkpoints else [v for v in names if not is_checkpoint(v)]


def headline_variant(stats: Mapping[str, Any], role: Mapping[str, str]) -> tuple[str | None, str]:
    """The warm variant the headline is about, and why; None when the run has no warm variant."""
    head = stats.get("headline") or {}
    hv = head.get("variant")
    because = str(head.get("chosen_because") or "")
    if hv and (role.get(hv) == "warm" or "--headline" in because):
        return hv, because
    warm = [v for v in variants(stats) if role.get(v) == "warm"]
    if warm:
        return warm[0], "the first variant whose name or study entry says warm"
    have = ", ".join(variants(stats)) or "none besides base"
    return None, f"no warm variant in this run (variants: {have})"


def model_entry(stats: Mapping[str, Any], mode: str, variant: str, name: str) -> dict[str, Any] | None:
    return (((stats.get("models") or {}).get(mode) or {}).get(variant) or {}).get(name)


def pick_ci(eff: Mapping[str, Any], prefer_bootstrap: bool = True) -> tuple[float | None, float | None, str]:
    """The interval to show for an AME: bootstrap when computed, else cluster-robust, else naive."""
    for key, label in (
        ("bootstrap_ci", "item-clustered bootstrap"),
        ("ci_cluster", "delta method, item-clustered SEs"),
        ("ci_naive", "delta method, naive SEs"),
    ):
        if key == "bootstrap_ci" and not prefer_bootstrap:
            continue
        ci = eff.get(key)
        if ci and len(ci) == 2 and ci[0] is not None and ci[1] is not None:
            return float(ci[0]), float(ci[1]), label
    return None, None, "no interval"


# ---- headline ----------------------------------------------------------------------------------------


def fmt_pp(x: float | None, signed: bool = True) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:+.1f}" if signed else f"{x:.1f}"


def fmt_pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def headline(
    stats: Mapping[str, Any], role: Mapping[str, str], study: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """{ok, variant, text, details: [str]} for the headline element (one entry per mode in `details`)."""
    hv, because = headline_variant(stats, role)
    if hv is None:
        return {
            "ok": False,
            "variant": None,
            "text": f"No headline: {because}.",
            "details": [
                "The headline compares a warm variant with its base; add one (e.g. a [[variant]] with "
                'train = "sft", style = "warm") or name the variant to compare with '
                "`warmlab stats --headline`."
            ],
        }
    boot = (stats.get("headline") or {}).get("bootstrap") or {}
    parts: list[dict[str, Any]] = []

    def answers(mode: str) -> int:
        return int((model_entry(stats, mode, hv, "main") or {}).get("n_obs") or 0)

    # The headline leads with the mode that has the most neutral-prompt answers (ties: generate first).
    for mode in sorted(modes(stats), key=lambda m: -answers(m)):
        for name, scope in (("main", "neutral prompts"), ("belief", "all conditions")):
            e = model_entry(stats, mode, hv, name)
            if not e or e.get("status") != "ok" or not e.get("ame") or e["ame"].get("estimate") is None:
                continue
            a = e["ame"]
            lo, hi, method = pick_ci(a)
            if "bootstrap" in method:
                used = (boot.get("used") or {}).get(f"{mode}/{name}")
                method += f", {used} draws" if used else ""
            parts.append(
                {
                    "mode": mode,
                    "model": name,
                    "scope": scope,
                    "entry": e,
                    "ame": a,
                    "lo": lo,
                    "hi": hi,
                    "method": method,
                }
            )
    if not parts:
        reasons = []
        for mode in modes(stats):
            e = model_entry(stats, mode, hv, "main") or {}
            reasons.append(f"{mode}: {e.get('reason') or e.get('status') or 'not fitted'}")
        paired = [
            p for p in stats.get("paired") or [] if p.get("level") == "overall" and p.get("variant") == hv
        ]
        raw = "; ".join(
            f"{p['mode']}: raw paired difference {fmt_pp(p.get('diff_pp'))} pp over {p['n_pairs']} pairs"
            for p in paired
        )
        return {
            "ok": False,
            "variant": hv,
            "text": f"{hv} − base: no estimate with a confidence interval "
            f"({'; '.join(reasons) or 'no model was fitted'}).",
            "details": [raw] if raw else [],
        }
    first = parts[0]
    details = []
    for p in parts:
        e, a = p["entry"], p["ame"]
        ci = f"95% CI {fmt_pp(p['lo'])} to {fmt_pp(p['hi'])}" if p["lo"] is not None else "no CI"
        details.append(
            f"{p['mode']}, {p['scope']}: {fmt_pp(a['estimate'])} pp ({ci}); "
            f"error {fmt_pct(a.get('base_rate'))} (base) vs {fmt_pct(a.get('variant_rate'))} ({hv}); "
            f"n = {e.get('n_obs')} answers ({e.get('n_warm')} {hv}, {e.get('n_base')} base) on "
            f"{e.get('n_clusters')} items; average marginal effect from the logistic model "
            f"“{e.get('label')}”; CI: {p['method']}"
        )
    a = first["ame"]
    ci_text = (
        f"95% CI {fmt_pp(first['lo'])} to {fmt_pp(first['hi'])}"
        if first["lo"] is not None
        else "no confidence interval"
    )
    text = f"{hv} − base: {fmt_pp(a['estimate'])} pp ({ci_text})"
    e = first["entry"]
    sub = (
        f"n = {e.get('n_obs')} answers on {e.get('n_clusters')} items, {first['mode']} mode, "
        f"{first['scope']}; method: average marginal effect of a logistic model, CI by {first['method']}"
    )
    return {"ok": True, "variant": hv, "text": text, "sub": sub, "because": because, "details": details}


# ---- warmth ------------------------------------------------------------------------------------------

_EPOCH_RE = re.compile(r"^(?P<run>.*?)[@/:_+-]?epoch[-_= ]?(?P<epoch>\d+(?:\.\d+)?)(?: \(step \d+\))?$")


def is_checkpoint(variant: str) -> bool:
    """A variant that names a training checkpoint (`RUN@epoch-E`, `RUN/epoch-E`, `epoch-E`)."""
    return _EPOCH_RE.match(variant) is not None
