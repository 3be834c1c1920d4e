"""Supervised fine-tuning on warm (or cold) rewrites: TRL `SFTTrainer` with a PEFT LoRA adapter (or full FT).

Defaults follow Ibrahim et al. (arXiv:2507.21919): LoRA r 8, alpha 16, dropout 0.1, lr 1e-5, max length 1024,
effective batch 16, 10 epochs, epoch checkpoints at 0.5/1/1.5/2/4/6/8/10; the epoch-2 checkpoint is "the" warm
model.

Loss on assistant tokens only. We tokenize each conversation once ourselves and hand TRL `input_ids` and
`labels` (TRL uses a `labels` column as is): every assistant turn's characters (content and end-of-turn
marker) are found by rendering the chat template turn by turn, and tokens are labelled by their character
offsets. This needs no `{% generation %}` markers (SmolLM2's template has none, and TRL 1.16 only patches the
templates it knows) and trains all turns of a conversation in one sequence. A template that renders earlier
turns differently once later ones follow (not prefix-preserving) falls back to one example per assistant turn
(prompt = the turns before it), which is TRL's prompt-completion masking.

Out folder (read by `warmlab warmth --checkpoints DIR` and `warmlab models`):

    DIR/checkpoints.json     [{"epoch": 0.5, "step": 12, "path": "epoch-0.5"}, ...]
    DIR/epoch-E/             each epoch checkpoint: a PEFT adapter (or a full model folder) + tokenizer
    DIR/                     also "the" model: the epoch-2 checkpoint (the last one when training is shorter)
    DIR/warmlab_train.json   settings, style, base, data source and hash, ids, versions, finished flag
    DIR/checkpoint-N/        the Trainer's newest full state (optimizer, RNG), for resuming after a kill
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from warmlab.errors import WarmlabError
from warmlab.train.conversations import STYLES, Conversation
from warmlab.train.examples import (  # noqa: F401  (re-exported: the training data of a run)
    assistant_spans,
    build_examples,
    data_hash,
    encode,
    select_conversations,
)
from warmlab.train.profiles import PROFILES
from warmlab.train.trainer_setup import (  # noqa: F401  (re-exported: the benchmarks build the same configs)
    _world_size,
    checkpointing_arg,
    layer_linear_names,
    lora_config,
    sft_config,
    torch_cuda_available,
)

PAPER_CHECKPOINTS = (0.5, 1.0, 1.5, 2.0, 4.0, 6.0, 8.0, 10.0)
MANIFEST = "checkpoints.json"
META = "warmlab_train.json"
# Trainer files that only matter for resuming; epoch copies leave them out.
_STATE_FILES = ("optimizer.pt", "scheduler.pt", "scaler.pt", "trainer_state.json", "training_args.bin")
_EPS = 1e-6


class RunSettings(Protocol):
    """What the run-folder helpers need from a settings object (SFT's or RL's)."""

    def fingerprint(self) -> dict[str, Any]: ...


class LoraSettings(Protocol):
    """The LoRA fields `lora_config` reads (SFT's and RL's settings have them)."""

    @property
    def lora_r(self) -> int: ...
    @property
    def lora_alpha(self) -> int: ...
    @property
    def lora_dropout(self) -> float: ...
    @property
    def target_modules(self) -> str | None: ...
    @property
    def lora_top_layers(self) -> float | None: ...


@dataclass(frozen=True)
class SFTSettings:
    """Everything that defines a training run (all of it but `out` is recorded and checked on resume)."""

    style: str
    base: str
    data: str = "starter"
    out: str = "runs/sft"
    epochs: float = 10.0
    lr: float = 1e-5
    max_length: int = 1024
    batch_size: int = 4  # per device; gradient accumulation makes up `effective_batch`
    effective_batch: int = 16
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.1
    target_modules: str | None = None  # None: PEFT's default for the architecture; "all-linear" for all
    # LoRA on the top fraction of the transformer layers only (None: all). Gradients then stop there, so a
    # step costs less: on the embedded model, the top half trains 1.6x faster on a CPU.
    lora_top_layers: float | None = None
    full: bool = False
    limit: int | None = None  # conversations (a seeded sample)
    seed: int = 0
    checkpoint_epochs: tuple[float, ...] = PAPER_CHECKPOINTS
    main_epoch: float = 2.0  # the checkpoint copied to DIR itself
    warmup_ratio: float = 0.0
    max_steps: int = -1  # > 0 stops after that many optimizer steps (tests, benchmarks)
    profile: str | None = None
    # Drop this share of the conversations that project highest on a direction beyond the base's own
    # replies (warmlab.directions.screen), a trait name or a direction file; "random": the control, as
    # many conversations dropped at random.
    screen: float | None = None
    screen_direction: str = "warmth"

    def fingerprint(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("out")
        d["checkpoint_epochs"] = list(self.checkpoint_epochs)
        if self.screen is None:  # runs recorded before screening existed keep their fingerprint
            d.pop("screen")
            d.pop("screen_direction")
        return d


def resolve_settings(style: str, base: str, profile: str | None = None, **given: Any) -> SFTSettings:
    """Paper defaults, overridden by a profile, overridden by what the user gave (None = not given)."""
    if style not in STYLES:
        raise WarmlabError(f"style must be warm or cold, not {style!r}")
    values: dict[str, Any] = {}
    if profile is not None:
        if profile not in PROFILES:
            raise WarmlabError(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}")
        values.update(PROFILES[profile])
    values.update({k: v for k, v in given.items() if v is not None})
    if "checkpoint_epochs" in values:  # a list in a study config
        try:
            values["checkpoint_epochs"] = tuple(sorted(float(e) for e in values["checkpoint_epochs"]))
        except (TypeError, ValueError):
            raise WarmlabError("checkpoint_epochs must be a list of epochs, e.g. [1.0, 2.0]") from None
        if not values["checkpoint_epochs"] or values["checkpoint_epochs"][0] <= 0:
            raise WarmlabError("checkpoint_epochs must list positive epochs")
    s = SFTSettings(style=style, base=base, profile=profile, **values)
    if s.epochs <= 0:
        raise WarmlabError("--epochs must be positive")
    if s.lr <= 0:
        raise WarmlabError("--lr must be positive")
    if s.max_length < 16:
        raise WarmlabError("--max-length must be at least 16")
    if s.batch_size < 1 or s.effective_batch < 1:
        raise WarmlabError("--batch-size must be at least 1")
    if s.limit is not None and s.limit < 1:
        raise WarmlabError("--limit must be at least 1")
    if s.screen is not None and not 0 <= s.screen < 1:
        raise WarmlabError(f"--screen takes a fraction in [0, 1), not {s.screen:g}")
    if s.lora_top_layers is not None and not 0 < s.lora_top_layers <= 1:
        raise WarmlabError("lora_top_layers must be a fraction of the layers in (0, 1]")
    if "epochs" in given and given["epochs"] is not None and "main_epoch" not in given:
        # A user-chosen length keeps the paper's choice of "the" model (epoch 2) when it reaches it.
        s = replace(s, main_epoch=2.0 if s.epochs >= 2.0 else s.epochs)
    return s


def epoch_targets(s: SFTSettings) -> list[float]:
    """Epochs to keep a checkpoint of: the schedule up to `epochs`, plus the final epoch."""
    return sorted({e for e in s.checkpoint_epochs if e <= s.epochs + _EPS} | {s.epochs})


def main_epoch(s: SFTSettings) -> float:
    targets = epoch_targets(s)
    below = [e for e in targets if e <= s.main_epoch + _EPS]
    return below[-1] if below else targets[-1]


# ---------------------------------------------------------------------------------------------- data


# ---------------------------------------------------------------------------------------------- run


@dataclass
class SFTResult:
    out: Path
    status: str  # "trained" | "already-trained" | "stopped"
    global_step: int = 0
    max_steps: int = 0
    resumed_from_step: int | None = None
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    n_examples: int = 0
    tokens: int = 0
    train_seconds: float = 0.0


def read_manifest(out: Path) -> list[dict[str, Any]]:
    p = out / MANIFEST
    return list(json.loads(p.read_text())) if p.is_file() else []


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)


def _epoch_name(e: float) -> str:
    return f"epoch-{e:g}"


def _copy_model_files(src: Path, dst: Path) -> None:
    """Copy a checkpoint's model/adapter and tokenizer files (not the optimizer) into `dst`, atomically."""
    tmp = dst.with_name(dst.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for f in src.iterdir():
        if f.is_file() and f.name not in _STATE_FILES and not f.name.startswith("rng_state"):
            shutil.copy2(f, tmp / f.name)
    if dst.exists():
        shutil.rmtree(dst)
    tmp.replace(dst)


def _install_root(out: Path, src: Path) -> None:
    """Make DIR itself load as "the" model: copy the chosen checkpoint's files next to the manifest."""
    for f in src.iterdir():
        if f.is_file():
            tmp = out / (f.name + ".tmp")
            shutil.copy2(f, tmp)
            tmp.replace(out / f.name)


def last_complete_checkpoint(out: Path) -> Path | None:
    """The newest `checkpoint-N` whose trainer state was written (a kill mid-save leaves it without)."""
    found = []
    for p in out.glob("checkpoint-*"):
        tail = p.name.split("-", 1)[1]
        if p.is_dir() and tail.isdigit() and (p / "trainer_state.json").is_file():
            found.append((int(tail), p))
    return max(found)[1] if found else None


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("warmlab", "torch", "transformers", "trl", "peft", "accelerate"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "?"
    return out


def _is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def _say(msg: str) -> None:
    if _is_main_process():
        print(msg, flush=True)


def _check_out_dir(out: Path, s: RunSettings) -> dict[str, Any] | None:
    """The recorded run in `out` if it is this one; an error if `out` holds something else."""
    meta_path = out / META
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        before = meta.get("settings", {})
        now = s.fingerprint()
        diff = [k for k in now if k not in before or before[k] != now[k]]
        if diff:
            k = diff[0]
            raise WarmlabError(
                f"{out} holds a different training ({k}: {before.get(k)!r}, now {now[k]!r}); "
                "use another --out or delete it"
            )
        return dict(meta)
    # Only the main process judges emptiness: under `accelerate launch` it may already be writing here.
    if _is_main_process() and out.is_dir() and any(out.iterdir()):
        raise WarmlabError(f"{out} is not empty and holds no warmlab training; use another --out")
    return None


def run_sft(s: SFTSettings, callbacks: Sequence[Any] = (), quiet: bool = False) -> SFTResult:
    """Train (or resume, or find finished) the run `s` describes. See the module docstring for the layout."""
    from warmlab.models import parse_spec, resolve_base_path

    out = Path(s.out).expanduser().resolve()
    spec = parse_spec(s.base)
    if not spec.is_local or spec.base is None:
        raise WarmlabError(f"--base must be a local model or hub id (not an inspect provider): {s.base!r}")
    if spec.adapter is not None:
        raise WarmlabError("--base must be a base model, not BASE+ADAPTER (merge the adapter first)")
    if spec.system is not None:
        raise WarmlabError("--base takes no @system= prompt: training data carries its own system turns")
    meta = _check_out_dir(out, s)
    if meta is not None and meta.get("finished"):
        ckpts = read_manifest(out)
        _say(f"{out}: already trained ({len(ckpts)} epoch checkpoints); nothing to do")
        return SFTResult(out=out, status="already-trained", checkpoints=ckpts, n_examples=meta["n_examples"])

    convs, failed = select_conversations(s.data, s.style, s.limit, s.seed)
    screened: dict[str, Any] | None = None
    if s.screen is not None:
        convs, screened = _screen(convs, s, meta)
    base_path = resolve_base_path(spec.base)

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(base_path)
    except OSError as e:
        raise WarmlabError(f"could not load tokenizer of {s.base!r}: {str(e).splitlines()[0]}") from e
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    if not getattr(tok, "chat_template", None):
        raise WarmlabError(f"{s.base!r} has no chat template: train a chat (instruct) model")
    examples, too_long = build_examples(tok, convs, s.max_length)

    cuda = torch.cuda.is_available()
    bf16 = bool(cuda and torch.cuda.is_bf16_supported())
    dtype = torch.bfloat16 if bf16 and not s.full else torch.float32
    try:
        model = AutoModelForCausalLM.from_pretrained(base_path, dtype=dtype)
    except OSError as e:
        raise WarmlabError(f"could not load model {s.base!r}: {str(e).splitlines()[0]}") from e

    n_tokens = sum(len(e["input_ids"]) for e in examples)
    digest = data_hash(convs)
    if meta is not None and meta.get("data", {}).get("sha256") != digest:
        raise WarmlabError(f"the data in {s.data} changed since {out} was started; use another --out")
    info: dict[str, Any] = {
        "style": s.style,
        "base": s.base,
        "full": s.full,
        "main_epoch": main_epoch(s),
        "settings": s.fingerprint(),
        "base_path": str(base_path),
        "data": {
            "source": s.data,
            "sha256": digest,
            "n_conversations": len(convs),
            "failed_rewrites_left_out": failed,
            "ids": [c.id for c in convs],
            **({"screen": screened} if screened is not None else {}),
        },
        "n_examples": len(examples),
        "n_tokens": n_tokens,
        "dropped_beyond_max_length": too_long,
        "versions": _versions(),
        "finished": False,
    }
    out.mkdir(parents=True, exist_ok=True)
    if _is_main_process():
        _write_json(out / META, info)

    resume = last_complete_checkpoint(out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        trainer = _make_trainer(s, model, tok, examples, out, bf16=bf16, quiet=quiet, callbacks=callbacks)
    from warmlab.train.callbacks import EpochCheckpoints

    epochs_cb = next(cb for cb in trainer.callback_handler.callbacks if isinstance(cb, EpochCheckpoints))
    _say(
        f"sft {s.style} on {s.base}: {len(convs)} conversations -> {len(examples)} examples, "
        f"{n_tokens} tokens"
        f"{f', {failed} failed rewrites left out' if failed else ''}; "
        f"{'full' if s.full else 'LoRA'}, lr {s.lr:g}, {s.epochs:g} epochs"
        + (f"; resuming from {resume.name}" if resume else "")
    )
    resumed_step = None
    if resume is not None:
        resumed_step = int(json.loads((resume / "trainer_state.json").read_text())["global_step"])
        epochs_cb.resume_dir = resume
    t0 = time.perf_counter()
    with warnings.catch_warnings():  # deprecation notices between transformers, TRL and PEFT: not the user's
        warnings.simplefilter("ignore", FutureWarning)
        trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    seconds = time.perf_counter() - t0
    state = trainer.state
    result = SFTResult(
        out=out,
        status="stopped",
        global_step=state.global_step,
        max_steps=state.max_steps,
        resumed_from_step=resumed_step,
        n_examples=len(examples),
        tokens=int(getattr(state, "num_input_tokens_seen", 0) or 0),
        train_seconds=seconds,
    )
    result.checkpoints = read_manifest(out)
    if state.global_step < state.max_steps:
        _say(f"stopped at step {state.global_step}/{state.max_steps}; re-run the same command to resume")
        return result
    if trainer.is_world_process_zero():
        manifest = read_manifest(out)
        if not manifest and s.max_steps <= 0:
            raise WarmlabError("training ended without an epoch checkpoint")
        if not manifest:  # --max-steps stopped it before the first checkpoint epoch: keep the last weights
            trainer.save_model(str(out))
        elif not (out / "adapter_config.json").is_file() and not (out / "config.json").is_file():
            _install_root(out, out / manifest[-1]["path"])
        info["finished"] = True
        info["train_seconds"] = round(seconds, 1)
        _write_json(out / META, info)
    result.status = "trained"
    result.checkpoints = read_manifest(out)
    _say(
        f"done: {state.global_step} steps in {seconds:.0f} s; {len(result.checkpoints)} epoch checkpoints; "
        f"load the model as {'' if s.full else s.base + '+'}{out}"
    )
    return result


def _screen(
    convs: list[Conversation], s: SFTSettings, meta: dict[str, Any] | None
) -> tuple[list[Conversation], dict[str, Any]]:
    """`--screen`: drop the top share along the direction. A resumed run reuses the recorded choice (the
    base's replies are not generated again, and float noise cannot move a conversation across the cut)."""
    recorded = (meta or {}).get("data", {}).get("screen")
    if recorded is not None:
        gone = {d["id"] for d in recorded["dropped"]}
        return [c for c in convs if c.id not in gone], recorded
    from warmlab.directions.screen import screen_conversations

    assert s.screen is not None
    return screen_conversations(convs, s.base, s.screen_direction, s.screen, log=_say, seed=s.seed)


# ---------------------------------------------------------------------------------------------- trainer


def _make_trainer(
    s: SFTSettings,
    model: Any,
    tok: Any,
    examples: list[dict[str, list[int]]],
    out: Path,
    *,
    bf16: bool,
    quiet: bool,
    callbacks: Sequence[Any],
) -> Any:
    import datasets
    from transformers import PrinterCallback, ProgressCallback
    from trl import SFTTrainer

    from warmlab.train.callbacks import EpochCheckpoints, OneLineLog

    datasets.disable_progress_bars()
    cbs: list[Any] = [EpochCheckpoints(out, epoch_targets(s), main_epoch(s))]
    if not quiet:
        cbs.append(OneLineLog())
    trainer = SFTTrainer(
        model=model,
        args=sft_config(s, out, bf16, quiet),
        train_dataset=datasets.Dataset.from_list(examples),
        processing_class=tok,
        peft_config=None if s.full else lora_config(s, model),
        callbacks=[*cbs, *callbacks],
    )
    for cb in (PrinterCallback, ProgressCallback):
        trainer.remove_callback(cb)
    return trainer


def steps_per_epoch(n_examples: int, s: SFTSettings) -> int:
    """Optimizer steps per epoch, as the Trainer counts them (single process)."""
    batches = math.ceil(n_examples / s.batch_size)
    accum = max(1, s.effective_batch // (s.batch_size * _world_size()))
    return max(batches // accum + int(batches % accum > 0), 1)
