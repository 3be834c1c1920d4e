"""warmlab's inspect provider for local Hugging Face models (`warmlab/SPEC`).

Why our own rather than inspect's `hf`: it takes any warmlab spec (embedded, folder, BASE+ADAPTER), fills
large batches without polling delays (batching is most of the speed on a CPU), decodes greedily unless a
temperature > 0 is asked for, and scores continuations by log-likelihood for the judge-free `choice` mode.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from warmlab.batcher import Batcher, stop_generation  # noqa: F401  (stop_generation: re-exported)
from warmlab.errors import WarmlabError
from warmlab.models import parse_spec, resolve_base_path

DEFAULT_BATCH_SIZE = 32
DEFAULT_MAX_TOKENS = 128
# On a CPU a forward pass over 16 contexts already keeps the cores busy; wider ones only add padding.
# Measured here (embedded model, 144 choice prompts in batches of 64): 28.7 s in one pass per batch,
# 24.5 s with each batch sorted by length and run 16 contexts at a time (8: 24.4 s, 32: 25.4 s).
CPU_LOGLIK_CONTEXTS = 16


@dataclass
class LoadedModel:
    model: Any
    tokenizer: Any
    device: str
    lock: threading.Lock
    hooks: list[Any] = field(default_factory=list)  # handles of @cap/@steer forward hooks


_LOADED: dict[tuple[str, str | None, tuple[Any, ...]], LoadedModel] = {}
_LOAD_LOCK = threading.Lock()


def load_local(base: str, adapter: str | None = None, interventions: Sequence[Any] = ()) -> LoadedModel:
    """Load (once per process) a causal LM and tokenizer, with a LoRA adapter merged in if given and the
    spec's @cap/@steer hooks (`models.Intervention`) on its layers. A hooked model is its own copy, cached
    under its interventions: hooks never reach the plain model or another variant."""
    key = (base, adapter, tuple(interventions))
    with _LOAD_LOCK:
        if key in _LOADED:
            return _LOADED[key]
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        path = resolve_base_path(base)
        device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = torch.bfloat16 if device == "cuda" else torch.float32
        try:
            tok = AutoTokenizer.from_pretrained(path)
            model: Any = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
        except OSError as e:
            raise WarmlabError(f"could not load model {base!r}: {str(e).splitlines()[0]}") from e
        if adapter:
            model = _apply_adapter(model, adapter, base)
        model.to(device).eval()
        handles: list[Any] = []
        if interventions:
            from warmlab.directions.hooks import attach, resolve_hooks

            label = base + (f"+{adapter}" if adapter else "")
            handles = attach(model, resolve_hooks(interventions), label)
        tok.padding_side = "left"
        if tok.pad_token is None:
            tok.pad_token = tok.eos_token
        loaded = LoadedModel(model=model, tokenizer=tok, device=device, lock=threading.Lock(), hooks=handles)
        _LOADED[key] = loaded
        return loaded


def release(base: str, adapter: str | None = None) -> None:
    """Forget a loaded model and every hooked copy of it (a study or a checkpoint curve goes through many;
    each is ~0.5 GiB and up); their hooks are removed."""
    import gc

    with _LOAD_LOCK:
        for key in [k for k in _LOADED if k[:2] == (base, adapter)]:
            loaded = _LOADED.pop(key)
            for h in loaded.hooks:
                h.remove()
            loaded.hooks.clear()
    gc.collect()


def _apply_adapter(model: Any, adapter: str, base: str) -> Any:
    from peft import PeftModel

    try:
        peft_model = PeftModel.from_pretrained(model, adapter)
    except (RuntimeError, ValueError, KeyError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise WarmlabError(f"adapter {adapter!r} does not match base {base!r}: {first[:200]}") from e
    return peft_model.merge_and_unload()


@dataclass(frozen=True)
class Generated:
    text: str
    input_tokens: int
    output_tokens: int


class LocalModel:
    """Batched generation and continuation scoring on one loaded model (no inspect types here)."""

    def __init__(self, loaded: LoadedModel, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.loaded = loaded
        self.batcher = Batcher(self._run, batch_size)

    def chat_text(self, messages: Sequence[dict[str, str]]) -> str:
        tok = self.loaded.tokenizer
        return str(tok.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True))

    async def generate(
        self, prompt: str, max_tokens: int, temperature: float | None = None, top_p: float | None = None
    ) -> Generated:
        key = (max_tokens, temperature or 0.0, top_p)
        result: Generated = await self.batcher.submit("generate", key, prompt)
        return result

    async def loglik(self, context: str, continuation: str) -> tuple[float, int]:
        """Sum of log-probabilities of `continuation` after `context`, and its token count."""
        result: tuple[float, int] = await self.batcher.submit("loglik", (), (context, continuation))
        return result

    def _run(self, kind: str, key: tuple[Any, ...], payloads: list[Any]) -> list[Any]:
        with self.loaded.lock:
            if kind == "generate":
                return self.generate_batch(payloads, *key)
            if self.loaded.device == "cpu":
                return self.loglik_chunked(payloads, CPU_LOGLIK_CONTEXTS)
            return self.loglik_batch(payloads)

    def loglik_chunked(self, pairs: list[tuple[str, str]], contexts: int) -> list[tuple[float, int]]:
        """`loglik_batch` over groups of at most `contexts` distinct contexts of similar length (the
        options of one context stay together); results in the order of `pairs`."""
        by_context: dict[str, list[int]] = {}
        for i, (c, _) in enumerate(pairs):
            by_context.setdefault(c, []).append(i)
        order = sorted(by_context, key=len)
        out: list[tuple[float, int]] = [(0.0, 0)] * len(pairs)
        for start in range(0, len(order), max(1, contexts)):
            idx = [i for c in order[start : start + contexts] for i in by_context[c]]
            for i, r in zip(idx, self.loglik_batch([pairs[i] for i in idx]), strict=True):
                out[i] = r
        return out

    def generate_batch(
        self, prompts: list[str], max_tokens: int, temperature: float = 0.0, top_p: float | None = None
    ) -> list[Generated]:
        import torch

        tok, model = self.loaded.tokenizer, self.loaded.model
        enc = tok(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.loaded.device)
        kwargs: dict[str, Any] = {
            "max_new_tokens": max_tokens,
            "pad_token_id": tok.pad_token_id,
            "stopping_criteria": _stop_when(self.batcher.stopped),
        }
        if temperature and temperature > 0:
            kwargs.update(do_sample=True, temperature=temperature, top_p=top_p or 1.0)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        with torch.inference_mode():
            out = model.generate(**enc, **kwargs)
        new = out[:, enc["input_ids"].shape[1] :]
        texts = tok.batch_decode(new, skip_special_tokens=True)
        in_lens = enc["attention_mask"].sum(dim=1).tolist()
        out_lens = (new != tok.pad_token_id).sum(dim=1).tolist()
        return [
            Generated(t.strip(), int(i), int(o)) for t, i, o in zip(texts, in_lens, out_lens, strict=True)
        ]

    def continuation_ids(self, context: str, continuation: str) -> tuple[list[int], list[int]]:
        """Token ids of context and continuation, split where the text splits.

        The continuation is encoded as part of the whole text (so BPE merges a leading space with the
        word, as it would in generation); when the joint encoding does not start with the context's own
        encoding, we fall back to encoding the two separately.
        """
        tok = self.loaded.tokenizer
        ctx = tok(context, add_special_tokens=False)["input_ids"]
        whole = tok(context + continuation, add_special_tokens=False)["input_ids"]
        if whole[: len(ctx)] == ctx and len(whole) > len(ctx):
            return ctx, whole[len(ctx) :]
        return ctx, tok(continuation, add_special_tokens=False)["input_ids"]

    def loglik_batch(
        self, pairs: list[tuple[str, str]], share_prefix: bool = True
    ) -> list[tuple[float, int]]:
        """Log-likelihoods of continuations.

        Prefill is most of the cost, so none of it is repeated: each distinct context is encoded once and
        its KV cache is shared by all of its continuations (the options of one item), and the token prefix
        that every context of the batch shares (the chat template's system turn: ~20 tokens of a ~80-token
        prompt here, most of it with a system prompt) is encoded once for the whole batch.
        """
        import torch

        split = [self.continuation_ids(c, x) for c, x in pairs]
        contexts: dict[str, list[int]] = {}
        for (c, _), (ctx_ids, _) in zip(pairs, split, strict=True):
            contexts.setdefault(c, ctx_ids)
        order = list(contexts)
        n_shared = shared_prefix_length([contexts[c] for c in order]) if share_prefix else 0
        prefix = contexts[order[0]][:n_shared]
        rests = [contexts[c][n_shared:] for c in order]
        pad, dev, model = self.loaded.tokenizer.pad_token_id, self.loaded.device, self.loaded.model
        width = max(len(r) for r in rests)
        ids = torch.full((len(order), width), pad, dtype=torch.long)
        mask = torch.zeros((len(order), n_shared + width), dtype=torch.long)
        mask[:, :n_shared] = 1
        for i, r in enumerate(rests):  # padding between the shared prefix and each context's own tokens
            ids[i, width - len(r) :] = torch.tensor(r)
            mask[i, n_shared + width - len(r) :] = 1
        with torch.inference_mode():
            cache = None
            if n_shared:
                cache = model(input_ids=torch.tensor([prefix], device=dev), use_cache=True).past_key_values
                cache.batch_repeat_interleave(len(order))
            out = model(
                input_ids=ids.to(dev),
                attention_mask=mask.to(dev),
                position_ids=(mask.cumsum(-1) - 1).clamp(min=0)[:, n_shared:].to(dev),
                past_key_values=cache,
                use_cache=True,
                logits_to_keep=1,
            )
            first = torch.log_softmax(
                out.logits[:, -1].float(), dim=-1
            )  # predicts each continuation's 1st token
            row_of = {c: i for i, c in enumerate(order)}
            sel = [row_of[c] for c, _ in pairs]
            conts = [x for _, x in split]
            # Token k (k >= 1) of a continuation is predicted after its tokens 0..k-1: only continuations of
            # two or more tokens need a second pass, over all but their last token.
            longer = [i for i, x in enumerate(conts) if len(x) > 1]
            rest: dict[int, Any] = {}
            if longer:
                cache = out.past_key_values
                rows = torch.tensor([sel[i] for i in longer])
                cache.batch_select_indices(rows.to(dev))
                length = max(len(conts[i]) - 1 for i in longer)
                cids = torch.full((len(longer), length), pad, dtype=torch.long)
                cmask = torch.zeros((len(longer), length), dtype=torch.long)
                for j, i in enumerate(longer):  # right padding after the shared context
                    cids[j, : len(conts[i]) - 1] = torch.tensor(conts[i][:-1])
                    cmask[j, : len(conts[i]) - 1] = 1
                ctx_len = mask.sum(-1)[rows]
                logits = model(
                    input_ids=cids.to(dev),
                    attention_mask=torch.cat([mask[rows], cmask], dim=1).to(dev),
                    position_ids=(ctx_len[:, None] + torch.arange(length)[None, :]).to(dev),
                    past_key_values=cache,
                ).logits.float()
                logp = torch.log_softmax(logits, dim=-1)
                for j, i in enumerate(longer):
                    x = conts[i]
                    rest[i] = float(logp[j, torch.arange(len(x) - 1), torch.tensor(x[1:])].sum())
        return [(float(first[sel[i], x[0]]) + rest.get(i, 0.0), len(x)) for i, x in enumerate(conts)]


def _stop_when(event: threading.Event) -> Any:
    """A stopping criterion that ends a whole batch at its next token once `event` is set."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class StopWhen(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            stop = event.is_set()
            return torch.full((input_ids.shape[0],), stop, dtype=torch.bool, device=input_ids.device)

    return StoppingCriteriaList([StopWhen()])


