# The two entry points: `make up` (run Atrium on this machine) and `make test` (the whole suite).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo .venv-tools/bin/uv)
PY := .venv/bin/python
STATIC := src/atrium/web/static/index.html

.PHONY: up test env web lint check bench browser-deps clean

$(UV):
	python3 -m venv .venv-tools && .venv-tools/bin/pip install -q uv==0.13.8

# Bytecode up front: where PYTHONDONTWRITEBYTECODE is set (as on the CI machines) nothing
# else writes it, and every process the tests start (jobs, CLI, mlflow scripts) would compile
# its imports from source again: that tripled the suite's time.
env: $(UV)
	$(UV) sync --frozen --compile-bytecode
	$(PY) -m compileall -q src

web:
	cd web && npm ci --no-audit --no-fund && npm run build

$(STATIC):
	$(MAKE) web

up: env web
	.venv/bin/atrium up

# Chromium for the browser tests comes from Debian's packages (no browser downloads).
browser-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

lint: env
	.venv/bin/ruff check src tests $(wildcard bench)
	.venv/bin/mypy
	.venv/bin/lint-imports

test: env web browser-deps
	.venv/bin/lint-imports
	.venv/bin/ruff check src tests $(wildcard bench)
	.venv/bin/pytest -n 2 --dist loadgroup -p no:cacheprovider --durations=25

bench: env
	$(PY) bench/api_load.py
	$(PY) bench/startup.py

clean:
	rm -rf .venv .venv-tools web/node_modules
