"""Every problem names the full cdk.json path of the setting it is about, also when a value object judges it.

One bad value per setting, and the exact path the ConfigError must name (``<path>:`` or ``<path> <value>``): a
problem raised inside a node pool, a tier or a selector term names ``platform.nodePools.pools.batch.cpuLimit``, not
``platform.nodePools.pools.batch``.
"""

from __future__ import annotations

from typing import Any

import pytest

from eks_platform.config import parse_platform_config
from eks_platform.config.environments import parse_fleet_config
from eks_platform.errors import ConfigError

POOL: dict[str, Any] = {"nodeClass": "default"}
ROLE = "arn:aws:iam::111111111111:role/x"
IDC = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
GROUP = "906739b3-1234-5678-9abc-def012345678"
ARGOCD: dict[str, Any] = {"type": "ARGOCD", "identityCenter": {"instanceArn": IDC},
                          "roleMappings": {"ADMIN": {"groups": [GROUP]}}}
HYBRID: dict[str, Any] = {"nodeCidrs": ["192.168.100.0/24"], "transitGatewayId": "tgw-0123456789abcdef0"}
CONNECTION = "arn:aws:codeconnections:eu-west-1:444444444444:connection/0a1b2c3d-1111-2222-3333-444455556666"
PIPELINE: dict[str, Any] = {"account": "444444444444", "region": "eu-west-1", "connectionArn": CONNECTION,
                            "repository": "example/platform"}
ENVIRONMENTS: dict[str, Any] = {"dev": {"account": "222222222222", "region": "us-east-1"}}


def pool(**settings: Any) -> dict[str, Any]:
    return {"nodePools": {"pools": {"batch": {**POOL, **settings}}}}


def node_class(**settings: Any) -> dict[str, Any]:
    return {"nodePools": {"nodeClasses": {"c": settings}}}


def tier(**settings: Any) -> dict[str, Any]:
    return {"storage": {"tiers": [{"name": "t", **settings}]}}


