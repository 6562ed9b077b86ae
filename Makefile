# Two commands set everything up on a fresh machine with Python 3.11:  make figures  and  make test
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= default
RUNTIME := $(VENV)/.runtime
TESTING := $(VENV)/.testing
SNAKEMAKE := $(BIN)/snakemake

.PHONY: help figures ci-figures test verify gpu-check clean bench pack-records

help:  ## this list (the first target: plain `make` prints it)
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

# The runtime only (what `make figures` needs), at the exact versions of requirements/runtime.lock; the test
# tools (pytest, linters, CuPy's CPU import for the namespace test) on top for `make test`.
$(RUNTIME): pyproject.toml requirements/runtime.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/runtime.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(RUNTIME)

$(TESTING): $(RUNTIME) requirements/test.lock
	$(BIN)/pip install --quiet -r requirements/test.lock
	touch $(TESTING)

figures: $(RUNTIME)  ## every verdict, figure and the report at SCALE (default): archived records, else simulate
	$(BIN)/python -m overparam.archive restore $(SCALE)
	$(SNAKEMAKE) --profile profiles/default --config scale=$(SCALE)
	$(SNAKEMAKE) --profile profiles/default --config scale=$(SCALE) --report results/$(SCALE)/report.html
	@echo; echo "figures: figures/$(SCALE)/   ledger: results/$(SCALE)/claims.md   report: results/$(SCALE)/report.html"

ci-figures: $(RUNTIME)  ## the ci scale (minutes): results/ci, figures/ci
	$(SNAKEMAKE) --profile profiles/ci
	$(SNAKEMAKE) --profile profiles/ci --report results/ci/report.html

pack-records: $(RUNTIME)  ## archive SCALE's run records for the repository (after a full run)
	$(BIN)/python -m overparam.archive pack $(SCALE)

# Rebuild every claim from scratch (no archived records) in a temporary folder and compare with the committed
# verdicts of the scale.
verify: $(RUNTIME)  ## recompute SCALE from scratch and compare with the committed verdicts
	@tmp=$$(mktemp -d) && echo "rebuilding at scale $(SCALE) in $$tmp" && \
	$(SNAKEMAKE) --profile profiles/default --config scale=$(SCALE) results=$$tmp figures=$$tmp/figures \
		--quiet rules && \
	$(BIN)/python -m overparam.verify results/$(SCALE)/claims $$tmp/$(SCALE)/claims

test: $(TESTING)  ## the test suite (what CI runs)
	$(BIN)/python -m pytest

# On a GPU machine: CuPy against NumPy for every kernel, and every kernel test under CuPy (skipped, with the
# reason, where no CUDA device answers).
gpu-check: $(TESTING)  ## on a GPU machine: CuPy against NumPy for every kernel
	$(BIN)/pip install --quiet -e '.[gpu,test]'
	$(BIN)/python -m pytest -rs -k "cupy or gpu" tests/

# Kernel benchmarks (not tests): each prints a markdown table for BENCHMARKS.md. One BLAS thread, as in the
# workflow's jobs (rules/common.smk), so that rates compare with the jobs' and with each other.
bench: $(RUNTIME)  ## kernel benchmarks (rows for BENCHMARKS.md)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_mediocrity.py
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_tensor.py
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_width.py
	$(BIN)/python benchmarks/estimate_paper_gpu.py

clean:  ## remove the ci outputs, Snakemake's state and the virtual environment
	rm -rf results/ci/runs results/ci/logs results/ci/benchmarks results/ci/tables figures/ci .snakemake $(VENV)
