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

from warmlab.conditions import BELIEFS, CONTEXTS
from warmlab.errors import WarmlabError
from warmlab.stats.intervals import newcombe_paired, wilson

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


# ---- figure data -------------------------------------------------------------------------------------


def _label_maker(stats: Mapping[str, Any]) -> Any:
    several = len(stats.get("meta", {}).get("bases") or []) > 1

    def label(e: Mapping[str, Any]) -> str:
        return f"{e['variant']} ({e['model']})" if several else str(e["variant"])

    return label


def _variant_order(names: Sequence[str], role: Mapping[str, str]) -> list[str]:
    def key(v: str) -> tuple[int, str]:
        r = role.get(v, "other")
        return (-1 if v == "base" else ROLE_ORDER.index(r) if r in ROLE_ORDER else len(ROLE_ORDER), v)

    return sorted(set(names), key=key)


def family_panels(stats: Mapping[str, Any], role: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    label = _label_maker(stats)
    out: dict[str, list[dict[str, Any]]] = {}
    fams = list(stats.get("meta", {}).get("families") or [])
    for mode in modes(stats):
        ents = [
            e
            for e in stats.get("error_rates") or []
            if e.get("level") == "family" and e["mode"] == mode and not is_checkpoint(str(e["variant"]))
        ]
        order = _variant_order([e["variant"] for e in ents], role)
        ents.sort(
            key=lambda e: (
                order.index(e["variant"]),
                e["model"],
                fams.index(e["family"]) if e["family"] in fams else 99,
            )
        )
        rows = [
            {
                "family": e["family"],
                "label": label(e),
                "role": role.get(e["variant"], "other"),
                "rate": e.get("rate"),
                "ci_low": e.get("ci_low"),
                "ci_high": e.get("ci_high"),
                "n": e.get("n_scored"),
            }
            for e in ents
        ]
        if rows:
            out[mode] = rows
    return out


def level_panels(
    stats: Mapping[str, Any], variant: str, model_name: str, order: Sequence[str]
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """AME (pp) by level of one model's interacted factor, per mode; plus reasons for modes left out."""
    panels: dict[str, list[dict[str, Any]]] = {}
    missing: list[str] = []
    for mode in modes(stats):
        e = model_entry(stats, mode, variant, model_name)
        if not e or e.get("status") != "ok":
            missing.append(f"{mode}: {(e or {}).get('reason') or 'model not fitted'}")
            continue
        rows = []
        for lv in e.get("ame_by_level") or []:
            lo, hi, _ = pick_ci(lv, prefer_bootstrap=False)
            rows.append(
                {
                    "level": lv["level"],
                    "estimate": lv.get("estimate"),
                    "ci_low": lo,
                    "ci_high": hi,
                    "n": lv.get("n"),
                }
            )
        rank = {v: i for i, v in enumerate(order)}
        rows.sort(key=lambda r: rank.get(r["level"], len(rank)))
        if rows:
            panels[mode] = rows
        else:
            missing.append(f"{mode}: the model has no levels to compare")
    return panels, missing


def grid_panels(stats: Mapping[str, Any], variant: str, role: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Per mode: variant − base (pp) for every context x belief cell from the paired tests (pooled over
    families and base models), the highlighted cell with a paired CI, and base/variant error bars."""
    out: dict[str, dict[str, Any]] = {}
    for mode in modes(stats):
        cells = [
            p
            for p in stats.get("paired") or []
            if p.get("level") == "cell" and p["mode"] == mode and p["variant"] == variant
        ]
        if not cells:
            continue
        sums: dict[tuple[str, str], list[int]] = {}
        for p in cells:
            s = sums.setdefault((p["context"], p["belief"]), [0, 0, 0, 0])
            for i, k in enumerate(("both_wrong", "variant_only", "base_only", "both_right")):
                s[i] += int(p.get(k) or 0)
        ctx = [c for c in CONTEXTS if any(k[0] == c for k in sums)] + sorted(
            {k[0] for k in sums} - set(CONTEXTS)
        )
        bel = [b for b in BELIEFS if any(k[1] == b for k in sums)] + sorted(
            {k[1] for k in sums} - set(BELIEFS)
        )
        gap = [
            [
                None
                if (c, b) not in sums or not sum(sums[c, b])
                else 100 * (sums[c, b][1] - sums[c, b][2]) / sum(sums[c, b])
                for b in bel
            ]
            for c in ctx
        ]
        n = [[sum(sums.get((c, b), [0])) for b in bel] for c in ctx]
        hl = sums.get(HIGHLIGHT)
        cell: dict[str, Any] | None = None
        if hl and sum(hl):
            lo, hi = newcombe_paired(*hl)
            cell = {
                "n_pairs": sum(hl),
                "gap": 100 * (hl[1] - hl[2]) / sum(hl),
                "ci_low": None if lo is None else 100 * lo,
                "ci_high": None if hi is None else 100 * hi,
                "variant_only": hl[1],
                "base_only": hl[2],
            }
        bases = {p["base"] for p in cells}
        bars = []
        for cname, (c, b) in (("neutral", ("none", "none")), ("sad + false belief", HIGHLIGHT)):
            for v in ("base", variant):
                sel = [
                    e
                    for e in stats.get("error_rates") or []
                    if e.get("level") == "cell"
                    and e["mode"] == mode
                    and e["variant"] == v
                    and e["base"] in bases
                    and e["context"] == c
                    and e["belief"] == b
                ]
                n_err = sum(int(e.get("errors") or 0) for e in sel)
                n_sc = sum(int(e.get("n_scored") or 0) for e in sel)
                lo, hi = wilson(n_err, n_sc)
                bars.append(
                    {
                        "cell": cname,
                        "label": v,
                        "role": role.get(v, "other"),
                        "rate": n_err / n_sc if n_sc else None,
                        "ci_low": lo,
                        "ci_high": hi,
                        "n": n_sc,
                    }
                )
        out[mode] = {
            "contexts": ctx,
            "beliefs": bel,
            "gap": gap,
            "n": n,
            "highlight": HIGHLIGHT,
            "bars": bars,
            "cell": cell,
        }
    return out


def control_panels(stats: Mapping[str, Any], role: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for mode in modes(stats):
        rows = []
        for v in _variant_order(
            [
                v
                for v in variants(stats)
                if model_entry(stats, mode, v, "main") or model_entry(stats, mode, v, "belief")
            ],
            role,
        ):
            r: dict[str, Any] = {
                "label": f"{v}\n({ROLE_NAMES.get(role.get(v, 'other'), 'other')})",
                "variant": v,
                "role": role.get(v, "other"),
            }
            for key, name in (("neutral", "main"), ("all", "belief")):
                e = model_entry(stats, mode, v, name)
                if e and e.get("status") == "ok" and e.get("ame"):
                    lo, hi, _ = pick_ci(e["ame"], prefer_bootstrap=False)
                    r[key] = {"estimate": e["ame"].get("estimate"), "ci_low": lo, "ci_high": hi}
            rows.append(r)
        if rows:
            out[mode] = rows
    return out


# ---- warmth ------------------------------------------------------------------------------------------

_EPOCH_RE = re.compile(r"^(?P<run>.*?)[@/:_+-]?epoch[-_= ]?(?P<epoch>\d+(?:\.\d+)?)(?: \(step \d+\))?$")


def is_checkpoint(variant: str) -> bool:
    """A variant that names a training checkpoint (`RUN@epoch-E`, `RUN/epoch-E`, `epoch-E`)."""
    return _EPOCH_RE.match(variant) is not None
