# Two commands do everything: `make build` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KERNEL := cityscience

.PHONY: build test env lab git-filter validate lint lock clean

build: env  ## set up, validate the data, run every notebook, write figures and exports
	$(BIN)/cityscience build
	$(BIN)/cityscience export xlsx --lang zh
	$(BIN)/cityscience export xlsx --lang en
	$(BIN)/cityscience export figures --lang zh --format png
	$(BIN)/cityscience export figures --lang en --format pdf

test: env  ## set up and run the whole test suite
	MPLBACKEND=Agg $(BIN)/python -m pytest -n auto

env: $(STAMP)  ## the environment, its Jupyter kernel and the notebooks' git filter
	@$(MAKE) --no-print-directory git-filter

# The kernel lives in the environment (share/jupyter/kernels/$(KERNEL)): every notebook names it,
# so JupyterLab, VS Code or nbclient run the notebooks with this Python and its cityscience. The
# JupyterLab save hook (cityscience.lab) saves a project notebook in full to build/interactive/notebooks
# and stripped where it is committed.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (cityscience)"
	$(BIN)/python -m cityscience.lab install
	touch $(STAMP)

# The same strip as this clone's git filter for notebooks (.gitattributes names it), for notebooks
# saved by other tools: what git stores of a notebook is its sources, ids, tags and kernelspec.
git-filter:
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  py="$(abspath $(BIN))/python"; \
	  git config filter.nbstrip.clean "'$$py' -m cityscience.lab clean" && \
	  git config filter.nbstrip.smudge cat && \
	  git config filter.nbstrip.required true && \
	  git config diff.ipynb.textconv "'$$py' -m cityscience.lab clean" && \
	  echo "git filter for notebooks: $$py -m cityscience.lab clean"; fi

# LAB_ARGS passes more options (e.g. LAB_ARGS="--no-browser --port 8899"); as root (a container)
# JupyterLab needs --allow-root, given here. It serves the project folder (so build/interactive/ can be
# opened too) and opens on notebooks/.
lab: env  ## JupyterLab on the notebooks with the project's kernel; figures go to build/interactive/
	$(BIN)/jupyter lab --notebook-dir=. --LabApp.default_url=/lab/tree/notebooks \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

validate: env
	$(BIN)/cityscience validate

lint: env
	$(BIN)/ruff check src tests benchmarks

lock: env  ## refresh the pinned versions after changing dependencies
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:  ## remove the environment and build outputs (and the git filter that needs the environment)
	-@if git rev-parse --git-dir >/dev/null 2>&1; then git config --remove-section filter.nbstrip; \
	  git config --remove-section diff.ipynb; fi 2>/dev/null
	rm -rf $(VENV) build .pytest_cache
