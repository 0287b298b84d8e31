# Two commands do all set-up on a fresh machine with Python 3.11:
#   make report   builds the toolkit: report/_output/tomas.{html,pdf,docx} from data/raw/
#   make test     runs the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test lint validate dag clean release bench floors lock

# Pinned versions (requirements.txt) are what CI and these commands use, installed
# from requirements.lock: the same pins with each file's SHA-256 (`make lock`).
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Quiet by default: errors in full, a line per step, where the report went.
# V=1 prints Snakemake's whole account (it is always in .snakemake/log/).
QUIET := $(if $(V),,--quiet rules host reason progress)

report: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/snakemake $(QUIET)

test: $(STAMP)
	@test -x /usr/bin/chromium || echo "note: no /usr/bin/chromium, browser tests will skip; install: apt-get install -y chromium chromium-driver"
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest

# The field's linters, as CI runs them before the tests (config in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/snakefmt --check Snakefile workflow/rules/
	$(BIN)/mypy
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/snakemake --lint

# A citable bundle in dist/ (refuses a dirty tree or an unchanged version).
release: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/tomas release

# Build speed and scale figures (about 10 minutes on 2 cores); see bench/README.md.
bench: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python bench/bench.py $(BENCH_ARGS)

validate: $(STAMP)
	$(BIN)/tomas validate

dag: $(STAMP)
	$(BIN)/snakemake --dag

# Installs every dependency at its pyproject.toml floor in build/floors/ and
# builds and tests with them (~3 min; tools/check-floors.sh).
floors:
	tools/check-floors.sh

# Hashes for every file PyPI has of each pin (all platforms), from requirements.txt.
# uv runs from a throwaway venv: it is a tool for this step, not a dependency.
UV_VERSION := 0.13.8
lock: requirements.txt
	test -x build/uv/bin/uv || { $(PYTHON) -m venv build/uv && build/uv/bin/pip install --quiet uv==$(UV_VERSION); }
	build/uv/bin/uv pip compile requirements.txt --generate-hashes --no-header --python-version 3.11 \
		--universal --quiet -o requirements.lock

# Removes what the build made; data/raw and the sources stay.
clean:
	rm -rf build report/_output report/figures data/processed/*.csv data/processed/*.json
