"""The public enums of ``AutoModeCluster``'s arguments and the reading of ``endpoint_access``."""

from __future__ import annotations

from enum import Enum

from aws_cdk import aws_eks_v2 as eks

from eks_platform._internal import arguments as args

ALL_LOG_TYPES: tuple[eks.ClusterLoggingTypes, ...] = (
    eks.ClusterLoggingTypes.API,
    eks.ClusterLoggingTypes.AUDIT,
    eks.ClusterLoggingTypes.AUTHENTICATOR,
    eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
    eks.ClusterLoggingTypes.SCHEDULER,
)


class BuiltInNodePool(str, Enum):
    """EKS Auto Mode's built-in node pools.

    See: https://docs.aws.amazon.com/eks/latest/userguide/set-builtin-node-pools.html
    """

    SYSTEM = "system"
    GENERAL_PURPOSE = "general-purpose"


class EndpointAccess(str, Enum):
    """Who can reach the Kubernetes API endpoint."""

    PRIVATE = "private"
    """Only from inside the VPC (and networks routed to it)."""
    PUBLIC_AND_PRIVATE = "public-and-private"
    """Public endpoint restricted to the given CIDRs; nodes and the VPC use the private endpoint."""
    PUBLIC = "public"
    """Public endpoint only, restricted to the given CIDRs (hybrid nodes that reach EKS over the internet)."""


def _endpoint_access_argument(value: object) -> tuple[EndpointAccess | None, list[str]]:
    """``endpoint_access``: an :class:`EndpointAccess`, its string value, or the same-named ``eks.EndpointAccess``."""
    if value is None:
        return None, []
    aliases = (
        (eks.EndpointAccess.PRIVATE, EndpointAccess.PRIVATE),
        (eks.EndpointAccess.PUBLIC, EndpointAccess.PUBLIC),
        (eks.EndpointAccess.PUBLIC_AND_PRIVATE, EndpointAccess.PUBLIC_AND_PRIVATE),
    )
    member, problems = args.enum_argument("endpoint_access", value, EndpointAccess, aliases=aliases)
    if problems and isinstance(value, eks.EndpointAccess):
        problems = [
            "endpoint_access is an eks.EndpointAccess restricted with only_from(); pass the mode "
            "(EndpointAccess.PUBLIC_AND_PRIVATE or EndpointAccess.PUBLIC) and the CIDRs as endpoint_public_cidrs"
        ]
    return member, problems
