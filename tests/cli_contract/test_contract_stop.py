"""Stopping local generation (what Ctrl-C and a failed write do to the provider's worker thread): no
waiting sample gets a truncated reply, the batch in progress ends at its next token, the thread exits."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from warmlab.errors import GenerationStopped
from warmlab.provider import Batcher, LocalModel, load_local, stop_generation


def test_stop_fails_every_waiting_request_and_ends_the_worker() -> None:
    started = threading.Event()

    def slow(kind: str, key: tuple[Any, ...], payloads: list[Any]) -> list[Any]:
        started.set()
        time.sleep(0.3)
        return [f"reply to {p}" for p in payloads]

    batcher = Batcher(slow, batch_size=2, wait_s=0.01)

    async def main() -> list[Any]:
        calls = [batcher.submit("generate", (), i) for i in range(5)]
        waiting = asyncio.gather(*calls, return_exceptions=True)
        await asyncio.to_thread(started.wait, 5)
        batcher.stop()  # while the first batch is being generated
        return await waiting

    results = asyncio.run(main())
    assert all(isinstance(r, GenerationStopped) for r in results), results  # the first batch too: cut short
    batcher.join(5)
    assert not batcher.running

    async def after() -> Any:
        return await batcher.submit("generate", (), "late")

    with pytest.raises(GenerationStopped):
        asyncio.run(after())


def test_a_stopped_model_ends_its_batch_at_the_next_token(tiny_model: Path) -> None:
    local = LocalModel(load_local(str(tiny_model)), batch_size=2)
    prompt = local.chat_text([{"role": "user", "content": "What is the capital of France?"}])
    local.batcher.stopped.set()
    out = local.generate_batch([prompt, prompt], max_tokens=400)
    assert all(g.output_tokens <= 1 for g in out)


def test_stop_generation_reaches_every_batcher() -> None:
    batchers = [Batcher(lambda kind, key, payloads: payloads, batch_size=1) for _ in range(3)]
    stop_generation(join=True, timeout=5)
    assert all(b.stopped.is_set() for b in batchers)