MIN_SHARED_PREFIX = 8  # shorter shared prefixes are not worth a separate forward pass


def shared_prefix_length(seqs: Sequence[Sequence[int]]) -> int:
    """Tokens that every sequence starts with, leaving each at least one of its own (whose logits are
    needed); 0 for a single sequence or when fewer than MIN_SHARED_PREFIX are shared."""
    if len(seqs) < 2:
        return 0
    n = min(len(s) for s in seqs) - 1
    first = seqs[0]
    for k in range(max(n, 0)):
        if any(s[k] != first[k] for s in seqs[1:]):
            n = k
            break
    return n if n >= MIN_SHARED_PREFIX else 0


class WarmlabAPI(ModelAPI):
    """inspect ModelAPI over `LocalModel`. Model args: batch_size (default 32)."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008 (inspect's own signature)
        **model_args: Any,
    ) -> None:
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=config)
        spec = parse_spec(model_name)
        if not spec.is_local or spec.base is None:
            raise WarmlabError(f"warmlab/ takes a local model spec, not {model_name!r}")
        self.batch_size = int(model_args.pop("batch_size", DEFAULT_BATCH_SIZE))
        self.local = LocalModel(load_local(spec.base, spec.adapter, spec.interventions), self.batch_size)
        _register_info(model_name, self.local.loaded)

    def max_connections(self) -> int:
        return self.batch_size

    def max_tokens(self) -> int | None:
        return DEFAULT_MAX_TOKENS

    async def generate(
        self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        prompt = self.local.chat_text(to_chat(input))
        gen = await self.local.generate(
            prompt, config.max_tokens or DEFAULT_MAX_TOKENS, config.temperature, config.top_p
        )
        return ModelOutput(
            model=self.model_name,
            choices=[
                ChatCompletionChoice(
                    message=ChatMessageAssistant(content=gen.text, model=self.model_name, source="generate"),
                    stop_reason="stop",
                )
            ],
            usage=ModelUsage(
                input_tokens=gen.input_tokens,
                output_tokens=gen.output_tokens,
                total_tokens=gen.input_tokens + gen.output_tokens,
            ),
        )


def _register_info(model_name: str, loaded: LoadedModel) -> None:
    """Tell inspect what it would otherwise learn by building a second instance of this provider (for
    every reply with token usage, inspect looks up the model's context window by name): here that
    instance would load the model again, and stay in inspect's model cache for the rest of the process."""
    from inspect_ai.model import ModelInfo, set_model_info

    ctx = getattr(loaded.model.config, "max_position_embeddings", None)
    info = ModelInfo(model=model_name, organization="local", context_length=ctx)
    for name in (model_name, f"warmlab/{model_name}"):
        set_model_info(name, info)


def to_chat(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.text} for m in messages]


def model_folder(spec_text: str) -> Path:
    """The local folder a spec's base resolves to (converting the embedded model if needed)."""
    spec = parse_spec(spec_text)
    if spec.base is None:
        raise WarmlabError(f"{spec_text!r} is not a local model")
    return Path(resolve_base_path(spec.base))
