# The README's commands. `make synth` and `make test` set everything up on a fresh machine
# (Python 3.11 + Node 20 + the package registries) and then do their job.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := true
export CDK_DISABLE_CLI_TELEMETRY := true
CDK := npx --no-install cdk --no-notices --no-version-reporting

.PHONY: setup synth test deploy diff lint typecheck clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

synth: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(CDK) synth --quiet --output cdk.out
	$(PY) scripts/synth_summary.py cdk.out

diff: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(CDK) diff

deploy: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(CDK) deploy --all --require-approval broadening

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check eks_platform tests scripts
	$(VENV)/bin/mypy

clean:
	rm -rf cdk.out .pytest_cache .hypothesis
