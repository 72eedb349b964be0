"""cdk-eks-platform: AWS CDK constructs for production-shaped Amazon EKS clusters.

The public API is exactly what this module exports (``__all__``).

Names load on first use (PEP 562), so ``import eks_platform`` and the pytest plugin cost nothing until a construct is
used: aws-cdk-lib (and its jsii kernel) starts only then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eks_platform._internal.versions import SupportType
    from eks_platform.config.addons import AddonSettings
    from eks_platform.config.platform import PlatformConfig, parse_platform_config
    from eks_platform.config.pod_identity import PodIdentityBinding
    from eks_platform.constructs.abac import SessionTag, grant_with_session_tags
    from eks_platform.constructs.addons import (
        AddonName,
        AddonPodIdentity,
        ManagedAddon,
        ResolveConflicts,
        add_pod_identity_agent,
    )
    from eks_platform.constructs.capabilities import (
        AckCapability,
        ArgoCdCapability,
        ArgoCdRole,
        CapabilityType,
        IdentityCenter,
        KroCapability,
        RbacRoleMapping,
        SsoIdentity,
        SsoIdentityType,
    )
    from eks_platform.constructs.cluster import AutoModeCluster, BuiltInNodePool, EndpointAccess
    from eks_platform.constructs.gitops import ArgoCdBootstrap, ArgoCdBootstrapChart
    from eks_platform.constructs.hybrid import (
        CredentialProvider,
        HybridCni,
        HybridCredentials,
        HybridKubeletConfig,
        HybridNetworks,
        HybridNodes,
        IamRolesAnywhereOptions,
        SsmActivationOptions,
    )
    from eks_platform.constructs.ingress import AlbIngressChart, AlbIngressClass
    from eks_platform.constructs.manifests import DeliveryMode, ManifestDelivery, PlatformChart
    from eks_platform.constructs.node_pools import (
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
    from eks_platform.constructs.pipeline import PipelineWave, PlatformPipeline, RetiredStack
    from eks_platform.constructs.pod_identity import (
        PodIdentity,
        SharedPodIdentityRole,
        add_addon_pod_identity,
    )
    from eks_platform.constructs.reference import ClusterContract, PlatformClusterReference
    from eks_platform.constructs.storage import (
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
    from eks_platform.constructs.team import Team, TeamLimitRange
    from eks_platform.errors import ConfigError
    from eks_platform.stacks.base import HermeticStack
    from eks_platform.stacks.reference import EksReferenceStack
    from eks_platform.stacks.stage import PlatformStage

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "AckCapability": "eks_platform.constructs.capabilities",
    "AddonName": "eks_platform.constructs.addons",
    "AddonPodIdentity": "eks_platform.constructs.addons",
    "AddonSettings": "eks_platform.config.addons",
    "AlbIngressChart": "eks_platform.constructs.ingress",
    "AlbIngressClass": "eks_platform.constructs.ingress",
    "Architecture": "eks_platform.constructs.node_pools",
    "ArgoCdBootstrap": "eks_platform.constructs.gitops",
    "ArgoCdBootstrapChart": "eks_platform.constructs.gitops",
    "ArgoCdCapability": "eks_platform.constructs.capabilities",
    "ArgoCdRole": "eks_platform.constructs.capabilities",
    "AutoModeCluster": "eks_platform.constructs.cluster",
    "AutoModeNodePools": "eks_platform.constructs.node_pools",
    "BuiltInNodePool": "eks_platform.constructs.cluster",
    "CapabilityType": "eks_platform.constructs.capabilities",
    "CapacityType": "eks_platform.constructs.node_pools",
    "ClusterContract": "eks_platform.constructs.reference",
    "ConfigError": "eks_platform.errors",
    "ConsolidationPolicy": "eks_platform.constructs.node_pools",
    "CredentialProvider": "eks_platform.constructs.hybrid",
    "DeliveryMode": "eks_platform.constructs.manifests",
    "DisruptionBudget": "eks_platform.constructs.node_pools",
    "DisruptionReason": "eks_platform.constructs.node_pools",
    "EbsDriver": "eks_platform.constructs.storage",
    "EbsStorage": "eks_platform.constructs.storage",
    "EbsVolumeClaim": "eks_platform.constructs.storage",
    "EksReferenceStack": "eks_platform.stacks.reference",
    "EndpointAccess": "eks_platform.constructs.cluster",
    "EphemeralStorage": "eks_platform.constructs.node_pools",
    "FileSystemType": "eks_platform.constructs.storage",
    "Gp3StorageClass": "eks_platform.constructs.storage",
    "HermeticStack": "eks_platform.stacks.base",
    "HybridCni": "eks_platform.constructs.hybrid",
    "HybridCredentials": "eks_platform.constructs.hybrid",
    "HybridKubeletConfig": "eks_platform.constructs.hybrid",
    "HybridNetworks": "eks_platform.constructs.hybrid",
    "HybridNodes": "eks_platform.constructs.hybrid",
    "IamRolesAnywhereOptions": "eks_platform.constructs.hybrid",
    "IdentityCenter": "eks_platform.constructs.capabilities",
    "KroCapability": "eks_platform.constructs.capabilities",
    "ManagedAddon": "eks_platform.constructs.addons",
    "ManifestDelivery": "eks_platform.constructs.manifests",
    "NetworkPolicyDefault": "eks_platform.constructs.node_pools",
    "NetworkPolicyEventLogs": "eks_platform.constructs.node_pools",
    "NodeClass": "eks_platform.constructs.node_pools",
    "NodeClassSpec": "eks_platform.constructs.node_pools",
    "NodePool": "eks_platform.constructs.node_pools",
    "NodePoolSpec": "eks_platform.constructs.node_pools",
    "PipelineWave": "eks_platform.constructs.pipeline",
    "PlatformChart": "eks_platform.constructs.manifests",
    "PlatformClusterReference": "eks_platform.constructs.reference",
    "PlatformConfig": "eks_platform.config.platform",
    "PlatformPipeline": "eks_platform.constructs.pipeline",
    "PlatformStage": "eks_platform.stacks.stage",
    "PodIdentity": "eks_platform.constructs.pod_identity",
    "PodIdentityBinding": "eks_platform.config.pod_identity",
    "RbacRoleMapping": "eks_platform.constructs.capabilities",
    "ReclaimPolicy": "eks_platform.constructs.storage",
    "Requirement": "eks_platform.constructs.node_pools",
    "RequirementOperator": "eks_platform.constructs.node_pools",
    "ResolveConflicts": "eks_platform.constructs.addons",
    "RetiredStack": "eks_platform.constructs.pipeline",
    "SelectorTerm": "eks_platform.constructs.node_pools",
    "SessionTag": "eks_platform.constructs.abac",
    "SharedPodIdentityRole": "eks_platform.constructs.pod_identity",
    "SnatPolicy": "eks_platform.constructs.node_pools",
    "SsmActivationOptions": "eks_platform.constructs.hybrid",
    "SsoIdentity": "eks_platform.constructs.capabilities",
    "SsoIdentityType": "eks_platform.constructs.capabilities",
    "StorageChart": "eks_platform.constructs.storage",
    "SupportType": "eks_platform._internal.versions",
    "Taint": "eks_platform.constructs.node_pools",
    "Team": "eks_platform.constructs.team",
    "TeamLimitRange": "eks_platform.constructs.team",
    "TaintEffect": "eks_platform.constructs.node_pools",
    "VolumeAttributesClass": "eks_platform.constructs.storage",
    "VolumeTier": "eks_platform.constructs.storage",
    "VolumeType": "eks_platform.constructs.storage",
    "add_addon_pod_identity": "eks_platform.constructs.pod_identity",
    "add_pod_identity_agent": "eks_platform.constructs.addons",
    "grant_with_session_tags": "eks_platform.constructs.abac",
    "parse_platform_config": "eks_platform.config.platform",
}

__all__ = [
    "AckCapability",
    "AddonName",
    "AddonPodIdentity",
    "AddonSettings",
    "AlbIngressChart",
    "AlbIngressClass",
    "Architecture",
    "ArgoCdBootstrap",
    "ArgoCdBootstrapChart",
    "ArgoCdCapability",
    "ArgoCdRole",
    "AutoModeCluster",
    "AutoModeNodePools",
    "BuiltInNodePool",
    "CapabilityType",
    "CapacityType",
    "ClusterContract",
    "ConfigError",
    "ConsolidationPolicy",
    "CredentialProvider",
    "DeliveryMode",
    "DisruptionBudget",
    "DisruptionReason",
    "EbsDriver",
    "EbsStorage",
    "EbsVolumeClaim",
    "EksReferenceStack",
    "EndpointAccess",
    "EphemeralStorage",
    "FileSystemType",
    "Gp3StorageClass",
    "HermeticStack",
    "HybridCni",
    "HybridCredentials",
    "HybridKubeletConfig",
    "HybridNetworks",
    "HybridNodes",
    "IamRolesAnywhereOptions",
    "IdentityCenter",
    "KroCapability",
    "ManagedAddon",
    "ManifestDelivery",
    "NetworkPolicyDefault",
    "NetworkPolicyEventLogs",
    "NodeClass",
    "NodeClassSpec",
    "NodePool",
    "NodePoolSpec",
    "PipelineWave",
    "PlatformChart",
    "PlatformClusterReference",
    "PlatformConfig",
    "PlatformPipeline",
    "PlatformStage",
    "PodIdentity",
    "PodIdentityBinding",
    "RbacRoleMapping",
    "ReclaimPolicy",
    "Requirement",
    "RequirementOperator",
    "ResolveConflicts",
    "RetiredStack",
    "SelectorTerm",
    "SessionTag",
    "SharedPodIdentityRole",
    "SnatPolicy",
    "SsmActivationOptions",
    "SsoIdentity",
    "SsoIdentityType",
    "StorageChart",
    "SupportType",
    "Taint",
    "TaintEffect",
    "Team",
    "TeamLimitRange",
    "VolumeAttributesClass",
    "VolumeTier",
    "VolumeType",
    "add_addon_pod_identity",
    "add_pod_identity_agent",
    "grant_with_session_tags",
    "parse_platform_config",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'eks_platform' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
