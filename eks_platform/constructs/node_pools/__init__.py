"""Custom EKS Auto Mode capacity: ``NodeClass`` (``eks.amazonaws.com/v1``) and ``NodePool`` (``karpenter.sh/v1``).

Three modules, one concept each:

- :mod:`.node_class`: :class:`NodeClassSpec` and its parts (:class:`SelectorTerm`, :class:`EphemeralStorage`, the
  SNAT and network-policy enums) and the cdk8s construct :class:`NodeClass`;
- :mod:`.node_pool`: :class:`NodePoolSpec` and its parts (:class:`Requirement`, :class:`Taint`,
  :class:`DisruptionBudget`, the enums) and the cdk8s construct :class:`NodePool`;
- :mod:`.auto_mode_node_pools`: :class:`AutoModeNodePools`, the CDK construct that creates the node role and its
  access entry and delivers one chart of classes and pools in the order CloudFormation can delete.

The value objects validate themselves; the cdk8s constructs render them into any chart.
"""

from __future__ import annotations

from eks_platform.constructs.node_pools.auto_mode_node_pools import (
    CLUSTER_SECURITY_GROUP_TAG,
    SUBNET_DISCOVERY_TAG,
    AutoModeNodePools,
)
from eks_platform.constructs.node_pools.node_class import (
    BUILT_IN_NODE_CLASS,
    NODE_CLASS_API_VERSION,
    EphemeralStorage,
    NetworkPolicyDefault,
    NetworkPolicyEventLogs,
    NodeClass,
    NodeClassSpec,
    SelectorTerm,
    SnatPolicy,
)
from eks_platform.constructs.node_pools.node_pool import (
    MAX_EXPIRE_AFTER_SECONDS,
    NODE_POOL_API_VERSION,
    Architecture,
    CapacityType,
    ConsolidationPolicy,
    DisruptionBudget,
    DisruptionReason,
    NodePool,
    NodePoolSpec,
    Requirement,
    RequirementOperator,
    Taint,
    TaintEffect,
)

__all__ = [
    "BUILT_IN_NODE_CLASS",
    "CLUSTER_SECURITY_GROUP_TAG",
    "MAX_EXPIRE_AFTER_SECONDS",
    "NODE_CLASS_API_VERSION",
    "NODE_POOL_API_VERSION",
    "SUBNET_DISCOVERY_TAG",
    "Architecture",
    "AutoModeNodePools",
    "CapacityType",
    "ConsolidationPolicy",
    "DisruptionBudget",
    "DisruptionReason",
    "EphemeralStorage",
    "NetworkPolicyDefault",
    "NetworkPolicyEventLogs",
    "NodeClass",
    "NodeClassSpec",
    "NodePool",
    "NodePoolSpec",
    "Requirement",
    "RequirementOperator",
    "SelectorTerm",
    "SnatPolicy",
    "Taint",
    "TaintEffect",
]
