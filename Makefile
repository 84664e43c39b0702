# Two entry points for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export QA_MODELS_DIR ?= $(CURDIR)/models

.PHONY: install models services run test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The CPU build of torch first, so no later requirement pulls a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(STAMP)

models: install
	$(BIN)/qa-service models fetch base

# PostgreSQL and Redis binaries for the service tests (they start throwaway servers).
services:
	bash scripts/ensure-services.sh

run: models
	$(BIN)/qa-service serve

test: models services
	$(BIN)/ruff check qa_service tests bench
	$(BIN)/ruff format --check qa_service tests bench
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check qa_service tests bench
	$(BIN)/ruff format --check qa_service tests bench

format: install
	$(BIN)/ruff format qa_service tests bench
	$(BIN)/ruff check --fix qa_service tests bench

bench: models
	$(BIN)/python bench/asr_overhead.py

clean:
	rm -rf $(VENV) build dist *.egg-info
