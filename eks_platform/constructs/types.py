"""The typed seam between a platform cluster and the constructs that attach to it.

Peers (add-ons, Pod Identity bindings, hybrid nodes, manifest delivery) need a few facts about the cluster they join
beyond what ``aws_eks_v2.ICluster`` carries: its Kubernetes minor as a literal string, whether it has a kubectl
provider, the hybrid networks it was created with, and whether it runs Auto Mode. ``AutoModeCluster`` and
``PlatformClusterReference`` (a cluster another app created) provide them; a peer that is given a plain
``aws_eks_v2.ICluster`` instead asks for them as keyword arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast, runtime_checkable

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from constructs import Construct

from eks_platform._internal import arguments as args
from eks_platform._internal.tree import default_child_of, node_of, remember

if TYPE_CHECKING:  # type-only: the hybrid value objects import nothing from here
    from eks_platform.constructs.hybrid.networks import HybridNetworks


@runtime_checkable
class PlatformCluster(Protocol):
    """What a peer construct reads from the platform cluster it attaches to (``AutoModeCluster`` and
    ``PlatformClusterReference`` satisfy it)."""

    @property
    def cluster(self) -> eks.ICluster | eks.Cluster:
        """The aws_eks_v2 cluster (an imported ``ICluster`` for a ``PlatformClusterReference``)."""
        ...

    @property
    def version_string(self) -> str:
        """The Kubernetes minor, for example ``"1.32"``."""
        ...

    @property
    def kubectl_enabled(self) -> bool:
        """Whether the cluster has a kubectl provider (charts are applied, not only rendered)."""
        ...

    @property
    def hybrid_networks(self) -> HybridNetworks | None:
        """The remote node and pod networks the cluster was created with, if any."""
        ...

    @property
    def auto_mode(self) -> bool:
        """Whether the cluster runs EKS Auto Mode (its built-in add-ons are then not installed again)."""
        ...


args.describe_as(PlatformCluster, "an AutoModeCluster or a PlatformClusterReference")

#: What every peer construct accepts as its ``cluster``: the platform cluster or any aws_eks_v2 cluster (``Cluster``
#: is listed because jsii's typing does not make it a subtype of ``ICluster`` for mypy).
ClusterLike = PlatformCluster | eks.ICluster | eks.Cluster


def eks_cluster(cluster: ClusterLike) -> eks.ICluster:
    """The aws_eks_v2 cluster behind ``cluster`` (the platform cluster's ``cluster``, or ``cluster`` itself)."""
    if isinstance(cluster, PlatformCluster):
        return cast(eks.ICluster, cluster.cluster)
    return cast(eks.ICluster, cluster)  # eks.Cluster implements ICluster (jsii typing)


def platform_cluster(cluster: ClusterLike) -> PlatformCluster | None:
    """``cluster`` when it is the platform cluster (it then knows its version and networks), otherwise None."""
    return cluster if isinstance(cluster, PlatformCluster) else None


def cluster_version(cluster: ClusterLike) -> str | None:
    """The cluster's Kubernetes version as written (``"1.32"``), when the construct knows it; None for imports."""
    platform = platform_cluster(cluster)
    if platform is not None:
        return platform.version_string
    if not isinstance(cluster, eks.Cluster):
        return None

    def read() -> str | None:
        cfn = default_child_of(cluster)
        return cfn.version if isinstance(cfn, eks.CfnCluster) else None

    # The version an eks.Cluster was created with (``AutoModeCluster`` records it when it creates one).
    return remember(cluster, "version", read)


def vpc_cidrs_for_checks(scope: Construct, vpc: ec2.IVpc | None, vpc_cidr: str | None) -> list[str]:
    """A cluster VPC's CIDR for the checks against it (service CIDR, remote networks).

    An existing VPC imported without ``vpc_cidr_block`` has none to read: the checks are skipped with a warning
    (``eks-platform:vpc-cidr-unknown``) instead of failing with a jsii error.
    """
    if vpc is None:
        return [vpc_cidr or "10.0.0.0/16"]
    try:
        return [vpc.vpc_cidr_block]
    except RuntimeError:  # jsii: 'vpcCidrBlock' was not supplied when the VPC was imported
        cdk.Annotations.of(scope).add_warning_v2(
            "eks-platform:vpc-cidr-unknown",
            "The VPC was imported without vpc_cidr_block, so the service CIDR and hybrid networks are not checked "
            "against it; pass vpc_cidr_block to ec2.Vpc.from_vpc_attributes to check them at synth",
        )
        return []
def cfn_cluster_name_of(cfn: eks.CfnCluster) -> str | None:
    """``CfnCluster.name`` as set (None when CloudFormation generates it), read once: the name is create-only."""
    return remember(cfn, "name", lambda: cfn.name)


def private_subnets_of(cluster: eks.ICluster | eks.Cluster) -> list[ec2.ISubnet]:
    """``cluster.vpc.private_subnets``, read once per cluster (a VPC's subnets are fixed when it is made)."""
    vpc = remember(cluster, "vpc", lambda: cluster.vpc)
    return list(remember(vpc, "private_subnets", lambda: list(vpc.private_subnets)))


def cluster_name_of(cluster: eks.ICluster | eks.Cluster) -> str:
    """``cluster.cluster_name``, read once per cluster (a literal or a token fixed when the cluster is made)."""
    return remember(cluster, "cluster_name", lambda: cluster.cluster_name)


def cluster_arn_of(cluster: eks.ICluster | eks.Cluster) -> str:
    """``cluster.cluster_arn``, read once per cluster (a token fixed when the cluster is made)."""
    return remember(cluster, "cluster_arn", lambda: cluster.cluster_arn)


def kubectl_provider_of(cluster: eks.ICluster | eks.Cluster) -> eks.IKubectlProvider | None:
    """``cluster.kubectl_provider``, read once per cluster (aws_eks_v2 sets it when the cluster is made)."""
    return remember(cluster, "kubectl_provider", lambda: cluster.kubectl_provider)


def control_plane_security_group_of(cluster: eks.ICluster | eks.Cluster) -> ec2.SecurityGroup | None:
    """The ``ControlPlaneSecurityGroup`` child that ``aws_eks_v2.Cluster`` makes when it is given no security group,
    or None; looked up once per cluster (the L2 makes it in its constructor, so it cannot appear later)."""

    def find() -> ec2.SecurityGroup | None:
        found = node_of(cluster).try_find_child("ControlPlaneSecurityGroup")
        return found if isinstance(found, ec2.SecurityGroup) else None

    return remember(cluster, "control_plane_security_group", find)
