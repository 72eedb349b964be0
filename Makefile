# The README's commands. `make synth` and `make test` set everything up on a fresh machine (Python 3.11, a Node.js
# release the CDK supports, the package registries) and then do their job.
#
# Two sets of versions:
# - pyproject.toml declares what a team app inherits: ranges (tested floors, the next major as ceiling).
# - requirements.lock pins every package this repository develops, snapshots and tests with (exact versions and
#   hashes), so templates and asset hashes are the same on every machine. `make setup` installs exactly that.
# The lock is made by uv (`uv pip compile`: a requirements file with hashes that any pip can also read). uv rather
# than pip-tools because its lock is universal (one file with markers for Linux, macOS and Windows; pip-compile
# resolves for the platform it runs on only), it keeps existing pins on re-lock, and it installs the ~55 locked
# packages in seconds, which keeps the three clean virtualenvs CI builds (dev, example, floors) cheap.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
VENV_BIN := $(abspath $(VENV))/bin
UV := $(VENV_BIN)/uv
LOCK := requirements.lock
# jsii prints an end-of-life banner for a Node.js release past its end of support (Node 20: since 2026-10-30, see
# https://docs.aws.amazon.com/cdk/v2/guide/node-versions.html). The variable silences that banner for Node 20 only;
# Node 22 and 24 are supported and print nothing, so the same commands work with any of them.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := true
export CDK_DISABLE_CLI_TELEMETRY := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# The CLI prints a stack frame of the jsii kernel under each warning unless traces are off; they help nobody here.
export CDK_DISABLE_STACK_TRACE := 1
CDK := npx --no-install cdk --no-notices --no-version-reporting
# Targets that use the virtualenv depend on $(SETUP). `make synth SETUP= VENV=<venv>` runs a target with another,
# already set-up environment (tests/contract/test_readme_commands.py does this).
SETUP ?= setup

.PHONY: setup synth test deploy diff bootstrap lint typecheck clean wheel diagram lock lock-upgrade
.PHONY: example-test example-test-lowest install-check example-snapshots examples-typecheck
.PHONY: audit fuzz bench lifecycle manifests manifests-check
.PHONY: bootstrap-fleet

setup: $(VENV)/.installed node_modules/.installed

# The lock pins uv itself: pip installs that uv, uv installs the lock (hashes checked), then this package, editable.
$(UV):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$$(grep -m1 -E '^uv==' $(LOCK) | cut -d' ' -f1)"

$(VENV)/.installed: pyproject.toml $(LOCK) | $(UV)
	$(UV) pip sync --quiet --python $(PY) --require-hashes $(LOCK)
	# aws-cdk-lib and aws-cdk.cloud-assembly-schema both ship aws_cdk/cloud_assembly_schema/__init__.py, and uv
	# installs in parallel, so either copy can land last. Only aws-cdk-lib's registers the jsii types aws-cdk-lib
	# returns (Annotations' MetadataEntry): install it again so its copy is the one on disk.
	$(UV) pip install --quiet --python $(PY) --require-hashes --no-deps --reinstall-package aws-cdk-lib -r $(LOCK)
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	$(PY) scripts/check_lock.py $(LOCK)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# After a change to the dependencies in pyproject.toml: re-resolve the lock, keeping every pin that still fits.
# (Needs only uv, so it works while the set-up refuses a lock that no longer matches pyproject.toml.)
lock: | $(UV)
	$(UV) pip compile --quiet pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command "make lock" --output-file $(LOCK)

lock-upgrade: | $(UV)  ## move every locked package to its newest allowed version (then review the snapshot diffs)
	$(UV) pip compile --quiet pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command "make lock" --upgrade --output-file $(LOCK)

synth: $(SETUP)
	PATH="$(VENV_BIN):$$PATH" $(CDK) synth --quiet --output cdk.out
	$(PY) scripts/synth_summary.py cdk.out

diff: $(SETUP)
	PATH="$(VENV_BIN):$$PATH" $(CDK) diff

# Once per account and region, with credentials: the CLI runs the app (python3 app.py) to find the environments, so
# it needs the virtualenv on PATH, which `npx cdk bootstrap` alone does not have. Extra arguments: BOOTSTRAP_ARGS.
bootstrap: $(SETUP)
	PATH="$(VENV_BIN):$$PATH" $(CDK) bootstrap $(BOOTSTRAP_ARGS)

