"""The plugin in a pull request: per-object Kubernetes YAML snapshots, added and removed resources named, the app's
own cdk.json wherever pytest starts, and a warning when the frozen synth date hides a support-policy change."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from eks_platform.testing.baselines import added_and_removed
from eks_platform.testing.kubernetes import kubernetes_objects, object_yaml
from eks_platform.testing.synth import support_drift

pytest_plugins = ["pytester"]

APP = '''
import json

import aws_cdk as cdk
from aws_cdk import aws_sqs as sqs


def build(app):
    stack = cdk.Stack(app, "Apps")
    sqs.Queue(stack, "Jobs", queue_name=app.node.try_get_context("queueName"))
    tier = app.node.try_get_context("tierIops")
    objects = [
        {"apiVersion": "storage.k8s.io/v1", "kind": "VolumeAttributesClass", "metadata": {"name": "fast"},
         "driverName": "ebs.csi.aws.com", "parameters": {"iops": str(tier), "throughput": "250"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payments"}},
    ]
    cdk.CfnResource(stack, "Storage", type="Custom::AWSCDK-EKS-KubernetesResource",
                    properties={"ClusterName": "platform", "Manifest": json.dumps(objects)})
    if app.node.try_get_context("extraQueue"):
        sqs.Queue(stack, "Extra")
'''

TESTS = '''
from app.build import build


def test_objects(eks_platform_synth, eks_platform_k8s_snapshot):
    eks_platform_k8s_snapshot.assert_match(eks_platform_synth(build).kubernetes_objects)


def test_no_replacement(eks_platform_synth, eks_platform_baseline):
    eks_platform_baseline.assert_no_replacement("Apps", eks_platform_synth(build)["Apps"])


def test_queue_name_from_the_apps_cdk_json(eks_platform_synth):
    queues = [r for r in eks_platform_synth(build)["Apps"]["Resources"].values() if r["Type"] == "AWS::SQS::Queue"]
    assert queues[0]["Properties"]["QueueName"] == "jobs"
'''


def _cdk_json(folder: Path, **context: object) -> None:
    (folder / "cdk.json").write_text(json.dumps({"app": "python3 main.py", "context": context}))


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A repository whose app lives in ``app/`` (with its cdk.json) and whose tests run from the repository root."""
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\n")
    app = pytester.mkpydir("app")
    (app / "build.py").write_text(APP)
    _cdk_json(app, queueName="jobs", tierIops=6000)
    pytester.makepyfile(test_app=TESTS)
    return pytester


def test_the_apps_cdk_json_is_read_when_pytest_starts_elsewhere(project: pytest.Pytester) -> None:
    assert not (project.path / "cdk.json").exists()
    result = project.runpytest("--snapshot-update", "--eks-platform-update-baselines")
    result.assert_outcomes(passed=3)


def test_each_kubernetes_object_has_its_own_readable_yaml_snapshot(project: pytest.Pytester) -> None:
    project.runpytest("--snapshot-update", "--eks-platform-update-baselines").assert_outcomes(passed=3)
    folder = project.path / "__snapshots__" / "test_app"
    files = sorted(p.name for p in folder.iterdir())
    assert files == [
        "test_objects[Apps.Storage.Namespace._cluster.payments].yaml",
        "test_objects[Apps.Storage.VolumeAttributesClass._cluster.fast].yaml",
    ]
    text = (folder / files[1]).read_text()
    assert text.startswith("apiVersion: storage.k8s.io/v1\nkind: VolumeAttributesClass\n")
    assert "  iops: '6000'\n" in text


def test_a_changed_tier_shows_the_field_that_changed(project: pytest.Pytester) -> None:
    project.runpytest("--snapshot-update", "--eks-platform-update-baselines").assert_outcomes(passed=3)
    _cdk_json(project.path / "app", queueName="jobs", tierIops=9000)
    result = project.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    output = result.stdout.str()
    assert "1 Kubernetes object(s) differ" in output
    assert "Apps.Storage.VolumeAttributesClass._cluster.fast" in output
    assert "iops: '6000'" in output and "iops: '9000'" in output


def test_the_guard_names_added_and_removed_resources(project: pytest.Pytester) -> None:
    project.runpytest("--snapshot-update", "--eks-platform-update-baselines").assert_outcomes(passed=3)
    _cdk_json(project.path / "app", queueName="renamed", tierIops=6000, extraQueue=True)
    result = project.runpytest("-k", "no_replacement")
    output = result.stdout.str()
    assert "would be replaced or deleted" in output
    assert "Added (1):" in output and "AWS::SQS::Queue" in output


def test_added_and_removed_lists_logical_ids_with_types() -> None:
    old = {"Resources": {"A": {"Type": "AWS::SQS::Queue"}, "B": {"Type": "AWS::IAM::Role"}}}
    new = {"Resources": {"A": {"Type": "AWS::SQS::Queue"}, "C": {"Type": "AWS::EKS::Addon"}}}
    assert added_and_removed(old, new) == "Added (1):\n  C (AWS::EKS::Addon)\nRemoved (1):\n  B (AWS::IAM::Role)"


def test_support_drift_names_a_version_that_left_standard_support_since_the_frozen_date() -> None:
    template = {"Resources": {"Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"Version": "1.32"}}}}
    found = support_drift({"Platform": template}, frozen=dt.date(2026, 1, 1), today=dt.date(2026, 12, 1))
    (sentence,) = found
    assert "Kubernetes 1.32 is in standard support on the tests' synth date 2026-01-01" in sentence
    assert "extended support today" in sentence
    assert support_drift({"Platform": template}, frozen=dt.date(2026, 11, 27), today=dt.date(2026, 12, 1)) == []


def test_the_synth_fixture_warns_when_the_frozen_date_hides_a_support_change(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\n")
    _cdk_json(pytester.path, **{"eks-platform:synthDate": "2026-01-01"})
    pytester.makepyfile(
        test_cluster='''
import aws_cdk as cdk


def build(app):
    stack = cdk.Stack(app, "Platform")
    cdk.CfnResource(stack, "Cluster", type="AWS::EKS::Cluster", properties={"Version": "1.32"})


def test_synth(eks_platform_synth):
    assert "Platform" in eks_platform_synth(build, context={"eks-platform:synthDate": "2026-01-01"})
'''
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "SynthDateWarning" in result.stdout.str()


def test_objects_come_from_templates_with_deploy_time_values_readable() -> None:
    manifest = {"Fn::Join": ["", ['[{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"api","annotations":'
                                  '{"role":"', {"Fn::GetAtt": ["Role", "Arn"]}, '"}}}]']]}
    template = {"Resources": {"Sa": {"Type": "Custom::AWSCDK-EKS-KubernetesResource",
                                     "Properties": {"Manifest": manifest}}}}
    (key, obj), = kubernetes_objects({"Apps": template}).items()
    assert key == "Apps.Sa.ServiceAccount._cluster.api"
    assert obj["metadata"]["annotations"]["role"] == "${GetAtt:Role.Arn}"
    assert object_yaml(obj).startswith("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n")
