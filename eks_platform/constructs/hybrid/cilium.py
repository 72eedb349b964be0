"""The CNI of EKS Hybrid Nodes: the AWS Cilium Helm chart, its values and its prerequisites.

The Amazon VPC CNI does not run on hybrid nodes; AWS builds and supports Cilium for them and hosts the chart in
ECR Public. The chart pin and supported minors are in ``_internal/data/hybrid.json``.

See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-cni.html
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum
from typing import Any

from aws_cdk import aws_eks_v2 as eks
from constructs import Construct

from eks_platform._internal import validation as v
from eks_platform._internal.hybrid import DATA
from eks_platform._internal.hybrid.cilium import HYBRID_NODE_LABEL, cilium_helm_values, pool_problems

__all__ = ["HYBRID_NODE_LABEL", "HybridCni", "cilium_chart", "cilium_problems", "cilium_values", "cni_choice"]


class HybridCni(str, Enum):
    """The CNI for hybrid nodes (the Amazon VPC CNI does not run on them)."""

    CILIUM = "cilium"
    """Cilium, the AWS-supported CNI for hybrid nodes, installed by a pinned Helm chart through the kubectl provider."""
    NONE = "none"
    """Bring your own CNI: nothing is installed (nodes stay NotReady until one runs)."""


def cni_choice(setting: str, value: object, problems: list[str]) -> HybridCni:
    """``value`` as a :class:`HybridCni`; appends a problem naming ``setting`` (and returns ``NONE``) otherwise."""
    if isinstance(value, HybridCni):
        return value
    if isinstance(value, str) and value in [c.value for c in HybridCni]:
        return HybridCni(value)
    problems.append(
        f"{setting} {value!r} is not one of {', '.join(repr(c.value) for c in HybridCni)} ('cilium' installs the "
        "AWS Cilium chart, 'none' means you bring your own CNI)"
    )
    return HybridCni.NONE


def cilium_problems(
    *,
    kubectl_available: bool,
    pod_cidrs: Sequence[str],
    mask: object,
    version: object,
    pool_cidrs: Sequence[object] | None = None,
) -> list[str]:
    """What the managed Cilium needs: a kubectl provider, pod CIDRs for its pool, a fitting mask, a supported chart.

    ``pool_cidrs`` (``cilium_pool_cidrs``) must lie inside the pod CIDRs; Default: - the pod CIDRs.
    """
    problems = []
    pool: Sequence[object] = pod_cidrs if pool_cidrs is None else pool_cidrs
    if pool_cidrs is not None:
        pool_found = pool_problems("cilium_pool_cidrs", pool_cidrs, pod_cidrs)
        problems += pool_found
        if pool_found:
            pool = ()
    if not kubectl_available:
        problems.append(
            "cni 'cilium' is installed by a Helm chart through the cluster's kubectl provider, and this cluster "
            "has none; create the cluster with kubectl=True (AutoModeCluster) or kubectl_provider_options "
            "(aws_eks_v2.Cluster), or set cni=HybridCni.NONE and install your CNI yourself"
        )
    if not pod_cidrs:
        problems.append(
            "cni 'cilium' needs pod CIDRs for its IP pool (clusterPoolIPv4PodCIDRList); add pod_cidrs to the "
            "HybridNetworks (they also become the cluster's remote pod networks) or set cni=HybridCni.NONE"
        )
    if isinstance(mask, bool) or not isinstance(mask, int) or not 1 <= mask <= 32:
        problems.append(f"cilium_pod_cidr_mask_size {mask!r} must be a whole number from 1 to 32")
    else:
        for cidr in pool:
            if isinstance(cidr, str) and not v.is_unresolved(cidr) and int(cidr.split("/")[1]) > mask:
                problems.append(
                    f"cilium_pod_cidr_mask_size /{mask} is larger than pool CIDR {cidr}; Cilium carves per-node "
                    "blocks of that size out of each pool CIDR, so use a mask at least as long as every pool CIDR"
                )
    match = re.fullmatch(r"(\d+)\.(\d+)\.\d+-\d+", version, re.ASCII) if isinstance(version, str) else None
    minors = DATA["cilium"]["supportedMinors"]
    if not match or f"{match.group(1)}.{match.group(2)}" not in minors:
        problems.append(
            f"cilium_version {version!r} is not an AWS Cilium chart version of a supported minor "
            f"({', '.join(minors)}); use e.g. {DATA['cilium']['version']!r}"
        )
    return problems


def cilium_values(pool_cidrs: Sequence[str], mask_size: int | None = None) -> dict[str, Any]:
    """Cilium Helm values: the EKS user guide's ``cilium-values.yaml`` (agent and operator on hybrid nodes only,
    ``loadBalancer.serviceTopology``, ``envoy.enabled: false``, ...) with the pool from ``pool_cidrs``.

    Each value's source is listed in ``_internal/data/hybrid.json`` (``cilium.values.sources``).

    See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-cni.html
    """
    return cilium_helm_values(pool_cidrs, mask_size)


def cilium_chart(scope: Construct, cluster: eks.ICluster, *, version: str, values: dict[str, Any]) -> eks.HelmChart:
    """The pinned AWS Cilium chart (construct id ``Cilium`` in ``scope``), released as ``cilium`` in kube-system."""
    return eks.HelmChart(
        scope,
        "Cilium",
        cluster=cluster,
        chart=DATA["cilium"]["chart"],
        repository=DATA["cilium"]["repository"],
        version=version,
        namespace="kube-system",
        release="cilium",
        values=values,
        wait=False,
    )
