#!/usr/bin/env bash
# Second device call (carry .whl and .gguf-b): install the carried wheels into /tmp/warmlab/site-packages,
# then run check.py with everything under $OUT: check.log (all output), figures.json, results.jsonl,
# stats.txt, summary.txt. Only check.py's own progress lines and the summary reach the terminal (the tool
# returns the last 12,000 characters). check.py resumes after a hard crash, skipping the parts it
# recorded: started up to 3 times within one deadline.
#
#   bash benchmarks/gpu/run.sh [check.py options]     # e.g. --parts warm,sft
set -u
cd "$(dirname "$0")/../.."
: "${OUT:?OUT must name the folder for the results}"
# A folder named site-packages: dill (datasets fingerprints) pickles modules from other folders by value.
SITE=${WARMLAB_GPU_SITE:-/tmp/warmlab/site-packages}
PY=${PYTHON:-python3}
CACHE=${WARMLAB_GPU_CACHE:-$HOME/warmlab-cache}
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
mkdir -p "$OUT"
LOG="$OUT/check.log"
t0=$(date +%s)
if ! "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" \
    .whl/*.whl >>"$LOG" 2>&1; then
  echo "run.sh: pip install of .whl failed:"; tail -20 "$LOG"; exit 3
fi
echo "[gpu-check] $(ls .whl | wc -l) wheels installed into $SITE in $(($(date +%s) - t0)) s" | tee -a "$LOG"
export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
# One deadline for all attempts (WARMLAB_GPU_LIMIT seconds from here), inside the device call's timeout_s,
# so that the summary of what finished is printed even when a part runs long.
LIMIT=${WARMLAB_GPU_LIMIT:-500}
start=$(date +%s)
rc=1
for attempt in 1 2 3; do
  left=$((LIMIT - ($(date +%s) - start)))
  [ "$left" -ge 30 ] || break
  timeout -k 10 "$left" "$PY" benchmarks/gpu/check.py --out "$OUT" --cache "$CACHE" "$@" 2>&1 | tee -a "$LOG" \
    | grep --line-buffered -E '^\[gpu-check\]|Traceback|Error'
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] && break
  echo "[gpu-check] check.py exited $rc (attempt $attempt)" | tee -a "$LOG"
  [ "$rc" -eq 124 ] && break  # the deadline: no time for another attempt
done
[ -f "$OUT/summary.txt" ] && [ "$rc" -eq 0 ] || "$PY" benchmarks/gpu/check.py --out "$OUT" --summary "$@" >/dev/null 2>&1
echo
cat "$OUT/summary.txt" 2>/dev/null || { echo "run.sh: no summary; the end of $LOG:"; tail -40 "$LOG"; }
