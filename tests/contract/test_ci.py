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


def test_workflow_uses_python_3_11_and_the_cdk_supported_node_releases() -> None:
    versions = {step["uses"].split("@")[0]: step.get("with", {}) for step in _steps() if "uses" in step}
    assert versions["actions/setup-python"]["python-version"] == "3.11"
    assert versions["actions/setup-node"]["node-version"] == "${{ matrix.node }}"
    (job,) = _workflow()["jobs"].values()
    # Node.js releases the CDK supports (https://docs.aws.amazon.com/cdk/v2/guide/node-versions.html); 20 ended
    # 2026-10-30 and stays only on the CI machine, where .ci/run runs.
    assert job["strategy"]["matrix"]["node"] == ["22", "24"]


def _ci_script_make_commands() -> list[str]:
    commands = []
    for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines():
        code = line.split("#")[0].strip()
        if code.startswith("step make "):
            code = code.removeprefix("step ")
        if code.startswith("make "):
            commands.append(code)
    return commands


def test_workflow_and_ci_script_run_the_same_make_targets() -> None:
    workflow_runs = [step["run"].strip() for step in _steps() if "run" in step]
    expected = ["make test", "make lifecycle", "make lint", "make install-check", "make example-test",
                "make example-test-lowest"]
    assert workflow_runs == _ci_script_make_commands() == expected


def test_ci_script_fails_on_any_failing_step() -> None:
    # pytest exits 5 when it collected no test: that must fail the run like any other non-zero status.
    script = (REPO_ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in script
    code = "\n".join(line.split("#")[0] for line in script.splitlines())
    for masking in ("|| true", "|| :", "-eq 5", "== 5", "set +e"):
        assert masking not in code, masking


def test_make_targets_exist() -> None:
    targets = set(re.findall(r"^([a-z-]+):", (REPO_ROOT / "Makefile").read_text(), re.MULTILINE))
    assert {"test", "lifecycle", "wheel", "diagram", "example-test", "example-test-lowest", "install-check", "lint",
            "lock", "bootstrap", "synth", "deploy"} <= targets
