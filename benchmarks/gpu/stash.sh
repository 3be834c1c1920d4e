#!/usr/bin/env bash
# First device call (carry .gguf-a): store part 1 of the embedded model's GGUF where the second call finds
# it (the machine stays warm for 30 s between calls), and print what the device image holds.
set -eu
cd "$(dirname "$0")/../.."
CACHE=${WARMLAB_GPU_CACHE:-$HOME/warmlab-cache}
mkdir -p "$CACHE"
cp .gguf-a/*.part1 "$CACHE/"
ls -l "$CACHE"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
"${PYTHON:-python3}" -m pip list 2>/dev/null | grep -i -E "^(torch|transformers|peft|accelerate|huggingface.hub|tokenizers|safetensors|numpy|pandas|pyarrow|fsspec|click|anyio|rich|pygments|typing.extensions|scipy|statsmodels|scikit-learn) " || true
