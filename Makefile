# Two entry points for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export QA_MODELS_DIR ?= $(CURDIR)/models

.PHONY: install models services assets browser run test test-fast lint format bench clean \
	image image-cuda image-services compose-env compose-up compose-down compose-smoke

LINT_PATHS := qa_service tests bench scripts docker
# Tests that need a model, a server or a browser carry these markers (tests/conftest.py).
HEAVY_MARKERS := api or browser or asr or models or services or slow

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The CPU build of torch first, so no later requirement pulls a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(STAMP)

# Whisper base, and the smallest evaluation-question model (the tests run it; 491 MB).
models: install
	$(BIN)/qa-service models fetch base qwen2.5-coder-0.5b

# PostgreSQL and Redis binaries for the service tests (they start throwaway servers).
services:
	bash scripts/ensure-services.sh

# The web pages' browser libraries (package.json): `npm ci`, then their dist files into the
# package. The copies are committed too, so an installed service works with no internet.
VENDOR := qa_service/web/static/vendor
VENDOR_FILES := wavesurfer.js/dist/wavesurfer.esm.js:wavesurfer.js/wavesurfer.esm.js \
	wavesurfer.js/dist/plugins/regions.esm.js:wavesurfer.js/plugins/regions.esm.js \
	wavesurfer.js/LICENSE:wavesurfer.js/LICENSE \
	chart.js/dist/chart.umd.min.js:chart.js/chart.umd.min.js \
	chart.js/LICENSE.md:chart.js/LICENSE.md
assets:
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && \
		for pair in $(VENDOR_FILES); do \
			install -D -m 644 "node_modules/$${pair%%:*}" "$(VENDOR)/$${pair##*:}" || exit 1; \
		done; \
	else echo "npm not found: keeping the copies in $(VENDOR)"; fi

# Debian's chromium and chromedriver for the browser tests (and a Chinese font, so the
# screenshots of the Chinese pages are legible), installed only when missing.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null \
		&& [ -n "$$(fc-list :lang=zh 2>/dev/null)" ] || { \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		$(SUDO) apt-get install -y -q --no-install-recommends chromium chromium-driver \
		fonts-wqy-microhei; }

run: models assets
	$(BIN)/qa-service serve

test: lint models services assets browser
	$(BIN)/pytest

# Everything that needs no model, server or browser: the edit-run loop.
test-fast: install
	$(BIN)/pytest -q -n auto -p no:cacheprovider -m "not ($(HEAVY_MARKERS))"

# Style, then the layer rules of docs/architecture.md: import contracts (pyproject
# [tool.importlinter]) and no imports of another module's private names.
lint: install
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/check_private_imports.py qa_service

format: install
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

bench: models
	$(BIN)/python bench/asr_overhead.py

clean:
	rm -rf $(VENV) build dist *.egg-info

# Containers (README "Containers"). BASE_IMAGE: any Debian bookworm image (default
# python:3.11-slim-bookworm); DOCKER_BUILD_ARGS: e.g. --network host, or
# --build-arg TORCH_INDEX_URL=... for a local mirror of the CPU torch wheel.
DOCKER ?= docker
COMPOSE ?= $(shell $(DOCKER) compose version >/dev/null 2>&1 && echo "$(DOCKER) compose" || echo docker-compose)
COMPOSE_ENV ?= .compose.env
WORKERS ?= 2
QA_IMAGE ?= qa-service:cpu
BASE_IMAGE ?=
DOCKER_BUILD_ARGS ?=
BASE_ARG = $(if $(BASE_IMAGE),--build-arg BASE_IMAGE=$(BASE_IMAGE))

image:
	$(DOCKER) build $(DOCKER_BUILD_ARGS) $(BASE_ARG) -t $(QA_IMAGE) .

image-cuda: image
	$(DOCKER) build $(DOCKER_BUILD_ARGS) --build-arg QA_IMAGE=$(QA_IMAGE) -t qa-service:cuda -f Dockerfile.cuda .

# PostgreSQL and Redis from Debian, where the official images cannot be pulled.
image-services:
	$(DOCKER) build $(DOCKER_BUILD_ARGS) $(BASE_ARG) -t local/qa-services docker/debian-services

# A random database password, once; compose reads the rest of its variables from here too.
compose-env:
	@[ -f $(COMPOSE_ENV) ] || { umask 077; echo "PG_PASSWORD=$$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')" > $(COMPOSE_ENV); }

compose-up: compose-env
	$(COMPOSE) --env-file $(COMPOSE_ENV) up -d --scale worker=$(WORKERS)

compose-down:
	$(COMPOSE) --env-file $(COMPOSE_ENV) down

# Build, start, upload a call through the API, wait for a worker's analysis, stop.
compose-smoke:
	bash scripts/compose-smoke.sh
