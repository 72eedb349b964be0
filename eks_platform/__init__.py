"""cdk-eks-platform: AWS CDK constructs for production-shaped Amazon EKS clusters.

The public API is exactly what this module exports (``__all__``).
"""

from eks_platform._internal.versions import SupportType
from eks_platform.config import PlatformConfig, parse_platform_config
from eks_platform.constructs.addons import (  # issue 4
    AddonName,
    AddonPodIdentity,
    AddonSettings,
    ManagedAddon,
    ResolveConflicts,
    add_pod_identity_agent,
)
from eks_platform.constructs.cluster import AutoModeCluster, BuiltInNodePool, EndpointAccess
from eks_platform.constructs.hybrid_nodes import (
    CredentialProvider,
    HybridCni,
    HybridCredentials,
    HybridKubeletConfig,
    HybridNetworks,
    HybridNodes,
    IamRolesAnywhereOptions,
    SsmActivationOptions,
)
from eks_platform.constructs.manifests import DeliveryMode, ManifestDelivery, PlatformChart  # issue 6
from eks_platform.constructs.node_pools import (  # issue 6
    Architecture,
    AutoModeNodePools,
    CapacityType,
    ConsolidationPolicy,
    DisruptionBudget,
    DisruptionReason,
    EphemeralStorage,
    NetworkPolicyDefault,
    NetworkPolicyEventLogs,
    NodeClass,
    NodeClassSpec,
    NodePool,
    NodePoolSpec,
    Requirement,
    RequirementOperator,
    SelectorTerm,
    SnatPolicy,
    Taint,
    TaintEffect,
)
from eks_platform.constructs.pod_identity import (  # issue 3
    PodIdentity,
    PodIdentityBinding,
    SessionTag,
    SharedPodIdentityRole,
    add_addon_pod_identity,
    grant_with_session_tags,
)
from eks_platform.constructs.storage import (  # issue 6
    EbsDriver,
    EbsStorage,
    EbsVolumeClaim,
    FileSystemType,
    Gp3StorageClass,
    ReclaimPolicy,
    StorageChart,
    VolumeAttributesClass,
    VolumeTier,
    VolumeType,
)
from eks_platform.errors import ConfigError
from eks_platform.stacks.base import HermeticStack
from eks_platform.stacks.reference import EksReferenceStack

__all__ = [
    "AddonName",
    "AddonPodIdentity",
    "AddonSettings",
    "Architecture",  # issue 6
    "AutoModeCluster",
    "AutoModeNodePools",  # issue 6
    "BuiltInNodePool",
    "CapacityType",  # issue 6
    "ConfigError",
    "ConsolidationPolicy",  # issue 6
    "CredentialProvider",
    "DeliveryMode",  # issue 6
    "DisruptionBudget",  # issue 6
    "DisruptionReason",  # issue 6
    "EbsDriver",  # issue 6
    "EbsStorage",  # issue 6
    "EbsVolumeClaim",  # issue 6
    "EksReferenceStack",
    "EndpointAccess",
    "EphemeralStorage",  # issue 6
    "FileSystemType",  # issue 6
    "Gp3StorageClass",  # issue 6
    "HermeticStack",
    "HybridCni",
    "HybridCredentials",
    "HybridKubeletConfig",
    "HybridNetworks",
    "HybridNodes",
    "IamRolesAnywhereOptions",
    "ManagedAddon",
    "ManifestDelivery",  # issue 6
    "NetworkPolicyDefault",  # issue 6
    "NetworkPolicyEventLogs",  # issue 6
    "NodeClass",  # issue 6
    "NodeClassSpec",  # issue 6
    "NodePool",  # issue 6
    "NodePoolSpec",  # issue 6
    "PlatformChart",  # issue 6
    "PlatformConfig",
    "PodIdentity",
    "PodIdentityBinding",
    "ReclaimPolicy",  # issue 6
    "Requirement",  # issue 6
    "RequirementOperator",  # issue 6
    "ResolveConflicts",
    "SelectorTerm",  # issue 6
    "SessionTag",
    "SharedPodIdentityRole",
    "SnatPolicy",  # issue 6
    "SsmActivationOptions",
    "StorageChart",  # issue 6
    "SupportType",
    "Taint",  # issue 6
    "TaintEffect",  # issue 6
    "VolumeAttributesClass",  # issue 6
    "VolumeTier",  # issue 6
    "VolumeType",  # issue 6
    "add_addon_pod_identity",
    "add_pod_identity_agent",
    "grant_with_session_tags",
    "parse_platform_config",
]
