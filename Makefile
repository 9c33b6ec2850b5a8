# Two commands on a fresh machine: `make workshop` and `make test`. Both create and reuse .venv.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed
# The machine's python3, or the first of python3.12/3.11/3.10 when python3 is outside 3.10-3.12.
PYTHON ?= $(shell for p in python3 python3.12 python3.11 python3.10; do \
	command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(not (3,10) <= sys.version_info[:2] <= (3,12))' \
	&& { echo $$p; break; }; done)
FRESH ?= 0
# The oldest supported stack runs in its own venv on Python 3.10 (a pyenv shim that cannot run
# is skipped for the interpreter pyenv keeps).
OLDEST_VENV := .venv-oldest
OLDEST_PYTHON ?= $(shell for p in python3.10 $(HOME)/.pyenv/versions/3.10*/bin/python3.10; do \
	$$p -c 'import sys; sys.exit(sys.version_info[:2] != (3,10))' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: setup workshop test test-oldest studio-check lint bench bench-peers lab clean

$(STAMP): pyproject.toml requirements.txt
	@test -n "$(PYTHON)" || { echo "make: need Python 3.10 to 3.12 (python3 on PATH is $$(python3 --version 2>&1))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	@# xgboost-cpu (an earlier requirement) and xgboost install the same package: keep one
	@$(BIN)/python -m pip uninstall -q -y xgboost-cpu 2>/dev/null || true
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

workshop: setup
	$(BIN)/python -m helpers workshop $(if $(filter 1,$(FRESH)),--fresh,)

lint: setup
	$(BIN)/ruff check helpers tests bench scripts
	$(BIN)/cfn-lint assets/*.template.json

test: lint
	$(BIN)/python -m pytest

# The whole suite on the oldest supported stack: numpy 1.26, pandas 2.2 on Python 3.10.
$(OLDEST_VENV)/.installed: pyproject.toml requirements.txt .ci/oldest-constraints.txt
	@test -n "$(OLDEST_PYTHON)" || { echo "make: test-oldest needs Python 3.10 (python3.10 or pyenv)"; exit 1; }
	@test -x $(OLDEST_VENV)/bin/python || $(OLDEST_PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(OLDEST_VENV)/bin/python -m pip install -q --disable-pip-version-check -c .ci/oldest-constraints.txt -e '.[dev]'
	@touch $@

test-oldest: $(OLDEST_VENV)/.installed
	$(OLDEST_VENV)/bin/python -c 'import sys, numpy, pandas; print("oldest stack: Python", sys.version.split()[0], "numpy", numpy.__version__, "pandas", pandas.__version__)'
	$(OLDEST_VENV)/bin/python -m pytest -p no:cacheprovider

# `%pip install -r requirements.txt` over emulated SageMaker Distribution images (Python 3.10,
# 3.11, 3.12; the versions of their release notes, from PyPI): numpy, pandas, xgboost and the
# SDK must stay. Needs the package index, so it is not part of `make test`; CI runs it.
studio-check: setup
	$(BIN)/python scripts/studio_install_check.py

bench: setup
	$(BIN)/python bench/whole_bench.py
	$(BIN)/python bench/analyzer_bench.py --no-others
	$(BIN)/python bench/twin_bench.py
	$(BIN)/python bench/workshop_bench.py
	$(BIN)/python bench/shapes_bench.py

# whylogs and Evidently in their own venvs (from PyPI, once), on the same files; not part of test
bench-peers: setup
	$(BIN)/python bench/peers_bench.py

lab: setup
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf build .workshop $(OLDEST_VENV)
