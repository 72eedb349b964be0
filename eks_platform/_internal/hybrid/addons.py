"""Catalog add-ons on a cluster with EKS Hybrid Nodes, pure rules: minimum versions, placement, webhook ports.

The data is in the add-on catalog (``_internal/data/addons.json``: ``hybrid_min``, ``hybrid_placement``).

Sources:

- https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-add-ons.html: the add-on versions validated on
  hybrid nodes ("... and above"); Metrics Server, ADOT and the CloudWatch agent need routable pod CIDRs to run there.
- https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-webhooks.html: "If you cannot make your on-premises
  pod CIDR routable on your on-premises network and need to run webhooks, we recommend that you run all of your
  webhooks in the AWS Cloud", with the node affinity and where each add-on takes it; at least one CoreDNS replica on
  cloud nodes and one on hybrid nodes in a mixed cluster.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from eks_platform._internal import addons as cat
from eks_platform._internal.hybrid.common import HYBRID_NODE_LABEL, hybrid_node_affinity

__all__ = [
    "COMPUTE_TYPE_LABEL",
    "coredns_spread",
    "hybrid_configuration",
    "minimum_problem",
    "placement_notice",
    "webhook_ports",
]

#: The node label that tells compute types apart: ``auto`` on Auto Mode nodes, ``hybrid`` on hybrid nodes.
COMPUTE_TYPE_LABEL = HYBRID_NODE_LABEL[0]


def minimum_problem(entry: cat.CatalogEntry, version: str | None, *, setting: str) -> str | None:
    """A version below the add-on's hybrid minimum (``hybrid_min``, the user guide's "... and above"), or None.

    ``version`` None (EKS's default for the minor, not known at synth) and unresolved tokens are not judged. The
    wording is the catalog rule's (:func:`eks_platform._internal.addons.hybrid_minimum_problem`).
    """
    if version is None:
        return None
    return cat.hybrid_minimum_problem(entry, version, setting=setting)


def _has(config: Mapping[str, Any], path: str) -> bool:
    node: Any = config
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def _set(config: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` (dotted); a key on the way that the user set to something other than an object is left alone."""
    parts = path.split(".")
    node = config
    for part in parts[:-1]:
        if part not in node:
            node[part] = {}
        child = node[part]
        if not isinstance(child, dict):
            return
        node = child
    node[parts[-1]] = value


def coredns_spread() -> list[dict[str, Any]]:
    """CoreDNS ``topologySpreadConstraints``: replicas spread over compute types (Auto Mode or EC2 and hybrid).

    Soft (``ScheduleAnyway``), so a cluster whose hybrid nodes are not ready yet still runs CoreDNS on cloud nodes;
    ``k8s-app: kube-dns`` is the label of the CoreDNS pods (the add-on's default pod anti-affinity selects it).
    """
    return [
        {
            "maxSkew": 1,
            "topologyKey": COMPUTE_TYPE_LABEL,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ]


def hybrid_configuration(
    entry: cat.CatalogEntry, configuration: Mapping[str, Any] | None, *, pod_cidrs_routable: bool
) -> dict[str, Any] | None:
    """The add-on's configuration on a cluster with hybrid nodes: the user's, plus what the catalog's placement needs.

    - ``cloud`` add-ons (webhooks, APIServices), unless the pod CIDRs are routable: a required node affinity away
      from ``eks.amazonaws.com/compute-type: hybrid`` at each of the catalog's ``affinity_paths``;
    - ``spread`` (CoreDNS): ``topologySpreadConstraints`` over compute types.

    A key the user set is left as given (user settings win over these defaults). Returns None when nothing is set.
    """
    placement = entry.hybrid_placement
    result: dict[str, Any] = copy.deepcopy(dict(configuration)) if configuration is not None else {}
    if placement is not None and placement.kind == "cloud" and not pod_cidrs_routable:
        for path in placement.affinity_paths:
            if not _has(result, path):
                _set(result, path, hybrid_node_affinity("NotIn"))
    spread = placement.setting if placement is not None and placement.kind == "spread" else None
    if spread and not _has(result, spread):
        _set(result, spread, coredns_spread())
    if not result and configuration is None:
        return None
    return result


def webhook_ports(entry: cat.CatalogEntry, configuration: Mapping[str, Any] | None) -> tuple[int, ...]:
    """The container ports the control plane connects to for this add-on's webhooks or APIService.

    The catalog's ports, or the value of the add-on's port setting (``containerPort``, ``webhook.securePort``) when
    the configuration sets it.
    """
    placement = entry.hybrid_placement
    if placement is None:
        return ()
    if placement.port_setting and configuration is not None and _has(configuration, placement.port_setting):
        node: Any = configuration
        for part in placement.port_setting.split("."):
            node = node[part]
        if isinstance(node, int) and not isinstance(node, bool) and 1 <= node <= 65535:
            return (node,)
    return placement.webhook_ports


def placement_notice(entry: cat.CatalogEntry, *, pod_cidrs_routable: bool) -> str | None:
    """Advice for an add-on whose webhooks cannot be placed through its configuration (``manual``), or None."""
    placement = entry.hybrid_placement
    if placement is None or placement.kind != "manual" or pod_cidrs_routable:
        return None
    return (
        f"add-on {entry.name} serves {placement.serves} that the EKS control plane cannot reach on hybrid nodes "
        f"whose pod CIDRs are not routable, and its placement cannot be set through the add-on configuration"
        f"{f' ({placement.note})' if placement.note else ''}; keep it on cloud nodes, or make the pod CIDRs routable "
        "and set HybridNetworks(pod_cidrs_routable=True)"
    )
