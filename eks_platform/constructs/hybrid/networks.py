"""The on-premises networks of EKS Hybrid Nodes: the cluster's ``RemoteNetworkConfig``, validated when built.

Give :class:`HybridNetworks` to ``AutoModeCluster(hybrid_networks=...)`` (which also checks it against the VPC,
service CIDR and endpoint) and to :class:`~eks_platform.constructs.hybrid.nodes.HybridNodes`.

See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-networking.html
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import aws_eks_v2 as eks

from eks_platform._internal import hybrid as h
from eks_platform.constructs.keywords import check_fields, checked_value
from eks_platform.errors import raise_if_problems

__all__ = ["HybridNetworks"]


@checked_value("InvalidHybridNetworks")
@dataclass(frozen=True, kw_only=True, slots=True)
class HybridNetworks:
    """The on-premises networks of EKS Hybrid Nodes: the cluster's ``RemoteNetworkConfig``.

    Validated when built (one ``ConfigError``, code ``InvalidHybridNetworks``, lists every problem): IPv4 only,
    RFC 1918 only (CGNAT 100.64.0.0/10 and public ranges are rejected), /8 to /32, no host bits, at most 15 CIDRs per
    list, no overlap inside a list or between node and pod CIDRs. Unresolved tokens are accepted and skipped. Rules
    that need the VPC, service CIDR or endpoint are judged by the cluster (:meth:`cluster_problems`).

    Changing the CIDRs updates the cluster's ``RemoteNetworkConfig`` in place (the CloudFormation registry schema
    shipped with cfn-lint 1.58 no longer lists it as create-only, and the EKS user guide, hybrid-nodes-cluster-update,
    says remote networks can be added, changed or removed after creation), but that is not the whole change:

    - the pod CIDRs are also the IP pool of the managed Cilium, which must not change once Cilium is deployed (EKS
      user guide hybrid-nodes-cni). Pin the deployed pool with ``HybridNodes(cilium_pool_cidrs=...)`` and only
      append pod CIDRs; a pod CIDR change that leaves the pinned pool outside the remote pod networks is refused;
    - the security group rules and routes per CIDR are replaced, and on-premises routers and firewalls must follow.

    Args:
        node_cidrs: on-premises CIDRs your hybrid nodes' IPs come from (1 to 15).
        pod_cidrs: CIDRs of pods on hybrid nodes (0 to 15). Required when the CNI does not masquerade pod traffic or
            webhooks run on hybrid nodes, and by the managed Cilium (its IPAM pool). Default: - none.
        pod_cidrs_routable: your on-premises network routes the pod CIDRs (BGP, static routes), so the EKS control
            plane can reach pods on hybrid nodes. Then webhooks may run on hybrid nodes; otherwise every catalog
            add-on that serves a webhook or an APIService (cert-manager, metrics-server, ADOT) is kept on cloud
            nodes. Needs ``pod_cidrs``. Default: - false (the EKS user guide's advice for unroutable pod networks:
            run all webhooks on cloud nodes).

    See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-networking.html
    See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-webhooks.html

    """

    node_cidrs: Sequence[str]
    pod_cidrs: Sequence[str] = ()
    pod_cidrs_routable: bool = False

    def __post_init__(self) -> None:
        check_fields(self, "InvalidHybridNetworks")
        nodes = () if self.node_cidrs is None else self.node_cidrs
        pods = () if self.pod_cidrs is None else self.pod_cidrs
        problems = h.remote_network_problems(node_cidrs=nodes, pod_cidrs=pods)
        problems += h.routable_pod_problems("pod_cidrs_routable", self.pod_cidrs_routable, pods)
        raise_if_problems("InvalidHybridNetworks", problems)
        object.__setattr__(self, "node_cidrs", tuple(nodes))
        object.__setattr__(self, "pod_cidrs", tuple(pods))

    @property
    def all_cidrs(self) -> tuple[str, ...]:
        return tuple(self.node_cidrs) + tuple(self.pod_cidrs)

    def cluster_problems(
        self,
        *,
        vpc_cidrs: Sequence[object] = (),
        service_ipv4_cidr: object | None = None,
        endpoint_public_access: object | None = None,
        endpoint_private_access: object | None = None,
        authentication_mode: object | None = None,
        ip_family: object | None = None,
    ) -> list[str]:
        """Every problem between these networks and a cluster's settings (tokens skipped).

        Remote CIDRs must not overlap the VPC CIDR(s) or the service CIDR (the EKS default when
        ``service_ipv4_cidr`` is None and the VPC CIDRs are known); the endpoint must be public or private, not both;
        authentication mode ``API`` or ``API_AND_CONFIG_MAP``; IPv4 family.
        """
        return h.cluster_network_problems(
            node_cidrs=self.node_cidrs,
            pod_cidrs=self.pod_cidrs,
            vpc_cidrs=vpc_cidrs,
            service_ipv4_cidr=service_ipv4_cidr,
            endpoint_public_access=endpoint_public_access,
            endpoint_private_access=endpoint_private_access,
            authentication_mode=authentication_mode,
            ip_family=ip_family,
        )

    def service_cidr_warning(self, *, vpc_cidrs: Sequence[object], service_ipv4_cidr: object | None) -> str | None:
        """Advice when the service CIDR cannot be known at synth and a remote CIDR overlaps a possible default."""
        return h.service_cidr_advisory(
            node_cidrs=self.node_cidrs, pod_cidrs=self.pod_cidrs, vpc_cidrs=vpc_cidrs,
            service_ipv4_cidr=service_ipv4_cidr,
        )

    @property
    def remote_node_networks(self) -> list[eks.RemoteNodeNetwork]:
        """For ``aws_eks_v2.Cluster(remote_node_networks=...)`` (one network holding every CIDR: schema maxItems 1)."""
        return [eks.RemoteNodeNetwork(cidrs=list(self.node_cidrs))]

    @property
    def remote_pod_networks(self) -> list[eks.RemotePodNetwork] | None:
        """For ``aws_eks_v2.Cluster(remote_pod_networks=...)``; None without pod CIDRs."""
        return [eks.RemotePodNetwork(cidrs=list(self.pod_cidrs))] if self.pod_cidrs else None

    @property
    def remote_network_config(self) -> eks.CfnCluster.RemoteNetworkConfigProperty:
        """The L1 ``RemoteNetworkConfig`` property (escape hatch for a ``CfnCluster``)."""
        return eks.CfnCluster.RemoteNetworkConfigProperty(
            remote_node_networks=[eks.CfnCluster.RemoteNodeNetworkProperty(cidrs=list(self.node_cidrs))],
            remote_pod_networks=(
                [eks.CfnCluster.RemotePodNetworkProperty(cidrs=list(self.pod_cidrs))] if self.pod_cidrs else None
            ),
        )

