# wijkbrug: `make run` (the bot, web chat, REST endpoint and dashboard on SQLite) and `make test`.
# Every target installs, compiles catalogs and trains what it needs, and skips what is
# already up to date.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LANGS  := nl tr ar pap
PO     := $(foreach l,$(LANGS),translations/$(l)/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)

# The browser tests drive Debian's Chromium (Playwright's own browser download cannot work here).
CHROMIUM := /usr/bin/chromium
SUDO     := $(if $(filter 0,$(shell id -u)),,sudo)
APT      := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

# `make run-prod`: the production shape on this machine's PostgreSQL and Redis.
PROD_DATABASE ?= postgresql://postgres@127.0.0.1/wijkbrug
PROD_REDIS    ?= redis://127.0.0.1:6379/1

.PHONY: install catalogs extract train test run run-prod lint lock clean browser

install: $(STAMP)

# One pip run from the pinned lock file: Rasa 3.6 goes in with --no-deps and
# --ignore-requires-python (it declares <3.11); its dependencies are pinned in the lock.
$(STAMP): requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --ignore-requires-python -r requirements/lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

catalogs: $(MO)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -l $* -d translations -D messages

# Refresh messages.pot and merge new texts into every language's catalog.
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o translations/messages.pot .
	for l in $(LANGS); do $(BIN)/pybabel update -i translations/messages.pot -d translations -l $$l --no-fuzzy-matching --ignore-obsolete; done

train: $(STAMP) $(MO)
	$(BIN)/wijkbrug train

browser: $(CHROMIUM)

$(CHROMIUM):
	$(APT) install -y --no-install-recommends chromium || { $(APT) update && $(APT) install -y --no-install-recommends chromium; }

test: train $(CHROMIUM)
	$(BIN)/pytest

run: train
	$(BIN)/wijkbrug run

# Two bot workers (a Redis lock per conversation), the action server and the dashboard as
# their own processes, our data and Rasa's conversations in PostgreSQL (created if missing).
run-prod: train
	DATABASE_URL=$(PROD_DATABASE) TRACKER_STORE_URL=$(PROD_DATABASE) LOCK_STORE_URL=$(PROD_REDIS) \
	  $(BIN)/wijkbrug run --workers 2

lint: $(STAMP)
	$(BIN)/ruff check bot actions tests

lock:
	requirements/lock.sh

clean:
	rm -rf $(VENV) models var .rasa
