"""`warmlab study`: variants -> eval -> warmth -> stats -> report, from one TOML config.

Every stage is keyed by a hash of its inputs (config section, upstream stage keys, data files, warmlab's
version). A stage whose key is recorded as finished in OUT/stages.json is skipped; a stage killed half way
is re-entered and resumes (training from its last checkpoint, evaluation from the samples already in
its table), so a restarted study ends with the same results without redoing finished work. When a
stage's inputs change, its old outputs are moved aside (never deleted) and it runs again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError

STAGES_FILE = "stages.json"
RESULTS_FILE = "results.jsonl"
SHIPPED = ("embedded", "paper")  # configs shipped in warmlab/studies/<name>.toml
_EVAL_KEYS = {
    "families",
    "contexts",
    "beliefs",
    "limit",
    "source",
    "max_tokens",
    "temperature",
    "batch_size",
    "engine",  # generate mode: "local" (warmlab's provider, default) or "vllm" (inspect's vLLM provider)
}
ENGINES = ("local", "vllm")


@dataclass(frozen=True)
class Variant:
    """One model to compare with the base: trained here (`train`), a system prompt, or an existing spec."""

    name: str
    kind: str  # sft | system | spec
    style: str = ""
    data: str = "starter"
    system: str = ""
    spec: str = ""
    train: Mapping[str, Any] = field(default_factory=dict)  # further `train sft` settings


@dataclass(frozen=True)
class StudyConfig:
    out: Path
    base: str
    seed: int
    variants: tuple[Variant, ...]
    modes: Mapping[str, Mapping[str, Any]]  # mode -> eval settings for that mode
    judge: str | None
    warmth: Mapping[str, Any]
    stats: Mapping[str, Any]
    source: str  # where the config came from (a path or a shipped name)


def _table(raw: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise WarmlabError(f"study config: [{key}] must be a table")
    return value


def _variant(raw: Any, n: int) -> Variant:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise WarmlabError(f"study config: variant {n + 1} needs a `name`")
    name = raw["name"]
    if name == "base" or "/" in name or "+" in name or "@" in name:
        raise WarmlabError(f"study config: variant name {name!r} is reserved or has /, + or @")
    kinds = [k for k in ("train", "system", "spec") if k in raw]
    if len(kinds) != 1:
        raise WarmlabError(f"study config: variant {name!r} needs exactly one of train, system or spec")
    if "train" in raw:
        if raw["train"] != "sft":
            raise WarmlabError(f'study config: variant {name!r}: train must be "sft"')
        style = raw.get("style")
        if style not in ("warm", "cold"):
            raise WarmlabError(f"study config: variant {name!r}: style must be warm or cold, not {style!r}")
        extra = {k: v for k, v in raw.items() if k not in ("name", "train", "style", "data")}
        return Variant(name, "sft", style=style, data=str(raw.get("data", "starter")), train=extra)
    if "system" in raw:
        return Variant(name, "system", system=str(raw["system"]))
    return Variant(name, "spec", spec=str(raw["spec"]))


def parse_config(raw: Mapping[str, Any], source: str, out: str | None = None) -> StudyConfig:
    """Check a parsed TOML config; every problem is a one-line WarmlabError."""
    known = {"out", "base", "seed", "variant", "eval", "warmth", "stats"}
    unknown = set(raw) - known
    if unknown:
        raise WarmlabError(f"study config: unknown key(s) {', '.join(sorted(unknown))}")
    base = raw.get("base", "embedded")
    if not isinstance(base, str) or not base:
        raise WarmlabError("study config: `base` must be a model spec")
    variants_raw = raw.get("variant", [])
    if not isinstance(variants_raw, list):
        raise WarmlabError("study config: variants are [[variant]] tables")
    variants = tuple(_variant(v, n) for n, v in enumerate(variants_raw))
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise WarmlabError("study config: variant names must be unique")
    ev = _table(raw, "eval")
    modes_list = ev.get("modes", ["choice", "generate"])
    if not isinstance(modes_list, list) or not modes_list or set(modes_list) - {"choice", "generate"}:
        raise WarmlabError("study config: eval.modes must list choice and/or generate")
    common = {k: v for k, v in ev.items() if k in _EVAL_KEYS}
    stray = set(ev) - _EVAL_KEYS - {"modes", "judge", "choice", "generate"}
    if stray:
        raise WarmlabError(f"study config: unknown eval key(s) {', '.join(sorted(stray))}")
    modes: dict[str, dict[str, Any]] = {}
    for mode in modes_list:
        own = _table(ev, mode)
        bad = set(own) - _EVAL_KEYS
        if bad:
            raise WarmlabError(f"study config: unknown eval.{mode} key(s) {', '.join(sorted(bad))}")
        modes[mode] = {**common, **own}
        engine = modes[mode].get("engine", "local")
        if engine not in ENGINES:
            raise WarmlabError(f"study config: eval engine must be local or vllm, not {engine!r}")
        if engine == "vllm" and mode == "choice":
            raise WarmlabError(
                'study config: choice mode scores answers with local models; engine = "vllm" '
                "goes under [eval.generate]"
            )
    seed = raw.get("seed", 0)
    if not isinstance(seed, int):
        raise WarmlabError("study config: seed must be an integer")
    judge = ev.get("judge") or None
    return StudyConfig(
        out=Path(out or raw.get("out", "runs/study")),
        base=base,
        seed=seed,
        variants=variants,
        modes=modes,
        judge=str(judge) if judge else None,
        warmth=_table(raw, "warmth"),
        stats=_table(raw, "stats"),
        source=source,
    )


def load_config(path_or_name: str, out: str | None = None) -> StudyConfig:
    """A TOML file, or the name of a shipped config (embedded, paper)."""
    p = Path(path_or_name)
    if p.is_file():
        text = p.read_text(encoding="utf-8")
    elif path_or_name in SHIPPED:
        text = (files("warmlab") / "studies" / f"{path_or_name}.toml").read_text(encoding="utf-8")
    else:
        shipped = ", ".join(SHIPPED)
        raise WarmlabError(f"study config {path_or_name!r} not found (a file, or one of {shipped})")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise WarmlabError(f"study config {path_or_name}: {e}") from None
    return parse_config(raw, path_or_name, out)


# ---- stage bookkeeping -------------------------------------------------------------------------------


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stage_key(stage: str, inputs: Mapping[str, Any]) -> str:
    blob = json.dumps({"stage": stage, "inputs": inputs, "warmlab": version("warmlab")}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class Ledger:
    """OUT/stages.json: which stage finished with which key (written atomically after each stage)."""

    def __init__(self, out: Path) -> None:
        self.path = out / STAGES_FILE
        self.entries: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            try:
                self.entries = json.loads(self.path.read_text())
            except json.JSONDecodeError:
                self.entries = {}  # a torn write: every stage re-checks (finished work resumes cheaply)

    def done(self, stage: str, key: str) -> bool:
        entry = self.entries.get(stage, {})
        return entry.get("key") == key and entry.get("state") == "done"

    def recorded_key(self, stage: str) -> str | None:
        return self.entries.get(stage, {}).get("key")

    def mark(self, stage: str, key: str, state: str, **info: Any) -> None:
        self.entries[stage] = {"key": key, "state": state, **info}
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.entries, indent=1, sort_keys=True))
        tmp.replace(self.path)


def move_aside(path: Path, old_key: str | None) -> None:
    """Keep outputs of an earlier configuration instead of deleting them."""
    if path.exists():
        dest = path.parent / ".superseded" / f"{path.name}-{old_key or 'unknown'}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            shutil.rmtree(dest) if dest.is_dir() else dest.unlink()
        path.rename(dest)


def say(msg: str) -> None:
    print(f"study: {msg}", file=sys.stderr, flush=True)


def run_stage(
    ledger: Ledger,
    stage: str,
    inputs: Mapping[str, Any],
    outputs: list[Path],
    body: Callable[[], dict[str, Any] | None],
    reuse: bool = False,
) -> str:
    """Run `body` unless this stage already finished with the same inputs and its outputs exist.

    `reuse`: the outputs stay valid under new inputs (the body extends them), so they are not moved aside.
    """
    key = stage_key(stage, inputs)
    if ledger.done(stage, key) and all(p.exists() for p in outputs):
        say(f"{stage}: up to date ({key}), skipped")
        return key
    old = ledger.recorded_key(stage)
    if old != key and not reuse and any(p.exists() for p in outputs):
        for p in outputs:
            move_aside(p, old)
        say(f"{stage}: inputs changed; earlier outputs moved to {outputs[0].parent / '.superseded'}")
    elif old == key:
        say(f"{stage}: resuming an interrupted run")
    else:
        say(f"{stage}: running")
    ledger.mark(stage, key, "running")  # a restart with the same inputs resumes instead of moving aside
    t0 = time.perf_counter()
    info = body() or {}
    seconds = round(time.perf_counter() - t0, 1)
    ledger.mark(stage, key, "done", seconds=seconds, **info)
    say(f"{stage}: done in {seconds:.0f} s")
    return key


# ---- the pipeline ------------------------------------------------------------------------------------


def vllm_spec(spec_text: str) -> str:
    """The inspect vLLM spec of a local model: `vllm/BASE`, with `:ADAPTER` for a LoRA adapter (inspect's
    vLLM provider loads it) and the same `@system=` prompt. Provider specs are returned unchanged."""
    from warmlab.models import parse_spec, resolve_base_path

    spec = parse_spec(spec_text)
    if not spec.is_local or spec.base is None:
        return spec_text
    base = resolve_base_path(spec.base) if spec.base == "embedded" else spec.base
    out = f"vllm/{base}" + (f":{Path(spec.adapter).resolve()}" if spec.adapter else "")
    return out + (f"@system={spec.system}" if spec.system else "")


def data_identity(source: str) -> dict[str, str]:
    """What a training data source is, for stage keys: the file's digest when it is a file."""
    path = source.partition(":")[2] if source.startswith(("oasst:", "jsonl:")) else source
    p = Path(path)
    return {"source": source, "sha256": file_digest(p)} if p.is_file() else {"source": source}


