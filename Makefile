# Two commands set everything up on a fresh machine with Python 3.11:  make figures  and  make test
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= default
STAMP := $(VENV)/.installed

.PHONY: figures ci-figures test verify gpu-check clean bench

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

figures: $(STAMP)
	$(BIN)/snakemake --profile profiles/default --config scale=$(SCALE)
	$(BIN)/snakemake --profile profiles/default --config scale=$(SCALE) --report results/report.html
	@echo; cat results/claims.md; echo; echo "figures: figures/*.png|pdf   report: results/report.html"

ci-figures: $(STAMP)
	$(BIN)/snakemake --profile profiles/ci --config scale=ci results=results/ci figures=results/ci/figures
	$(BIN)/snakemake --profile profiles/ci --config scale=ci results=results/ci figures=results/ci/figures \
		--report results/ci/report.html
	@echo; cat results/ci/claims.md

# Rebuild every claim from scratch in a temporary folder and compare with the committed ledger.
verify: $(STAMP)
	@tmp=$$(mktemp -d) && echo "rebuilding at scale $(SCALE) in $$tmp" && \
	$(BIN)/snakemake --profile profiles/default --config scale=$(SCALE) results=$$tmp figures=$$tmp/figures \
		--quiet rules && \
	$(BIN)/python -m overparam.verify $(if $(filter ci,$(SCALE)),ledgers/ci,results/claims) $$tmp/claims

test: $(STAMP)
	$(BIN)/python -m pytest

# On a GPU machine: CuPy against NumPy for every kernel, and every kernel test under CuPy (skipped, with the
# reason, where no CUDA device answers).
gpu-check: $(STAMP)
	$(BIN)/pip install --quiet -e '.[gpu,test]'
	$(BIN)/python -m pytest -rs -k "cupy or gpu" tests/

# Kernel benchmarks (not tests): each prints a markdown table for BENCHMARKS.md. One BLAS thread, as in the
# workflow's jobs (rules/common.smk), so that rates compare with the jobs' and with each other.
bench: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_mediocrity.py
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_tensor.py
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_width.py
	$(BIN)/python benchmarks/estimate_paper_gpu.py

clean:
	rm -rf results/ci .snakemake $(VENV)
