# The front door. `make local` and `make test` install what they need on first run.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help
.PHONY: help install local test lint typecheck unit integration e2e chat bench

help:
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-28s %s\n", $$1, $$2}'

$(VENV_STAMP): pyproject.toml scripts/install.sh
	bash scripts/install.sh
	touch $@

install: $(VENV_STAMP) ## create the venv and install pinned dependencies

local: $(VENV_STAMP) ## start the whole system offline (Ctrl-C stops it)
	$(PY) -m scripts.local.stack

lint: $(VENV_STAMP) ## ruff
	$(VENV)/bin/ruff check .

typecheck: $(VENV_STAMP) ## mypy
	$(VENV)/bin/mypy layers/common/hotel_common functions infra scripts

test: $(VENV_STAMP) lint typecheck ## lint, typecheck and the whole test suite
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(VENV_STAMP) ## benchmarks beside same-run baselines -> reports/bench.json (NLU, PMS, webhook, reply, cold init)
	$(PY) -m scripts.bench.run

chat: $(VENV_STAMP) ## chat with the running local stack as a guest
	$(PY) -m scripts.chat

-include mk/*.mk
