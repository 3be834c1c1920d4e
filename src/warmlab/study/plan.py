"""From a checked config to the list of evaluation units a study runs, validated before any write.

Everything a study will need is checked here, with the base model's spec, without loading a model: every
variant's training settings and data, every spec and system prompt, each battery's arguments (by building
its task), the judge and user specs. Only then does the pipeline write its first byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.study.config import StudyConfig, Variant
from warmlab.study.ledger import file_digest

RELIABILITY_ARGS = ("families", "contexts", "beliefs", "source")
COMMON = ("limit", "max_tokens", "temperature", "batch_size")
JUDGING = ("judge_all", "judge_sample")  # the judge cascade's settings (reliability's [eval])


@dataclass
class Unit:
    """One battery in one mode, for every model of the study."""

    stage: str
    task: str
    mode: str
    settings: dict[str, Any]  # EvalSettings fields
    judge: str | None = None
    user: str | None = None
    engine: str = "local"
    wanted: set[str] = field(default_factory=set)  # sample ids this config asks for


def data_identity(source: str) -> dict[str, str]:
    """What a training data source is, for stage keys: the file's digest when it is a file."""
    path = source.partition(":")[2] if source.startswith(("oasst:", "jsonl:")) else source
    p = Path(path)
    return {"source": source, "sha256": file_digest(p)} if p.is_file() else {"source": source}


def check_data(v: Variant) -> None:
    """The variant's training data loads (a missing file or a bad line fails before the study starts)."""
    from warmlab.train.conversations import load_source

    try:
        load_source(v.data)
    except WarmlabError as e:
        raise WarmlabError(f"study config: variant {v.name!r}: training data: {e}") from None


def train_settings(cfg: StudyConfig, v: Variant, folder: Path) -> Any:
    from warmlab.train.sft import resolve_settings

    given = dict(v.train)
    profile = given.pop("profile", None)
    try:
        return resolve_settings(
            v.style, cfg.base, profile, data=v.data, out=str(folder), seed=cfg.seed, **given
        )
    except TypeError as e:
        raise WarmlabError(f"study config: variant {v.name!r}: unknown training setting ({e})") from None
    except WarmlabError as e:
        raise WarmlabError(f"study config: variant {v.name!r}: {e}") from None


def rl_settings(cfg: StudyConfig, v: Variant, folder: Path) -> Any:
    """An RL variant's resolved `train rl` settings, its profiles and simulated user checked (no model is
    loaded: a local user model's folder must exist, a provider spec must parse)."""
    from warmlab.models import parse_spec
    from warmlab.train.rl import check_user_spec, select_profiles
    from warmlab.train.rl_config import resolve_rl_settings

    given = dict(v.train)
    taken = sorted(k for k in ("base", "out") if k in given)
    if taken:
        raise WarmlabError(
            f"study config: variant {v.name!r}: {', '.join(taken)} is set by the study (base, out/variants)"
        )
    profile = given.pop("profile", None)
    where = f"study config: variant {v.name!r}"
    if profile is not None and not isinstance(profile, str):
        raise WarmlabError(f"{where}: profile must be a name (cpu), not {profile!r}")
    if not parse_spec(cfg.base).is_local:
        raise WarmlabError(f'{where}: train = "rl" needs a local base model, not {cfg.base!r}')
    try:
        s = resolve_rl_settings(profile, **{"seed": cfg.seed, **given, "base": cfg.base, "out": str(folder)})
        select_profiles(s)
        check_user_spec(s.user)
    except WarmlabError as e:
        raise WarmlabError(f"{where}: {e}") from None
    return s


def _settings(
    task: str, mode_settings: Mapping[str, Any], seed: int, args: Mapping[str, Any]
) -> dict[str, Any]:
    from warmlab.tasks import get_battery

    own = get_battery(task).arguments()
    s: dict[str, Any] = {"task": task, "seed": seed, "args": dict(args)}
    for k in COMMON:
        if mode_settings.get(k) is not None:
            s[k] = mode_settings[k]
    for k in JUDGING:  # only when given: unchanged stage keys for configs without them
        if task == "reliability" and mode_settings.get(k) is not None:
            s[k] = mode_settings[k]
    s.setdefault("max_tokens", int(own.get("max_tokens") or 128))
    return s