NP = "platform.nodePools"
CASES: list[tuple[dict[str, Any], str]] = [
    # the stack
    ({"tags": {"team": ""}}, "platform.tags"),
    # node pools (NodePoolSpec, Taint, Requirement, DisruptionBudget)
    (pool(instanceCategories=["?"]), f"{NP}.pools.batch.instanceCategories"),
    (pool(instanceFamilies=["?"]), f"{NP}.pools.batch.instanceFamilies"),
    (pool(minGeneration=-1), f"{NP}.pools.batch.minGeneration"),
    (pool(labels={"a b": "x"}), f"{NP}.pools.batch.labels"),
    (pool(cpuLimit="-1"), f"{NP}.pools.batch.cpuLimit"),
    (pool(memoryLimit="x"), f"{NP}.pools.batch.memoryLimit"),
    (pool(consolidateAfter="x"), f"{NP}.pools.batch.consolidateAfter"),
    (pool(expireAfter="9999h"), f"{NP}.pools.batch.expireAfter"),
    (pool(terminationGracePeriod="x"), f"{NP}.pools.batch.terminationGracePeriod"),
    (pool(weight=500), f"{NP}.pools.batch.weight"),
    (pool(nodeClass="Bad_"), f"{NP}.pools.batch.nodeClass"),
    (pool(architectures=["sparc"]), f"{NP}.pools.batch.architectures[0]"),
    (pool(capacityTypes=["cheap"]), f"{NP}.pools.batch.capacityTypes[0]"),
    (pool(taints=[{"key": "a b"}]), f"{NP}.pools.batch.taints[0].key"),
    (pool(taints=[{"key": "a", "value": "a b"}]), f"{NP}.pools.batch.taints[0].value"),
    (pool(taints=[{"key": "a", "effect": "Never"}]), f"{NP}.pools.batch.taints[0].effect"),
    (pool(budgets=[{"nodes": "x"}]), f"{NP}.pools.batch.budgets[0].nodes"),
    (pool(budgets=[{"schedule": "bad", "duration": "1h"}]), f"{NP}.pools.batch.budgets[0].schedule"),
    (pool(budgets=[{"schedule": "@daily", "duration": "x"}]), f"{NP}.pools.batch.budgets[0].duration"),
    (pool(budgets=[{"reasons": ["Bored"]}]), f"{NP}.pools.batch.budgets[0].reasons[0]"),
    (pool(requirements=[{"key": "a b", "operator": "Exists"}]), f"{NP}.pools.batch.requirements[0].key"),
    (pool(requirements=[{"key": "a", "operator": "Near"}]), f"{NP}.pools.batch.requirements[0].operator"),
    (pool(requirements=[{"key": "a", "operator": "In"}]), f"{NP}.pools.batch.requirements[0].values"),
    (pool(requirements=[{"key": "a", "operator": "In", "values": ["x"], "minValues": 5}]),
     f"{NP}.pools.batch.requirements[0].minValues"),
    ({"nodePools": {"pools": {"Bad_": POOL}}}, f"{NP}.pools.Bad_"),
    ({"nodePools": {"nodeRoleName": "a b"}}, f"{NP}.nodeRoleName"),
    # node classes (NodeClassSpec, SelectorTerm, EphemeralStorage)
    (node_class(subnetIds=["x"]), f"{NP}.nodeClasses.c.subnetIds"),
    (node_class(subnetTags={"": "x"}), f"{NP}.nodeClasses.c.subnetTags"),
    (node_class(securityGroupIds=["x"]), f"{NP}.nodeClasses.c.securityGroupIds"),
    (node_class(securityGroupTags={"": "x"}), f"{NP}.nodeClasses.c.securityGroupTags"),
    (node_class(tags={"aws:x": "y"}), f"{NP}.nodeClasses.c.tags"),
    (node_class(snatPolicy="Sometimes"), f"{NP}.nodeClasses.c.snatPolicy"),
    (node_class(ephemeralStorage={"size": "x"}), f"{NP}.nodeClasses.c.ephemeralStorage.size"),
    (node_class(ephemeralStorage={"iops": 1}), f"{NP}.nodeClasses.c.ephemeralStorage.iops"),
    (node_class(ephemeralStorage={"throughput": 1}), f"{NP}.nodeClasses.c.ephemeralStorage.throughput"),
    ({"nodePools": {"nodeClasses": {"Bad_": {}}}}, f"{NP}.nodeClasses.Bad_"),
    # storage (VolumeTier and the section)
    (tier(name="Bad_"), "platform.storage.tiers[0].name"),
    (tier(iops=1), "platform.storage.tiers[0].iops"),
    (tier(throughput=1), "platform.storage.tiers[0].throughput"),
    (tier(type="io2", throughput=200), "platform.storage.tiers[0].throughput"),
    (tier(tags={"aws:x": "y"}), "platform.storage.tiers[0].tags"),
    (tier(type="floppy"), "platform.storage.tiers[0].type"),
    ({"storage": {"tiers": ["turbo"]}}, "platform.storage.tiers[0]"),
    ({"storage": {"storageClassName": "Bad_"}}, "platform.storage.storageClassName"),
    ({"storage": {"kmsKeyArn": "x"}}, "platform.storage.kmsKeyArn"),
    ({"storage": {"kmsKeyUserRoleArns": ["x"]}}, "platform.storage.kmsKeyUserRoleArns[0]"),
    ({"storage": {"driver": "floppy"}}, "platform.storage.driver"),
    # hybrid nodes
    ({"hybrid": {**HYBRID, "nodeCidrs": ["x"]}}, "platform.hybrid.nodeCidrs[0]"),
    ({"hybrid": {**HYBRID, "podCidrs": ["x"]}}, "platform.hybrid.podCidrs[0]"),
    ({"hybrid": {**HYBRID, "credentials": "password"}}, "platform.hybrid.credentials"),
    ({"hybrid": {**HYBRID, "transitGatewayId": "x"}}, "platform.hybrid.transitGatewayId"),
    ({"hybrid": {**HYBRID, "webhookPorts": [0]}}, "platform.hybrid.webhookPorts"),
    ({"hybrid": {**HYBRID, "cni": "flannel"}}, "platform.hybrid.cni"),
    # pod identity
    ({"podIdentities": [{"namespace": "A", "serviceAccount": "b"}]}, "platform.podIdentities[0].namespace"),
    ({"podIdentities": [{"namespace": "a", "serviceAccount": "B_"}]}, "platform.podIdentities[0].serviceAccount"),
    ({"podIdentities": [{"namespace": "a", "serviceAccount": "b", "managedPolicies": ["x y"]}]},
     "platform.podIdentities[0].managedPolicies[0]"),
    ({"podIdentities": [{"namespace": "a", "serviceAccount": "b", "targetRoleArn": "x"}]},
     "platform.podIdentities[0].targetRoleArn"),
    ({"podIdentities": [{"namespace": "a", "serviceAccount": "b", "tags": {"aws:x": "y"}}]},
     "platform.podIdentities[0].tags"),
    # add-ons
    ({"addons": {"metrics-server": {"version": "latest"}}}, "platform.addons.metrics-server.version"),
    ({"addons": {"external-dns": {"hostedZoneIds": ["x"]}}}, "platform.addons.external-dns.hostedZoneIds[0]"),
    ({"addons": {"metrics-server": {"preserveOnDelete": "yes"}}}, "platform.addons.metrics-server.preserveOnDelete"),
    # capabilities
    ({"capabilities": {"a": {**ARGOCD, "namespace": "A"}}}, "platform.capabilities.a.namespace"),
    ({"capabilities": {"a": {**ARGOCD, "identityCenter": {"instanceArn": IDC, "region": "moon"}}}},
     "platform.capabilities.a.identityCenter.region"),
    ({"capabilities": {"a": {**ARGOCD, "roleMappings": {"ADMIN": {"users": ["x"]}}}}},
     "platform.capabilities.a.roleMappings.ADMIN.users[0]"),
    ({"capabilities": {"a": {**ARGOCD, "endpointPrefix": "A"}}}, "platform.capabilities.a.endpointPrefix"),
    ({"capabilities": {"a": {**ARGOCD, "vpcEndpointIds": ["x"]}}}, "platform.capabilities.a.vpcEndpointIds[0]"),
    ({"capabilities": {"a": {**ARGOCD, "secretArns": ["x"]}}}, "platform.capabilities.a.secretArns[0]"),
    ({"capabilities": {"a": {"type": "ACK", "disabledServices": ["S3"]}}},
     "platform.capabilities.a.disabledServices[0]"),
    ({"capabilities": {"a": {"type": "ACK", "policyStatements": [{"Effect": "Maybe"}]}}},
     "platform.capabilities.a.policyStatements[0].Effect"),
    ({"capabilities": {"a": {"type": "KRO", "tags": {"aws:x": "y"}}}}, "platform.capabilities.a.tags"),
    # ingress and gitops
    ({"ingress": {"className": "A"}}, "platform.ingress.className"),
    ({"ingress": {"ipAddressType": "ipv5"}}, "platform.ingress.ipAddressType"),
    ({"ingress": {"groupName": "A"}}, "platform.ingress.groupName"),
    ({"ingress": {"certificateArns": ["x"]}}, "platform.ingress.certificateArns[0]"),
    ({"gitops": {"application": {"repositoryUrl": "https://h/o/r", "targetRevision": "a b"}}},
     "platform.gitops.application.targetRevision"),
    ({"gitops": {"application": {"repositoryUrl": "https://h/o/r", "project": "A"}}},
     "platform.gitops.application.project"),
    # teams
    ({"teams": {"payments": {"namespaces": ["x"]}}}, "platform.teams.payments"),
    ({"teams": {"payments": {"namespace": "A"}}}, "platform.teams.payments.namespace"),
    ({"teams": {"payments": {"editors": ["x"]}}}, "platform.teams.payments.editors[0]"),
    ({"teams": {"payments": {"resourceQuota": {"cpu": "-1"}}}}, "platform.teams.payments.resourceQuota.cpu"),
    ({"teams": {"payments": {"limitRange": {"max": {"cpu": "x"}}}}}, "platform.teams.payments.limitRange.max.cpu"),
    ({"teams": {"payments": {"serviceAccounts": {"A_": {}}}}}, "platform.teams.payments.serviceAccounts.A_"),
]


