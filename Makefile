# Two entry points, as the README says: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PORT ?= 5000

.PHONY: run test system-deps serve clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

## Install, create the database with demo data, start the web app and the scheduler
## (on another port: make run PORT=5001; emailed links follow unless FEEDBACK_BASE_URL is set).
run: export FEEDBACK_BASE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.installed
	$(BIN)/feedback init-db
	$(BIN)/feedback demo
	$(BIN)/feedback dev --port $(PORT)

## Install test needs (PostgreSQL and Chromium from Debian when missing) and run the whole suite.
test: system-deps $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/pytest --numprocesses auto --maxprocesses 4 --dist loadfile

# The suite runs on a real PostgreSQL, drives a real Chromium and puts a real nginx (TLS) in front of the app;
# all three come from Debian's packages.
system-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 \
	    || ! test -x /usr/sbin/nginx; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else \
	    echo "PostgreSQL, Chromium or nginx is missing and cannot be installed without root; those tests will be skipped."; exit 0; fi; \
	  echo "Installing PostgreSQL, Chromium and nginx from Debian…"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql chromium nginx-light >/dev/null; \
	fi

## Production-style: gunicorn on 127.0.0.1:8000 (run `feedback scheduler` once, beside it).
serve: $(VENV)/.installed
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:8000 "feedback_app:create_app()"

clean:
	rm -rf $(VENV) instance .pytest_cache
