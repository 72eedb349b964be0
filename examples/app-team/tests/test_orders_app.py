"""The orders team's app, tested the way a team tests its own app: only the eks_platform pytest plugin, no conftest.

- one readable JSON snapshot of the stack, and one readable YAML snapshot per Kubernetes object;
- the replacement guard against the committed baseline (what is deployed);
- cfn-lint and the EKSP policy pack, with the app's acknowledgments and no allow-list;
- what the team relies on: namespace-scoped access, bindings in its namespace, the add-on on the contract's minor.
"""

from __future__ import annotations

import json
import os
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Annotations, Match
from orders_app import STACK_NAME, build

import eks_platform
from eks_platform.testing import SynthResult, assert_template_passes


@pytest.fixture(scope="session")
def orders(eks_platform_synth: Any) -> SynthResult:
    """The app, synthesized once for the session with cdk.json's context, fixed account/region and synth date."""
    result: SynthResult = eks_platform_synth(build)
    return result


def _resources(template: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == resource_type]


def test_stack_snapshot(orders: SynthResult, eks_platform_snapshot: Any) -> None:
    assert orders[STACK_NAME] == eks_platform_snapshot


def test_kubernetes_objects_snapshot(orders: SynthResult, eks_platform_k8s_snapshot: Any) -> None:
    eks_platform_k8s_snapshot.assert_match(orders.kubernetes_objects)


def test_deploy_replaces_nothing_that_is_deployed(orders: SynthResult, eks_platform_baseline: Any) -> None:
    eks_platform_baseline.assert_no_replacement(STACK_NAME, orders[STACK_NAME])


def test_passes_cfn_lint_and_the_policy_pack_without_an_allow_list(orders: SynthResult) -> None:
    assert_template_passes(orders[STACK_NAME], name=STACK_NAME, acknowledgments=orders.acknowledgments)


def test_the_teams_access_is_namespace_scoped(orders: SynthResult) -> None:
    entries = {e["Properties"]["PrincipalArn"]: e["Properties"] for e in _resources(orders[STACK_NAME],
                                                                                    "AWS::EKS::AccessEntry")}
    assert set(entries) == {
        "arn:aws:iam::111111111111:role/OrdersDevelopers",
        "arn:aws:iam::111111111111:role/OrdersOnCall",
    }
    for props in entries.values():
        assert props["ClusterName"] == "platform-prod"
        (policy,) = props["AccessPolicies"]
        assert policy["AccessScope"] == {"Type": "namespace", "Namespaces": ["orders"]}


def test_the_workloads_are_bound_in_the_teams_namespace(orders: SynthResult) -> None:
    associations = _resources(orders[STACK_NAME], "AWS::EKS::PodIdentityAssociation")
    assert {(a["Properties"]["Namespace"], a["Properties"]["ServiceAccount"]) for a in associations} == {
        ("orders", "orders-api"),
        ("orders", "orders-worker"),
    }


def test_the_efs_addon_comes_with_its_pod_identity_role(orders: SynthResult) -> None:
    (addon,) = _resources(orders[STACK_NAME], "AWS::EKS::Addon")
    assert addon["Properties"]["AddonName"] == "aws-efs-csi-driver"
    assert addon["Properties"]["ClusterName"] == "platform-prod"
    (association,) = addon["Properties"]["PodIdentityAssociations"]
    assert association["ServiceAccount"] == "efs-csi-controller-sa"


def test_the_namespace_quota_and_limits_are_rendered_for_gitops(orders: SynthResult) -> None:
    objects = orders.kubernetes_objects
    kinds = sorted(key.split(".")[2] for key in objects)
    assert kinds == ["LimitRange", "Namespace", "ResourceQuota"]
    assert not _resources(orders[STACK_NAME], "AWS::Lambda::Function"), "no kubectl Lambda without a kubectl role"
    assert (Path(orders.outdir) / "manifests" / "platform-prod" / "Team-orders.k8s.yaml").is_file()


def test_synthesizes_without_warnings(orders: SynthResult) -> None:
    stack = orders.app.node.find_child(STACK_NAME)
    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []  # type: ignore[arg-type]


@pytest.mark.skipif(
    os.environ.get("EKS_PLATFORM_EXPECT_WHEEL") != "1", reason="only under `make example-test` (a clean venv)"
)
def test_eks_platform_comes_from_the_installed_wheel_not_the_source_tree() -> None:
    site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
    module = Path(eks_platform.__file__).resolve()
    assert module.is_relative_to(site_packages), f"{module} is not in {site_packages}"
    assert Path(sys.prefix).resolve() in module.parents
    assert not (module.parent.parent / "pyproject.toml").exists(), "imported from a source checkout"


def test_the_contract_is_the_platforms_file() -> None:
    contract = json.loads((Path(__file__).resolve().parents[1] / "platform-prod.cluster.json").read_text())
    assert contract["schema"] == "eks-platform/cluster-contract/v1" and contract["autoMode"] is True
