# Two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3
# Every package and version `make setup` installs, for Python 3.11 on Linux x86_64 (`make lock` writes it).
LOCK := requirements.lock
# The lock is compiled with uv, kept in its own venv under .cache/ so it never enters .venv.
UV_VERSION := 0.13.8
UV := .cache/uv-$(UV_VERSION)/bin/uv
# The pid of the server `make run` started, for `make stop`.
PID_FILE := .cache/serve.pid

.PHONY: setup lock axe index run stop test test-fast lint eval load bench clean

setup: $(VENV)/.installed

# A new lock gets a fresh venv holding exactly the locked packages (no leftovers from the old lock);
# pip lists each package as it goes. 1-2 minutes, and only when requirements.lock changes.
$(VENV)/.locked: $(LOCK)
	@echo "==> Creating $(VENV) and installing the $$(grep -c '^[a-z]' $(LOCK)) packages pinned in $(LOCK) (1-2 minutes)"
	$(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install --no-deps -r $(LOCK)
	touch $@

# The project itself, editable and without further packages; seconds. `pip check` proves the lock
# holds every requirement of every package in it.
$(VENV)/.installed: $(VENV)/.locked pyproject.toml
	@echo "==> Installing kinki-assistant into $(VENV) (editable)"
	$(PY) -m pip install -q --no-deps -e .
	$(PY) -m pip check
	touch $@

# Re-resolves pyproject.toml's ranges (runtime and the dev group) into requirements.lock, keeping the
# versions already locked where they still fit; `make lock LOCK_ARGS=--upgrade` moves to the newest.
lock: $(UV)
	$(UV) pip compile --quiet pyproject.toml --group dev --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
		--custom-compile-command 'make lock' -o $(LOCK) $(LOCK_ARGS)
	@echo "$(LOCK): $$(grep -c '^[a-z]' $(LOCK)) packages; git diff $(LOCK) shows what moved"

$(UV):
	$(PYTHON) -m venv .cache/uv-$(UV_VERSION)
	.cache/uv-$(UV_VERSION)/bin/pip install -q uv==$(UV_VERSION)

# axe-core (npm) for the browser test's WCAG 2.1 AA check (tests/test_browser.py); nothing is fetched at
# test time. Without npm the check is skipped locally (and fails under CI=true).
AXE_VERSION := 4.14.1
AXE_JS := .cache/axe/node_modules/axe-core/axe.min.js
axe: $(AXE_JS)

$(AXE_JS):
	@if command -v npm >/dev/null; then \
		npm install --prefix .cache/axe --no-audit --no-fund --no-save axe-core@$(AXE_VERSION); \
	else \
		echo "npm not found: the browser test's accessibility check will be skipped (apt-get install npm)"; \
	fi

# Idempotent: a no-op when the corpus has not changed; rebuilds a missing or damaged index.
index: setup
	$(BIN)/kinki-assistant build-index

# Ctrl+C stops it. The shell writes its pid and becomes the server (exec), so `make stop` can stop
# one started in the background (`make run &`).
run: index
	@mkdir -p .cache; echo $$$$ > $(PID_FILE); exec $(BIN)/kinki-assistant serve

# Stops only the process in the pid file, and only if it is still this project's server.
stop:
	@pid=$$(cat $(PID_FILE) 2>/dev/null); \
	if [ -n "$$pid" ] && ps -o args= -p "$$pid" | grep -q 'kinki-assistant serve'; then \
		kill "$$pid"; \
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$$pid" 2>/dev/null || break; sleep 1; done; \
		if kill -0 "$$pid" 2>/dev/null; then echo "server (pid $$pid) still stopping after 10 s"; \
		else echo "stopped the server (pid $$pid)"; rm -f $(PID_FILE); fi; \
	else \
		echo "no server started by make run is running here"; rm -f $(PID_FILE); \
	fi

test: setup axe
	$(BIN)/ruff check .
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not slow"

lint: setup
	$(BIN)/ruff check .

eval: index
	$(BIN)/kinki-assistant eval

# 16 clients for 60 s, then on to 10,000 requests, against a fresh server on loopback (about 4 min).
load: index
	$(PY) -m assistant.load --json docs/load-test.json

# Latency, build, start-up and memory against the baselines; figures for README "Performance".
bench: setup
	$(BIN)/kinki-assistant bench --json bench.json

clean:
	rm -rf index/CURRENT index/*/ index/.building-* index/.replaced-* index/.build.lock
