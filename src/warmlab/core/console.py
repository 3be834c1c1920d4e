"""The console warmlab prints tables to."""

from __future__ import annotations

from rich.console import Console


def wide_console() -> Console:
    """A rich console; piped or captured output gets 160 columns instead of being squeezed into 80."""
    console = Console()
    return console if console.is_terminal else Console(width=160)
