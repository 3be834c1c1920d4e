"""The study config: one typed schema, checked whole before a study writes anything.

out, base, seed
[[variant]]      name + one of: train = "sft" (style, data, any `train sft` setting), train = "rl"
                 (any `train rl` setting: profile, user, profiles, max_steps, ...), system = NAME,
                 spec = SPEC; or cap = "TRAIT_OR_FILE:P" / steer = "TRAIT_OR_FILE:A" on the base or on
                 an earlier variant (of = NAME)
[directions]     trait (a name or a list), sources, limit, heldout, max_tokens, batch_size: extract the
                 base's direction(s) into OUT/directions/ before anything uses them
[monitor]        direction, limit, checkpoints: every variant's and checkpoint's projection shift from
                 the base (no generation), after training
[eval]           the reliability battery: modes, families, contexts, beliefs, limit, source,
                 max_tokens, temperature, batch_size, engine, judge, judge_all, judge_sample;
                 [eval.choice] / [eval.generate]
[warmth]         the warmth battery: limit, max_tokens, batch_size, scorer, judge, checkpoints
[tasks.NAME]     any other battery: modes, limit, max_tokens, temperature, batch_size, user (an LLM
                 simulated user spec), judge, if_exists (run it only when this path exists), and the
                 battery's own arguments
[stats]          bootstrap, headline, length_covariate, refusal_rule, compare (pairs of variants)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from warmlab.core import limits
from warmlab.errors import WarmlabError

SHIPPED = ("embedded", "paper")  # configs shipped in warmlab/studies/<name>.toml
Strict = ConfigDict(extra="forbid", strict=True)
Text = Field(default=None, min_length=1)


class RunSettings(BaseModel):
    model_config = Strict
    limit: int | None = limits.LIMIT.field()
    max_tokens: int | None = limits.MAX_TOKENS.field()
    temperature: float | None = limits.TEMPERATURE.field()
    batch_size: int | None = limits.BATCH_SIZE.field()


class EvalMode(RunSettings):
    families: str | list[str] | None = None
    contexts: str | list[str] | None = None
    beliefs: str | list[str] | None = None
    source: str | None = None
    engine: Literal["local", "vllm"] | None = None


class EvalSection(EvalMode):
    modes: list[Literal["choice", "generate"]] = ["choice", "generate"]
    judge: str | None = None
    judge_all: bool | None = None  # the judge grades every row (default: only the undecided ones)
    judge_sample: int | None = Field(default=None, ge=0, le=1_000_000)  # decided rows per model x mode
    choice: EvalMode | None = None
    generate: EvalMode | None = None


class WarmthSection(RunSettings):
    scorer: str = Field(default="probe", min_length=1)
    judge: str | None = None
    checkpoints: bool | list[str] = True
    enabled: bool = True


class TaskSection(RunSettings):
    model_config = ConfigDict(extra="allow", strict=True)  # the extras are the battery's own arguments
    modes: list[str] | None = None
    user: str | None = None
    judge: str | None = None
    if_exists: str | None = None  # a file or folder the battery needs (upstream data): skipped without it


class DirectionsSection(BaseModel):
    model_config = Strict
    trait: str | list[str] = "warmth"
    sources: str | None = None
    limit: int = Field(default=32, ge=2, le=100_000)
    heldout: float = Field(default=0.25, gt=0, lt=1)
    max_tokens: int = Field(default=48, ge=1, le=4096)
    batch_size: int = Field(default=32, ge=1, le=4096)


class MonitorSection(BaseModel):
    model_config = Strict
    direction: str = "warmth"
    limit: int | None = Field(default=None, ge=1, le=100_000)
    checkpoints: bool | list[str] = True
    enabled: bool = True


class StatsSection(BaseModel):
    model_config = Strict
    bootstrap: int = limits.BOOTSTRAP.field(1000)
    headline: str | None = None
    length_covariate: bool = False
    refusal_rule: Literal["ours", "paper"] = "ours"
    compare: list[list[str]] = []  # [variant, reference] pairs compared on paired samples


class TrainSettings(BaseModel):
    """`warmlab train sft` settings a trained variant may set (the rest come from its profile)."""

    model_config = Strict
    profile: str | None = Text
    epochs: float | None = limits.EPOCHS.field()
    lr: float | None = limits.LEARNING_RATE.field()
    max_length: int | None = limits.MAX_LENGTH.field()
    batch_size: int | None = limits.BATCH_SIZE.field()
    effective_batch: int | None = limits.BATCH_SIZE.field()
    lora_r: int | None = limits.LORA_RANK.field()
    lora_alpha: int | None = limits.LORA_RANK.field()
    lora_dropout: float | None = Field(default=None, ge=0, lt=1, allow_inf_nan=False)
    target_modules: str | None = Text
    lora_top_layers: float | None = limits.OPEN_FRACTION.field()
    full: bool | None = None
    limit: int | None = limits.LIMIT.field()
    checkpoint_epochs: list[float] | None = Field(default=None, min_length=1)
    main_epoch: float | None = limits.EPOCHS.field()
    warmup_ratio: float | None = limits.FRACTION.field()
    max_steps: int | None = limits.STEPS.field()
    screen: float | None = limits.OPEN_FRACTION.field()  # drop this share along screen_direction
    screen_direction: str | None = Text  # a trait, a direction file, or random (the control)


class VariantEntry(TrainSettings):
    # extras: `train rl` settings (checked by resolve_rl_settings); refused for every other kind
    model_config = ConfigDict(extra="allow", strict=True)
    name: str = Field(min_length=1)
    train: Literal["sft", "rl"] | None = None
    style: Literal["warm", "cold"] | None = None
    data: str = Field(default="starter", min_length=1)
    system: str | None = Text
    spec: str | None = Text
    of: str | None = Text
    cap: str | None = Text
    steer: str | None = Text


class StudyFile(BaseModel):
    model_config = Strict
    out: str = Field(default="runs/study", min_length=1)
    base: str = Field(default="embedded", min_length=1)
    seed: int = limits.SEED.field(0)
    variant: list[VariantEntry] = []
    eval: EvalSection = EvalSection()
    warmth: WarmthSection = WarmthSection()
    tasks: dict[str, TaskSection] = {}
    stats: StatsSection = StatsSection()
    directions: DirectionsSection | None = None
    monitor: MonitorSection | None = None


@dataclass(frozen=True)
class Variant:
    """One model to compare with the base: trained here (`train`), a system prompt, an existing spec, or
    another variant (`of`, default the base) capped or steered along a direction (`hooks`)."""

    name: str
    kind: str  # sft | rl | system | spec | hooked
    style: str = ""
    data: str = "starter"
    system: str = ""
    spec: str = ""
    train: Mapping[str, Any] = field(default_factory=dict)  # further `train sft` / `train rl` settings
    of: str = ""
    hooks: tuple[tuple[str, str, float], ...] = ()  # (cap | steer, trait or file, value), as written


@dataclass(frozen=True)
class StudyConfig:
    out: Path
    base: str
    seed: int
    variants: tuple[Variant, ...]
    modes: Mapping[str, Mapping[str, Any]]  # reliability: mode -> eval settings for that mode
    judge: str | None
    warmth: Mapping[str, Any]
    stats: Mapping[str, Any]
    source: str  # where the config came from (a path or a shipped name)
    tasks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # other batteries
    directions: Mapping[str, Any] | None = None  # [directions]: traits (a tuple) and extraction settings
    monitor: Mapping[str, Any] | None = None
    skipped: tuple[str, ...] = ()  # [tasks.NAME] left out because their `if_exists` path is missing


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(x) for x in loc) or "(top level)"


def _explain(e: ValidationError) -> str:
    err = e.errors()[0]
    what = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
    got = "" if err["type"] in ("extra_forbidden", "missing") else f" (got {err.get('input')!r})"
    more = f" (and {len(e.errors()) - 1} more)" if len(e.errors()) > 1 else ""
    return f"{_where(err['loc'])}: {what}{got}{more}"


def _variant(v: VariantEntry) -> Variant:
    name = v.name
    if name == "base" or any(c in name for c in "/+@ "):
        raise WarmlabError(f"study config: variant name {name!r} is reserved or has /, +, @ or a space")
    kinds = [k for k in ("train", "system", "spec") if getattr(v, k) is not None]
    hooks = [(k, getattr(v, k)) for k in ("cap", "steer") if getattr(v, k) is not None]
    if hooks or v.of is not None:
        if kinds:
            raise WarmlabError(
                f"study config: variant {name!r}: cap/steer/of go on a variant of their own (of = NAME), "
                f"not beside {kinds[0]}"
            )
        if not hooks:
            raise WarmlabError(f"study config: variant {name!r}: of = {v.of!r} needs cap or steer")
        if v.model_extra:
            raise WarmlabError(f"study config: variant {name!r}: unknown key {sorted(v.model_extra)[0]!r}")
        return Variant(name, "hooked", of=v.of or "base", hooks=tuple(_hook(name, k, x) for k, x in hooks))
    if len(kinds) != 1:
        raise WarmlabError(
            f"study config: variant {name!r} needs exactly one of train, system, spec, or cap/steer"
        )
    sft_keys = v.model_dump(include=set(TrainSettings.model_fields), exclude_none=True)
    extra = {**sft_keys, **(v.model_extra or {})}
    if v.train == "rl":
        given = sorted(k for k in ("style", "data") if k in v.model_fields_set)
        if given:
            raise WarmlabError(
                f'study config: variant {name!r}: {", ".join(given)} is for train = "sft"; an RL variant '
                "trains on user profiles (profiles = FILE) against a simulated user (user = SPEC)"
            )
        return Variant(name, "rl", train=extra)  # resolve_rl_settings refuses an unknown key
    if v.model_extra:
        raise WarmlabError(f"study config: variant {name!r}: unknown key {sorted(v.model_extra)[0]!r}")
    for e in extra.get("checkpoint_epochs", []):
        limits.EPOCHS.check(e, f"study config: variant {name!r}: checkpoint_epochs")
    if v.train is not None:
        if v.style is None:
            raise WarmlabError(f"study config: variant {name!r}: style must be warm or cold")
        return Variant(name, v.train, style=v.style, data=v.data, train=extra)
    keys = sorted({*extra, *({"style", "data"} & v.model_fields_set)})
    if keys:
        raise WarmlabError(f'study config: variant {name!r}: {", ".join(keys)}: only for train = "sft"')
    if v.system is not None:
        return Variant(name, "system", system=v.system)
    return Variant(name, "spec", spec=str(v.spec))


def _hook(name: str, kind: str, value: str) -> tuple[str, str, float]:
    from warmlab.models import parse_intervention

    try:
        target, x = parse_intervention(value, kind, value)
    except WarmlabError as e:
        reason = str(e).split(": ", 1)[-1]
        raise WarmlabError(f"study config: variant {name!r}: {kind} = {value!r}: {reason}") from None
    return kind, target, x


def _clean(d: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def parse_config(raw: Mapping[str, Any], source: str, out: str | None = None) -> StudyConfig:
    """Check a parsed TOML config; every problem is a one-line WarmlabError."""
    try:
        f = StudyFile.model_validate(dict(raw))
    except ValidationError as e:
        raise WarmlabError(f"study config {source}: {_explain(e)}") from None
    variants = tuple(_variant(v) for v in f.variant)
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise WarmlabError("study config: variant names must be unique")
    for i, v in enumerate(variants):
        if v.kind == "hooked" and v.of != "base" and v.of not in names[:i]:
            raise WarmlabError(
                f"study config: variant {v.name!r}: of = {v.of!r} is not a variant defined before it"
            )
    for pair in f.stats.compare:
        if len(pair) != 2 or any(x != "base" and x not in names for x in pair) or pair[0] == pair[1]:
            raise WarmlabError(
                f"study config: stats.compare: {pair!r} must name two different variants (or base)"
            )
    directions = None
    if f.directions is not None:
        traits = [f.directions.trait] if isinstance(f.directions.trait, str) else f.directions.trait
        directions = {**f.directions.model_dump(exclude={"trait"}), "traits": tuple(dict.fromkeys(traits))}
    common = _clean(f.eval.model_dump(exclude={"modes", "judge", "choice", "generate"}))
    modes: dict[str, dict[str, Any]] = {}
    for mode in dict.fromkeys(f.eval.modes):
        own = getattr(f.eval, mode)
        modes[mode] = {**common, **(_clean(own.model_dump()) if own else {})}
        if mode == "choice" and modes[mode].get("engine") == "vllm":
            raise WarmlabError(
                'study config: choice mode scores answers with local models; engine = "vllm" '
                "goes under [eval.generate]"
            )
    tasks = {}
    skipped = []
    for name, t in f.tasks.items():
        if name in ("reliability", "warmth"):
            raise WarmlabError(
                f"study config: [tasks.{name}]: configure it under "
                f"[{'eval' if name == 'reliability' else name}]"
            )
        if t.if_exists is not None and not Path(t.if_exists).expanduser().exists():
            skipped.append(name)
            continue
        tasks[name] = {
            **_clean(t.model_dump(exclude={"if_exists", *(t.model_extra or {})})),
            "args": dict(t.model_extra or {}),
        }
    return StudyConfig(
        out=Path(out or f.out),
        base=f.base,
        seed=f.seed,
        variants=variants,
        modes=modes,
        judge=f.eval.judge or None,
        warmth=_clean(f.warmth.model_dump()),
        stats=f.stats.model_dump(),
        source=source,
        tasks=tasks,
        directions=directions,
        monitor=f.monitor.model_dump() if f.monitor is not None and f.monitor.enabled else None,
        skipped=tuple(skipped),
    )


def load_config(path_or_name: str, out: str | None = None) -> StudyConfig:
    """A TOML file, or the name of a shipped config (embedded, paper)."""
    p = Path(path_or_name)
    if p.is_file():
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise WarmlabError(f"study config {path_or_name}: not UTF-8 text (byte {e.start})") from None
        except OSError as e:
            raise WarmlabError(f"study config {path_or_name}: cannot read ({e.strerror or e})") from None
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