def combine_results(parts: list[tuple[Path, set[str]]], dest: Path) -> int:
    """One tidy table from the per-mode tables, keeping only the samples the config asks for now
    (rewritten atomically; cheap)."""
    from warmlab.evaluate import latest_rows
    from warmlab.results import read_results

    rows = [
        r
        for part, wanted in parts
        for r in latest_rows(read_results(part / RESULTS_FILE))
        if r.get("sample_id") in wanted
    ]
    tmp = dest.with_name(dest.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(dest)
    return len(rows)


def _versions() -> dict[str, str]:
    from warmlab.report import package_versions

    return package_versions()


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=1, sort_keys=True, default=str))
    tmp.replace(path)


def _train_settings(cfg: StudyConfig, v: Variant, folder: Path) -> Any:
    from warmlab.train.sft import resolve_settings

    given = dict(v.train)
    profile = given.pop("profile", None)
    try:
        return resolve_settings(
            v.style, cfg.base, profile, data=v.data, out=str(folder), seed=cfg.seed, **given
        )
    except TypeError as e:
        raise WarmlabError(f"study config: variant {v.name!r}: unknown training setting ({e})") from None


class Child:
    """A spawned process that runs stage jobs (started on the first job, so skipped stages cost nothing).

    Training gets one of its own per stage (`isolated`): the memory a trainer held goes back to the system
    when it ends, so a study's peak is its largest stage, not the sum of them. Evaluation and warmth share
    one, which pays the imports (~8 s) once.
    """

    def __enter__(self) -> Child:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        return self

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.pool.submit(fn, *args).result()

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(cancel_futures=True)


