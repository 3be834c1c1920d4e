"""Sub-commands that live beside their feature. Each module has `register(sub)`, which adds one or more
sub-parsers and sets `func`; top-level imports stay light (argparse only) so `warmlab --help` is fast."""

from __future__ import annotations

MODULES = (
    "warmlab.commands.eval",
    "warmlab.commands.items",
    "warmlab.commands.models",
    "warmlab.commands.study",
    "warmlab.commands.rewrite",
    "warmlab.commands.train",
    "warmlab.commands.warmth",
    "warmlab.commands.stats",
    "warmlab.commands.report",
    "warmlab.commands.talk",
    "warmlab.commands.directions",
)
