"""The eval harness's own costs (issue 17): sample selection, task reuse, inspect's log flushes, batching."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from warmlab.models import parse_spec
from warmlab.results import read_results
from warmlab.results.runner import EvalSettings, build_task, built_task, only_samples, run_eval
from warmlab.tasks import get_battery


def test_only_samples_keeps_the_given_ids_in_dataset_order_and_leaves_the_task_alone() -> None:
    battery = get_battery("reliability")
    task = build_task(battery, EvalSettings(limit=1), "generate", parse_spec("embedded"))
    ids = [str(s.id) for s in task.dataset]
    wanted = [ids[5], ids[1], "no-such-sample"]
    sub = only_samples(task, wanted)
    assert [str(s.id) for s in sub.dataset] == [ids[1], ids[5]]
    assert [str(s.id) for s in task.dataset] == ids  # the cached task still has every sample
    assert sub.name == task.name and sub.scorer == task.scorer


def test_a_task_built_up_front_is_reused_once_for_its_mode_and_system_prompt() -> None:
    battery = get_battery("reliability")
    settings = EvalSettings(limit=1)
    a = build_task(battery, settings, "generate", parse_spec("embedded"))
    cache: dict[tuple[str, str | None], Any] = {("generate", None): a}
    assert built_task(cache, battery, settings, "generate", parse_spec("embedded@system=warm")) is not a
    assert built_task(cache, battery, settings, "generate", parse_spec("embedded")) is a
    # a second model gets its own (a scorer may hold state bound to the first eval's event loop)
    assert built_task(cache, battery, settings, "generate", parse_spec("embedded")) is not a
    assert not cache


def test_selected_samples_run_and_the_inspect_log_holds_them(tiny_model: Path, tmp_path: Path) -> None:
    """Samples chosen by id run without inspect's sample_id= filter; the log, flushed once at the end,
    still holds every sample."""
    from inspect_ai.log import list_eval_logs, read_eval_log

    settings = EvalSettings(args={"contexts": "none,sad"}, limit=1, max_tokens=2, batch_size=4)
    task = build_task(get_battery("reliability"), settings, "generate", parse_spec(str(tiny_model)))
    ids = sorted(str(s.id) for s in task.dataset)[:5]
    from dataclasses import replace

    run_eval([str(tiny_model)], ["generate"], tmp_path, replace(settings, sample_ids=frozenset(ids)))
    rows = read_results(tmp_path / "results.jsonl")
    assert sorted(r["sample_id"] for r in rows) == ids
    (log,) = list_eval_logs(str(tmp_path / "logs"))
    assert sorted(str(s.id) for s in read_eval_log(log).samples or []) == ids


class _Sizes:
    def __init__(self) -> None:
        self.sizes: list[int] = []

    def run(self, kind: str, key: tuple[Any, ...], payloads: list[Any]) -> list[Any]:
        self.sizes.append(len(payloads))
        return payloads


@pytest.mark.parametrize("fill_s", [1.0, 0.0])
def test_a_batch_waits_for_requests_while_their_event_loop_is_busy(fill_s: float) -> None:
    """Three requests, then the loop is busy for 4 x wait_s (a sample's scoring and logging), then a
    fourth: one batch, where waiting on the loop is allowed (fill_s > 0); two without it."""
    from warmlab.provider import Batcher

    owner = _Sizes()
    b = Batcher(owner.run, batch_size=4, wait_s=0.05, idle_s=0.5, fill_s=fill_s)

    async def late() -> Any:
        await asyncio.sleep(0.01)  # the first three are queued
        time.sleep(0.2)  # busy: blocks the loop without awaiting
        return await b.submit("x", (), 3)

    async def go() -> list[Any]:
        return list(await asyncio.gather(*(b.submit("x", (), i) for i in range(3)), late()))

    assert asyncio.run(go()) == [0, 1, 2, 3]
    assert owner.sizes == ([4] if fill_s else [3, 1])
    b.stop()
    b.join(2)


def test_a_batch_on_an_idle_loop_starts_after_wait_s() -> None:
    """An idle loop that sends nothing more: the part batch starts after about wait_s, not fill_s."""
    from warmlab.provider import Batcher

    owner = _Sizes()
    b = Batcher(owner.run, batch_size=8, wait_s=0.05, idle_s=0.5, fill_s=5.0)

    async def go() -> float:
        t0 = time.monotonic()
        await asyncio.gather(*(b.submit("x", (), i) for i in range(3)))
        return time.monotonic() - t0

    assert asyncio.run(go()) < 1.0
    assert owner.sizes == [3]
    b.stop()
    b.join(2)
