"""Wall time and peak memory of `warmlab demo` against its goals (<= 10 min, <= 4 GiB on 2 cores).

    .venv/bin/python benchmarks/demo_resources.py [--out runs/bench-demo] [--fresh] [-- extra demo args]

Runs the demo in a child process into its own folder (`--fresh` empties it first, so nothing is
skipped as already done) and reports the child's wall time and peak resident memory as ratios to the goals.
A second run without `--fresh` measures the cost of a restart with everything up to date.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

GOAL_S = 600.0
GOAL_GIB = 4.0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="runs/bench-demo")
    p.add_argument("--fresh", action="store_true", help="delete OUT first")
    p.add_argument("extra", nargs="*", help="further `warmlab demo` arguments")
    a = p.parse_args()
    out = Path(a.out)
    if a.fresh and out.exists():
        shutil.rmtree(out)
    warmlab = Path(sys.executable).with_name("warmlab")
    t0 = time.perf_counter()
    rc = subprocess.call([str(warmlab), "demo", "--out", str(out), *a.extra])
    wall = time.perf_counter() - t0
    peak_gib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20  # ru_maxrss is KiB on Linux
    print(f"warmlab demo exit {rc}")
    print(f"wall time  {wall:7.1f} s   goal {GOAL_S:.0f} s    ratio {wall / GOAL_S:.2f}")
    print(f"peak RSS   {peak_gib:7.2f} GiB goal {GOAL_GIB:.0f} GiB  ratio {peak_gib / GOAL_GIB:.2f}")
    raise SystemExit(rc)


if __name__ == "__main__":
    main()
