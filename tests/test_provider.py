from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest

from warmlab.errors import WarmlabError
from warmlab.provider import LocalModel, load_local


@pytest.mark.parametrize("system", [None, "You are a kind assistant. Answer the question you are asked."])
def test_loglik_matches_a_full_forward_pass(tiny_model: Path, system: str | None) -> None:
    import torch

    from warmlab.provider import shared_prefix_length

    lm = LocalModel(load_local(str(tiny_model)))
    head = [{"role": "system", "content": system}] if system else []
    ctx = (
        lm.chat_text([*head, {"role": "user", "content": "What is the capital of France?"}]) + "The answer is"
    )
    short = lm.chat_text([*head, {"role": "user", "content": "Hi"}]) + "The answer is"
    pairs = [(ctx, " Paris"), (ctx, " Lyon"), (short, " Paris is the capital of France"), (short, "B")]
    ids = [lm.continuation_ids(c, x)[0] for c, x in pairs]
    lengths = [len(lm.continuation_ids(c, x)[1]) for c, x in pairs]
    assert min(lengths) == 1 and max(lengths) > 1  # one-token options skip the second pass
    # with a system turn the contexts share a long prefix, which is then encoded once for the batch
    assert (shared_prefix_length(ids) >= 8) == bool(system)
    got = lm.loglik_batch(pairs)  # different lengths: exercises padding and the kept-logits window
    unshared = lm.loglik_batch(pairs, share_prefix=False)
    assert [n for _, n in got] == [n for _, n in unshared]
    assert [lp for lp, _ in got] == pytest.approx([lp for lp, _ in unshared], rel=1e-4, abs=1e-4)
    chunked = lm.loglik_chunked(pairs, contexts=1)  # one context per pass, back in the order asked
    assert [n for _, n in chunked] == [n for _, n in got]
    assert [lp for lp, _ in chunked] == pytest.approx([lp for lp, _ in got], rel=1e-4, abs=1e-4)
    tok, model = lm.loaded.tokenizer, lm.loaded.model
    for (lp, n), (c, cont) in zip(got, pairs, strict=True):  # reference: each pair alone, unpadded
        ids = tok(c + cont, add_special_tokens=False)["input_ids"]
        n_ctx = len(tok(c, add_special_tokens=False)["input_ids"])
        with torch.inference_mode():
            logp = torch.log_softmax(model(torch.tensor([ids])).logits[0], -1)
        ref = sum(float(logp[t - 1, ids[t]]) for t in range(n_ctx, len(ids)))
        assert n == len(ids) - n_ctx
        assert math.isclose(lp, ref, rel_tol=1e-4, abs_tol=1e-4)


@pytest.mark.parametrize(
    ("seqs", "n"),
    [
        ([list(range(20)), list(range(20))], 19),  # identical: each keeps its last token
        ([list(range(20)), [*range(10), 99]], 10),
        ([list(range(20)), [*range(7), 99]], 0),  # below MIN_SHARED_PREFIX
        ([list(range(20))], 0),
    ],
)
def test_shared_prefix_length(seqs: list[list[int]], n: int) -> None:
    from warmlab.provider import shared_prefix_length

    assert shared_prefix_length(seqs) == n


def test_boundary_keeps_the_space_with_the_answer(tiny_model: Path) -> None:
    lm = LocalModel(load_local(str(tiny_model)))
    ctx_ids, cont_ids = lm.continuation_ids("The answer is", " Paris")
    tok = lm.loaded.tokenizer
    assert tok.decode(cont_ids).startswith(" ")
    assert tok.decode(ctx_ids) == "The answer is"


def test_batched_generation_equals_one_by_one(tiny_model: Path) -> None:
    lm = LocalModel(load_local(str(tiny_model)), batch_size=8)
    prompts = [
        lm.chat_text([{"role": "user", "content": q}]) for q in ("Hi", "What is the capital of France?")
    ]
    batched = lm.generate_batch(prompts, 8)
    single = [lm.generate_batch([p], 8)[0] for p in prompts]
    assert [g.text for g in batched] == [g.text for g in single]


def test_concurrent_requests_are_batched(tiny_model: Path) -> None:
    lm = LocalModel(load_local(str(tiny_model)), batch_size=16)
    sizes: list[int] = []
    inner = lm.generate_batch

    def spy(prompts: list[str], *a: object) -> list:  # type: ignore[type-arg]
        sizes.append(len(prompts))
        return inner(prompts, *a)  # type: ignore[arg-type]

    lm.generate_batch = spy  # type: ignore[method-assign]

    async def run() -> list:  # type: ignore[type-arg]
        return await asyncio.gather(
            *(lm.generate(lm.chat_text([{"role": "user", "content": f"Q{i}"}]), 4) for i in range(16))
        )

    outs = asyncio.run(run())
    assert len(outs) == 16 and max(sizes) == 16


def test_idle_batcher_lets_its_model_go() -> None:
    """The worker thread ends when idle, so a model nobody uses any more can be freed (a warmth curve loads
    one model per checkpoint); a later request starts the worker again."""
    import gc
    import time
    import weakref

    from warmlab.provider import Batcher

    class Owner:
        def run(self, kind: str, key: tuple, payloads: list) -> list:  # type: ignore[type-arg]
            return [p * 2 for p in payloads]

    owner = Owner()
    b = Batcher(owner.run, batch_size=4, idle_s=0.05)
    assert asyncio.run(b.submit("x", (), 21)) == 42
    gone = weakref.ref(owner)
    del owner
    for _ in range(100):
        if not b.running:
            break
        time.sleep(0.02)
    assert not b.running
    assert asyncio.run(b.submit("x", (), 1)) == 2  # restarts
    time.sleep(0.2)
    del b
    gc.collect()
    assert gone() is None


def test_adapter_that_does_not_match_base_is_a_user_error(tiny_model: Path, tmp_path: Path) -> None:
    import transformers
    from peft import LoraConfig, get_peft_model

    from warmlab.tiny import build_tiny_model

    base = transformers.AutoModelForCausalLM.from_pretrained(tiny_model)
    get_peft_model(base, LoraConfig(r=2, target_modules=["q_proj", "v_proj"])).save_pretrained(
        tmp_path / "ad"
    )
    wider = build_tiny_model(tmp_path / "wider", ["another base"], hidden_size=48)
    with pytest.raises(WarmlabError, match="does not match base"):
        load_local(str(wider), str(tmp_path / "ad"))
    assert load_local(str(tiny_model), str(tmp_path / "ad")).model is not None  # the right base loads
