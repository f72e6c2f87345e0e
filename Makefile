# Atiende — the two commands of the README, and a few helpers.
#   make demo   install, migrate, load the Spanish demo desk and serve it (embedded default)
#   make test   install the test dependencies and run the whole suite

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: demo test install assets browser lint messages serve clean-data

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Atiende needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The console's front-end packages come from npm (package-lock.json) into a git-ignored folder.
ASSETS := atiende/web/static/vendor/.copied
$(ASSETS): package.json package-lock.json scripts/vendor.mjs
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	node scripts/vendor.mjs
	touch $@

assets: $(ASSETS)

install: $(VENV)/.installed $(ASSETS)

# The browser tests drive Debian's chromium (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

demo: install
	$(BIN)/atiende migrate --no-input
	$(BIN)/atiende collectstatic --no-input --verbosity 0
	$(BIN)/atiende load_demo
	$(BIN)/atiende serve --port $(PORT)

serve: install
	$(BIN)/atiende collectstatic --no-input --verbosity 0
	$(BIN)/atiende serve --port $(PORT)

test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy atiende

# Refresh the English catalogue from the Spanish source strings, then compile it (needs gettext).
# Translate the new empty entries of atiende/locale/en/LC_MESSAGES/django.po (by hand, or from
# JSON files with scripts/fill_translations.py), then run it again to compile.
messages: install
	cd atiende && ../$(BIN)/atiende makemessages --locale en --no-obsolete \
		--ignore 'demo/*' --ignore 'static/*'
	cd atiende && ../$(BIN)/atiende compilemessages --locale en

clean-data:
	rm -rf data

# The real IMAP server the e-mail tests start on a loopback port (Debian's dovecot). Its system
# service is not needed, only the binary; without it those tests are skipped with the reason.
imap-server:
	@command -v dovecot >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd; }
