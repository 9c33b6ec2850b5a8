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

.PHONY: setup workshop test lint bench lab clean

$(STAMP): pyproject.toml requirements.txt
	@test -n "$(PYTHON)" || { echo "make: need Python 3.10 to 3.12 (python3 on PATH is $$(python3 --version 2>&1))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

workshop: setup
	$(BIN)/python -m helpers workshop $(if $(filter 1,$(FRESH)),--fresh,)

lint: setup
	$(BIN)/ruff check helpers tests bench
	$(BIN)/cfn-lint assets/*.template.json

test: lint
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/analyzer_bench.py
	$(BIN)/python bench/twin_bench.py
	$(BIN)/python bench/workshop_bench.py
	$(BIN)/python bench/shapes_bench.py

lab: setup
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf build .workshop
