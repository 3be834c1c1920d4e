"""Wall time and peak memory of `warmlab demo` against its goals (<= 10 min, <= 4 GiB on 2 cores).

    .venv/bin/python benchmarks/demo_resources.py [--out runs/bench-demo] [--fresh] [-- extra demo args]

Runs the demo in a child process into its own folder (`--fresh` empties it first, so nothing is
skipped as already done) and reports its wall time and peak memory as ratios to the goals. Memory is the
resident memory (PSS) of the whole process tree (the demo and the stage processes it starts), sampled
every second: what the machine must hold at once. (Reading PSS walks each process's page tables, ~12 ms
per process here; sampled every 0.2 s it took a tenth of a core from the demo it measures. The cheap RSS
sum, which counts shared libraries once per process and so bounds PSS from above, is sampled every 0.2 s
so that short peaks are not missed.) A second run without `--fresh` measures a restart with
everything up to date. Set WARMLAB_CACHE to an empty folder to include the one-off model conversion.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

GOAL_S = 600.0
GOAL_GIB = 4.0


def tree_rss(root: psutil.Process, pss: bool = True) -> tuple[int, int]:
    """(sum, largest) resident bytes over `root` and its descendants; with `pss`, proportional set size
    (shared pages such as torch's libraries split between the processes that map them) where the system
    reports it, else plain RSS."""
    total = largest = 0
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    for p in procs:
        try:
            rss = (getattr(p.memory_full_info(), "pss", 0) if pss else 0) or p.memory_info().rss
        except psutil.Error:
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


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
    child = subprocess.Popen([str(warmlab), "demo", "--out", str(out), *a.extra])
    root = psutil.Process(child.pid)
    peak_total = peak_one = peak_rss = 0
    last_pss = 0.0
    while child.poll() is None:
        peak_rss = max(peak_rss, tree_rss(root, pss=False)[0])
        if time.perf_counter() - last_pss >= 1.0:
            last_pss = time.perf_counter()
            total, one = tree_rss(root)
            peak_total, peak_one = max(peak_total, total), max(peak_one, one)
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    gib = 2**30
    print(f"warmlab demo exit {child.returncode}")
    print(f"wall time        {wall:7.1f} s   goal {GOAL_S:.0f} s    ratio {wall / GOAL_S:.2f}")
    ratio = peak_total / gib / GOAL_GIB
    print(f"peak PSS (tree)  {peak_total / gib:7.2f} GiB goal {GOAL_GIB:.0f} GiB  ratio {ratio:.2f}")
    print(f"largest process  {peak_one / gib:7.2f} GiB")
    print(f"peak RSS sum     {peak_rss / gib:7.2f} GiB (upper bound: shared pages counted per process)")
    raise SystemExit(child.returncode)


if __name__ == "__main__":
    main()
