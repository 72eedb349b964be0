"""The payments platform, tested the way a team tests its own app: only the eks_platform pytest plugin, no conftest.

- one readable JSON snapshot per stack: a pull request shows the CloudFormation diff;
- the replacement guard against the committed baseline (what is deployed): nothing deployed gets replaced;
- cfn-lint and the EKSP policy pack, with the app's acknowledgments;
- a few behaviours the team relies on.
"""

from __future__ import annotations

import json
import os
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from team_app import STACK_NAME, build

import eks_platform
from eks_platform.testing import SynthResult, assert_template_passes

STACKS = [STACK_NAME]
#: cfn-lint warnings this app accepts, each with the reason a reviewer can check.
LINT_ALLOW = {
    "W3005": "aws-cdk-lib adds DependsOn entries that duplicate a Ref or GetAtt (the cluster on its subnets, the "
    "kubectl Lambda on its role); redundant but harmless",
}


@pytest.fixture(scope="session")
def team(eks_platform_synth: Any) -> SynthResult:
    """The app, synthesized once for the session with cdk.json's context, fixed account/region and synth date."""
    result: SynthResult = eks_platform_synth(build)
    return result


def _resources(template: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == resource_type]


@pytest.mark.parametrize("stack", STACKS)
def test_stack_snapshot(team: SynthResult, eks_platform_snapshot: Any, stack: str) -> None:
    assert team[stack] == eks_platform_snapshot


@pytest.mark.parametrize("stack", STACKS)
def test_deploy_replaces_nothing_that_is_deployed(team: SynthResult, eks_platform_baseline: Any, stack: str) -> None:
    eks_platform_baseline.assert_no_replacement(stack, team[stack])


@pytest.mark.parametrize("stack", STACKS)
def test_passes_cfn_lint_and_the_policy_pack(team: SynthResult, stack: str) -> None:
    assert_template_passes(team[stack], name=stack, allow=LINT_ALLOW, acknowledgments=team.acknowledgments)


def test_each_workload_has_its_own_pod_identity_role(team: SynthResult) -> None:
    associations = _resources(team[STACK_NAME], "AWS::EKS::PodIdentityAssociation")
    bindings = {(a["Properties"]["Namespace"], a["Properties"]["ServiceAccount"]) for a in associations}
    roles = {json.dumps(a["Properties"]["RoleArn"], sort_keys=True) for a in associations}
    assert bindings == {("payments", "orders-api"), ("payments", "report-writer")}
    assert len(roles) == 2


def test_two_community_addons_with_pinned_versions(team: SynthResult) -> None:
    addons = {a["Properties"]["AddonName"]: a["Properties"] for a in _resources(team[STACK_NAME], "AWS::EKS::Addon")}
    assert set(addons) == {"metrics-server", "kube-state-metrics"}
    assert all(props["AddonVersion"].startswith("v") for props in addons.values())


def test_storage_manifest_has_the_default_class_and_the_fast_tier(team: SynthResult) -> None:
    # one custom resource per Kubernetes object, so removing one from the config deletes it
    manifests = _resources(team[STACK_NAME], "Custom::AWSCDK-EKS-KubernetesResource")
    texts = [json.dumps(manifest["Properties"]["Manifest"]) for manifest in manifests]
    assert len(texts) == 2
    assert any('\\"kind\\":\\"StorageClass\\"' in text for text in texts)
    # the tier's name is derived from its immutable fields, so changing its numbers creates a new class
    assert any('\\"kind\\":\\"VolumeAttributesClass\\"' in text and '\\"name\\":\\"fast-' in text for text in texts)


def test_cluster_is_private_with_the_teams_admins_only(team: SynthResult) -> None:
    (cluster,) = _resources(team[STACK_NAME], "AWS::EKS::Cluster")
    assert cluster["Properties"]["Name"] == "payments-platform"
    assert cluster["Properties"]["ResourcesVpcConfig"]["EndpointPublicAccess"] is False
    principals = [e["Properties"]["PrincipalArn"] for e in _resources(team[STACK_NAME], "AWS::EKS::AccessEntry")]
    literal = {arn for arn in principals if isinstance(arn, str)}
    assert literal == {"arn:aws:iam::111111111111:role/PaymentsPlatformAdmin"}  # the others are the kubectl role


@pytest.mark.skipif(
    os.environ.get("EKS_PLATFORM_EXPECT_WHEEL") != "1", reason="only under `make example-test` (a clean venv)"
)
def test_eks_platform_comes_from_the_installed_wheel_not_the_source_tree() -> None:
    site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
    module = Path(eks_platform.__file__).resolve()
    assert module.is_relative_to(site_packages), f"{module} is not in {site_packages}"
    assert Path(sys.prefix).resolve() in module.parents
    assert not (module.parent.parent / "pyproject.toml").exists(), "imported from a source checkout"
