# Two commands after cloning: `make demo` and `make test`. Both create .venv when it is
# missing and re-install when pyproject.toml changed; when nothing changed they start at once.
SHELL := /bin/bash
# The probe is silent: a pyenv shim for a version that is not installed prints "command not
# found" on stderr, which is not news while looking for one that is.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 \
	&& $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 \
	&& { echo $$p; break; }; done 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint fuzz lab bench samples clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "opskit needs Python 3.11 or newer on PATH" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,dask]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/opskit validate data/samples/dtc
	$(BIN)/opskit run data/samples/dtc

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest tests notebooks --nbval-lax \
		--nbval-sanitize-with $(CURDIR)/notebooks/nbval_sanitize.cfg

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz_loader.py tests/sources/test_fuzz_adapters.py

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/explore.ipynb

lint: $(STAMP)
	$(BIN)/ruff check .

samples: $(STAMP)
	$(BIN)/opskit samples data/samples

bench: $(STAMP)
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/checks.py
	$(BIN)/python benchmarks/report.py --scale 40
	$(BIN)/python benchmarks/explore.py
	$(BIN)/python benchmarks/false_alarms.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
