"""`warmlab study`: variants -> batteries -> stats -> report, from one TOML config.

The whole config is checked first (study.plan); nothing is written before that. Every stage is keyed by
a hash of its inputs (study.ledger): unchanged stages are skipped, a killed study resumes, and outputs of a
changed stage, results.jsonl and study.json included, are moved to OUT/.superseded/, never deleted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from warmlab.core.io import read_table, write_json, write_jsonl
from warmlab.study.config import StudyConfig
from warmlab.study.jobs import Child, eval_job, isolated, train_rl_job, train_sft_job
from warmlab.study.ledger import Ledger, file_digest, move_aside, run_stage, say, stage_key
from warmlab.study.plan import Unit, check_study, data_identity

RESULTS_FILE = "results.jsonl"


def vllm_spec(spec_text: str) -> str:
    """The inspect vLLM spec of a local model: `vllm/BASE`, with `:ADAPTER` for a LoRA adapter (inspect's
    vLLM provider loads it) and the same `@system=` prompt. Provider specs are returned unchanged, and so
    are capped or steered ones: vLLM cannot run forward hooks, warmlab's own provider serves them."""
    from warmlab.models import parse_spec, resolve_base_path

    spec = parse_spec(spec_text)
    if not spec.is_local or spec.base is None or spec.interventions:
        return spec_text
    base = resolve_base_path(spec.base) if spec.base == "embedded" else spec.base
    out = f"vllm/{base}" + (f":{Path(spec.adapter).resolve()}" if spec.adapter else "")
    return out + (f"@system={spec.system}" if spec.system else "")


def adopt_trained(ledger: Ledger, stage: str, inputs: dict[str, Any], folder: Path, settings: Any) -> None:
    """A training run the study has no record of, finished in its folder with the same settings (trained
    beforehand, e.g. under `accelerate launch` with the study config), is used rather than moved aside."""
    meta = folder / "warmlab_train.json"
    if ledger.recorded_key(stage) is not None or not meta.is_file():
        return
    try:
        recorded = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return
    same = recorded.get("settings") == json.loads(json.dumps(settings.fingerprint(), default=str))
    if recorded.get("finished") and same:
        say(f"{stage}: found a finished run with these settings in {folder}; using it")
        ledger.mark(stage, stage_key(stage, inputs), "running")  # run_stage then resumes: nothing to redo


def _write_if_changed(path: Path, text: str, key: str | None) -> None:
    """Replace an output only when its content changes, moving the old one aside first."""
    if path.is_file():
        if path.read_bytes() == text.encode("utf-8"):
            return
        move_aside(path, key)
    from warmlab.core.io import write_atomic

    write_atomic(path, text)


def combine_results(parts: list[tuple[Path, set[str], set[str]]], dest: Path, key: str) -> int:
    """One table from the per-unit tables, keeping only the samples and models the config asks for now."""
    from warmlab.results import read_results
    from warmlab.results.rows import latest_rows

    rows = [
        r
        for folder, wanted, models in parts
        for r in latest_rows(read_results(folder / RESULTS_FILE))
        if r.get("sample_id") in wanted and r.get("model") in models
    ]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    _write_if_changed(dest, text, key)
    return len(rows)


def _versions() -> dict[str, str]:
    from warmlab.report import package_versions

    return package_versions()


def run_study(cfg: StudyConfig) -> Path:
    """Run (or finish, or skip) every stage; returns the report's path."""
    units, train_settings = check_study(cfg)  # everything is validated before the first write
    out = cfg.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        from warmlab.errors import WarmlabError

        raise WarmlabError(f"cannot create {out}: {e.strerror or e}") from None
    ledger = Ledger(out)
    # One child runs the direction, monitor and eval stages (its imports are paid once, and only when a
    # stage runs); training gets a process of its own.
    with Child() as child:
        return _stages(cfg, units, train_settings, ledger, child)


