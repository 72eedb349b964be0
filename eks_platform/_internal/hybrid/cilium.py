"""Cilium on EKS Hybrid Nodes, pure rules: the Helm values AWS documents, and the IP pool that must not change.

Sources:

- https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-cni.html ("Install Cilium on hybrid nodes"): the
  ``cilium-values.yaml`` AWS documents (agent and operator only on ``eks.amazonaws.com/compute-type: hybrid`` nodes,
  Cluster Scope IPAM with the remote pod networks as pool, ``loadBalancer.serviceTopology: true``,
  ``operator.unmanagedPodWatcher.restart: false``, ``envoy.enabled: false``), and "You should not change your
  ``clusterPoolIPv4PodCIDRList`` or ``clusterPoolIPv4MaskSize`` after deploying Cilium on your cluster".
- https://docs.cilium.io/en/stable/network/concepts/ipam/cluster-pool/#expanding-the-cluster-pool: existing entries of
  ``clusterPoolIPv4PodCIDRList`` must not change; a full pool is expanded by *adding* an entry.

Each value and its source are also listed in ``_internal/data/hybrid.json`` (``cilium.values``).
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from eks_platform._internal import validation as v
from eks_platform._internal.hybrid.common import HYBRID_NODE_LABEL, hybrid_node_affinity
from eks_platform._internal.hybrid.tables import DATA

__all__ = [
    "HYBRID_NODE_LABEL",
    "POOL_CHANGE_PROCEDURE",
    "cilium_helm_values",
    "hybrid_node_affinity",
    "leaf_paths",
    "pool_problems",
    "pool_warnings",
]

#: What to do instead of changing the pool of a deployed Cilium (said by every pool problem).
POOL_CHANGE_PROCEDURE = (
    "Cilium's cluster pool must not change once Cilium is deployed (EKS user guide hybrid-nodes-cni): keep every "
    "deployed pool CIDR in the pool and in the remote pod networks, and only append new ones (Cilium expands a "
    "cluster pool by added entries). To really replace the pool, drain the hybrid nodes, uninstall Cilium (helm "
    "uninstall cilium -n kube-system, then remove its CRDs and the CNI files on each node), and deploy again with the "
    "new pool"
)


def cilium_helm_values(pool_cidrs: Sequence[str], mask_size: int | None = None) -> dict[str, Any]:
    """The UG's documented ``cilium-values.yaml`` with the pool filled in (``pool_cidrs``, ``mask_size``)."""
    mask = DATA["cilium"]["podCidrMaskSize"] if mask_size is None else mask_size
    documented: dict[str, Any] = copy.deepcopy(DATA["cilium"]["values"]["documented"])
    # In the order of the user guide's cilium-values.yaml, so the rendered values read like the documented file.
    return {
        "affinity": hybrid_node_affinity(),
        "ipam": {
            **documented.pop("ipam"),
            "operator": {"clusterPoolIPv4MaskSize": mask, "clusterPoolIPv4PodCIDRList": list(pool_cidrs)},
        },
        "loadBalancer": documented.pop("loadBalancer"),
        "operator": {"affinity": hybrid_node_affinity(), **documented.pop("operator")},
        **documented,
    }


def leaf_paths(values: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted paths of a values tree down to its leaves, stopping at the documented sub-trees (affinity, lists)."""
    paths: list[str] = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and key != "affinity":
            paths += leaf_paths(value, f"{path}.")
        else:
            paths.append(path)
    return paths


def _nets(values: Sequence[object]) -> list[tuple[str, ipaddress.IPv4Network]]:
    nets = []
    for value in values:
        if isinstance(value, str) and not v.is_unresolved(value):
            try:
                nets.append((value, ipaddress.IPv4Network(value)))
            except ValueError:
                continue
    return nets


def pool_problems(setting: str, pool: Sequence[object], pod_cidrs: Sequence[object]) -> list[str]:
    """The Cilium pool must lie inside the remote pod networks (tokens skipped).

    A pool entry outside every pod CIDR is what changing the pod CIDRs of a deployed cluster produces when the pool
    is kept (as it must be): refuse, and say how to change the pod CIDRs without breaking Cilium.
    """
    if not isinstance(pool, (list, tuple)) or isinstance(pool, str):
        return [f"{setting} must be a list of IPv4 CIDRs, got {type(pool).__name__} {pool!r}"]
    problems: list[str] = []
    for index, value in enumerate(pool):
        if v.is_unresolved(value):
            continue
        shape = v.ipv4_cidr(f"{setting}[{index}]", value)
        if shape:
            problems += shape
    if problems:
        return problems
    if not pool:
        return [f"{setting} is empty; Cilium needs at least one pool CIDR (one of the remote pod networks)"]
    pods = _nets(pod_cidrs)
    if len(pods) != len(pod_cidrs):
        return []  # tokens among the pod CIDRs: nothing can be judged
    for value, net in _nets(pool):
        if not any(net.subnet_of(pod) for _, pod in pods):
            problems.append(
                f"{setting} entry {value} is not inside the remote pod networks {[c for c, _ in pods]}; pods on "
                f"hybrid nodes would get addresses the cluster does not route. {POOL_CHANGE_PROCEDURE}"
            )
    seen = [str(n) for _, n in _nets(pool)]
    if len(set(seen)) != len(seen):
        problems.append(f"{setting} lists the same CIDR twice; list each once")
    return problems


def pool_warnings(setting: str, pool: Sequence[object], pod_cidrs: Sequence[object]) -> list[str]:
    """Advice when a remote pod network is not in the Cilium pool (Cilium allocates nothing from it)."""
    pool_nets = [n for _, n in _nets(pool)]
    found = []
    for value, pod in _nets(pod_cidrs):
        if not any(net.subnet_of(pod) for net in pool_nets):
            found.append(value)
    if not found:
        return []
    return [
        f"remote pod networks {found} are not in the Cilium pool {setting}={[str(n) for n in pool_nets]}, so Cilium "
        "allocates no pod addresses from them; append them to the pool to use them (appending is the one change "
        "Cilium's cluster pool allows)"
    ]
