"""EKSP-1: the cluster's public API endpoint is open to the whole internet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eks_platform.checks._rule import Finding, Level, Rule, RuleContext, as_bool, as_list, get_path, is_intrinsic

_ANYWHERE = ("0.0.0.0/0", "::/0")


def check(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    """Non-compliant when the public endpoint is on (the EKS default) and ``PublicAccessCidrs`` is unset (EKS then
    allows ``0.0.0.0/0``) or contains ``0.0.0.0/0`` / ``::/0``."""
    vpc_config = get_path(properties, "ResourcesVpcConfig")
    public = as_bool(get_path(properties, "ResourcesVpcConfig", "EndpointPublicAccess"), default=True)
    if public is not True or is_intrinsic(vpc_config):
        return []
    raw = get_path(properties, "ResourcesVpcConfig", "PublicAccessCidrs")
    if is_intrinsic(raw):
        return []
    cidrs = [c for c in as_list(raw) if isinstance(c, str)]
    fix = (
        "make the endpoint private (AutoModeCluster endpoint_access=EndpointAccess.PRIVATE, the default without "
        "endpoint_public_cidrs) or list only your networks in endpoint_public_cidrs "
        "(ResourcesVpcConfig.PublicAccessCidrs)"
    )
    if not cidrs:
        return [
            Finding(
                message=(
                    "The Kubernetes API endpoint is public and ResourcesVpcConfig.PublicAccessCidrs is not set, so EKS "
                    f"allows 0.0.0.0/0: anyone on the internet can reach the API server. To fix, {fix}."
                )
            )
        ]
    wide = [c for c in cidrs if c in _ANYWHERE]
    if wide:
        return [
            Finding(
                message=(
                    f"The Kubernetes API endpoint is public and ResourcesVpcConfig.PublicAccessCidrs contains "
                    f"{', '.join(wide)}: anyone on the internet can reach the API server. To fix, {fix}."
                )
            )
        ]
    return []


RULE = Rule(
    number=1,
    title="public-endpoint-open",
    resource_types=frozenset({"AWS::EKS::Cluster"}),
    level=Level.ERROR,
    info="The EKS cluster's public API endpoint must not be open to 0.0.0.0/0.",
    explanation=(
        "An endpoint reachable from anywhere exposes the API server to credential stuffing and to any future "
        "authentication flaw. Use a private endpoint, or restrict PublicAccessCidrs to the networks that administer "
        "the cluster. cdk-nag's AwsSolutions-EKS1 only inspects the aws_eks (v1) custom resource, never aws_eks_v2."
    ),
    check=check,
    see="https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
)
