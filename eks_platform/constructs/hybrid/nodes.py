"""The ``HybridNodes`` construct: the AWS side of EKS Hybrid Nodes for a cluster with remote networks.

It creates the node IAM role and access entry (:mod:`.credentials`), the control-plane security group rules and
optional routes to the remote networks, the Cilium chart (:mod:`.cilium`), the add-ons hybrid nodes need, and the
nodeadm ``NodeConfig`` (:mod:`.node_config`).

See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-overview.html
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rolesanywhere as rolesanywhere
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from eks_platform._internal import hybrid as h
from eks_platform._internal import validation as v
from eks_platform._internal.hybrid import addons as addon_hybrid
from eks_platform._internal.hybrid.cilium import pool_warnings
from eks_platform._internal.synth_hooks import on_prepare
from eks_platform._internal.tree import (
    created,
    default_child_of,
    path_of,
    region_of,
    remember,
    role_arn_of,
    role_name_of,
    stack_of,
)
from eks_platform._internal.versions import consistent_version_problems
from eks_platform.constructs import addons as addon_api
from eks_platform.constructs.hybrid.cilium import HybridCni, cilium_chart, cilium_problems, cilium_values, cni_choice
from eks_platform.constructs.hybrid.credentials import (
    HybridCredentials,
    node_role,
    roles_anywhere_profile,
    trust_anchor,
)
from eks_platform.constructs.hybrid.networks import HybridNetworks
from eks_platform.constructs.hybrid.node_config import (
    HybridKubeletConfig,
    node_config_document,
    node_config_file_text,
    write_node_config_file,
)
from eks_platform.constructs.keywords import checked_keywords
from eks_platform.constructs.registry import ClusterRegistry
from eks_platform.constructs.types import (
    ClusterLike,
    PlatformCluster,
    cfn_cluster_name_of,
    cluster_arn_of,
    cluster_name_of,
    control_plane_security_group_of,
)
from eks_platform.errors import ConfigError, raise_if_problems

if TYPE_CHECKING:  # type-only: cluster.py imports this package for HybridNetworks
    from eks_platform.constructs.cluster import AutoModeCluster

__all__ = ["ROUTING_WARNING", "HybridNodes"]

#: Warning id when no gateway is given (acknowledge it with ``Annotations.of(scope).acknowledge_warning``).
ROUTING_WARNING = "eks-platform:hybrid-routing"


def _unique_key(scope: Construct, value: str) -> str:
    """A construct-id fragment keyed by the value itself: the CIDR text, or a digest of a token's resolution."""
    if not v.is_unresolved(value):
        return h.cidr_key(value)
    resolved = stack_of(scope).resolve(value)
    return "T" + hashlib.sha256(h.token_key(resolved).encode()).hexdigest()[:10]


def _ports(setting: str, given: Sequence[int] | None, default: Sequence[int], problems: list[str]) -> tuple[int, ...]:
    """``given`` (checked by ``port_list_problems``) or the default ports from ``hybrid.json``."""
    if given is None:
        return tuple(default)
    found = h.port_list_problems(setting, given)
    problems += found
    if isinstance(given, (str, bytes)) or not isinstance(given, (list, tuple)):
        return ()
    return tuple(p for p in given if isinstance(p, int))


def _gateway(transit_gateway_id: str | None, virtual_private_gateway_id: str | None) -> tuple[str, str] | None:
    """(setting, id) of the gateway the routes go to (checked by ``gateway_problems``), or None without one."""
    if transit_gateway_id is not None:
        return "transit_gateway_id", transit_gateway_id
    if virtual_private_gateway_id is not None:
        return "virtual_private_gateway_id", virtual_private_gateway_id
    return None


