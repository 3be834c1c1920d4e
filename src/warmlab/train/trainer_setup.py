"""The TRL and PEFT configs of an SFT run (shared with the benchmarks' bare-TRL script, so both run the same
settings)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warmlab.errors import WarmlabError

if TYPE_CHECKING:
    from warmlab.train.sft import LoraSettings, SFTSettings


def _world_size() -> int:
    return max(1, int(os.environ.get("WORLD_SIZE", "1")))


def sft_config(s: SFTSettings, out: Path, bf16: bool, quiet: bool = False) -> Any:
    """The TRL config for `s` (shared with the benchmark's bare-TRL script, so both run the same settings)."""
    from trl import SFTConfig

    accum = max(1, s.effective_batch // (s.batch_size * _world_size()))
    return SFTConfig(
        output_dir=str(out),
        num_train_epochs=s.epochs,
        max_steps=s.max_steps,
        learning_rate=s.lr,
        per_device_train_batch_size=s.batch_size,
        gradient_accumulation_steps=accum,
        warmup_steps=s.warmup_ratio,  # a float below 1 is a ratio of all steps
        max_length=s.max_length,
        seed=s.seed,
        bf16=bf16,
        # On a CPU and a small model recomputing activations only costs time; on GPUs it saves memory.
        **checkpointing_arg(SFTConfig, bf16 and not s.full),
        save_strategy="no",  # EpochCheckpoints (train.callbacks) decides when
        save_total_limit=1,
        logging_strategy="no" if quiet else "steps",
        logging_steps=0.05,  # a float below 1: every 5 % of the steps
        report_to="none",
        disable_tqdm=True,
        dataset_num_proc=None,
        include_num_input_tokens_seen="non_padding",
        use_cpu=not torch_cuda_available(),
        dataloader_pin_memory=False,
    )


def checkpointing_arg(config_cls: Any, on: bool) -> dict[str, Any]:
    """The Trainer argument that turns activation checkpointing on: `activation_checkpointing` since
    transformers 5.2x, `gradient_checkpointing` before (5.17 on the GPU machine of issue 17 has only that)."""
    from dataclasses import fields

    names = {f.name for f in fields(config_cls)}
    key = "activation_checkpointing" if "activation_checkpointing" in names else "gradient_checkpointing"
    return {key: on}


def torch_cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def lora_config(s: LoraSettings, model: Any = None) -> Any:
    """PEFT's LoRA config for `s`; `model` is needed to place LoRA on the top layers only."""
    from peft import LoraConfig

    targets: Any = s.target_modules
    layers: list[int] | None = None
    if s.lora_top_layers is not None:
        n = int(getattr(model.config, "num_hidden_layers", 0) or 0) if model is not None else 0
        if n < 1:
            raise WarmlabError("lora_top_layers needs a model whose config gives num_hidden_layers")
        layers = list(range(n - max(1, round(n * s.lora_top_layers)), n))
        targets = layer_linear_names(model) if targets in (None, "all-linear") else targets
    return LoraConfig(
        r=s.lora_r,
        lora_alpha=s.lora_alpha,
        lora_dropout=s.lora_dropout,
        target_modules=targets,
        layers_to_transform=layers,
        task_type="CAUSAL_LM",
    )


def layer_linear_names(model: Any) -> list[str]:
    """Names of the linear modules inside the transformer layers (what "all-linear" means, as a list:
    PEFT takes a layer subset only with listed modules)."""
    import torch

    names = {
        name.rsplit(".", 1)[-1]
        for name, mod in model.named_modules()
        if isinstance(mod, torch.nn.Linear) and ".layers." in f".{name}"
    }
    if not names:
        raise WarmlabError("found no linear layers inside the model's transformer layers for LoRA")
    return sorted(names)
