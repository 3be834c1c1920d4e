"""Model specs: one string names a model everywhere in warmlab.

    embedded                    the embedded SmolLM2-135M-Instruct (converted once into the cache)
    ./path/to/hf_folder         a local Hugging Face folder
    org/name                    a hub id (needs network at run time)
    BASE+ADAPTER                a PEFT LoRA adapter folder on one of the above
    SPEC@system=NAME_OR_FILE    the same model with a system prompt (shipped names: warm, cold, secure)
    SPEC@cap=TRAIT_OR_FILE:P    local models: clamp the projection on a persona direction at the P-th
                                percentile (0-100) of the base's distribution (warmlab.directions)
    SPEC@steer=TRAIT_OR_FILE:A  local models: add A times the direction (A < 0 steers away from the trait)
    vllm/..., openai-api/..., hf/..., ...   any inspect provider model, passed through

Local models run through warmlab's own inspect provider (`warmlab/...`), which batches generation and
can score continuations (needed for the judge-free `choice` mode).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError

# Inspect providers we pass through untouched. `warmlab/` is our own provider (local HF models).
INSPECT_PROVIDERS = frozenset(
    [
        "anthropic",
        "azureai",
        "bedrock",
        "cf",
        "fireworks",
        "google",
        "grok",
        "groq",
        "hf",
        "hf-inference-providers",
        "llama-cpp-python",
        "mistral",
        "mockllm",
        "none",
        "ollama",
        "openai",
        "openai-api",
        "openrouter",
        "perplexity",
        "sglang",
        "together",
        "transformer-lens",
        "vllm",
        "warmlab",
    ]
)
SYSTEM_PROMPTS = ("warm", "cold", "secure")
MODIFIERS = ("system", "cap", "steer")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


@dataclass(frozen=True)
class Intervention:
    """An inference-time edit of a local model's residual stream along a saved direction (forward hooks).

    `kind` is cap (clamp the projection at the `value`-th percentile of the base's distribution) or steer
    (add `value` times the direction); `target` is what the user wrote (a trait name or a file), `file` the
    direction file it resolved to."""

    kind: str
    target: str = field(compare=False)  # a label only: equal interventions load the same file
    file: str = ""
    value: float = 0.0

    @property
    def label(self) -> str:
        name = self.target if not _is_file(self.target) else Path(self.target).stem
        return f"{self.kind}={name}:{self.value:g}"

    @property
    def modifier(self) -> str:
        """The spec modifier that loads exactly this (the resolved file, so no second lookup is needed)."""
        return f"@{self.kind}={self.file}:{self.value:g}"


@dataclass(frozen=True)
class ModelSpec:
    """A parsed model spec. `base`/`adapter` are set for local models, `provider_model` otherwise."""

    raw: str
    base: str | None = None
    adapter: str | None = None
    provider_model: str | None = None
    system: str | None = None
    interventions: tuple[Intervention, ...] = ()

    @property
    def is_local(self) -> bool:
        return self.provider_model is None

    @property
    def inspect_name(self) -> str:
        """The model name handed to inspect (the system prompt is applied by the task, not the model)."""
        if self.provider_model is not None:
            return self.provider_model
        assert self.base is not None
        # Interventions are part of the model (the provider hooks them in), unlike the system prompt.
        hooks = "".join(i.modifier for i in self.interventions)
        return f"warmlab/{self.base}" + (f"+{self.adapter}" if self.adapter else "") + hooks

    @property
    def variant(self) -> str:
        """A short label for result tables: base, the adapter's folder name, and/or system=NAME."""
        parts = []
        if self.adapter:
            parts.append(Path(self.adapter).name)
        if self.system:
            parts.append(f"system={Path(self.system).stem if _is_file(self.system) else self.system}")
        parts.extend(i.label for i in self.interventions)
        return "+".join(parts) or "base"

    @property
    def base_spec(self) -> str:
        """The spec of the model this variant modifies (for pairing a variant with its base)."""
        return self.provider_model or str(self.base)

    def system_text(self) -> str | None:
        return load_system_prompt(self.system) if self.system else None


def _is_file(s: str) -> bool:
    return Path(s).expanduser().is_file()


def load_system_prompt(name_or_file: str) -> str:
    """A shipped system prompt by name (warm, cold, secure) or the text of a file."""
    p = Path(name_or_file).expanduser()
    if p.is_file():
        text = p.read_text(encoding="utf-8").strip()
    elif name_or_file in SYSTEM_PROMPTS:
        text = (
            (files("warmlab") / "prompts" / f"system_{name_or_file}.txt").read_text(encoding="utf-8").strip()
        )
    else:
        raise WarmlabError(
            f"system prompt {name_or_file!r} is neither a file nor one of: {', '.join(SYSTEM_PROMPTS)}"
        )
    if not text:
        raise WarmlabError(f"system prompt {name_or_file!r} is empty")
    return text


def _looks_like_path(s: str) -> bool:
    return s.startswith((".", "/", "~")) or s.count("/") > 1 or s.endswith("/")


def _local_dir(s: str, what: str) -> str:
    p = Path(s).expanduser()
    if not p.exists():
        raise WarmlabError(f"{what} path {s!r} does not exist")
    if not p.is_dir():
        raise WarmlabError(f"{what} path {s!r} is not a folder")
    return str(p.resolve())


def split_modifiers(raw: str) -> tuple[str, list[tuple[str, str]]]:
    """The spec without its trailing `@system=`/`@cap=`/`@steer=` modifiers, and those (key, value) in
    the order written."""
    s = raw.strip()
    mods: list[tuple[str, str]] = []
    while True:
        at = max((s.rfind(f"@{k}="), k) for k in MODIFIERS)
        if at[0] < 0:
            return s, mods[::-1]
        pos, key = at
        mods.append((key, s[pos + len(key) + 2 :]))
        s = s[:pos]


def parse_intervention(raw: str, kind: str, value: str) -> tuple[str, float]:
    """(target, number) of a `cap=TARGET:P` or `steer=TARGET:A` modifier, checked (`raw` names it in
    errors)."""
    import math

    target, sep, num = value.rpartition(":")
    usage = "a percentile 0-100" if kind == "cap" else "a multiple of the direction"
    if not sep or not target:
        raise WarmlabError(f"model spec {raw!r}: @{kind}= takes TRAIT_OR_FILE:NUMBER ({usage})")
    try:
        x = float(num)
    except ValueError:
        raise WarmlabError(f"model spec {raw!r}: @{kind}=...:{num} is not a number ({usage})") from None
    if not math.isfinite(x):
        raise WarmlabError(f"model spec {raw!r}: @{kind}=...:{num} is not a finite number")
    if kind == "cap" and not 0 <= x <= 100:
        raise WarmlabError(f"model spec {raw!r}: cap percentile {x:g} is outside 0-100")
    return target, x


def parse_spec(raw: str) -> ModelSpec:
    """Parse and check a model spec; raise WarmlabError with a one-line reason when it is unusable."""
    s, mods = split_modifiers(raw)
    if not s:
        raise WarmlabError("empty model spec")
    system = None
    hooks: list[tuple[str, str, float]] = []
    for key, value in mods:
        if key == "system":
            if system is not None:
                raise WarmlabError(f"model spec {raw!r}: more than one @system=")
            if not value:
                raise WarmlabError(
                    f"model spec {raw!r}: @system= needs a name ({', '.join(SYSTEM_PROMPTS)}) or a file"
                )
            load_system_prompt(value)  # fail early on a bad name or an empty file
            system = str(Path(value).expanduser().resolve()) if _is_file(value) else value
        else:
            hooks.append((key, *parse_intervention(raw, key, value)))
    spec = _parse_model(s, raw, system)
    if not hooks:
        return spec
    if not spec.is_local or spec.base is None:
        raise WarmlabError(f"model spec {raw!r}: @cap= and @steer= need a local model (hooks on its layers)")
    from warmlab.directions.store import resolve_direction

    found = tuple(Intervention(k, t, resolve_direction(t, spec.base), x) for k, t, x in hooks)
    return replace(spec, interventions=found)


def _parse_model(s: str, raw: str, system: str | None) -> ModelSpec:
    prefix = s.split("/", 1)[0]
    if "/" in s and prefix in INSPECT_PROVIDERS and not Path(s).exists():
        if prefix == "warmlab":  # our own provider named explicitly: check it like a local spec
            local = _parse_model(s.split("/", 1)[1], raw, system)
            return ModelSpec(raw=raw, base=local.base, adapter=local.adapter, system=system)
        return ModelSpec(raw=raw, provider_model=s, system=system)
    base, adapter = s.rsplit("+", 1) if "+" in s else (s, None)
    assert base is not None
    if adapter is not None:
        adapter = _local_dir(adapter, "adapter")
        if not (Path(adapter) / "adapter_config.json").is_file():
            raise WarmlabError(f"adapter folder {adapter!r} has no adapter_config.json")
        _json_object(Path(adapter) / "adapter_config.json", "adapter config")  # a corrupt one fails here
    if base == "embedded":
        return ModelSpec(raw=raw, base="embedded", adapter=adapter, system=system)
    if Path(base).expanduser().exists() or _looks_like_path(base) or not _HUB_ID.match(base):
        base = _local_dir(base, "model")
        if not (Path(base) / "config.json").is_file():
            raise WarmlabError(f"model folder {base!r} has no config.json (not a Hugging Face model folder)")
        _json_object(Path(base) / "config.json", "model config")
    return ModelSpec(raw=raw, base=base, adapter=adapter, system=system)


def one_line(e: BaseException) -> str:
    """An exception's message on one line, without the rich markup some inspect errors carry."""
    text = re.sub(r"\[/?(?:bold|italic|red|yellow|blue|green)\]", "", str(e))
    text = " ".join(text.split()).removeprefix("ERROR: ")
    return text or type(e).__name__


# Providers whose model object starts a server or loads weights when built: only their package is checked.
_HEAVY_PROVIDERS = {"vllm": "vllm", "vllm-completions": "vllm", "sglang": "sglang", "hf": "transformers"}


def inspect_model(spec_text: str, **model_args: Any) -> Any:
    """The inspect Model for a spec; a provider that cannot be used (its package missing, no API key, an
    unknown name) is a one-line WarmlabError that names what to install or set."""
    from inspect_ai.model import get_model

    spec = parse_spec(spec_text)
    try:  # not memoized: inspect would keep every model of a run loaded until the process ends
        return get_model(spec.inspect_name, memoize=False, **model_args)
    except WarmlabError:
        raise
    except Exception as e:
        raise WarmlabError(f"cannot use model {spec.raw!r}: {one_line(e)}") from e


def check_usable(spec_text: str) -> None:
    """Fail now, not half way through a run, when a provider model cannot be built: its package is not
    installed, its API key is not set, or its name is unknown. Local specs are checked by `parse_spec`."""
    import importlib.util

    spec = parse_spec(spec_text)
    if spec.is_local or spec.provider_model is None:
        return
    provider = spec.provider_model.split("/", 1)[0]
    package = _HEAVY_PROVIDERS.get(provider)
    if package is not None:
        if importlib.util.find_spec(package) is None:
            raise WarmlabError(
                f"cannot use model {spec.raw!r}: it needs the {package} package (pip install {package})"
            )
        return
    inspect_model(spec_text)


def resolve_base_path(base: str) -> str:
    """A local folder (or hub id) that transformers can load; converts the embedded model on first use."""
    if base == "embedded":
        from warmlab.embedded import ensure_embedded

        return str(ensure_embedded())
    return base


def _json_object(path: Path, what: str) -> dict[str, Any]:
    from warmlab.core.io import read_json

    value = read_json(path, what)
    if not isinstance(value, dict):
        raise WarmlabError(f"{path}: {what} must be a JSON object")
    return value


def adapter_base(adapter: str) -> str | None:
    """The base model an adapter records (PEFT's base_model_name_or_path)."""
    cfg = _json_object(Path(adapter) / "adapter_config.json", "adapter config")
    value = cfg.get("base_model_name_or_path")
    return str(value) if value else None


@dataclass(frozen=True)
class TrainedVariant:
    """A trained adapter (or fully fine-tuned folder) found on disk, with the spec that loads it."""

    path: str
    spec: str
    style: str
    full: bool
    checkpoints: int


def _base_label(recorded: str | None) -> str:
    from warmlab.embedded import embedded_dir

    if recorded and Path(recorded).expanduser().resolve() == embedded_dir().resolve():
        return "embedded"
    return recorded or "?"


def trained_variants(roots: list[str | Path]) -> list[TrainedVariant]:
    """Adapters and full fine-tunes under `roots` (searched recursively; epoch checkpoints are counted,
    not listed)."""
    found: list[TrainedVariant] = []
    for root in roots:
        r = Path(root).expanduser()
        if not r.is_dir():
            continue
        for marker in sorted(r.rglob("*.json")):
            if marker.name not in ("adapter_config.json", "warmlab_train.json"):
                continue
            folder = marker.parent
            manifest = folder / "checkpoints.json"
            in_run = (folder.parent / "checkpoints.json").is_file() or (
                folder.parent.name == "checkpoints" and (folder.parent.parent / "checkpoints.json").is_file()
            )
            if in_run or folder.name.startswith("checkpoint-"):
                continue  # an epoch checkpoint of a run listed on its own
            if marker.name == "warmlab_train.json" and (folder / "adapter_config.json").is_file():
                continue  # the adapter_config.json marker lists it
            meta_file = folder / "warmlab_train.json"
            meta = _json_object(meta_file, "training record") if meta_file.is_file() else {}
            n_ckpt = 0
            if manifest.is_file():
                from warmlab.core.io import read_json

                listed = read_json(manifest, "checkpoint list")
                n_ckpt = len(listed) if isinstance(listed, list) else 0
            adapter = (folder / "adapter_config.json").is_file()
            if adapter:
                spec = f"{_base_label(adapter_base(str(folder)))}+{folder}"
            elif (folder / "config.json").is_file():
                spec = str(folder)
            else:
                continue
            found.append(
                TrainedVariant(
                    path=str(folder),
                    spec=spec,
                    style=str(meta.get("style", "?")),
                    full=not adapter,
                    checkpoints=n_ckpt,
                )
            )
    return found


def weights_digest(folder: Path) -> str:
    """sha256 over a folder's adapter or model weight files."""
    import hashlib

    h = hashlib.sha256()
    for f in sorted([*folder.glob("adapter_model.*"), *folder.glob("model*.safetensors")]):
        h.update(f.read_bytes())
    return h.hexdigest()


def model_identity(spec_text: str) -> str:
    """What decides a local model's greedy replies: base, adapter *weights* and system prompt (two folders
    holding the same adapter are one model). Other specs are their own identity."""
    spec = parse_spec(spec_text)
    if not spec.is_local or spec.adapter is None or not any(Path(spec.adapter).glob("adapter_model.*")):
        return spec_text
    hooks = [i.modifier for i in spec.interventions]  # a capped or steered model is another model
    return json.dumps([spec.base, weights_digest(Path(spec.adapter)), spec.system_text() or "", hooks])
