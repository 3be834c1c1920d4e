"""Ctrl-C: the first stops the work in progress cleanly, a second quits at once.

Outside an inspect run the first Ctrl-C raises KeyboardInterrupt as usual. During a run, the runner
registers a `stop` callback (results.recorder): it marks unfinished samples as not to be recorded, halts
local generation, and cancels inspect's main task, which is what asyncio's own SIGINT handler does; inspect
then winds the run down and returns, and the runner raises `Interrupted`. A second Ctrl-C quits the process
at once from the command line (finished rows are already on disk), raises KeyboardInterrupt from the
Python API, and is ignored in a study's worker process (its parent decides).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any, Literal

Mode = Literal["cli", "api", "child"]


class Interrupted(KeyboardInterrupt):
    """A run stopped by Ctrl-C after keeping `kept` of `total` samples."""

    def __init__(self, kept: int, total: int) -> None:
        super().__init__(kept, total)
        self.kept, self.total = kept, total

    def line(self) -> str:
        return (
            f"warmlab: interrupted ({self.kept} of {self.total} samples kept; run the same command to resume)"
        )


class _State:
    mode: Mode = "api"
    count = 0
    stop: Callable[[], None] | None = None


_STATE = _State()
_CHILDREN: set[int] = set()  # worker pids to kill on a hard exit (a study's eval child)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def handle_sigint(signum: int, frame: FrameType | None) -> None:
    """warmlab's SIGINT handler (see the module docstring)."""
    _STATE.count += 1
    if _STATE.count == 1:
        if _STATE.mode != "child":
            start = "\n" if sys.stderr.isatty() else ""  # after a progress line that ends in \r
            print(f"{start}warmlab: stopping (Ctrl-C again to quit at once)", file=sys.stderr, flush=True)
        stop = _STATE.stop
        if stop is not None:
            stop()
            return
        raise KeyboardInterrupt
    if _STATE.mode == "child":
        return
    if _STATE.mode == "api":
        raise KeyboardInterrupt
    print("warmlab: interrupted again; quitting now (finished samples are kept)", file=sys.stderr)
    sys.stderr.flush()
    for pid in list(_CHILDREN):
        with suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    os._exit(130)


def install(mode: Mode) -> Any:
    """Make `handle_sigint` the process's SIGINT handler (main thread only; elsewhere a no-op); returns
    the handler it replaced, for `restore`."""
    _STATE.mode, _STATE.count, _STATE.stop = mode, 0, None
    if not _main_thread():
        return None
    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, handle_sigint)
    return before


def restore(handler: Any) -> None:
    if handler is not None and _main_thread():
        signal.signal(signal.SIGINT, handler)


def interrupted() -> bool:
    return _STATE.count > 0


def watch_child(pid: int, add: bool = True) -> None:
    (_CHILDREN.add if add else _CHILDREN.discard)(pid)


@contextmanager
def runner_sigint() -> Iterator[None]:
    """Around a call that runs an asyncio event loop: Python's default handler is put in place so that
    asyncio installs its own (which `adopt_loop_handler` takes over from inside the loop); the previous
    handler comes back afterwards."""
    if not _main_thread():
        yield
        return
    before = signal.getsignal(signal.SIGINT)
    _STATE.count = 0  # a new run: its first Ctrl-C stops it
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)
        _STATE.stop = None


def adopt_loop_handler(stop: Callable[[], None]) -> None:
    """Called inside the running loop: route Ctrl-C to `stop` followed by asyncio's handler (which cancels
    the loop's main task, the way inspect expects to be interrupted). A no-op off the main thread."""
    if not _main_thread():
        return
    loop_handler = signal.getsignal(signal.SIGINT)

    def stop_then_cancel() -> None:
        stop()
        if callable(loop_handler) and loop_handler is not handle_sigint:
            with suppress(KeyboardInterrupt):  # Python's default handler: there is no loop to cancel
                loop_handler(signal.SIGINT, None)

    _STATE.stop = stop_then_cancel
    signal.signal(signal.SIGINT, handle_sigint)


def loop_main_task() -> object | None:
    """The main task of the asyncio loop running now, read from the SIGINT handler asyncio installed for
    it (None when asyncio installed none: off the main thread, or another handler was in place)."""
    keywords = getattr(signal.getsignal(signal.SIGINT), "keywords", None)
    return keywords.get("main_task") if isinstance(keywords, dict) else None
