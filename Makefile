# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-16)

.PHONY: run test lint typecheck install messages clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

messages: install
	@if command -v msgfmt >/dev/null 2>&1; then $(BIN)/tipline compilemessages -v0 --ignore '.venv/*'; \
	else echo "msgfmt not found: using the committed .mo catalogues"; fi

## Run the platform with demo data on SQLite: web server and worker on http://127.0.0.1:$(PORT)
run: install
	@PORT=$(PORT) scripts/run-demo.sh

## Run the whole test suite (DATABASE_URL picks the database; SQLite by default)
test: install
	@scripts/ensure-chromium.sh
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/lint-imports --no-logo

typecheck: install
	$(BIN)/mypy src bench

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .import_linter_cache test-artifacts
