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

.PHONY: setup synth test deploy diff lint typecheck clean wheel diagram example-test example-snapshots
.PHONY: examples-typecheck
.PHONY: audit fuzz bench lifecycle manifests manifests-check

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

lifecycle: setup  ## the lifecycle matrix: every kind of change synthesized before/after and judged (its own target)
	$(PY) -m pytest -q tests/lifecycle

lint: setup
	$(VENV)/bin/ruff check eks_platform tests scripts examples
	$(VENV)/bin/mypy

# -- safety gates and benchmarks ------------------------------------------------------------------------------------
audit: setup  ## AwsSolutionsChecks + the EKSP pack over every reference stack: one table, fails on open findings
	$(PY) scripts/audit.py

fuzz: setup  ## 10,000 `platform` objects from the JSON Schema and 10,000 mutants of cdk.json: parse all, synth + lint a sample
	EKS_PLATFORM_SCHEMA_FUZZ_EXAMPLES=10000 EKS_PLATFORM_SCHEMA_FUZZ_SYNTH=100 EKS_PLATFORM_FUZZ_KEEP_GOING=1 \
		$(PY) -m pytest -q -s tests/property/test_schema_fuzz.py
	EKS_PLATFORM_FUZZ_EXAMPLES=10000 EKS_PLATFORM_FUZZ_SYNTH=150 EKS_PLATFORM_FUZZ_KEEP_GOING=1 \
		$(PY) -m pytest -q -s tests/property/test_fuzz_config.py

bench: setup  ## measure synth overhead, scale, test-suite time and template budget; writes docs/benchmarks.md
	$(PY) bench/run_all.py

# -- packaging, docs and the example team app ------------------------------------------------------------------------
EXAMPLE_VENV ?= .venv-example

wheel: setup  ## sdist + wheel into dist/
	rm -rf dist
	$(PY) -m build --outdir dist .

diagram: setup  ## regenerate docs/architecture.dot and .png from the reference app (needs Graphviz `dot`)
	$(PY) scripts/diagram.py

manifests: setup  ## rewrite manifests/ (the reference app's rendered Kubernetes YAML, what Argo CD syncs); commit it
	$(PY) scripts/manifests.py

manifests-check: setup  ## fail when the committed manifests/ differs from what synth renders now
	$(PY) scripts/manifests.py --check

example-test: wheel  ## install the wheel into a clean virtualenv and run the example apps' tests against it
	rm -rf $(EXAMPLE_VENV)
	$(PYTHON) -m venv $(EXAMPLE_VENV)
	$(EXAMPLE_VENV)/bin/python -m pip install --quiet "$$(ls dist/*.whl)[testing]"
	cd examples/team-app && env -u PYTHONPATH EKS_PLATFORM_EXPECT_WHEEL=1 $(CURDIR)/$(EXAMPLE_VENV)/bin/python -m pytest -q
	cd examples/app-team && env -u PYTHONPATH EKS_PLATFORM_EXPECT_WHEEL=1 $(CURDIR)/$(EXAMPLE_VENV)/bin/python -m pytest -q
	$(MAKE) examples-typecheck

examples-typecheck: setup  ## mypy --strict over every example app (its packages, tests and app.py)
	for example in examples/*/; do \
		(cd "$$example" && PYTHONPATH="$(CURDIR):$(CURDIR)/$$example" $(CURDIR)/$(VENV)/bin/mypy --strict \
			$$(ls -d */ | grep -v __ | tr -d /) app.py) || exit 1; \
	done

example-snapshots: setup  ## after an intended change: rewrite the example's snapshots and baselines (then review)
	cd examples/team-app && $(CURDIR)/$(PY) -m pytest -q --snapshot-update --eks-platform-update-baselines
	cd examples/app-team && $(CURDIR)/$(PY) -m pytest -q --snapshot-update --eks-platform-update-baselines

clean:
	rm -rf cdk.out .pytest_cache .hypothesis dist $(EXAMPLE_VENV)
