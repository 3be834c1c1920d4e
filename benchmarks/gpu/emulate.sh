#!/usr/bin/env bash
# A CPU stand-in for the device call pair, run here: an environment holding only the device image's packages
# (device_packages.txt, taken from .venv; transformers 5.17.0, huggingface_hub 1.33.0 and tokenizers 0.23.2
# at the device's versions), the carried wheels built for this machine's Python, then stash.sh and run.sh
# exactly as the device runs them, with check.py --cpu-smoke. Tests that the wheel set is complete and that
# the check passes on the device's transformers. Python 3.11 here (3.12 there): pure-Python wheels are the
# same files; compiled ones are the same versions for 3.11.
#
#   bash benchmarks/gpu/emulate.sh [check.py options]      # OUT defaults to /tmp/warmlab-emulate/out
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
VENV_PY=${VENV_PY:-$PWD/.venv/bin/python}
E=${EMULATE_DIR:-/tmp/warmlab-emulate}
rm -rf "$E" && mkdir -p "$E/image/site-packages" "$E/over/site-packages" "$E/out" "$E/cache"
python3 -m venv "$E/venv"
# The device's versions where KINDS.md gives them and ours differ.
"$E/venv/bin/python" -m pip install -q --no-deps --target "$E/over/site-packages" transformers==5.17.0 huggingface_hub==1.33.0 \
  tokenizers==0.23.2 2> >(grep -v "is ignored: it is neither" >&2)
# The rest of the image: the same packages from .venv, linked (no copies).
"$VENV_PY" - "$E/image/site-packages" benchmarks/gpu/device_packages.txt <<'PY'
import re, sys
from importlib.metadata import distributions
from pathlib import Path

base, listing = Path(sys.argv[1]), Path(sys.argv[2])
norm = lambda s: re.sub(r"[-_.]+", "-", s).lower()
wanted = {norm(x) for x in listing.read_text().split() if not x.startswith("#")}
wanted -= {"transformers", "huggingface-hub", "tokenizers"}
tops = set()
for d in distributions():
    if norm(d.metadata["Name"]) in wanted:
        site = Path(d.locate_file(""))
        tops |= {(site, Path(str(f)).parts[0]) for f in d.files or [] if not str(f).startswith("..")}
for site, top in sorted(tops):
    src, dst = site / top, base / top
    if src.exists() and not dst.exists() and top not in ("bin", "__pycache__"):
        dst.symlink_to(src)
print(f"{len(list(base.iterdir()))} entries linked into {base}")
PY
printf "%s\n%s\n" "$E/over/site-packages" "$E/image/site-packages" >"$(ls -d "$E"/venv/lib/python3*/site-packages)/device_image.pth"
# The carried wheels, built for this Python (the device set is rebuilt at the end).
PYVER=$("$E/venv/bin/python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")') \
  PY="$VENV_PY" bash benchmarks/gpu/wheels.sh
WARMLAB_GPU_CACHE="$E/cache" PYTHON="$E/venv/bin/python" bash benchmarks/gpu/stash.sh
rm -f .gguf-a/*.part1  # what call 2 does not carry
status=0
OUT=${OUT:-$E/out} WARMLAB_GPU_SITE="$E/site/site-packages" WARMLAB_GPU_CACHE="$E/cache" PYTHON="$E/venv/bin/python" \
  bash benchmarks/gpu/run.sh --cpu-smoke --work "$E/work" "$@" || status=$?
PY="$VENV_PY" bash benchmarks/gpu/wheels.sh >/dev/null  # back to the device's wheel set
exit $status