def _wanted(unit: Unit, base: str) -> set[str]:
    from warmlab.models import parse_spec
    from warmlab.results.runner import EvalSettings, build_task
    from warmlab.tasks import get_battery

    battery = get_battery(unit.task)
    try:
        task = build_task(battery, EvalSettings(**unit.settings), unit.mode, parse_spec(base))
    except WarmlabError as e:
        raise WarmlabError(f"study config: {unit.stage}: {e}") from None
    return {str(s.id) for s in task.dataset}


def plan_units(cfg: StudyConfig) -> list[Unit]:
    """Every evaluation unit of the study, each built once (bad settings fail here)."""
    from warmlab.models import parse_spec
    from warmlab.tasks import batteries, get_battery

    units: list[Unit] = []
    for mode, ms in cfg.modes.items():
        args = {k: ms[k] for k in RELIABILITY_ARGS if ms.get(k) is not None}
        units.append(
            Unit(
                f"eval:{mode}",
                "reliability",
                mode,
                _settings("reliability", ms, cfg.seed, args),
                cfg.judge,
                engine=str(ms.get("engine") or "local"),
            )
        )
    for name, t in cfg.tasks.items():
        if name not in batteries():
            raise WarmlabError(
                f"study config: [tasks.{name}]: unknown task; choose from: {', '.join(batteries())}"
            )
        battery = get_battery(name)
        for mode in t.get("modes") or battery.modes:
            if mode not in battery.modes:
                raise WarmlabError(
                    f"study config: [tasks.{name}]: no mode {mode!r} ({', '.join(battery.modes)})"
                )
            units.append(
                Unit(
                    f"eval:{name}:{mode}",
                    name,
                    mode,
                    _settings(name, t, cfg.seed, t.get("args") or {}),
                    t.get("judge"),
                    t.get("user"),
                )
            )
    w = cfg.warmth
    if w.get("enabled", True):
        units.append(
            Unit(
                "warmth",
                "warmth",
                "generate",
                _settings("warmth", w, cfg.seed, {"scorer": w.get("scorer", "probe")}),
                w.get("judge"),
            )
        )
    for u in units:
        for spec in (u.judge, u.user):
            if spec:
                parse_spec(spec)
        u.wanted = _wanted(u, cfg.base)
    return units


def check_study(cfg: StudyConfig) -> tuple[list[Unit], dict[str, Any]]:
    """Validate the whole config (and every file it names); returns the units and each trained variant's
    resolved settings."""
    from dataclasses import replace

    from warmlab.core.io import out_folder
    from warmlab.models import check_usable, parse_spec
    from warmlab.study.directions import check_directions, screen_setting

    out_folder(cfg.out, flag="study out")
    check_usable(cfg.base)
    settings: dict[str, Any] = {}
    for v in cfg.variants:
        if v.kind == "sft":
            check_data(v)
            settings[v.name] = train_settings(cfg, v, cfg.out / "variants" / v.name)
            settings[v.name] = replace(settings[v.name], **screen_setting(cfg, v))
        elif v.kind == "rl":
            settings[v.name] = rl_settings(cfg, v, cfg.out / "variants" / v.name)
        elif v.kind == "system":
            parse_spec(f"{cfg.base}@system={v.system}")
        elif v.kind == "spec":
            check_usable(v.spec)
    check_directions(cfg)
    names = {v.name for v in cfg.variants}
    follow = cfg.warmth.get("checkpoints", True)
    if isinstance(follow, list) and set(follow) - names:
        raise WarmlabError(
            "study config: warmth.checkpoints names unknown variant(s) "
            + ", ".join(sorted(set(follow) - names))
        )
    head = cfg.stats.get("headline")
    if head is not None and head not in names:
        raise WarmlabError(f"study config: stats.headline {head!r} is not a variant")
    units = plan_units(cfg)
    for u in units:  # a judge or user that cannot be used fails now, not after the first stages ran
        for spec in {u.judge, u.user} - {None}:
            check_usable(str(spec))
        if u.engine == "vllm":
            check_usable(f"vllm/{cfg.base}")
    return units, settings