deploy: $(SETUP)
	PATH="$(VENV_BIN):$$PATH" $(CDK) deploy --all --require-approval broadening

# `make test` runs the suite in TEST_WORKERS pytest-xdist processes (2: the cores of the machines it runs on). Each
# worker collects the suite, starts its own jsii kernel and builds its own session fixtures: the run takes 13-20%
# more CPU than one process (measured back to back: 152 against 135 CPU-s, 170 against 140), spread over two cores.
# --dist loadfile keeps a module's tests, and so its module-scoped
# fixtures (one synth per distinct stack), in one worker; --no-loadscope-reorder hands out files in collection order,
# which puts the few long contract tests (real CDK CLI, wheel build, mypy) first and the many short unit files last,
# so no long file is left for the end. Each worker also lints with cfn-lint what each test file synthesized, when the
# file is done (tests/cfn_lint_sweep.py), and keeps the verdicts without errors for the next run of this checkout in
# .pytest_cache/eks-platform-cfn-lint (tests/cfn_lint_cache.py; a fresh clone, CI and `make clean` start without them).
# `make test TEST_WORKERS=0` runs it in one process.
# PYTHONDONTWRITEBYTECODE is cleared for the run (as bench/suite_time.py does): with it set, every worker and every
# Python the suite starts (the app under the CDK CLI, the wheel build) compiles aws-cdk-lib's modules again and pytest
# rewrites every test module again, about 8 s of CPU per process on every run, since no .pyc is ever written.
# https://docs.python.org/3/using/cmdline.html#envvar-PYTHONDONTWRITEBYTECODE
TEST_WORKERS ?= 2
test: $(SETUP)
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

lifecycle: $(SETUP)  ## the lifecycle matrix: every kind of change synthesized before/after and judged (its own target)
	$(PY) -m pytest -q tests/lifecycle

lint: $(SETUP)
	$(VENV_BIN)/ruff check eks_platform tests scripts examples
	$(VENV_BIN)/mypy

# A fleet (platform.environments + platform.pipeline): print the `cdk bootstrap` commands that give the pipeline
# account trust in every environment's account and region; FLEET_BOOTSTRAP_ARGS="--run --profile ACCOUNT=PROFILE ..."
# runs them. See README "Fleet".
bootstrap-fleet: $(SETUP)
	PATH="$(VENV_BIN):$$PATH" $(PY) scripts/bootstrap_fleet.py $(FLEET_BOOTSTRAP_ARGS)

# -- safety gates and benchmarks ------------------------------------------------------------------------------------
audit: $(SETUP)  ## AwsSolutionsChecks + the EKSP pack over every reference stack: one table, fails on open findings
	$(PY) scripts/audit.py

fuzz: $(SETUP)  ## 10,000 `platform` objects from the JSON Schema and 10,000 mutants of cdk.json: parse all, synth + lint a sample
	EKS_PLATFORM_SCHEMA_FUZZ_EXAMPLES=10000 EKS_PLATFORM_SCHEMA_FUZZ_SYNTH=100 EKS_PLATFORM_FUZZ_KEEP_GOING=1 \
		$(PY) -m pytest -q -s tests/property/test_schema_fuzz.py
	EKS_PLATFORM_FUZZ_EXAMPLES=10000 EKS_PLATFORM_FUZZ_SYNTH=150 EKS_PLATFORM_FUZZ_KEEP_GOING=1 \
		$(PY) -m pytest -q -s tests/property/test_fuzz_config.py

bench: $(SETUP)  ## jsii round trips, CPU and a whole cdk synth against plain aws_eks_v2, scale fits (fails if super-linear), suite time; writes docs/benchmarks.md
	$(PY) bench/run_all.py

