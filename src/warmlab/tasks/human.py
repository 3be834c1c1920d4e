"""Human baselines for a battery's report section: computed with warmlab's own classifiers from upstream
data at a path the user gives (the task argument `baselines`, e.g. `baselines = PATH` under [tasks.NAME]
in a study config), cached on disk, never shipped. The task puts them on every row as its `reference`."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError

DEFAULT_LIMIT = 400  # texts per source (and per session quality): a few minutes once, then cached


def check_root(path: str | None, needs: Sequence[str]) -> Path | None:
    """The baselines folder (None when not given, or given but absent: see `missing`); a folder without
    the files the battery reads is a WarmlabError naming the first one missing."""
    if missing(path) is not None or not path:
        return None
    root = Path(str(path)).expanduser()
    for rel in needs:
        if not (root / rel).is_file():
            raise WarmlabError(f"baselines: {root / rel} not found (the folder needs {', '.join(needs)})")
    return root


def missing(path: str | None) -> dict[str, Any] | None:
    """The reference of a baselines path that does not exist (a shipped config pointing at
    ../shared/data on a machine without it): the report says so; not an error."""
    if path and not Path(str(path)).expanduser().exists():
        return {"source": str(path), "missing": f"{path} not found"}
    return None


def human_baselines(
    battery: str,
    path: str | None,
    files: Sequence[str],
    limit: int,
    compute: Callable[[Path, int | None], dict[str, Any]],
) -> dict[str, Any] | None:
    """A battery's `reference`: `compute(root, limit)` (limit 0 given as None: all) with the source and
    limit beside it; None when no path is given, the `missing` reference when it does not exist."""
    absent = missing(path)
    if absent is not None:
        return absent
    root = check_root(path, files)
    if root is None:
        return None
    lim = None if limit == 0 else limit
    print(f"{battery}: human baselines from {root} (computed once, then cached)", file=sys.stderr)
    return {"source": str(root), "limit": lim, **compute(root, lim)}


def _fingerprint(root: Path, files: Sequence[str], weights: Sequence[str]) -> list[Any]:
    from importlib.resources import files as package_files

    out: list[Any] = []
    for rel in files:
        st = (root / rel).stat()
        out.append([rel, st.st_size, st.st_mtime_ns])
    for name in weights:  # refitted classifiers give other baselines
        data = (package_files("warmlab.classifiers") / "weights" / f"{name}.json").read_bytes()
        out.append([name, hashlib.sha256(data).hexdigest()[:16]])
    return out


def cached(
    name: str,
    root: Path,
    files: Sequence[str],
    weights: Sequence[str],
    params: Mapping[str, Any],
    compute: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """`compute()` once per (data files, classifier weights, params); later calls read the cache
    (WARMLAB_CACHE/baselines/)."""
    from warmlab.embedded import cache_dir

    key = {
        "name": name,
        "root": str(root.resolve()),
        "params": dict(params),
        "inputs": _fingerprint(root, files, weights),
    }
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:20]
    path = cache_dir() / "baselines" / f"{name}-{digest}.json"
    try:
        return dict(json.loads(path.read_text(encoding="utf-8"))["value"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    value = compute()
    try:  # a cache that cannot be written only costs the next run the same time again
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": key, "value": value}, default=str), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
    return value


def reference(rows: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The human baselines the rows carry (every row of a run carries the same), or None."""
    return next((r["reference"] for r in rows if r.get("reference")), None)


NOT_COMPUTED = "not computed: run the task with the argument baselines=PATH (the shared data folder)"


def not_computed(ref: Mapping[str, Any] | None) -> str | None:
    """Why the rows carry no baselines (None when they do)."""
    if not ref:
        return NOT_COMPUTED
    if ref.get("missing"):
        return f"not computed: {ref['missing']}"
    return None
