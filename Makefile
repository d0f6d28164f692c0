# Two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup axe index run test test-fast lint eval load bench clean

setup: $(VENV)/.installed

# Re-installs only when pyproject.toml changes; safe to run any number of times.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

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

run: index
	$(BIN)/kinki-assistant serve

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