# -- packaging, docs and the example team app ------------------------------------------------------------------------
EXAMPLE_VENV ?= .venv-example
LOWEST_VENV ?= .venv-lowest
# A release inside the aws-cdk-lib range that is neither the floor nor the locked version: a team app on it must be
# able to install the wheel.
OTHER_AWS_CDK_LIB ?= 2.271.0
WHEEL = $$(ls dist/*.whl)
EXAMPLE_APPS := team-app app-team
EXAMPLE_ENV := env -u PYTHONPATH EKS_PLATFORM_EXPECT_WHEEL=1

wheel: $(SETUP)  ## sdist + wheel into dist/
	rm -rf dist
	$(PY) -m build --outdir dist .

diagram: $(SETUP)  ## regenerate docs/architecture.dot and .png from the reference app (needs Graphviz `dot`)
	$(PY) scripts/diagram.py

manifests: $(SETUP)  ## rewrite manifests/ (the reference app's rendered Kubernetes YAML, what Argo CD syncs); commit it
	$(PY) scripts/manifests.py

manifests-check: $(SETUP)  ## fail when the committed manifests/ differs from what synth renders now
	$(PY) scripts/manifests.py --check

example-test: wheel  ## the wheel in a clean virtualenv with the locked versions; every example app's tests against it
	rm -rf $(EXAMPLE_VENV)
	$(UV) venv --quiet --python $(PYTHON) $(EXAMPLE_VENV)
	$(UV) pip install --quiet --python $(EXAMPLE_VENV)/bin/python --constraint $(LOCK) "$(WHEEL)[testing]"
	$(UV) pip install --quiet --python $(EXAMPLE_VENV)/bin/python --constraint $(LOCK) --no-deps \
		--reinstall-package aws-cdk-lib aws-cdk-lib  # its aws_cdk/cloud_assembly_schema must land last (see setup)
	for app in $(EXAMPLE_APPS); do (cd examples/$$app && $(EXAMPLE_ENV) $(CURDIR)/$(EXAMPLE_VENV)/bin/python -m pytest -q) || exit 1; done
	$(MAKE) examples-typecheck

examples-typecheck: $(SETUP)  ## mypy --strict over every example app (its packages, tests and app.py)
	for example in examples/*/; do \
		(cd "$$example" && PYTHONPATH="$(CURDIR):$(CURDIR)/$$example" $(VENV_BIN)/mypy --strict \
			$$(ls -d */ | grep -v __ | tr -d /) app.py) || exit 1; \
	done

# The same tests with every dependency of the wheel (runtime and the testing extra) at the floor pyproject.toml
# declares, so a floor that does not work fails here (snapshot, replacement guard, cfn-lint, policy pack, behaviour).
example-test-lowest: wheel  ## examples/team-app's tests against the wheel with every dependency at its floor
	rm -rf $(LOWEST_VENV)
	$(UV) venv --quiet --python $(PYTHON) $(LOWEST_VENV)
	$(PY) scripts/floor_constraints.py "$(WHEEL)" --extra testing > $(LOWEST_VENV)/floors.txt
	$(UV) pip install --quiet --python $(LOWEST_VENV)/bin/python --constraint $(LOWEST_VENV)/floors.txt \
		"$(WHEEL)[testing]"
	$(UV) pip install --quiet --python $(LOWEST_VENV)/bin/python --constraint $(LOWEST_VENV)/floors.txt --no-deps \
		--reinstall-package aws-cdk-lib aws-cdk-lib  # its aws_cdk/cloud_assembly_schema must land last (see setup)
	$(PY) scripts/floor_constraints.py "$(WHEEL)" --extra testing --check $(LOWEST_VENV)/bin/python
	for app in $(EXAMPLE_APPS); do (cd examples/$$app && $(EXAMPLE_ENV) $(CURDIR)/$(LOWEST_VENV)/bin/python -m pytest -q) || exit 1; done

install-check: wheel  ## a team app on another aws-cdk-lib release in range can install the wheel (pip's resolver)
	$(PY) -m pip install --dry-run --ignore-installed "$(WHEEL)" "aws-cdk-lib==$(OTHER_AWS_CDK_LIB)" \
		| grep -E "^Would install .*aws-cdk-lib-$(OTHER_AWS_CDK_LIB)( |$$)"

example-snapshots: $(SETUP)  ## after an intended change: rewrite the example's snapshots and baselines (then review)
	cd examples/team-app && $(CURDIR)/$(PY) -m pytest -q --snapshot-update --eks-platform-update-baselines
	cd examples/app-team && $(CURDIR)/$(PY) -m pytest -q --snapshot-update --eks-platform-update-baselines

clean:
	rm -rf cdk.out .pytest_cache .hypothesis dist $(EXAMPLE_VENV) $(LOWEST_VENV)
