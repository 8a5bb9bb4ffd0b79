# b24bridge — every target bootstraps its own virtualenv (.venv) from requirements.lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the locked dependencies

migrate: $(STAMP) ## Upgrade the database to the newest migration
	$(BIN)/b24bridge migrate

demo: $(STAMP) ## Run the app and the sandbox portal on the embedded defaults
	$(BIN)/b24bridge demo

# Tests run in TEST_PROCESSES processes (pytest-xdist): most tests wait on sockets and timers,
# so more processes than cores pay off; the browser tests share one of them.
TEST_PROCESSES ?= 6

test: $(STAMP) ## Run the test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP) ## ruff (lint + format check), mypy, import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: ## Re-resolve requirements.lock from pyproject.toml (needs uv)
	uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 -o requirements.lock

bench: $(STAMP) ## Run the benchmark scripts
	$(BIN)/python benchmarks/rest_throughput.py
	$(BIN)/python benchmarks/stage_transition.py
	$(BIN)/python benchmarks/bulk_products.py
	$(BIN)/python benchmarks/event_intake.py
	$(BIN)/python benchmarks/forged_flood.py
	PYTHONPATH=. $(BIN)/python benchmarks/proposal.py
	$(BIN)/python benchmarks/bonuses.py --drain 10
	$(BIN)/python benchmarks/budget_store.py

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var/*.db

.PHONY: help install migrate demo test lint format lock bench clean
