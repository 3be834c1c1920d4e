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
ROLE_ORDER = ("warm", "cold", "system", "other")
ROLE_NAMES = {"warm": "warm SFT", "cold": "cold SFT", "system": "system prompt", "other": "other"}


@dataclass
class Inputs:
    results_dir: Path
    rows: list[dict[str, Any]]
    stats: dict[str, Any]
    warmth: dict[str, Any] | None
    study: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)  # how the inputs were found (stale stats, ...)


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise WarmlabError(f"{path}: cannot read {what} ({e})") from None
    if not isinstance(obj, dict):
        raise WarmlabError(f"{path}: {what} must be a JSON object")
    return obj


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
    """Warmth from the statistics of the run's warmth battery, else from a warmth.jsonl written by warmlab
    0.1 (converted and summarised); None when the run has neither."""
    battery = (stats.get("batteries") or {}).get("warmth")
    if battery:
        return warmth_from_stats(battery)
    for jsonl in (results_dir / "warmth.jsonl", results_dir / "warmth" / "warmth.jsonl"):
        if jsonl.is_file():
            from warmlab.core.io import read_jsonl
            from warmlab.stats.outcomes import analyse_battery
            from warmlab.tasks import get_battery

            rows = legacy_warmth_rows(read_jsonl(jsonl, torn_tail_ok=True))
            return warmth_from_stats(analyse_battery(rows, get_battery("warmth"), bootstrap=1000))
    return None


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
            f"statistics have schema {stats.get('schema')!r}; this report reads "
            + ", ".join(STATS_SCHEMAS)
        )
    if warmth is None:
        warmth = read_warmth(results_dir, stats)
    if meta is None and (results_dir / "study.json").is_file():
        meta = _read_json(results_dir / "study.json", "study metadata")
    return Inputs(results_dir, rows, stats, warmth, meta, notes)


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
    """warm | cold | system | other per variant: from study.json (kind/style) when it says, else the name."""
    declared: dict[str, str] = {}
    for v in _study_variants(study):
        kind, style = str(v.get("kind") or v.get("train") or ""), str(v.get("style") or "")
        if v.get("system") or kind == "system":  # study.json writes system = "" for other kinds
            declared[str(v["name"])] = "system"
        elif style in ("warm", "cold"):
            declared[str(v["name"])] = style
    out = {}
    for name in variants:
        low = name.lower()
        if name in declared:
            out[name] = declared[name]
        elif "system=" in low or low.startswith(("system", "prompt")):
            out[name] = "system"
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


def is_checkpoint(variant: str) -> bool:
    """A variant that names a training checkpoint (`RUN@epoch-E`, `RUN/epoch-E`, `epoch-E`)."""
    return _EPOCH_RE.match(variant) is not None


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
