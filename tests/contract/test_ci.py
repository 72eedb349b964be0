"""The pull-request workflow and .ci/run run the README's commands, with the toolchain the README promises."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.support import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yml"


def _workflow() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    return loaded


def _steps() -> list[dict[str, Any]]:
    return [step for job in _workflow()["jobs"].values() for step in job["steps"]]


def test_workflow_runs_on_pull_requests() -> None:
    triggers = _workflow()[True]  # YAML 1.1 reads the key `on` as a boolean
    assert "pull_request" in triggers


def test_workflow_uses_python_3_11_and_node_20() -> None:
    versions = {step["uses"].split("@")[0]: step.get("with", {}) for step in _steps() if "uses" in step}
    assert versions["actions/setup-python"]["python-version"] == "3.11"
    assert versions["actions/setup-node"]["node-version"] == "20"


def test_workflow_and_ci_script_run_test_lifecycle_lint_then_the_example_against_the_wheel() -> None:
    workflow_runs = [step["run"].strip() for step in _steps() if "run" in step]
    script_runs = [line.split("#")[0].strip() for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()
                   if line.strip().startswith("make ")]
    assert workflow_runs == script_runs == ["make test", "make lifecycle", "make lint", "make example-test"]


def test_make_targets_exist() -> None:
    targets = set(re.findall(r"^([a-z-]+):", (REPO_ROOT / "Makefile").read_text(), re.MULTILINE))
    assert {"test", "lifecycle", "wheel", "diagram", "example-test", "lint"} <= targets
