"""The `warmlab` command: a thin layer over the Python API. User mistakes exit 2 with one line."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from warmlab.errors import WarmlabError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"warmlab: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    from warmlab.commands import MODULES

    p = _Parser(prog="warmlab", description="What does making a chat model warm cost?")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in MODULES:
        importlib.import_module(name).register(sub)
    return p


def main(argv: list[str] | None = None) -> None:
    from warmlab.core.quiet import quiet_inspect, quiet_libraries

    quiet_libraries()
    args = build_parser().parse_args(argv)
    try:
        quiet_inspect()
        args.func(args)
    except WarmlabError as e:
        print(f"warmlab: error: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        print(
            "warmlab: interrupted; finished samples are kept, re-run the same command to resume",
            file=sys.stderr,
        )
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
