"""Team: a namespace, namespace-scoped access entries, Pod Identity in the namespace, ResourceQuota and LimitRange."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import aws_iam as iam

from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.constructs.reference import PlatformClusterReference
from eks_platform.constructs.team import Team, TeamLimitRange
from eks_platform.errors import ConfigError
from tests import support

DEV = "arn:aws:iam::111111111111:role/PaymentsDevelopers"
AUDIT = "arn:aws:iam::111111111111:role/Auditors"
ADMIN = "arn:aws:iam::111111111111:role/PlatformAdmin"


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = support.new_app()
    stack = support.new_stack(app, "Teams")
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="platform-prod", admin_principal_arns=[ADMIN])
    team = Team(
        stack,
        "Payments",
        cluster=cluster,
        name="payments",
        editors=[DEV],
        viewers=[AUDIT],
        resource_quota={"requests.cpu": "20", "limits.memory": "64Gi", "pods": "200"},
        limit_range=TeamLimitRange(default={"cpu": "500m", "memory": "512Mi"}, default_request={"cpu": "100m"}),
    )
    team.add_pod_identity(
        "orders-api", managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSQSReadOnlyAccess")]
    )
    template = support.synth_stack(stack, label="teams")
    return {"stack": stack, "cluster": cluster, "team": team, "template": template}


def _entries(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    entries = support.resources_of(template, "AWS::EKS::AccessEntry").values()
    return {e["Properties"]["PrincipalArn"]: e["Properties"] for e in entries}


def test_team_access_entries_are_namespace_scoped(built: dict[str, Any]) -> None:
    entries = _entries(built["template"])
    for arn, policy in ((DEV, "AmazonEKSEditPolicy"), (AUDIT, "AmazonEKSViewPolicy")):
        (association,) = entries[arn]["AccessPolicies"]
        assert association["AccessScope"] == {"Type": "namespace", "Namespaces": ["payments"]}
        assert json.dumps(association["PolicyArn"]).endswith(f':eks::aws:cluster-access-policy/{policy}"]]}}')
        assert entries[arn]["Type"] == "STANDARD"


def test_only_platform_admins_are_cluster_scoped(built: dict[str, Any]) -> None:
    scopes = {
        arn: [a["AccessScope"]["Type"] for a in props.get("AccessPolicies", [])]
        for arn, props in _entries(built["template"]).items()
        if isinstance(arn, str)
    }
    assert scopes[ADMIN] == ["cluster"]
    assert [arn for arn, types in scopes.items() if "cluster" in types] == [ADMIN]


def test_team_chart_has_the_namespace_quota_and_limit_range(built: dict[str, Any]) -> None:
    delivered = built["cluster"].manifests.charts["Team-payments"]
    by_kind = {o["kind"]: o for o in delivered.objects}
    assert set(by_kind) == {"Namespace", "ResourceQuota", "LimitRange"}
    assert by_kind["Namespace"]["metadata"]["labels"]["eks-platform/team"] == "payments"
    assert by_kind["ResourceQuota"]["metadata"]["namespace"] == "payments"
    assert by_kind["ResourceQuota"]["spec"]["hard"] == {"limits.memory": "64Gi", "pods": "200", "requests.cpu": "20"}
    (limit,) = by_kind["LimitRange"]["spec"]["limits"]
    assert limit == {
        "type": "Container", "default": {"cpu": "500m", "memory": "512Mi"}, "defaultRequest": {"cpu": "100m"}
    }


def test_team_pod_identity_is_bound_in_the_team_namespace(built: dict[str, Any]) -> None:
    (association,) = support.resources_of(built["template"], "AWS::EKS::PodIdentityAssociation").values()
    assert (association["Properties"]["Namespace"], association["Properties"]["ServiceAccount"]) == (
        "payments",
        "orders-api",
    )


def test_team_on_a_reference_renders_its_chart_without_kubectl() -> None:
    stack = support.new_stack()
    ref = PlatformClusterReference(stack, "Platform", cluster_name="platform-prod", kubernetes_version="1.33")
    team = Team(stack, "Search", cluster=ref, name="search", viewers=[AUDIT])
    assert team.manifest is None
    assert ref.manifests.charts["Team-search"].objects[0]["kind"] == "Namespace"


def test_fails_when_a_team_binds_a_service_account_twice() -> None:
    stack = support.new_stack()
    ref = PlatformClusterReference(stack, "Platform", cluster_name="platform-prod", kubernetes_version="1.33")
    team = Team(stack, "Search", cluster=ref, name="search")
    team.add_pod_identity("indexer")
    with pytest.raises(ConfigError, match="already binds search/indexer"):
        team.add_pod_identity("indexer")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Payments"}, "name 'Payments' is not a DNS-1123 label"),
        ({"name": "ops", "namespace": "kube-system"}, "is a system namespace"),
        ({"name": "ops", "editors": [DEV], "viewers": [DEV]}, "is in both editors and viewers"),
        ({"name": "ops", "editors": ["arn:aws:iam::111111111111:group/devs"]}, r"editors\[0\]"),
        ({"name": "ops", "resource_quota": {"cpus": "4"}}, "not a ResourceQuota resource"),
        ({"name": "ops", "resource_quota": {"pods": "lots"}}, "not a Kubernetes quantity"),
    ],
)
def test_fails_when_team_settings_are_invalid(kwargs: dict[str, Any], message: str) -> None:
    stack = support.new_stack()
    ref = PlatformClusterReference(stack, "Platform", cluster_name="platform-prod", kubernetes_version="1.33")
    with pytest.raises(ConfigError, match=message):
        Team(stack, "T", cluster=ref, **kwargs)


def test_fails_when_a_limit_range_sets_nothing_or_an_unknown_resource() -> None:
    with pytest.raises(ConfigError, match="sets nothing"):
        TeamLimitRange()
    with pytest.raises(ConfigError, match="a container LimitRange sets cpu, memory, ephemeral-storage"):
        TeamLimitRange(max={"gpu": "1"})
