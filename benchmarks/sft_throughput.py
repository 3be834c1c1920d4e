"""SFT tokens/s: `warmlab train sft` vs a bare TRL `SFTTrainer` script, same data and settings, one run.

    python benchmarks/sft_throughput.py                 # embedded model, cpu profile settings, 24 steps each
    python benchmarks/sft_throughput.py --steps 40 --rounds 2 --base embedded

Both train the same conversations (the warm starter set, seeded sample), same model, LoRA config, batch,
gradient accumulation, max length, learning rate and seed, for the same number of optimizer steps. The bare
script hands TRL the conversations as `messages` and lets TRL tokenize them (full-sequence loss, since the
template has no generation markers); warmlab pre-tokenizes with assistant-only labels and also writes its
epoch checkpoints. Tokens/s = non-padding input tokens the Trainer saw / seconds inside `trainer.train()`.
Rounds alternate (warmlab, bare, warmlab, bare, ...) so drift in machine load hits both. Goal: ratio >= 0.9.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
warnings.filterwarnings("ignore", category=FutureWarning)


def bare_trl(s, convs, out: Path) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """What a user would write with TRL alone (no warmlab code below this line except reading settings)."""
    import datasets
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    from warmlab.models import resolve_base_path
    from warmlab.train.sft import checkpointing_arg, lora_config

    path = resolve_base_path(s.base)
    tok = AutoTokenizer.from_pretrained(path)
    # The precision warmlab picks (bf16 on a GPU that has it, with activation checkpointing for LoRA).
    bf16 = bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    dtype = torch.bfloat16 if bf16 and not s.full else torch.float32
    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
    ds = datasets.Dataset.from_list([{"messages": list(c.messages)} for c in convs])
    args = SFTConfig(
        output_dir=str(out),
        max_steps=s.max_steps,
        learning_rate=s.lr,
        per_device_train_batch_size=s.batch_size,
        gradient_accumulation_steps=max(1, s.effective_batch // s.batch_size),
        max_length=s.max_length,
        seed=s.seed,
        bf16=bf16,
        **checkpointing_arg(
            SFTConfig, bf16 and not s.full
        ),  # the argument's name changed in transformers 5.2x
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        logging_strategy="no",
        include_num_input_tokens_seen="non_padding",
        use_cpu=not torch.cuda.is_available(),
        dataloader_pin_memory=False,
    )
    # The same LoRA placement as warmlab's (PEFT's own config object); none for full fine-tuning.
    lora = None if s.full else lora_config(s, model)
    trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tok, peft_config=lora)
    t0 = time.perf_counter()
    trainer.train()
    return int(trainer.state.num_input_tokens_seen), time.perf_counter() - t0


def through_warmlab(s, out: Path) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from warmlab.train.sft import run_sft

    r = run_sft(replace(s, out=str(out)), quiet=True)
    return r.tokens, r.train_seconds


def measure(
    base: str = "embedded", steps: int = 24, rounds: int = 1, profile: str | None = "cpu", **overrides: object
) -> dict:
    """Tokens/s of warmlab and of the bare TRL script (rounds alternate), with the settings used."""
    import torch

    from warmlab.train.sft import resolve_settings, select_conversations

    s = resolve_settings("warm", base, profile, max_steps=steps, **overrides)
    convs, _ = select_conversations(s.data, s.style, s.limit, s.seed)
    print(
        f"{base}: {len(convs)} conversations, {steps} steps, batch {s.batch_size} x accumulation "
        f"{max(1, s.effective_batch // s.batch_size)}, max length {s.max_length}, LoRA r {s.lora_r} "
        f"{s.target_modules or 'default modules'}"
        + (f" (top {s.lora_top_layers:.0%} of layers)" if s.lora_top_layers else "")
        + f"; torch threads {torch.get_num_threads()}",
        flush=True,
    )
    rates: dict[str, list[float]] = {"warmlab": [], "bare TRL": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for name in rates:
                out = Path(tmp) / f"{name.replace(' ', '_')}-{r}"
                tokens, seconds = through_warmlab(s, out) if name == "warmlab" else bare_trl(s, convs, out)
                rate = tokens / seconds
                rates[name].append(rate)
                print(f"  round {r + 1} {name:<9} {tokens:>7} tokens  {seconds:6.1f} s  {rate:7.1f} tok/s")
                sys.stdout.flush()
    w, b = statistics.median(rates["warmlab"]), statistics.median(rates["bare TRL"])
    return {
        "conversations": len(convs),
        "steps": steps,
        "batch_size": s.batch_size,
        "effective_batch": s.effective_batch,
        "max_length": s.max_length,
        "warmlab_tok_s": w,
        "bare_tok_s": b,
        "rates": rates,
        "ratio": w / b,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", default="embedded")
    p.add_argument("--steps", type=int, default=24)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--profile", default="cpu", help="warmlab settings profile (default: cpu; 'none': paper)")
    a = p.parse_args()

    import torch

    torch.set_num_threads(torch.get_num_threads())
    r = measure(a.base, a.steps, a.rounds, None if a.profile == "none" else a.profile)
    w, b = r["warmlab_tok_s"], r["bare_tok_s"]
    print(
        f"median tokens/s: warmlab {w:.1f}, bare TRL {b:.1f}; ratio warmlab/bare = {w / b:.3f} (goal >= 0.9)"
    )


if __name__ == "__main__":
    main()