class HybridNodes(Construct):
    """The AWS side of EKS Hybrid Nodes for a cluster with remote networks, and the node-side nodeadm config.

    Creates, for the chosen credential provider:

    - the hybrid nodes IAM role as in AWS's reference templates (``eks:DescribeCluster``, ``eks:ListAccessEntries``
      for nodeadm's pre-flight check, ``AmazonEC2ContainerRegistryPullOnly``; SSM: trust ``ssm.amazonaws.com`` bound
      to this account and region, ``ssm:DescribeInstanceInformation``, tag-scoped ``ssm:DeregisterManagedInstance``,
      ``AmazonSSMManagedInstanceCore``; IAM Roles Anywhere: trust ``rolesanywhere.amazonaws.com`` bound to the trust
      anchor with the session name equal to the certificate CN, plus a trust anchor and profile);
    - its ``HYBRID_LINUX`` access entry;
    - security group rules on the cluster's control-plane security group: 443 in from the remote node and pod
      CIDRs, kubelet (10250) out to node CIDRs, webhook ports out to pod CIDRs when webhooks run on hybrid nodes;
    - optional routes from the VPC's private subnets to the remote CIDRs through a Transit Gateway or VGW (a synth
      warning without one: the VPC route tables must route the remote CIDRs, EKS user guide hybrid-nodes-networking);
    - Cilium (pinned Helm chart with the EKS user guide's values, pool from ``cilium_pool_cidrs`` or the pod CIDRs,
      only on hybrid nodes) unless ``cni=HybridCni.NONE``;
    - the add-ons hybrid nodes need on an Auto Mode cluster: kube-proxy, CoreDNS (spread over compute types) and the
      Pod Identity agent with its hybrid DaemonSet (Auto Mode's built-in versions serve only Auto Mode nodes);
    - for every catalog add-on of the cluster, before or after this construct: the hybrid minimum version, and unless
      the pod CIDRs are routable, webhook and APIService add-ons kept on cloud nodes (EKS user guide
      hybrid-nodes-webhooks);
    - the nodeadm ``NodeConfig``: :meth:`node_config_yaml`, a file ``hybrid/<cluster>-nodeconfig-<provider>.yaml`` in
      the cloud assembly (``cdk.out``) written at synth, and an SSM parameter with deploy-time values resolved.

    Example::

        cluster = AutoModeCluster(stack, "Cluster", kubectl=True,
                                  hybrid_networks=HybridNetworks(node_cidrs=["192.168.100.0/24"],
                                                                 pod_cidrs=["192.168.128.0/20"]))
        HybridNodes(stack, "Hybrid", cluster=cluster)

    Args:
        scope: parent construct.
        construct_id: construct id. Changing it replaces the role, the access entry and the trust anchor (nodes must
            be re-registered).
        cluster: an ``AutoModeCluster`` or any ``aws_eks_v2.ICluster`` created with remote networks.
        networks: the remote networks. Default: - the ``AutoModeCluster``'s ``hybrid_networks`` (required for other
            clusters).
        credentials: credential provider. Default: - SSM hybrid activations with default options.
        kubelet: kubelet settings for the NodeConfig. Default: - nodeadm's defaults.
        kubernetes_version: the cluster's minor ("1.32"), for version-dependent checks and add-ons. Default: - read
            from the cluster when it is an ``AutoModeCluster`` or an ``aws_eks_v2.Cluster`` in this app.
        cni: ``HybridCni.CILIUM`` or ``HybridCni.NONE``. Default: - Cilium (needs the cluster's kubectl provider and
            pod CIDRs).
        cilium_version: the AWS Cilium chart version. Default: - the pinned version in ``_internal/data/hybrid.json``.
        cilium_pod_cidr_mask_size: per-node pod block size carved from the pool. Must not change once Cilium is
            deployed (EKS user guide hybrid-nodes-cni). Default: - 25 (128 IPs).
        cilium_pool_cidrs: Cilium's IP pool (``clusterPoolIPv4PodCIDRList``). Must not change once Cilium is
            deployed; only appending is allowed. Pin it to the deployed pool before you change the pod CIDRs: each
            entry must stay inside the remote pod networks, or synth is refused with the procedure. Default: - the
            networks' pod CIDRs (a pod CIDR change then changes the pool: pin it once Cilium is deployed).
        security_group: where the rules go. Default: - the control-plane security group passed at cluster creation
            (``ControlPlaneSecurityGroup`` of an ``aws_eks_v2.Cluster``), else the EKS cluster security group.
        kubelet_ports: TCP ports the control plane reaches on remote nodes. Default: - ``[10250]``.
        webhook_ports: TCP ports the control plane reaches on remote pods (the container ports of webhooks and
            APIServices that run on hybrid nodes). Default: - with routable pod CIDRs
            (``HybridNetworks.pod_cidrs_routable``), the ports of the catalog add-ons that serve a webhook or an
            APIService on this cluster (cert-manager 10250, metrics-server 10251), whenever they are added; without,
            none (those add-ons are kept on cloud nodes). Give your own webhooks' ports here; empty for none.
        transit_gateway_id: route remote CIDRs from the private subnets to this Transit Gateway (the VPC must
            already be attached to it). Default: - no routes, and a synth warning (``eks-platform:hybrid-routing``)
            until you set a gateway or acknowledge that you route the CIDRs yourself.
        virtual_private_gateway_id: route remote CIDRs to this VGW instead. Default: - no routes (see above).
        route_subnets: subnets whose route tables get the routes. Default: - private subnets with egress.
        pod_identity_agent: install the Pod Identity agent add-on with its hybrid DaemonSet (and let the role call
            ``eks-auth:AssumeRoleForPodIdentity``). Default: - true.
        kube_proxy: install the kube-proxy add-on. Default: - true.
        core_dns: install the CoreDNS add-on. Default: - true.
        node_config_parameter: store the NodeConfig in an SSM parameter. Default: - true.
        write_node_config_file: write the NodeConfig file into the cloud assembly at synth. Default: - true.

    See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-overview.html
    """

    @checked_keywords("InvalidHybridNodes")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ClusterLike | eks.Cluster,
        networks: HybridNetworks | None = None,
        credentials: HybridCredentials | None = None,
        kubelet: HybridKubeletConfig | None = None,
        kubernetes_version: str | None = None,
        cni: HybridCni | str | None = None,
        cilium_version: str | None = None,
        cilium_pod_cidr_mask_size: int | None = None,
        cilium_pool_cidrs: Sequence[str] | None = None,
        security_group: ec2.ISecurityGroup | None = None,
        kubelet_ports: Sequence[int] | None = None,
        webhook_ports: Sequence[int] | None = None,
        transit_gateway_id: str | None = None,
        virtual_private_gateway_id: str | None = None,
        route_subnets: ec2.SubnetSelection | None = None,
        pod_identity_agent: bool = True,
        kube_proxy: bool = True,
        core_dns: bool = True,
        node_config_parameter: bool = True,
        write_node_config_file: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        created(self, scope, construct_id)
        self._owner_cluster = cluster
        self.cluster: eks.ICluster = self._icluster(cluster)
        self._cfn_cluster = self._cfn_of(self.cluster)
        self.networks = self._networks(cluster, networks)
        self.credentials = credentials or HybridCredentials.ssm_activations()
        self.provider = self.credentials.provider
        self.kubelet = kubelet
        self.kubernetes_version = self._version(cluster, kubernetes_version)

        problems: list[str] = consistent_version_problems(
            "kubernetes_version", kubernetes_version, self._version(cluster, None)
        )
        self.cni = cni_choice("cni", HybridCni.CILIUM if cni is None else cni, problems)
        problems += self._cluster_problems()
        if kubelet is not None:
            problems += h.kubelet_version_problems(kubelet.inputs(self.kubernetes_version))
        self._kubelet_ports = _ports("kubelet_ports", kubelet_ports, h.DATA["ports"]["kubelet"], problems)
        #: None: derived from the catalog add-ons on the cluster (with routable pod CIDRs); else exactly these.
        self._webhook_ports: tuple[int, ...] | None = (
            None if webhook_ports is None else _ports("webhook_ports", webhook_ports, (), problems)
        )
        gateway_problems = h.gateway_problems(transit_gateway_id, virtual_private_gateway_id)
        problems += gateway_problems
        gateway = None if gateway_problems else _gateway(transit_gateway_id, virtual_private_gateway_id)
        mask = h.DATA["cilium"]["podCidrMaskSize"] if cilium_pod_cidr_mask_size is None else cilium_pod_cidr_mask_size
        chart_version = cilium_version or h.DATA["cilium"]["version"]
        pool = None if cilium_pool_cidrs is None else h.as_tuple("cilium_pool_cidrs", cilium_pool_cidrs, problems)
        if self.cni is HybridCni.CILIUM:
            problems += cilium_problems(
                kubectl_available=self._kubectl_available(), pod_cidrs=self.networks.pod_cidrs, mask=mask,
                version=chart_version, pool_cidrs=pool,
            )
        elif pool is not None:
            problems.append("cilium_pool_cidrs applies only to cni 'cilium'; remove it")
        raise_if_problems("InvalidHybridNodes", problems, path=lambda: path_of(self))
        self.cilium_pool_cidrs: tuple[str, ...] = tuple(self.networks.pod_cidrs) if pool is None else pool
        if gateway is None and not gateway_problems:
            cdk.Annotations.of(self).add_warning_v2(
                ROUTING_WARNING,
                h.routing_advisory(
                    node_cidrs=self.networks.node_cidrs, pod_cidrs=self.networks.pod_cidrs,
                    gateway_settings="transit_gateway_id or virtual_private_gateway_id",
                    acknowledge_id=f"Annotations.of(...).acknowledge_warning('{ROUTING_WARNING}')",
                ),
            )
        if self.cni is HybridCni.CILIUM and pool is not None:
            for advice in pool_warnings("cilium_pool_cidrs", pool, self.networks.pod_cidrs):
                cdk.Annotations.of(self).add_warning_v2("eks-platform:hybrid-cilium-pool", advice)

        self.trust_anchor: rolesanywhere.CfnTrustAnchor | None = None
        self.profile: rolesanywhere.CfnProfile | None = None
        self.trust_anchor_arn: str | None = None
        self.profile_arn: str | None = None
        ira = self.credentials.iam_roles_anywhere
        if ira is not None:
            self.trust_anchor, self.trust_anchor_arn = trust_anchor(self, ira)
        self.role: iam.Role = node_role(
            self, credentials=self.credentials, cluster_arn=cluster_arn_of(self.cluster),
            trust_anchor_arn=self.trust_anchor_arn, pod_identity_agent=pod_identity_agent,
        )
        if ira is not None:
            self.profile = roles_anywhere_profile(self, self.role, ira, self.trust_anchor_arn)
            self.profile_arn = self.profile.attr_profile_arn

        self.access_entry = eks.AccessEntry(
            self,
            "AccessEntry",
            cluster=self.cluster,
            principal=role_arn_of(self.role),
            access_entry_type=eks.AccessEntryType.HYBRID_LINUX,
            access_policies=[],
        )
        self.security_group = security_group or self._default_security_group()
        self.ingress_rules: dict[str, ec2.CfnSecurityGroupIngress] = {}
        self.egress_rules: dict[str, ec2.CfnSecurityGroupEgress] = {}
        self._network_rules()
        self._join_cluster()
        self.routes: dict[str, ec2.CfnRoute] = {}
        if gateway is not None:
            self._routes(gateway, route_subnets)

        self.cilium: eks.HelmChart | None = None
        if self.cni is HybridCni.CILIUM:
            self.cilium = cilium_chart(self, self.cluster, version=chart_version, values=self.cilium_values(mask))
        self.addons: dict[str, addon_api.ManagedAddon] = {}
        self._addons(pod_identity_agent=pod_identity_agent, kube_proxy=kube_proxy, core_dns=core_dns)

        self.node_config_parameter: ssm.StringParameter | None = None
        if node_config_parameter:
            self._parameter()
        self._outputs()
        if write_node_config_file:
            # An aspect-phase hook, as the file has always been written, anchored on a leaf (the role ARN output,
            # always there): called back once, not for every construct below this one.
            on_prepare(self, self._role_arn_output, self.write_node_config_file)
        self.node.default_child = self.role

    # -- inputs ------------------------------------------------------------------------------------------------------
    @staticmethod
    def _icluster(cluster: ClusterLike | eks.Cluster) -> eks.ICluster:
        if isinstance(cluster, PlatformCluster):
            return cast(eks.ICluster, cluster.cluster)  # an aws_eks_v2 Cluster implements ICluster (jsii typing)
        if cluster is None or not hasattr(cluster, "cluster_name") or not hasattr(cluster, "cluster_arn"):
            raise ConfigError(
                "InvalidHybridNodes",
                f"cluster must be an AutoModeCluster or an aws_eks_v2.ICluster, got {type(cluster).__name__}",
            )
        return cast(eks.ICluster, cluster)  # an aws_eks_v2 Cluster implements ICluster (jsii typing)

    @staticmethod
    def _cfn_of(cluster: eks.ICluster) -> eks.CfnCluster | None:
        child = default_child_of(cluster)
        return child if isinstance(child, eks.CfnCluster) else None

    def _networks(self, cluster: ClusterLike | eks.Cluster, networks: HybridNetworks | None) -> HybridNetworks:
        if networks is None and isinstance(cluster, PlatformCluster):
            networks = cluster.hybrid_networks
        if networks is None:
            raise ConfigError(
                "InvalidHybridNodes",
                "networks is required: give the HybridNetworks the cluster was created with (an AutoModeCluster "
                "created with hybrid_networks=... provides them)",
                path=self.node.path,
            )
        if not isinstance(networks, HybridNetworks):
            raise ConfigError(
                "InvalidHybridNodes", f"networks must be a HybridNetworks, got {type(networks).__name__}",
                path=self.node.path,
            )
        return networks

    def _version(self, cluster: ClusterLike | eks.Cluster, given: str | None) -> str | None:
        if given is not None:
            return given
        version = cluster.version_string if isinstance(cluster, PlatformCluster) else None
        if version is None and self._cfn_cluster is not None:
            version = self._cfn_cluster.version
        return version if isinstance(version, str) and not v.is_unresolved(version) else None

    def _resolved(self, value: Any) -> Any:
        return stack_of(self).resolve(value) if value is not None else None

    def _cluster_problems(self) -> list[str]:
        """Cross-checks against a cluster defined in this app (imported clusters cannot be read at synth)."""
        cfn = self._cfn_cluster
        if cfn is None:
            return []
        problems: list[str] = []
        # Every property of the L1 at once (CfnResource.cfnProperties, camelCase keys), resolved in one call: a read
        # per nested field otherwise.
        properties = self._resolved(dict(cfn._cfn_properties)) or {}
        remote = properties.get("remoteNetworkConfig") or {}
        nodes = [c for n in remote.get("remoteNodeNetworks") or [] for c in (n.get("cidrs") or [])]
        pods = [c for n in remote.get("remotePodNetworks") or [] for c in (n.get("cidrs") or [])]
        if not nodes:
            problems.append(
                "cluster has no RemoteNetworkConfig (remote node networks), so hybrid nodes cannot join it; create "
                "it with AutoModeCluster(hybrid_networks=...) or aws_eks_v2.Cluster(remote_node_networks=...)"
            )
        else:
            literal = [c for c in nodes if isinstance(c, str)]
            if sorted(literal) != sorted(c for c in self.networks.node_cidrs if not v.is_unresolved(c)):
                problems.append(
                    f"networks.node_cidrs {list(self.networks.node_cidrs)} differ from the cluster's remote node "
                    f"networks {literal}; pass the same HybridNetworks to both"
                )
            if sorted(c for c in pods if isinstance(c, str)) != sorted(
                c for c in self.networks.pod_cidrs if not v.is_unresolved(c)
            ):
                problems.append(
                    f"networks.pod_cidrs {list(self.networks.pod_cidrs)} differ from the cluster's remote pod "
                    f"networks {pods}; pass the same HybridNetworks to both"
                )
        vpc_config = properties.get("resourcesVpcConfig") or {}
        access = properties.get("accessConfig") or {}
        k8s_net = properties.get("kubernetesNetworkConfig") or {}
        public = vpc_config.get("endpointPublicAccess", True)
        private = vpc_config.get("endpointPrivateAccess", False)
        problems += self.networks.cluster_problems(
            vpc_cidrs=self._vpc_cidrs(),
            service_ipv4_cidr=k8s_net.get("serviceIpv4Cidr"),
            endpoint_public_access=public,
            endpoint_private_access=private,
            authentication_mode=access.get("authenticationMode", "CONFIG_MAP"),
            ip_family=k8s_net.get("ipFamily"),
        )
        return problems

    def _vpc_cidrs(self) -> list[str]:
        try:
            # the VPC a platform cluster made is kept on its eks.Cluster (as types.private_subnets_of reads it)
            block = remember(self.cluster, "vpc", lambda: self.cluster.vpc).vpc_cidr_block
        except Exception:
            return []
        return [block] if isinstance(block, str) and not v.is_unresolved(block) else []

    def _kubectl_available(self) -> bool:
        if isinstance(self._owner_cluster, PlatformCluster):
            return self._owner_cluster.kubectl_enabled
        return getattr(self.cluster, "kubectl_provider", None) is not None

    # -- network -------------------------------------------------------------------------------------------------------
    def _default_security_group(self) -> ec2.ISecurityGroup:
        child = control_plane_security_group_of(self.cluster)
        return child if child is not None else self.cluster.cluster_security_group

    def _network_rules(self) -> None:
        group_id = self.security_group.security_group_id
        for kind, cidrs in (("Node", self.networks.node_cidrs), ("Pod", self.networks.pod_cidrs)):
            for cidr in cidrs:
                key = _unique_key(self, cidr)
                rule_id = f"ApiIngressFrom{kind}{key}"
                self.ingress_rules[f"{kind.lower()}:{cidr}:443"] = ec2.CfnSecurityGroupIngress(
                    self,
                    rule_id,
                    group_id=group_id,
                    ip_protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_ip=cidr,
                    description=f"EKS API from hybrid {kind.lower()}s",
                )
        egress = [("Kubelet", "node", self.networks.node_cidrs, self._kubelet_ports)]
        if self._webhook_ports is not None:
            egress.append(("Webhook", "pod", self.networks.pod_cidrs, self._webhook_ports))
        for name, kind, cidrs, ports in egress:
            for cidr in cidrs:
                key = _unique_key(self, cidr)
                for port in ports:
                    self.egress_rules[f"{kind}:{cidr}:{port}"] = ec2.CfnSecurityGroupEgress(
                        self,
                        f"{name}Egress{port}To{kind.capitalize()}{key}",
                        group_id=group_id,
                        ip_protocol="tcp",
                        from_port=port,
                        to_port=port,
                        cidr_ip=cidr,
                        description=f"{name.lower()} on hybrid {kind}s",
                    )

    @property
    def pod_cidrs_routable(self) -> bool:
        """Whether the on-premises network routes the pod CIDRs (``HybridNetworks.pod_cidrs_routable``)."""
        return bool(self.networks.pod_cidrs_routable)

    def _join_cluster(self) -> None:
        """Tell the cluster's add-ons (existing and future) that hybrid nodes joined: placement, minimums, ports."""
        registry = ClusterRegistry.of(self.cluster)
        registry.hybrid_nodes.append(self)
        routable = all(bool(getattr(other, "pod_cidrs_routable", False)) for other in registry.hybrid_nodes)
        for addon in list(registry.addon_objects.values()):
            addon.join_hybrid_nodes(pod_cidrs_routable=routable)
            self._open_webhook_ports(addon)
        registry.addon_listeners.append(self._open_webhook_ports)

    def _open_webhook_ports(self, addon: addon_api.ManagedAddon) -> None:
        """Egress to the pod CIDRs on the ports of an add-on's webhooks or APIService, when they run on hybrid nodes.

        Only with routable pod CIDRs and no explicit ``webhook_ports``: otherwise those add-ons are kept on cloud nodes
        (or the user listed the ports).
        """
        if self._webhook_ports is not None or not self.pod_cidrs_routable:
            return
        group_id = self.security_group.security_group_id
        for cidr in self.networks.pod_cidrs:
            key = _unique_key(self, cidr)
            for port in addon_hybrid.webhook_ports(addon.entry, addon.user_configuration):
                if f"pod:{cidr}:{port}" in self.egress_rules:
                    continue
                self.egress_rules[f"pod:{cidr}:{port}"] = ec2.CfnSecurityGroupEgress(
                    self,
                    f"WebhookEgress{port}ToPod{key}",
                    group_id=group_id,
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_ip=cidr,
                    description="webhook on hybrid pods",
                )

    def _routes(self, gateway: tuple[str, str], selection: ec2.SubnetSelection | None) -> None:
        setting, gateway_id = gateway
        chosen = selection or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        subnets = self.cluster.vpc.select_subnets(**{k: getattr(chosen, k) for k in chosen._values}).subnets
        routes = Construct(self, "Routes")
        for subnet in subnets:
            for cidr in self.networks.all_cidrs:
                key = f"{subnet.node.id}To{_unique_key(self, cidr)}"
                self.routes[f"{subnet.node.id}:{cidr}"] = ec2.CfnRoute(
                    routes,
                    key,
                    route_table_id=subnet.route_table.route_table_id,
                    destination_cidr_block=cidr,
                    transit_gateway_id=gateway_id if setting == "transit_gateway_id" else None,
                    gateway_id=gateway_id if setting == "virtual_private_gateway_id" else None,
                )

    # -- Kubernetes ----------------------------------------------------------------------------------------------------
    def cilium_values(self, mask_size: int | None = None) -> dict[str, Any]:
        """Cilium Helm values: the EKS user guide's values for hybrid nodes, with ``cilium_pool_cidrs`` as pool."""
        return cilium_values(self.cilium_pool_cidrs, mask_size)

    def _addons(self, *, pod_identity_agent: bool, kube_proxy: bool, core_dns: bool) -> None:
        """kube-proxy, CoreDNS and the Pod Identity agent for the hybrid nodes (Auto Mode's serve only its nodes).

        On an Auto Mode cluster these are built in for Auto Mode nodes; hybrid nodes are extra capacity that needs
        the add-ons. kube-proxy and the Pod Identity agent run on EC2 and hybrid nodes only; CoreDNS runs on Auto Mode
        and hybrid nodes alike (EKS user guide, "Amazon EKS add-ons"), and spreads its replicas over both (the user
        guide recommends at least one on each side of a mixed cluster, hybrid-nodes-webhooks).
        """
        # On the platform cluster (an AutoModeCluster) the add-ons go to <cluster>/Addons like its own add_addon.
        owner = self._owner_cluster
        platform = cast("AutoModeCluster", owner) if isinstance(owner, PlatformCluster) else None
        is_wrapper = platform is not None
        if pod_identity_agent:
            self.addons["eks-pod-identity-agent"] = addon_api.add_pod_identity_agent(
                platform if platform is not None else self.cluster,
                hybrid_nodes=True,
                kubernetes_version=None if is_wrapper else self.kubernetes_version,
                scope=None if is_wrapper else self,
            )
        for enabled, name in ((kube_proxy, "kube-proxy"), (core_dns, "coredns")):
            if not enabled:
                continue
            if platform is not None:
                self.addons[name] = addon_api.add_cluster_addon(platform, name, extra_capacity=True)
            else:
                self.addons[name] = addon_api.ManagedAddon(
                    self, name, cluster=self.cluster, name=name, kubernetes_version=self.kubernetes_version,
                    extra_capacity=True,
                )

    # -- NodeConfig ----------------------------------------------------------------------------------------------------
    @property
    def cluster_name_literal(self) -> str | None:
        """The cluster name when it is known at synth (set explicitly), else None (CloudFormation generates it)."""
        cfn = self._cfn_cluster
        name = cfn_cluster_name_of(cfn) if cfn is not None else cluster_name_of(self.cluster)
        return name if isinstance(name, str) and not v.is_unresolved(name) else None

    def node_config(
        self,
        *,
        node_name: str | None = None,
        activation_id: str | None = None,
        activation_code: str | None = None,
        placeholders: bool = False,
    ) -> dict[str, Any]:
        """The nodeadm ``NodeConfig`` for this construct's credential provider.

        Args:
            node_name: IAM Roles Anywhere only: the node's name (= certificate CN, at most 64 characters). Default:
                - ``IamRolesAnywhereOptions.node_name``, else a ``${NODE_NAME}`` placeholder.
            activation_id: SSM only: the activation ID. Default: - a ``${SSM_ACTIVATION_ID}`` placeholder.
            activation_code: SSM only: the activation code. Default: - a ``${SSM_ACTIVATION_CODE}`` placeholder.
            placeholders: replace deploy-time values (tokens: generated cluster name, role and anchor ARNs,
                agnostic region) with ``${NAME}`` placeholders instead of leaving CDK tokens in the document.

        Raises:
            ConfigError: ``InvalidNodeConfig`` for a bad node name or activation value.
        """
        return node_config_document(
            credentials=self.credentials,
            kubelet=self.kubelet,
            cluster_name=self.cluster_name_literal or self.cluster.cluster_name,
            region=region_of(self),
            role_arn=role_arn_of(self.role),
            trust_anchor_arn=self.trust_anchor_arn,
            profile_arn=self.profile_arn,
            enable_credentials_file="eks-pod-identity-agent" in self.addons,
            node_name=node_name,
            activation_id=activation_id,
            activation_code=activation_code,
            placeholders=placeholders,
            path=path_of(self),
        )

    def node_config_yaml(self, **kwargs: Any) -> str:
        """:meth:`node_config` as YAML. Deploy-time values stay CDK tokens unless ``placeholders=True``."""
        return h.dump_node_config(self.node_config(**kwargs))

    @property
    def node_config_file_name(self) -> str:
        """``<cluster>-nodeconfig-<provider>.yaml`` (``<cluster>`` is the name, or the construct's unique id)."""
        cluster = self.cluster_name_literal or cdk.Names.unique_id(self.cluster)
        return f"{cluster}-nodeconfig-{self.provider.nodeadm_flag}.yaml"

    def node_config_file_text(self) -> str:
        """The content of the synthesized file: the NodeConfig with placeholders and how to fill them."""
        return node_config_file_text(
            self.node_config(placeholders=True), provider=self.provider, construct_path=path_of(self),
            kubernetes_version=self.kubernetes_version,
        )

    def write_node_config_file(self) -> str:
        """Write :meth:`node_config_file_text` to ``<cloud assembly>/hybrid/``; returns the path (called at synth)."""
        return write_node_config_file(self, self.node_config_file_name, self.node_config_file_text())

    @property
    def activation_command(self) -> str | None:
        """SSM: the ``aws ssm create-activation`` command to run after deploy (None for IAM Roles Anywhere)."""
        if self.credentials.ssm is None:
            return None
        options = self.credentials.ssm
        return (
            f"aws ssm create-activation --region {region_of(self)} --iam-role {role_name_of(self.role)} "
            f"--registration-limit {options.registration_limit} "
            f"--tags Key={options.deregister_tag_key},Value={cluster_arn_of(self.cluster)} "
            "--query '{ActivationId: ActivationId, ActivationCode: ActivationCode}'"
        )

    def _parameter(self) -> None:
        text = self.node_config_yaml()
        self.node_config_parameter = ssm.StringParameter(
            self,
            "NodeConfigParameter",
            string_value=text,
            description=f"nodeadm NodeConfig ({self.provider.value}) for EKS Hybrid Nodes",
            tier=ssm.ParameterTier.STANDARD,
        )

    def _outputs(self) -> None:
        self._role_arn_output = cdk.CfnOutput(
            self, "RoleArn", value=role_arn_of(self.role), description="EKS Hybrid Nodes IAM role"
        )
        if self.node_config_parameter is not None:
            cdk.CfnOutput(
                self,
                "NodeConfigParameterName",
                value=self.node_config_parameter.parameter_name,
                description="SSM parameter with the nodeadm NodeConfig (aws ssm get-parameter --name ...)",
            )
        if self.activation_command is not None:
            cdk.CfnOutput(
                self,
                "SsmActivationCommand",
                value=self.activation_command,
                description="Run once to create the SSM hybrid activation (its ID and code go into the NodeConfig)",
            )
        if self.trust_anchor_arn is not None:
            cdk.CfnOutput(self, "TrustAnchorArn", value=self.trust_anchor_arn)
        if self.profile_arn is not None:
            cdk.CfnOutput(self, "ProfileArn", value=self.profile_arn)
