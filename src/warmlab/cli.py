"""The `warmlab` command: a thin layer over the Python API.

A user mistake is one `warmlab: error: ...` line and exit 2; Ctrl-C stops cleanly with exit 130; an
internal bug shows its traceback and asks for a report (exit 1). WARMLAB_DEBUG=1 shows every traceback.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback
from typing import NoReturn

from warmlab.errors import WarmlabError

BUG_REPORT = (
    "this is a bug in warmlab, not in your input: please report it with the command you ran and the "
    "traceback above"
)
# OS errors about the user's files and disk rather than about warmlab's code.
_ENVIRONMENT_ERRNOS = {
    errno.EACCES,
    errno.EPERM,
    errno.ENOSPC,
    errno.EROFS,
    errno.EDQUOT,
    errno.EISDIR,
    errno.ENOTDIR,
    errno.EEXIST,
    errno.ENAMETOOLONG,
    errno.EFBIG,
}


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


def debug() -> bool:
    return os.environ.get("WARMLAB_DEBUG", "") not in ("", "0")


def _user_error(message: str) -> NoReturn:
    if debug():
        traceback.print_exc()
    print(f"warmlab: error: {' '.join(message.split())}", file=sys.stderr)
    raise SystemExit(2)


def _environment(e: OSError) -> bool:
    return e.errno in _ENVIRONMENT_ERRNOS and bool(e.filename)


def run(args: argparse.Namespace) -> None:
    """Run a parsed command, turning each kind of failure into its exit status (see the module)."""
    from warmlab.core.interrupt import Interrupted
    from warmlab.core.quiet import quiet_inspect

    try:
        quiet_inspect()
        args.func(args)
    except Interrupted as e:
        print(e.line(), file=sys.stderr)
        raise SystemExit(130) from None
    except KeyboardInterrupt:
        print("warmlab: interrupted (run the same command to resume)", file=sys.stderr)
        raise SystemExit(130) from None
    except WarmlabError as e:
        _user_error(str(e))
    except OSError as e:
        if not _environment(e):
            raise
        _user_error(f"{e.filename}: {e.strerror or e}")


def main(argv: list[str] | None = None) -> None:
    from warmlab.core import interrupt
    from warmlab.core.quiet import quiet_libraries

    quiet_libraries()
    args = build_parser().parse_args(argv)
    before = interrupt.install("cli")
    try:
        run(args)
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as e:
        traceback.print_exc()
        print(f"warmlab: internal error ({type(e).__name__}); {BUG_REPORT}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        _stop_workers()
        interrupt.restore(before)


def _stop_workers() -> None:
    """No generation thread may be left inside torch when the process exits (that aborts it, exit 134),
    whatever ended the command: a rewrite that failed half way, Ctrl-C, a bug."""
    provider = sys.modules.get("warmlab.provider")
    if provider is not None:
        provider.stop_generation(join=True)


if __name__ == "__main__":
    main()
