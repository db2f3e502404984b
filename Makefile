# Two set-up commands on a fresh machine: `make run` serves the site, `make test` passes the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
BUILD_TOOLS := $(VENV)/.build-installed

.PHONY: run test lint bench bench-load static system-packages compiled

$(RUNTIME): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(DEV): $(RUNTIME) requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(BUILD_TOOLS): $(RUNTIME) requirements-build.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-build.txt
	touch $@

# The planner's hot modules compiled with mypyc (a no-op while the build matches the sources;
# training_plan/engine/compiled.py). Needs a C compiler: Debian's gcc.
compiled: $(BUILD_TOOLS)
	$(PY) deploy/compile_engine.py

static: $(RUNTIME)
	$(PY) manage.py collectstatic --noinput --verbosity 0

# gcc compiles the planner engine (`compiled`); browser tests drive Debian's chromium
# (Playwright's own browser download is not used); the caching-proxy test runs Debian's nginx;
# the benchmarks use wrk.
SYSTEM_PACKAGES := /usr/bin/gcc:gcc /usr/bin/chromium:chromium /usr/sbin/nginx:nginx-light /usr/bin/wrk:wrk
system-packages:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  [ -x "$${pair%%:*}" ] || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q $$missing; \
	  else echo "Tests need Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi

run: static compiled
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: $(DEV) system-packages static compiled
	$(PY) -m pytest

lint: $(DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Every tool against /healthz (registry-driven), the flagship behind nginx and its bytes,
# keystroke to settled result in chromium, share images.
bench: $(DEV) system-packages static compiled
	$(PY) bench/tools_bench.py
	$(PY) bench/http_bench.py
	$(PY) bench/keystroke_bench.py
	$(PY) bench/og_image_bench.py
	$(PY) bench/planner_bench.py

bench-load: $(DEV) system-packages static compiled
	$(PY) bench/load_soak.py
