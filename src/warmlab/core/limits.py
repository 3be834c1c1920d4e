"""The allowed range of every numeric setting, in one place: the CLI's argument types, the study config's
schema and the runner's settings all check against these, so `--limit 0` and `limit = 0` get the same
answer. A size of 0, a negative one or an absurd one is refused before any work starts."""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from typing import Any

from warmlab.errors import WarmlabError


@dataclass(frozen=True)
class Range:
    name: str
    lo: float
    hi: float
    integer: bool = True
    lo_open: bool = False  # `lo` itself is not allowed (a learning rate of 0)

    def describe(self) -> str:
        kind = "an integer" if self.integer else "a number"
        lo = f"above {self.lo:g}" if self.lo_open else f"from {self.lo:g}"
        return f"{kind} {lo} to {self.hi:g}"

    def ok(self, value: float) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            return False
        if self.integer and not float(value).is_integer():
            return False
        above = value > self.lo if self.lo_open else value >= self.lo
        return above and value <= self.hi

    def check(self, value: Any, where: str = "") -> Any:
        """`value` when it is in range, else a WarmlabError naming `where` (default: the setting)."""
        if value is None or self.ok(value):
            return value
        raise WarmlabError(f"{where or self.name} must be {self.describe()}, not {value!r}")

    def parse(self, text: str) -> int | float:
        """An argparse `type`: the number in `text`, or a one-line refusal."""
        try:
            value: int | float = int(text) if self.integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {self.describe()}, not {text!r}") from None
        if not self.ok(value):
            raise argparse.ArgumentTypeError(f"must be {self.describe()}, not {text!r}")
        return value

    def field(self, default: Any = None) -> Any:
        """A pydantic Field with this range."""
        from pydantic import Field

        kwargs: dict[str, Any] = {"le": self.hi, ("gt" if self.lo_open else "ge"): self.lo}
        if not self.integer:
            kwargs["allow_inf_nan"] = False
        return Field(default=default, **kwargs)


LIMIT = Range("limit", 1, 10_000_000)
MAX_TOKENS = Range("max_tokens", 1, 65_536)
BATCH_SIZE = Range("batch_size", 1, 4096)
TEMPERATURE = Range("temperature", 0, 5, integer=False)
SEED = Range("seed", 0, 2**32 - 1)
BOOTSTRAP = Range("bootstrap", 0, 100_000)
EPOCHS = Range("epochs", 0, 1000, integer=False, lo_open=True)
LEARNING_RATE = Range("lr", 0, 1, integer=False, lo_open=True)
MAX_LENGTH = Range("max_length", 16, 1_048_576)
FRACTION = Range("fraction", 0, 1, integer=False)
OPEN_FRACTION = Range("fraction", 0, 1, integer=False, lo_open=True)
LORA_RANK = Range("lora_r", 1, 4096)
STEPS = Range("max_steps", 1, 10_000_000)
JUDGE_SAMPLE = Range("judge_sample", 0, 10_000_000)
