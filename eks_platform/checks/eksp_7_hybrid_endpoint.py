"""EKSP-7: hybrid nodes on a cluster whose endpoint is both public and private."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eks_platform.checks._rule import Finding, Level, Rule, RuleContext, as_bool, as_list, get_path, is_intrinsic


def check(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    """Non-compliant when ``RemoteNetworkConfig.RemoteNodeNetworks`` is set and the endpoint is public and private
    (``EndpointPublicAccess`` defaults to true, ``EndpointPrivateAccess`` to false)."""
    remote = get_path(properties, "RemoteNetworkConfig", "RemoteNodeNetworks")
    if not as_list(remote):
        return []
    public = as_bool(get_path(properties, "ResourcesVpcConfig", "EndpointPublicAccess"), default=True)
    private = as_bool(get_path(properties, "ResourcesVpcConfig", "EndpointPrivateAccess"), default=False)
    if is_intrinsic(remote) or public is not True or private is not True:
        return []
    return [
        Finding(
            message=(
                "The cluster has remote node networks (EKS Hybrid Nodes) and a public-and-private endpoint "
                "(ResourcesVpcConfig.EndpointPublicAccess and EndpointPrivateAccess both true). The EKS Hybrid Nodes "
                "cluster requirements allow a public or a private endpoint, not both. Choose EndpointAccess.PRIVATE "
                "(nodes reach the VPC over VPN or Direct Connect) or EndpointAccess.PUBLIC restricted to your "
                "networks' CIDRs."
            )
        )
    ]


RULE = Rule(
    number=7,
    title="hybrid-public-and-private-endpoint",
    resource_types=frozenset({"AWS::EKS::Cluster"}),
    level=Level.ERROR,
    info="A cluster with hybrid nodes (RemoteNetworkConfig) must use a public or a private endpoint, not both.",
    explanation=(
        "The EKS Hybrid Nodes cluster requirements (user guide page hybrid-nodes-cluster-create, read in its "
        "December 2024 version) list 'Public or Private' endpoint access and exclude 'Public and Private'. "
        "aws_eks_v2 defaults to PUBLIC_AND_PRIVATE and does not check it. If AWS lifts the restriction, acknowledge "
        "EKSP-7 on the cluster with a link to the newer requirement."
    ),
    check=check,
    see="https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-cluster-create.html",
)
