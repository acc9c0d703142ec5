# A newcomer's commands: `make demo` to see papernotes work, `make test` to run the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint format check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install papernotes with its test tools

demo: $(STAMP) ## List the example notes and show one
	$(BIN)/papernotes --dir notes list
	@echo
	$(BIN)/papernotes --dir notes show 1706.03762
	@echo
	$(BIN)/papernotes --dir notes search ricci flow

test: $(STAMP) ## Run the whole test suite
	$(BIN)/python -m pytest

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check papernotes tests
	$(BIN)/ruff format --check papernotes tests
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format papernotes tests
	$(BIN)/ruff check --fix papernotes tests

check: lint test ## Everything CI cares about

bench: $(STAMP) ## Time every command at 100 to 100,000 notes, beside papis and pubs (slow)
	$(BIN)/python benchmarks/bench.py --write

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .bench