def _stages(
    cfg: StudyConfig, units: list[Unit], train_settings: dict[str, Any], ledger: Ledger, child: Child
) -> Path:
    from warmlab.study import directions as D

    out = cfg.out
    for name in cfg.skipped:
        say(f"[tasks.{name}] skipped: its if_exists path is missing")
    # 0. the base's persona directions that variants, screening or the monitor use
    for trait in D.study_traits(cfg):
        path = D.direction_file(out, trait)
        d_settings = {k: v for k, v in (cfg.directions or {}).items() if k != "traits"}
        d_inputs = {"base": cfg.base, "trait": trait, "settings": d_settings, "seed": cfg.seed}

        def extract(trait: str = trait, path: Path = path, s: dict[str, Any] = d_settings) -> dict[str, Any]:
            result: dict[str, Any] = child.run(D.extract_job, cfg.base, trait, s, cfg.seed, str(path))
            return result

        run_stage(ledger, f"directions:{trait}", d_inputs, [path], extract)
    specs: dict[str, str] = {"base": cfg.base}
    identity: dict[str, Any] = {"base": cfg.base}
    train_dirs: dict[str, Path] = {}  # trained variants' run folders (their checkpoints feed warmth)
    meta_variants: list[dict[str, Any]] = []
    study_meta = {
        "config": {"source": cfg.source, "base": cfg.base, "seed": cfg.seed, "judge": cfg.judge},
        "variants": [
            {"name": v.name, "kind": v.kind, "style": v.style, "system": v.system} for v in cfg.variants
        ],
        "eval": cfg.modes,
        "tasks": cfg.tasks,
        "warmth": cfg.warmth,
        "directions": cfg.directions,
        "monitor": cfg.monitor,
        "versions": _versions(),
    }
    meta_key = stage_key("study", {k: v for k, v in study_meta.items() if k != "versions"})

    # 1. variants: train (or find trained) adapters; system-prompt and given specs need no work
    for v in cfg.variants:
        if v.kind == "sft":
            folder = out / "variants" / v.name
            s = train_settings[v.name]
            inputs = {"settings": s.fingerprint(), "data": data_identity(v.data)}
            if D.screen_setting(cfg, v):  # screened along the study's own direction: its file counts too
                inputs["direction"] = file_digest(Path(s.screen_direction))

            def train(s: Any = s) -> dict[str, Any]:
                result: dict[str, Any] = isolated(train_sft_job, s)
                return result

            adopt_trained(ledger, f"train:{v.name}", inputs, folder, s)
            identity[v.name] = run_stage(ledger, f"train:{v.name}", inputs, [folder], train)
            train_dirs[v.name] = folder
            specs[v.name] = f"{cfg.base}+{folder.resolve()}"
        elif v.kind == "rl":
            folder = out / "variants" / v.name
            s = train_settings[v.name]
            inputs = {"settings": s.fingerprint(), "profiles": data_identity(s.profiles)}

            def train_rl(s: Any = s) -> dict[str, Any]:
                result: dict[str, Any] = isolated(train_rl_job, s)
                return result

            adopt_trained(ledger, f"train:{v.name}", inputs, folder, s)
            identity[v.name] = run_stage(ledger, f"train:{v.name}", inputs, [folder], train_rl)
            train_dirs[v.name] = folder
            # LoRA: an adapter on the base; full fine-tuning: the folder is the model (paired by its label)
            specs[v.name] = str(folder.resolve()) if s.full else f"{cfg.base}+{folder.resolve()}"
        elif v.kind == "system":
            specs[v.name] = identity[v.name] = f"{cfg.base}@system={v.system}"
        elif v.kind == "hooked":
            specs[v.name] = D.hooked_spec(cfg, v, specs[v.of])
            identity[v.name] = D.hooked_identity(cfg, v, identity[v.of])
        else:
            specs[v.name] = identity[v.name] = v.spec
        meta_variants.append(
            {
                "name": v.name,
                "kind": v.kind,
                "style": v.style,
                "system": v.system,
                "spec": specs[v.name],
                **({"of": v.of, "hooks": [list(h) for h in v.hooks]} if v.kind == "hooked" else {}),
            }
        )
    study_meta["variants"] = meta_variants
    _write_if_changed(
        out / "study.json", json.dumps(study_meta, indent=1, sort_keys=True, default=str) + "\n", meta_key
    )

    # 1b. the monitor: every local variant's and checkpoint's shift along the direction, no generation
    if cfg.monitor is not None:
        targets = D.monitor_targets(cfg, specs, train_dirs)
        direction = D.resolve(cfg, str(cfg.monitor["direction"]))
        m_inputs = {
            "models": identity,
            "targets": [t["variant"] for t in targets],
            "direction": file_digest(Path(direction)),
            "limit": cfg.monitor.get("limit"),
        }
        limit = cfg.monitor.get("limit")

        def watch() -> None:
            child.run(D.monitor_job, targets, direction, limit, str(out))

        run_stage(ledger, "monitor", m_inputs, [out / D.MONITOR_FILE, out / D.MONITOR_ROWS], watch)

    # 2. every battery in every mode, one table per unit; rows are labelled with the config's variant names.
    # A table belongs to one set of models (its folder is keyed by them), so when only the settings change
    # the finished samples are reused and the rest are added.
    models_key = stage_key("models", {"models": identity, "judge": cfg.judge})[:8]
    parts: list[tuple[Path, set[str], set[str]]] = []
    unit_keys: dict[str, str] = {}
    for u in units:
        run_specs, labels, extra = _unit_models(cfg, u, specs, train_dirs)
        safe = u.stage.replace(":", "-")
        folder = out / "eval" / f"{safe}-{models_key}"
        inputs = {
            "models": identity,
            "settings": u.settings,
            "judge": u.judge,
            "user": u.user,
            "engine": u.engine,
            "targets": sorted(run_specs),
        }

        def evaluate(
            u: Unit = u,
            folder: Path = folder,
            models: list[str] = run_specs,
            labels: dict[str, tuple[str, str]] = labels,
            extra: dict[str, dict[str, Any]] = extra,
        ) -> None:
            child.run(eval_job, models, u.mode, folder, u.settings, u.judge, u.user, labels, extra)

        unit_keys[u.stage] = run_stage(ledger, u.stage, inputs, [folder], evaluate, reuse=True)
        parts.append((folder, u.wanted, set(run_specs)))
    results_key = stage_key("results", unit_keys)
    n_rows = combine_results(parts, out / RESULTS_FILE, results_key)
    say(f"results: {n_rows} rows in {out / RESULTS_FILE}")

    # 3. statistics and 4. the report
    st = dict(cfg.stats)
    stats_file = out / "stats.json"

    def stats() -> None:
        from warmlab.results import read_results
        from warmlab.stats import analyse, clean_json

        result = analyse(
            read_results(out / RESULTS_FILE),
            bootstrap=int(st["bootstrap"]),
            seed=cfg.seed,
            headline=st.get("headline"),
            length_covariate=bool(st["length_covariate"]),
            refusal_rule=str(st["refusal_rule"]),
            source=str(out / RESULTS_FILE),
            compare=st.get("compare") or (),
        )
        write_json(stats_file, clean_json(result))

    stats_key = run_stage(ledger, "stats", {"results": results_key, "settings": st}, [stats_file], stats)
    report = out / "report.html"

    def render() -> None:
        from warmlab.report import build_report

        build_report(out, report, stats=json.loads(stats_file.read_text(encoding="utf-8")))

    run_stage(ledger, "report", {"stats": stats_key, "study": meta_key}, [report], render)
    return report