def _named(problems: tuple[str, ...], path: str) -> bool:
    return any(p.startswith((f"{path}:", f"{path} ")) for p in problems)


@pytest.mark.parametrize(("raw", "path"), CASES, ids=[path for _, path in CASES])
def test_a_bad_setting_is_named_by_its_full_path(raw: dict[str, Any], path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_platform_config(raw, environ={})
    assert _named(caught.value.problems, path), caught.value.problems


FLEET_CASES: list[tuple[dict[str, Any], str]] = [
    ({"environments": {"dev": {"account": "1", "region": "us-east-1"}}}, "platform.environments.dev.account"),
    ({"environments": {"dev": {"account": "222222222222", "region": "moon-1"}}}, "platform.environments.dev.region"),
    ({"environments": {"dev": {**ENVIRONMENTS["dev"], "retired": "yes"}}}, "platform.environments.dev.retired"),
    ({"environments": ENVIRONMENTS, "pipeline": {**PIPELINE, "branch": "a b"}}, "platform.pipeline.branch"),
    ({"environments": ENVIRONMENTS, "pipeline": {**PIPELINE, "cliVersion": "latest"}}, "platform.pipeline.cliVersion"),
    ({"environments": ENVIRONMENTS, "pipeline": {**PIPELINE, "waves": [{"name": "a", "environments": "dev"}]}},
     "platform.pipeline.waves[0].environments"),
    ({"natGateways": 9, "environments": {"a\\w": ENVIRONMENTS["dev"]}}, "platform.natGateways"),
]


@pytest.mark.parametrize(("raw", "path"), FLEET_CASES, ids=[path for _, path in FLEET_CASES])
def test_a_bad_fleet_setting_is_named_by_its_full_path(raw: dict[str, Any], path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_fleet_config(raw, environ={})
    assert _named(caught.value.problems, path), caught.value.problems
