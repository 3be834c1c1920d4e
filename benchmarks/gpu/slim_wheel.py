"""Rewrite a wheel without the files under some folders (data the GPU check never reads), in place.

    python benchmarks/gpu/slim_wheel.py WHEEL PATTERN...

A PATTERN ending in '/' drops every file below the folders it names ('*' matches one path segment);
RECORD loses the same lines, so the wheel stays consistent. Prints the bytes saved.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path


def folder_regex(pattern: str) -> re.Pattern[str]:
    """'pkg/data/*/' -> files below any direct subfolder of pkg/data/ (not the files in pkg/data/ itself)."""
    if not pattern.endswith("/"):
        raise SystemExit(f"slim_wheel: pattern {pattern!r} must name a folder (end with '/')")
    parts = ["[^/]+" if p == "*" else re.escape(p) for p in pattern.rstrip("/").split("/")]
    return re.compile("/".join(parts) + "/.+")


def slim(wheel: Path, patterns: list[str]) -> tuple[int, int]:
    """Drop the matching files from `wheel`; returns (files dropped, bytes saved)."""
    regexes = [folder_regex(p) for p in patterns]
    before = wheel.stat().st_size
    tmp = wheel.with_name(wheel.name + ".tmp")
    dropped = 0
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        gone = {i.filename for i in src.infolist() if any(r.fullmatch(i.filename) for r in regexes)}
        for info in src.infolist():
            if info.filename in gone:
                dropped += 1
                continue
            data = src.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                kept = [ln for ln in data.decode().splitlines() if ln.split(",", 1)[0] not in gone]
                data = ("\n".join(kept) + "\n").encode()
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    if not dropped:
        tmp.unlink()
        raise SystemExit(f"slim_wheel: nothing in {wheel.name} matches {patterns}")
    tmp.replace(wheel)
    return dropped, before - wheel.stat().st_size


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    wheel = Path(sys.argv[1])
    n, saved = slim(wheel, sys.argv[2:])
    print(f"{wheel.name}: {n} files dropped, {saved / 2**20:.1f} MiB saved")


if __name__ == "__main__":
    main()
