"""The cluster contract: the facts an application-team app needs about a platform cluster, as a small JSON document.

The platform app writes one file per cluster into its cloud assembly (``cdk.out/contracts/<cluster>.json``); a team
commits that file and builds a cluster reference from it, so the team's synth stays hermetic (no lookup, no AWS
call) and its checks (Auto Mode built-in add-ons, version pins, hybrid minimums) judge the real cluster.

Schema (``schema`` is always ``eks-platform/cluster-contract/v1``)::

    {
      "schema": "eks-platform/cluster-contract/v1",
      "clusterName": "platform-prod",
      "clusterArn": "arn:aws:eks:eu-west-1:111111111111:cluster/platform-prod",
      "account": "111111111111",
      "region": "eu-west-1",
      "kubernetesVersion": "1.33",
      "autoMode": true,
      "hybrid": {"nodeCidrs": ["10.80.0.0/16"], "podCidrs": ["10.85.0.0/16"]},   # or null
      "kubectlRoleArn": "arn:aws:iam::111111111111:role/platform-kubectl",      # or null
      "clusterSecurityGroupId": "sg-0123456789abcdef0"                           # or null
    }

Pure rules only: this module returns problems and never raises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eks_platform._internal import validation as v
from eks_platform._internal.versions import is_minor_version

SCHEMA = "eks-platform/cluster-contract/v1"
#: Sub-directory of the cloud assembly the platform app writes contracts into.
CONTRACTS_DIRECTORY = "contracts"
KEYS = (
    "schema",
    "clusterName",
    "clusterArn",
    "account",
    "region",
    "kubernetesVersion",
    "autoMode",
    "hybrid",
    "kubectlRoleArn",
    "clusterSecurityGroupId",
)
REQUIRED = ("schema", "clusterName", "account", "region", "kubernetesVersion", "autoMode")
_HYBRID_KEYS = ("nodeCidrs", "podCidrs")
_CLUSTER_ARN = re.compile(
    r"arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]):eks:([a-z0-9-]+):(\d{12}):cluster/([0-9A-Za-z][A-Za-z0-9_-]*)",
    re.ASCII,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class ContractFacts:
    """The parsed contract (literal values only)."""

    cluster_name: str
    account: str
    region: str
    kubernetes_version: str
    auto_mode: bool
    hybrid_node_cidrs: tuple[str, ...] | None
    hybrid_pod_cidrs: tuple[str, ...]
    kubectl_role_arn: str | None
    cluster_security_group_id: str | None = None

    @property
    def partition(self) -> str:
        return v.partition_of_region(self.region) or "aws"

    @property
    def cluster_arn(self) -> str:
        return cluster_arn(self.partition, self.region, self.account, self.cluster_name)


def cluster_arn(partition: str, region: str, account: str, cluster_name: str) -> str:
    """The ARN EKS gives a cluster: ``arn:<partition>:eks:<region>:<account>:cluster/<name>``."""
    return f"arn:{partition}:eks:{region}:{account}:cluster/{cluster_name}"


_SECURITY_GROUP = re.compile(r"sg-[0-9a-f]{8}([0-9a-f]{9})?", re.ASCII)


def security_group_problems(setting: str, value: object) -> list[str]:
    if v.is_unresolved(value):
        return [f"{setting} must be a literal security group id (sg-...), known after the cluster's first deployment"]
    if not isinstance(value, str) or not _SECURITY_GROUP.fullmatch(value):
        return [f"{setting} {value!r} is not a security group id such as sg-0123456789abcdef0"]
    return []


def _cidrs(setting: str, raw: object, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        problems.append(f"{setting} must be a list of IPv4 CIDR strings, got {raw!r}")
        return ()
    for cidr in raw:
        problems += v.ipv4_cidr(setting, cidr)
    return tuple(raw)


def parse_contract(setting: str, raw: object) -> tuple[ContractFacts | None, list[str]]:
    """Parse a contract document; ``setting`` names it in messages (the file path, for example)."""
    if not isinstance(raw, Mapping):
        return None, [f"{setting} must be a JSON object (a cluster contract), got {type(raw).__name__}"]
    problems: list[str] = v.unknown_keys(setting, raw.keys(), list(KEYS))
    for key in REQUIRED:
        if key not in raw:
            problems.append(f"{setting}.{key} is required")
    if problems:
        return None, problems
    if raw["schema"] != SCHEMA:
        problems.append(
            f"{setting}.schema {raw['schema']!r} is not {SCHEMA!r}; write the contract with this library's "
            "ClusterContract (or upgrade the library that reads it)"
        )
    name, account, region, version = raw["clusterName"], raw["account"], raw["region"], raw["kubernetesVersion"]
    problems += v.eks_cluster_name(f"{setting}.clusterName", name)
    problems += v.aws_account(f"{setting}.account", account)
    problems += v.aws_region(f"{setting}.region", region)
    if not is_minor_version(version):
        problems.append(f"{setting}.kubernetesVersion {version!r} is not a Kubernetes minor; write it like '1.33'")
    problems += v.expect_type(f"{setting}.autoMode", raw["autoMode"], bool, "true or false")
    node_cidrs: tuple[str, ...] | None = None
    pod_cidrs: tuple[str, ...] = ()
    hybrid = raw.get("hybrid")
    if hybrid is not None:
        if not isinstance(hybrid, Mapping):
            problems.append(f"{setting}.hybrid must be null or an object with nodeCidrs and podCidrs, got {hybrid!r}")
        else:
            problems += v.unknown_keys(f"{setting}.hybrid", hybrid.keys(), list(_HYBRID_KEYS))
            if "nodeCidrs" not in hybrid:
                problems.append(f"{setting}.hybrid.nodeCidrs is required (the cluster's remote node networks)")
            node_cidrs = _cidrs(f"{setting}.hybrid.nodeCidrs", hybrid.get("nodeCidrs", []), problems)
            pod_cidrs = _cidrs(f"{setting}.hybrid.podCidrs", hybrid.get("podCidrs", []), problems)
    kubectl_role = raw.get("kubectlRoleArn")
    if kubectl_role is not None:
        problems += v.iam_role_arn(f"{setting}.kubectlRoleArn", kubectl_role)
    security_group = raw.get("clusterSecurityGroupId")
    if security_group is not None:
        problems += security_group_problems(f"{setting}.clusterSecurityGroupId", security_group)
    arn = raw.get("clusterArn")
    if arn is not None and not problems:
        match = _CLUSTER_ARN.fullmatch(arn) if isinstance(arn, str) else None
        expected = cluster_arn(v.partition_of_region(region) or "aws", region, account, name)
        if match is None or arn != expected:
            problems.append(
                f"{setting}.clusterArn {arn!r} does not match clusterName, account and region (expected "
                f"{expected!r}); regenerate the contract"
            )
    if problems:
        return None, problems
    return (
        ContractFacts(
            cluster_name=name,
            account=account,
            region=region,
            kubernetes_version=version,
            auto_mode=raw["autoMode"],
            hybrid_node_cidrs=node_cidrs,
            hybrid_pod_cidrs=pod_cidrs,
            kubectl_role_arn=kubectl_role,
            cluster_security_group_id=security_group,
        ),
        [],
    )


def contract_document(facts: ContractFacts) -> dict[str, Any]:
    """The JSON object for ``facts`` (keys in schema order)."""
    hybrid = (
        None
        if facts.hybrid_node_cidrs is None
        else {"nodeCidrs": list(facts.hybrid_node_cidrs), "podCidrs": list(facts.hybrid_pod_cidrs)}
    )
    return {
        "schema": SCHEMA,
        "clusterName": facts.cluster_name,
        "clusterArn": facts.cluster_arn,
        "account": facts.account,
        "region": facts.region,
        "kubernetesVersion": facts.kubernetes_version,
        "autoMode": facts.auto_mode,
        "hybrid": hybrid,
        "kubectlRoleArn": facts.kubectl_role_arn,
        "clusterSecurityGroupId": facts.cluster_security_group_id,
    }
