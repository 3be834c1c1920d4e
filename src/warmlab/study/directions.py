"""Persona directions in a study: the [directions] stage (extract the base's direction into OUT/directions/),
capped and steered variants (`cap = "warmth:95"`, `of = "warm"`), and the [monitor] stage (every variant's
and checkpoint's projection shift from the base, without generation, into OUT/monitor.json).

A trait named in [directions] means the study's own file; any other trait means the base's saved direction
(`warmlab directions extract`), and a path means that file. Everything is checked before the study writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.study.config import StudyConfig, Variant

MONITOR_FILE = "monitor.json"
MONITOR_ROWS = "monitor.jsonl"


def direction_file(out: Path, trait: str) -> Path:
    return out / "directions" / f"{trait}.json"


def study_traits(cfg: StudyConfig) -> tuple[str, ...]:
    return tuple((cfg.directions or {}).get("traits", ()))


def resolve(cfg: StudyConfig, target: str) -> str:
    """The direction file a trait or file name means in this study (the study's own when it extracts it)."""
    if target in study_traits(cfg):
        return str(direction_file(cfg.out, target).resolve())
    from warmlab.directions.store import resolve_direction
    from warmlab.models import parse_spec

    return resolve_direction(target, parse_spec(cfg.base).base or cfg.base)


def _check_target(cfg: StudyConfig, target: str, where: str) -> None:
    """A trait the study extracts is fine; anything else must resolve now, to a file of the base's shape."""
    if target in study_traits(cfg):
        return
    from warmlab.directions.store import check_fits, load_direction

    try:
        check_fits(load_direction(resolve(cfg, target)), cfg.base)
    except WarmlabError as e:
        raise WarmlabError(f"study config: {where}: {e}") from None


def _local_base(cfg: StudyConfig, what: str) -> None:
    from warmlab.models import parse_spec

    spec = parse_spec(cfg.base)
    if not spec.is_local or spec.base is None or spec.adapter or spec.system or spec.interventions:
        raise WarmlabError(f"study config: {what} needs a plain local base model, not {cfg.base!r}")


def check_directions(cfg: StudyConfig) -> None:
    """Every direction the study will use, checked before any write: traits and sources of [directions],
    each cap/steer target, screening directions and the monitor's."""
    from warmlab.directions.contrast import parse_sources

    if cfg.directions is not None:
        _local_base(cfg, "[directions]")
        for trait in study_traits(cfg):
            try:
                parse_sources(trait, cfg.directions.get("sources") if trait == "warmth" else None)
            except WarmlabError as e:
                raise WarmlabError(f"study config: [directions]: {e}") from None
    for v in cfg.variants:
        if v.kind == "hooked":
            _local_base(cfg, f"variant {v.name!r} ({v.hooks[0][0]})")
            for kind, target, _ in v.hooks:
                _check_target(cfg, target, f"variant {v.name!r}: {kind}")
        elif v.kind == "sft" and v.train.get("screen") is not None:
            target = str(v.train.get("screen_direction") or "warmth")
            if target != "random":
                _check_target(cfg, target, f"variant {v.name!r}: screen_direction")
    if cfg.monitor is not None:
        _local_base(cfg, "[monitor]")
        _check_target(cfg, str(cfg.monitor["direction"]), "[monitor] direction")
        follow = cfg.monitor.get("checkpoints")
        trained = {v.name for v in cfg.variants if v.kind == "sft"}
        if isinstance(follow, list) and set(follow) - trained:
            bad = sorted(set(follow) - trained)[0]
            raise WarmlabError(f"study config: [monitor] checkpoints: {bad!r} is not a trained variant")


def screen_setting(cfg: StudyConfig, v: Variant) -> dict[str, Any]:
    """A screened variant's `screen_direction` as the file the study means (its own when it extracts it)."""
    target = v.train.get("screen_direction") or "warmth"
    if v.train.get("screen") is None or target not in study_traits(cfg):
        return {}
    return {"screen_direction": str(direction_file(cfg.out, str(target)).resolve())}


def hooked_spec(cfg: StudyConfig, v: Variant, of_spec: str) -> str:
    """The spec of a capped or steered variant: its model's spec with the modifiers appended."""
    return of_spec + "".join(f"@{kind}={resolve(cfg, target)}:{value:g}" for kind, target, value in v.hooks)


def hooked_identity(cfg: StudyConfig, v: Variant, of_identity: Any) -> list[Any]:
    """What decides a hooked variant's outputs: its model's identity, the hooks and the direction files."""
    from warmlab.study.ledger import file_digest

    hooks = [[k, value, file_digest(Path(resolve(cfg, t)))] for k, t, value in v.hooks]
    return [of_identity, hooks]


def extract_job(base: str, trait: str, settings: Mapping[str, Any], seed: int, path: str) -> dict[str, Any]:
    """The [directions] stage (in a child process): extract and save one trait's direction of the base."""
    from warmlab.directions.extract import extract
    from warmlab.directions.store import save_direction
    from warmlab.study.jobs import _setup

    _setup()
    d, scores = extract(
        base,
        trait,
        settings.get("sources") if trait == "warmth" else None,
        int(settings["limit"]),
        float(settings["heldout"]),
        seed,
        int(settings["max_tokens"]),
        int(settings["batch_size"]),
        log=lambda s: print(f"study: directions:{trait}: {s}", flush=True),
    )
    save_direction(d, path)
    from warmlab.models import parse_spec
    from warmlab.provider import release

    spec = parse_spec(base)
    release(str(spec.base), spec.adapter)  # the child runs other stages next
    best = scores[d.layer]
    return {"layer": d.layer, "heldout_d": round(best.d, 3), "pair_accuracy": best.pair_accuracy}


def monitor_targets(
    cfg: StudyConfig, specs: Mapping[str, str], sft_dirs: Mapping[str, Path]
) -> list[dict[str, Any]]:
    """The base first, then every variant served by a local model, then the epoch checkpoints of the
    followed training runs, labelled as the warmth battery labels them (`NAME@EPOCH`)."""
    from warmlab.models import parse_spec
    from warmlab.train.checkpoints import checkpoint_targets

    out: list[dict[str, Any]] = [{"spec": specs["base"], "variant": "base", "epoch": None, "run": ""}]
    for name, spec in specs.items():
        if name != "base" and parse_spec(spec).is_local:
            out.append({"spec": spec, "variant": name, "epoch": None, "run": ""})
    follow = (cfg.monitor or {}).get("checkpoints", True)
    for name, folder in sft_dirs.items():
        if follow is True or (isinstance(follow, list) and name in follow):
            for t in checkpoint_targets(folder, cfg.base):
                if t.epoch not in (None, 0.0):
                    out.append(
                        {"spec": t.spec, "variant": f"{name}@{t.epoch:g}", "epoch": t.epoch, "run": name}
                    )
    return out


def monitor_job(targets: Sequence[Mapping[str, Any]], direction: str, limit: int | None, out: str) -> None:
    """The [monitor] stage (in a child process): rows in OUT/monitor.jsonl, shifts in OUT/monitor.json."""
    from warmlab.core.io import write_json
    from warmlab.directions.monitor import Target, monitor, monitor_prompts
    from warmlab.directions.store import load_direction
    from warmlab.stats import clean_json
    from warmlab.study.jobs import _setup

    _setup()
    d = load_direction(direction)
    ts = [Target(str(t["spec"]), str(t["variant"]), t["epoch"]) for t in targets]
    prompts = monitor_prompts(limit)
    folder = Path(out)
    _rows, shifts = monitor(
        ts, d, prompts, folder / MONITOR_ROWS, log=lambda s: print(f"study: monitor: {s}", flush=True)
    )
    runs = {str(t["variant"]): str(t.get("run") or "") for t in targets}
    summary = clean_json(
        {
            "trait": d.trait,
            "direction": d.path,
            "layer": d.layer,
            "n_prompts": len(prompts),
            "shifts": [
                {
                    "variant": s.variant,
                    "spec": s.spec,
                    "epoch": s.epoch,
                    "run": runs.get(s.variant, ""),
                    "n": s.n,
                    "prompt": s.prompt,
                    "prompt_ci": list(s.prompt_ci),
                    "response": s.response,
                    "response_ci": list(s.response_ci),
                }
                for s in shifts
            ],
        }
    )
    write_json(folder / MONITOR_FILE, summary)
