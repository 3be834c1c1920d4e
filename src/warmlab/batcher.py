"""Batching for warmlab's local provider: requests from concurrent inspect samples are collected and run in
batches on one worker thread (a GPU or a CPU is busiest with full batches), with a clean stop."""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from queue import Empty, Queue
from typing import Any

from warmlab.errors import GenerationStopped


@dataclass
class _Request:
    kind: str  # "generate" | "loglik"
    key: tuple[Any, ...]
    payload: Any
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


_STOP: Any = object()  # a queue entry that wakes the worker after stop()


_BATCHERS: weakref.WeakSet[Batcher] = weakref.WeakSet()


def stop_generation(join: bool = True, timeout: float = 60.0) -> None:
    """Stop every batcher: the batch being generated ends at its next token and waiting requests fail
    with GenerationStopped (no truncated reply is ever handed out as an answer). With `join`, wait for the
    worker threads, so that none is left inside torch when the process exits (that aborts it, exit 134)."""
    batchers = list(_BATCHERS)
    for b in batchers:
        b.stop()
    if join:
        for b in batchers:
            b.join(timeout)


class Batcher:
    """Collects requests from concurrent samples and runs them in batches on one worker thread.

    A batch starts as soon as `batch_size` requests wait, or no new request came for `wait_s` while the
    event loop that sends them is idle (see `_loop_busy`; at most `fill_s` in all). The worker
    ends after `idle_s` without requests (and starts again with the next): a thread blocked forever would
    keep the model alive after its last use (one leaked model per checkpoint on a warmth curve). After
    `stop()`, every request fails with GenerationStopped.
    """

    def __init__(
        self,
        run: Callable[[str, tuple[Any, ...], list[Any]], list[Any]],
        batch_size: int,
        wait_s: float = 0.05,
        idle_s: float = 2.0,
        fill_s: float = 1.0,
    ) -> None:
        self._run = run
        self.batch_size = batch_size
        self._wait_s = wait_s
        self._idle_s = idle_s
        self._fill_s = fill_s
        self._queue: Queue[_Request] = Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.stopped = threading.Event()
        _BATCHERS.add(self)

    @property
    def running(self) -> bool:
        return self._thread is not None

    async def submit(self, kind: str, key: tuple[Any, ...], payload: Any) -> Any:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        with self._lock:
            if self.stopped.is_set():
                raise GenerationStopped("generation was stopped")
            self._queue.put(_Request(kind, key, payload, loop, fut))
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, daemon=True, name="warmlab-batcher")
                self._thread.start()
        return await fut

    def stop(self) -> None:
        with self._lock:
            self.stopped.set()
            self._queue.put(_STOP)  # wakes a worker waiting for requests

    def join(self, timeout: float | None = None) -> None:
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout)

    def _next(self) -> _Request | None:
        try:
            return self._queue.get(timeout=self._idle_s)
        except Empty:
            with self._lock:  # a request put after the timeout but before this check is still served
                if self._queue.empty():
                    self._thread = None
                    return None
            return self._queue.get()

    def _fail_waiting(self) -> None:
        while True:
            try:
                r = self._queue.get_nowait()
            except Empty:
                return
            if r is not _STOP:
                _deliver(r, exc=GenerationStopped("generation was stopped"))

    def _loop(self) -> None:
        try:
            self._work()
        finally:
            if self.stopped.is_set():
                with self._lock:
                    self._thread = None
                self._fail_waiting()

    def _fill(self, first: _Request) -> list[_Request]:
        """A batch: `first` and the requests that follow it (see the class docstring)."""
        batch = [first]
        deadline = time.monotonic() + self._fill_s
        while len(batch) < self.batch_size:
            try:
                r = self._queue.get(timeout=self._wait_s)
            except Empty:
                if time.monotonic() < deadline and (
                    _loop_busy(batch[-1].loop, self._wait_s) or not self._queue.empty()
                ):
                    continue
                break
            if r is _STOP:
                break
            batch.append(r)
        return batch

    def _work(self) -> None:
        while not self.stopped.is_set():
            first = self._next()
            if first is None:
                return
            if first is _STOP:
                continue
            batch = self._fill(first)
            groups: dict[tuple[Any, ...], list[_Request]] = {}
            for r in batch:
                groups.setdefault((r.kind, *r.key), []).append(r)
            for reqs in groups.values():
                if self.stopped.is_set():
                    for r in reqs:
                        _deliver(r, exc=GenerationStopped("generation was stopped"))
                    continue
                try:
                    results = self._run(reqs[0].kind, reqs[0].key, [r.payload for r in reqs])
                except BaseException as e:  # hand the failure to every waiting sample
                    for r in reqs:
                        _deliver(r, exc=e)
                    continue
                for r, res in zip(reqs, results, strict=True):
                    if self.stopped.is_set():  # cut short by stop(): not an answer
                        _deliver(r, exc=GenerationStopped("generation was stopped"))
                    else:
                        _deliver(r, value=res)


LOOP_IDLE_S = 0.005  # an idle event loop runs a callback from another thread in well under a millisecond


def _loop_busy(loop: asyncio.AbstractEventLoop, timeout: float) -> bool:
    """Whether `loop` takes longer than LOOP_IDLE_S to run a callback sent now: it is busy, typically
    finishing the samples of the last batch (scoring, logging, one row each) and starting new ones, whose
    requests are still to come. Without this a batch started part full whenever that work left a gap of
    `wait_s` between two requests (9 of 64 here), and on a GPU a part batch decodes as long as a full one."""
    ran = threading.Event()
    t0 = time.monotonic()
    try:
        loop.call_soon_threadsafe(ran.set)
    except RuntimeError:  # the loop has closed
        return False
    return not ran.wait(timeout) or time.monotonic() - t0 > LOOP_IDLE_S


def _deliver(r: _Request, value: Any = None, exc: BaseException | None = None) -> None:
    """Resolve a request's future on its own loop; a loop that has closed (an interrupted run) is skipped."""
    try:
        if exc is not None:
            r.loop.call_soon_threadsafe(_set_exception, r.future, exc)
        else:
            r.loop.call_soon_threadsafe(_set_result, r.future, value)
    except RuntimeError:
        pass


def _set_result(fut: asyncio.Future[Any], value: Any) -> None:
    if not fut.done():
        fut.set_result(value)


def _set_exception(fut: asyncio.Future[Any], e: BaseException) -> None:
    if not fut.done():
        fut.set_exception(e)
