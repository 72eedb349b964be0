"""The pytest plugin as a team app sees it: fixtures from the entry point, no conftest, run in a scratch project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

TEAM_TESTS = '''
import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs

BUILDS = []


def build(app):
    BUILDS.append(app)
    stack = cdk.Stack(app, "Queues")
    sqs.Queue(stack, "Jobs", queue_name=app.node.try_get_context("queueName"))


@pytest.mark.parametrize("stack", ["Queues"])
def test_snapshot(eks_platform_synth, eks_platform_snapshot, stack):
    assert eks_platform_synth(build)[stack] == eks_platform_snapshot


def test_synthesized_once_per_session(eks_platform_synth):
    assert eks_platform_synth(build) is eks_platform_synth(build)
    assert len(BUILDS) == 1


def test_no_replacement(eks_platform_synth, eks_platform_baseline):
    eks_platform_baseline.assert_no_replacement("Queues", eks_platform_synth(build)["Queues"])
'''


def _cdk_json(project: Path, queue_name: str) -> None:
    (project / "cdk.json").write_text(json.dumps({"app": "python3 app.py", "context": {"queueName": queue_name}}))


@pytest.fixture
def team_project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\n")
    pytester.makepyfile(test_team=TEAM_TESTS)
    _cdk_json(pytester.path, "jobs")
    return pytester


def _queue_name(template_file: Path) -> str:
    resources = json.loads(template_file.read_text())["Resources"]
    (queue,) = [r for r in resources.values() if r["Type"] == "AWS::SQS::Queue"]
    name: str = queue["Properties"]["QueueName"]
    return name


def test_first_run_with_update_flags_writes_a_readable_snapshot_and_a_baseline(team_project: pytest.Pytester) -> None:
    result = team_project.runpytest("--snapshot-update", "--eks-platform-update-baselines")
    result.assert_outcomes(passed=3)
    snapshot = team_project.path / "__snapshots__" / "test_team" / "test_snapshot[Queues].json"
    baseline = team_project.path / "tests" / "baselines" / "Queues.json"
    assert _queue_name(snapshot) == _queue_name(baseline) == "jobs"  # the cdk.json context was used
    text = snapshot.read_text()
    assert text.startswith('{\n  "Parameters": {\n    "BootstrapVersion"'), "sorted keys, two-space indent"
    assert json.loads(text) == json.loads(baseline.read_text())


def test_unchanged_app_passes_against_its_snapshot_and_baseline(team_project: pytest.Pytester) -> None:
    team_project.runpytest("--snapshot-update", "--eks-platform-update-baselines").assert_outcomes(passed=3)
    team_project.runpytest().assert_outcomes(passed=3)


def test_replacing_change_fails_the_snapshot_with_a_diff_and_the_guard_with_the_reason(
    team_project: pytest.Pytester,
) -> None:
    team_project.runpytest("--snapshot-update", "--eks-platform-update-baselines").assert_outcomes(passed=3)
    _cdk_json(team_project.path, "renamed")
    result = team_project.runpytest()
    result.assert_outcomes(passed=1, failed=2)
    output = result.stdout.str()
    assert '"QueueName": "renamed"' in output
    assert "1 resource(s) would be replaced or deleted" in output
    assert "AWS::SQS::Queue" in output


def test_fixture_names_do_not_clash_with_this_suites_conftest(pytestconfig: pytest.Config) -> None:
    plugin = pytestconfig.pluginmanager.get_plugin("eks_platform")
    assert plugin is not None, "the pytest11 entry point is not registered: reinstall the package (make setup)"
    names = {name for name in vars(plugin) if name.startswith("eks_platform_")}
    expected = {"eks_platform_synth", "eks_platform_snapshot", "eks_platform_k8s_snapshot", "eks_platform_baseline"}
    assert names == expected
