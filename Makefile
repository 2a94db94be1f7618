# The two commands in the README: `make run` (start the bot) and `make test` (run every check).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test bench bench-quick schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps  ## with no Slack or Discord tokens: an interactive console
	$(BIN)/caremark-bot

test: $(VENV)/.test-deps  ## lint, types, knowledge-base check and audit, then the test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/caremark-bot kb check
	$(BIN)/caremark-bot kb audit > /dev/null
	$(BIN)/pytest

$(VENV)/.bench-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.test-deps $(VENV)/.run-deps

bench: $(VENV)/.bench-deps  ## every benchmark against its target: bench/results/summary.md + latency.png
	$(BIN)/python bench/run.py

bench-quick: $(VENV)/.test-deps  ## the same in under 30 s, printed as JSON
	$(BIN)/python bench/run.py --quick

schema: $(VENV)/.run-deps  ## regenerate the committed JSON Schemas after changing bot/model.py
	$(BIN)/caremark-bot kb schema > knowledge/schema.json
	$(BIN)/caremark-bot kb schema --plan > knowledge/plan.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
