"""cdk-eks-platform: AWS CDK constructs for production-shaped Amazon EKS clusters.

The public API is exactly what this module exports (``__all__``).
"""

from eks_platform._internal.versions import SupportType
from eks_platform.config import PlatformConfig, parse_platform_config
from eks_platform.constructs.cluster import AutoModeCluster, BuiltInNodePool, EndpointAccess
from eks_platform.errors import ConfigError
from eks_platform.stacks.base import HermeticStack
from eks_platform.stacks.reference import EksReferenceStack

__all__ = [
    "AutoModeCluster",
    "BuiltInNodePool",
    "ConfigError",
    "EksReferenceStack",
    "EndpointAccess",
    "HermeticStack",
    "PlatformConfig",
    "SupportType",
    "parse_platform_config",
]
