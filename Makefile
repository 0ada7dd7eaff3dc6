# Two commands do everything: `make build` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test env validate lint lock clean

build: env  ## set up, validate the data, run every notebook, write figures and exports
	$(BIN)/cityscience build
	$(BIN)/cityscience export xlsx --lang zh
	$(BIN)/cityscience export xlsx --lang en
	$(BIN)/cityscience export figures --lang zh --format png
	$(BIN)/cityscience export figures --lang en --format pdf

test: env  ## set up and run the whole test suite
	MPLBACKEND=Agg $(BIN)/python -m pytest -n auto

env: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

validate: env
	$(BIN)/cityscience validate

lint: env
	$(BIN)/ruff check src tests benchmarks

lock: env  ## refresh the pinned versions after changing dependencies
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) build .pytest_cache