def isolated(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a heavy stage in a fresh process of its own."""
    with Child() as child:
        return child.run(fn, *args)


_READY = False


def _child_setup() -> None:
    global _READY
    if _READY:
        return
    from warmlab.cli import _quiet_inspect, _quiet_libraries

    _quiet_libraries()
    _quiet_inspect()
    _READY = True


def _train_job(s: Any) -> dict[str, Any]:
    _child_setup()
    from warmlab.train.sft import run_sft

    r = run_sft(s)
    return {"steps": r.global_step, "examples": r.n_examples}


def _eval_job(
    models: list[str],
    mode: str,
    folder: Path,
    settings: dict[str, Any],
    seed: int,
    judge: str | None,
    labels: dict[str, tuple[str, str]],
) -> None:
    _child_setup()
    from warmlab.evaluate import EvalSettings, run_eval

    run_eval(models, [mode], folder, EvalSettings(seed=seed, **settings), judge=judge, labels=labels)


def _warmth_job(
    specs: dict[str, str], sft_dirs: dict[str, Path], base: str, w: dict[str, Any], out: Path
) -> None:
    _child_setup()
    from warmlab.measure.warmth import Target, checkpoint_targets, score_models

    targets = [Target(spec, name) for name, spec in specs.items()]
    curves = w.get("checkpoints", True)  # true, false, or the names of the trained variants to follow
    for name, folder in sft_dirs.items():
        if curves is True or (isinstance(curves, list) and name in curves):
            targets += [t for t in checkpoint_targets(folder, base) if t.epoch != 0.0]
    score_models(
        targets,
        out,
        scorer=str(w.get("scorer", "probe")),
        judge=w.get("judge") or None,
        max_tokens=int(w.get("max_tokens", 96)),
        batch_size=int(w.get("batch_size", 64)),
        limit=w.get("limit"),
    )


def run_study(cfg: StudyConfig) -> Path:
    """Run (or finish, or skip) every stage; returns the report's path."""
    from warmlab.evaluate import EvalSettings
    from warmlab.models import parse_spec

    out = cfg.out
    out.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(out)
    parse_spec(cfg.base)
    specs: dict[str, str] = {"base": cfg.base}
    identity: dict[str, Any] = {"base": cfg.base}
    sft_dirs: dict[str, Path] = {}
    meta_variants: list[dict[str, Any]] = []

    # 1. variants: train (or find trained) adapters; system-prompt and given specs need no work
    for v in cfg.variants:
        if v.kind == "sft":
            folder = out / "variants" / v.name
            s = _train_settings(cfg, v, folder)
            inputs = {"settings": s.fingerprint(), "data": data_identity(v.data)}

            def train(s: Any = s) -> dict[str, Any]:
                return isolated(_train_job, s)

            identity[v.name] = run_stage(ledger, f"train:{v.name}", inputs, [folder], train)
            sft_dirs[v.name] = folder
            specs[v.name] = f"{cfg.base}+{folder.resolve()}"
        elif v.kind == "system":
            specs[v.name] = identity[v.name] = f"{cfg.base}@system={v.system}"
        else:
            specs[v.name] = identity[v.name] = v.spec
        parse_spec(specs[v.name])
        meta_variants.append(
            {"name": v.name, "kind": v.kind, "style": v.style, "system": v.system, "spec": specs[v.name]}
        )
    _write_json(
        out / "study.json",
        {
            "config": {"source": cfg.source, "base": cfg.base, "seed": cfg.seed, "judge": cfg.judge},
            "variants": meta_variants,
            "eval": cfg.modes,
            "versions": _versions(),
        },
    )

    # 2. reliability battery, one table per mode; every variant's rows are labelled with its config name.
    # A table belongs to one set of models (its folder is keyed by them), so when only the eval settings
    # change the finished samples are reused and the rest are added.
    from warmlab.evaluate import task_args
    from warmlab.tasks.reliability import reliability

    # Evaluation and warmth run in one child process (started only if one of them has work to do).
    child = Child()
    with child:
        models_key = stage_key("models", {"models": identity, "judge": cfg.judge})[:8]
        eval_dirs = []
        eval_keys = {}
        for mode, settings in cfg.modes.items():
            folder = out / "eval" / f"{mode}-{models_key}"
            inputs = {"models": identity, "settings": settings, "seed": cfg.seed, "judge": cfg.judge}
            plain = {k: v for k, v in settings.items() if k != "engine"}
            es = EvalSettings(seed=cfg.seed, **plain)
            wanted = {str(s.id) for s in reliability(**task_args(es, mode, parse_spec(cfg.base))).dataset}
            run_specs = dict(specs)
            if settings.get("engine") == "vllm":
                run_specs = {name: vllm_spec(spec) for name, spec in specs.items()}
            run_models = list(run_specs.values())
            run_labels = {run_specs[name]: (name, cfg.base) for name in specs}

            def evaluate(
                mode: str = mode,
                settings: Mapping[str, Any] = plain,
                folder: Path = folder,
                models: list[str] = run_models,  # bound per mode
                labels: dict[str, tuple[str, str]] = run_labels,
            ) -> None:
                child.run(_eval_job, models, mode, folder, dict(settings), cfg.seed, cfg.judge, labels)

            eval_keys[mode] = run_stage(ledger, f"eval:{mode}", inputs, [folder], evaluate, reuse=True)
            eval_dirs.append((folder, wanted))
        n_rows = combine_results(eval_dirs, out / RESULTS_FILE)
        say(f"results: {n_rows} rows in {out / RESULTS_FILE}")

        # 3. warmth of each variant's replies, and of each training checkpoint
        warmth_file = out / "warmth.jsonl"
        w = dict(cfg.warmth)

        def warmth() -> None:
            child.run(_warmth_job, specs, sft_dirs, cfg.base, w, warmth_file)

        warmth_key = run_stage(ledger, "warmth", {"models": identity, "settings": w}, [warmth_file], warmth)

    # 4. statistics and 5. the report
    st = dict(cfg.stats)
    stats_file = out / "stats.json"

    def stats() -> None:
        from warmlab.results import read_results
        from warmlab.stats import analyse, clean_json

        result = analyse(
            read_results(out / RESULTS_FILE),
            bootstrap=int(st.get("bootstrap", 1000)),
            seed=cfg.seed,
            headline=st.get("headline"),
            length_covariate=bool(st.get("length_covariate", False)),
            refusal_rule=str(st.get("refusal_rule", "ours")),
            source=str(out / RESULTS_FILE),
        )
        _write_json(stats_file, clean_json(result))

    stats_key = run_stage(ledger, "stats", {"eval": eval_keys, "settings": st}, [stats_file], stats)
    report = out / "report.html"

    def render() -> None:
        from warmlab.report import build_report

        build_report(out, report, stats=json.loads(stats_file.read_text()))

    run_stage(ledger, "report", {"stats": stats_key, "warmth": warmth_key}, [report], render)
    return report