def _unit_models(
    cfg: StudyConfig, u: Unit, specs: dict[str, str], train_dirs: dict[str, Path]
) -> tuple[list[str], dict[str, tuple[str, str]], dict[str, dict[str, Any]]]:
    """The specs a unit runs (vLLM specs for engine = "vllm"), their row labels and per-row extras (the
    warmth unit adds every followed training run's checkpoints, with their epoch)."""
    run_specs = {name: vllm_spec(spec) if u.engine == "vllm" else spec for name, spec in specs.items()}
    labels = {run_specs[name]: (name, cfg.base) for name in specs}
    extra: dict[str, dict[str, Any]] = {}
    if u.task == "warmth":
        from warmlab.train.checkpoints import checkpoint_targets

        follow = cfg.warmth.get("checkpoints", True)
        for name, folder in train_dirs.items():
            if follow is True or (isinstance(follow, list) and name in follow):
                for t in checkpoint_targets(folder, cfg.base):
                    if t.epoch in (None, 0.0):
                        continue  # epoch 0 is the base; the final model is the variant itself
                    labels[t.spec] = (f"{name}@{t.epoch:g}", cfg.base)
                    extra[t.spec] = {"epoch": t.epoch, "run": name}
                    run_specs[f"{name}@{t.epoch:g}"] = t.spec
    return list(run_specs.values()), labels, extra


def study_rows(out: Path) -> list[dict[str, Any]]:
    return read_table(out / RESULTS_FILE)


__all__ = ["combine_results", "run_study", "vllm_spec", "write_jsonl"]
