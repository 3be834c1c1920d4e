"""RL step throughput: `warmlab train rl` vs a bare TRL `GRPOTrainer` script with the same rollout
function, same settings, one run. Goal: ratio >= 0.9.

    OMP_NUM_THREADS=1 python benchmarks/rl_throughput.py          # embedded, cpu profile, 3 steps each
    python benchmarks/rl_throughput.py --base tiny --steps 6 --rounds 3   # a random 2-layer model

Both train the same policy (same base, LoRA config, seed), on the same train profiles with the same
scripted user, the same multi-turn rollout function (warmlab.train.rollout), the same GRPO settings and
number of optimizer steps; seeds match, so both roll out the same dialogues. warmlab adds its run folder:
step checkpoints with the manifest, the rollout log (rollouts.jsonl), one log line per step.
Steps/s = optimizer steps / seconds inside `trainer.train()`. Rounds alternate (warmlab, bare, ...) so
drift in machine load hits both.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=UserWarning)


def bare_trl(s, out: Path) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """What a user would write with TRL and warmlab's rollout function (no warmlab run folder)."""
    import datasets
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    from warmlab.models import resolve_base_path
    from warmlab.tasks.support.scripted import ScriptedEmotionUser
    from warmlab.train.rl import select_profiles
    from warmlab.train.rollout import ChatFrame, RolloutEnv, emotion_reward_func, make_rollout_func
    from warmlab.train.sft import lora_config

    path = resolve_base_path(s.base)
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    profiles = select_profiles(s)
    env = RolloutEnv(
        profiles=profiles,
        make_user=lambda p: ScriptedEmotionUser(p, max_turns=s.max_turns),
        frame=ChatFrame(tok, s.system_prompt),
        max_turns=s.max_turns,
        max_turn_tokens=s.max_turn_tokens,
        max_dialogue_tokens=s.max_dialogue_tokens,
    )
    system = {"role": "system", "content": s.system_prompt}
    rows = [{"prompt": [system, {"role": "user", "content": p.first_message}]} for p in profiles]
    args = GRPOConfig(
        output_dir=str(out),
        max_steps=s.max_steps,
        learning_rate=s.lr,
        per_device_train_batch_size=s.batch_size,
        gradient_accumulation_steps=s.dialogues_per_step // s.batch_size,
        num_generations=s.num_generations,
        max_completion_length=s.max_turn_tokens,
        temperature=s.temperature,
        beta=s.beta,
        seed=s.seed,
        bf16=False,
        gradient_checkpointing=False,
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        logging_strategy="no",
        use_cpu=not torch.cuda.is_available(),
        dataloader_pin_memory=False,
    )
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[emotion_reward_func],
        args=args,
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=tok,
        peft_config=lora_config(s, model),
        rollout_func=make_rollout_func(env),
    )
    t0 = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - t0
    env.loop.close()
    return trainer.state.global_step, seconds


def through_warmlab(s, out: Path) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from warmlab.train.rl import run_rl

    r = run_rl(replace(s, out=str(out)), quiet=True)
    return r.global_step, r.train_seconds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", default="embedded", help="embedded, a model folder, or tiny (built here)")
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--rounds", type=int, default=1)
    a = p.parse_args()

    from warmlab.train.rl_config import resolve_rl_settings

    with tempfile.TemporaryDirectory() as tmp:
        base = a.base
        if base == "tiny":
            from warmlab.tiny import build_tiny_model

            corpus = ["I'm so sorry. That sounds hard. What happened?"]
            base = str(build_tiny_model(Path(tmp) / "tiny", corpus))
        s = resolve_rl_settings("cpu", base=base, max_steps=a.steps, checkpoint_every=max(1, a.steps // 2))
        rates: dict[str, list[float]] = {"warmlab": [], "bare TRL": []}
        for k in range(a.rounds):
            for name, fn in (("warmlab", through_warmlab), ("bare TRL", bare_trl)):
                steps, seconds = fn(s, Path(tmp) / f"{name.replace(' ', '-')}-{k}")
                rates[name].append(steps / seconds)
                rate = f"{steps / seconds:.4f} steps/s"
                print(f"round {k + 1} {name:<9} {steps} steps in {seconds:6.1f} s: {rate}", flush=True)
    w, b = statistics.median(rates["warmlab"]), statistics.median(rates["bare TRL"])
    print(f"median steps/s: warmlab {w:.4f}, bare TRL {b:.4f}; ratio {w / b:.2f} (goal >= 0.9)")


if __name__ == "__main__":
    main()
