# Atiende — the two commands of the README, and a few helpers.
#   make demo   install, migrate, load the Spanish demo desk and serve it (embedded default)
#   make test   install the test dependencies and run the whole suite

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: demo test install lint serve clean-data

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Atiende needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/atiende migrate --no-input
	$(BIN)/atiende collectstatic --no-input --verbosity 0
	$(BIN)/atiende load_demo
	$(BIN)/atiende serve --port $(PORT)

serve: install
	$(BIN)/atiende collectstatic --no-input --verbosity 0
	$(BIN)/atiende serve --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy atiende

clean-data:
	rm -rf data
