"""EKS Hybrid Nodes: validated remote networks, credentials, the nodeadm NodeConfig, the CNI, and the construct.

- :mod:`.networks`: :class:`HybridNetworks`, the remote node and pod CIDRs; give it to
  ``AutoModeCluster(hybrid_networks=...)``.
- :mod:`.credentials`: :class:`HybridCredentials` (SSM hybrid activations or IAM Roles Anywhere) and the node role.
- :mod:`.node_config`: :class:`HybridKubeletConfig` and the nodeadm ``NodeConfig`` rendering.
- :mod:`.cilium`: :class:`HybridCni` and the AWS Cilium chart with its values.
- :mod:`.nodes`: :class:`HybridNodes`, everything on the AWS side that on-premises nodes need to join the cluster.

See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-overview.html
"""

from __future__ import annotations

from eks_platform.constructs.hybrid.cilium import HybridCni
from eks_platform.constructs.hybrid.credentials import (
    CredentialProvider,
    HybridCredentials,
    IamRolesAnywhereOptions,
    SsmActivationOptions,
)
from eks_platform.constructs.hybrid.networks import HybridNetworks
from eks_platform.constructs.hybrid.node_config import HybridKubeletConfig
from eks_platform.constructs.hybrid.nodes import HybridNodes

__all__ = [
    "CredentialProvider",
    "HybridCni",
    "HybridCredentials",
    "HybridKubeletConfig",
    "HybridNetworks",
    "HybridNodes",
    "IamRolesAnywhereOptions",
    "SsmActivationOptions",
]
