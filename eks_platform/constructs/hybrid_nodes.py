"""EKS Hybrid Nodes: validated remote networks, the node IAM role and access entry, network rules, nodeadm config, CNI.

- :class:`HybridNetworks`: the remote node and pod CIDRs (``RemoteNetworkConfig``), validated when built; give it to
  ``AutoModeCluster(hybrid_networks=...)`` which also checks it against the VPC, service CIDR and endpoint.
- :class:`HybridNodes`: everything on the AWS side that on-premises nodes need to join that cluster, plus the nodeadm
  ``NodeConfig`` they run with.

See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-overview.html
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from importlib import resources
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rolesanywhere as rolesanywhere
from aws_cdk import aws_ssm as ssm
from constructs import Construct, IConstruct

from eks_platform._internal import hybrid as h
from eks_platform._internal import validation as v
from eks_platform._internal.hybrid import CredentialProvider
from eks_platform.errors import ConfigError, raise_if_problems

__all__ = [
    "CredentialProvider",
    "HybridCni",
    "HybridConfig",
    "HybridCredentials",
    "HybridKubeletConfig",
    "HybridNetworks",
    "HybridNodes",
    "IamRolesAnywhereOptions",
    "SsmActivationOptions",
    "parse_hybrid_config",
]

#: The label nodeadm puts on every hybrid node (``internal/kubelet/config.go``).
HYBRID_NODE_LABEL = ("eks.amazonaws.com/compute-type", "hybrid")
#: IAM Roles Anywhere binds the role session name to the certificate's CN (AWS reference template ``hybrid-ira-cfn``).
SESSION_NAME_FROM_CN = "${aws:PrincipalTag/x509Subject/CN}"


def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("eks_platform._internal.data").joinpath("hybrid.json").read_text()
    )
    return data


DATA = _data()


def _as_tuple(setting: str, value: object, problems: list[str]) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        problems.append(f"{setting} must be a list, got {type(value).__name__} {value!r}")
        return ()
    return tuple(value)


# -- cluster side ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, slots=True)
class HybridNetworks:
    """The on-premises networks of EKS Hybrid Nodes: the cluster's ``RemoteNetworkConfig``.

    Validated when built (one ``ConfigError``, code ``InvalidHybridNetworks``, lists every problem): IPv4 only,
    RFC 1918 only (CGNAT 100.64.0.0/10 and public ranges are rejected), /8 to /32, no host bits, at most 15 CIDRs per
    list, no overlap inside a list or between node and pod CIDRs. Unresolved tokens are accepted and skipped. Rules
    that need the VPC, service CIDR or endpoint are judged by the cluster (:meth:`cluster_problems`).

    Changing the CIDRs updates the cluster in place: the CloudFormation registry schema shipped with cfn-lint 1.58
    no longer lists ``RemoteNetworkConfig`` as create-only, and the EKS user guide (hybrid-nodes-cluster-update)
    says remote networks can be added, changed or removed after creation.

    Args:
        node_cidrs: on-premises CIDRs your hybrid nodes' IPs come from (1 to 15).
        pod_cidrs: CIDRs of pods on hybrid nodes (0 to 15). Required when the CNI does not masquerade pod traffic or
            webhooks run on hybrid nodes, and by the managed Cilium (its IPAM pool). Default: - none.

    See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-networking.html
    """

    node_cidrs: Sequence[str]
    pod_cidrs: Sequence[str] = ()

    def __post_init__(self) -> None:
        problems: list[str] = []
        nodes = _as_tuple("node_cidrs", self.node_cidrs, problems)
        pods = _as_tuple("pod_cidrs", self.pod_cidrs, problems)
        object.__setattr__(self, "node_cidrs", nodes)
        object.__setattr__(self, "pod_cidrs", pods)
        if not problems:
            problems += h.remote_network_problems(node_cidrs=nodes, pod_cidrs=pods)
        raise_if_problems("InvalidHybridNetworks", problems)

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


# -- credentials -----------------------------------------------------------------------------------------------------
_TAG_KEY = re.compile(r"^[\w.:/=+\-@ ]{1,128}$")


@dataclass(frozen=True, kw_only=True, slots=True)
class SsmActivationOptions:
    """SSM hybrid activations (the default credential provider).

    CloudFormation has no SSM activation resource, so the activation is created after ``cdk deploy`` with the
    ``aws ssm create-activation`` command this construct prints (stack output ``...SsmActivationCommand``); its ID
    and code are secrets and never enter the template.

    Args:
        deregister_tag_key: resource tag the role's ``ssm:DeregisterManagedInstance`` permission is scoped by (its
            value is the cluster ARN; the printed command tags the activation with it). Default: - ``EKSClusterARN``
            as in AWS's reference template.
        registration_limit: how many nodes one activation may register, used in the printed command (1 to 1000).
            Default: - 10.

    See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-creds.html
    """

    deregister_tag_key: str = "EKSClusterARN"
    registration_limit: int = 10

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.deregister_tag_key, str) or not _TAG_KEY.match(self.deregister_tag_key) or (
            self.deregister_tag_key.lower().startswith("aws:")
        ):
            problems.append(
                f"ssm deregister_tag_key {self.deregister_tag_key!r} is not a usable tag key (1-128 letters, digits, "
                "spaces and _.:/=+-@, not starting with aws:)"
            )
        limit = self.registration_limit
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
            problems.append(f"ssm registration_limit {limit!r} must be a whole number from 1 to 1000")
        raise_if_problems("InvalidHybridCredentials", problems)


@dataclass(frozen=True, kw_only=True, slots=True)
class IamRolesAnywhereOptions:
    """IAM Roles Anywhere: nodes authenticate with X.509 certificates issued by your CA.

    Give exactly one of ``ca_bundle_pem`` (a trust anchor is created from it) and ``trust_anchor_arn`` (an existing
    anchor; its role trust is bound to that ARN).

    Args:
        ca_bundle_pem: PEM text of the CA certificate(s) that issue node certificates (not a private CA you cannot
            keep private: public CAs cannot be trust anchors). Checked structurally: PEM ``CERTIFICATE`` blocks whose
            base64 decodes to a DER X.509 certificate, at most 8000 characters. Default: - none.
        trust_anchor_arn: an existing trust anchor. Default: - none.
        session_duration_seconds: lifetime of the credentials nodes get (900 to 43200). Default: - 3600.
        node_name: the node name written into the generated NodeConfig (``nodeName``; at most 64 characters, a
            DNS-1123 subdomain, equal to the certificate CN). Default: - a ``${NODE_NAME}`` placeholder, filled per
            node.
        certificate_path: node certificate path in the NodeConfig. Default: - nodeadm's ``/etc/iam/pki/server.pem``.
        private_key_path: node private key path in the NodeConfig. Default: - nodeadm's ``/etc/iam/pki/server.key``.

    See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-creds.html
    """

    ca_bundle_pem: str | None = None
    trust_anchor_arn: str | None = None
    session_duration_seconds: int = 3600
    node_name: str | None = None
    certificate_path: str | None = None
    private_key_path: str | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        if (self.ca_bundle_pem is None) == (self.trust_anchor_arn is None):
            problems.append(
                "iam_roles_anywhere needs exactly one of ca_bundle_pem (a trust anchor is created from your CA "
                "certificate) and trust_anchor_arn (an existing trust anchor); got "
                + ("both" if self.ca_bundle_pem is not None else "neither")
            )
        if self.ca_bundle_pem is not None:
            problems += h.ca_bundle_problems("iam_roles_anywhere.ca_bundle_pem", self.ca_bundle_pem)
        if self.trust_anchor_arn is not None:
            problems += h.trust_anchor_arn_problems("iam_roles_anywhere.trust_anchor_arn", self.trust_anchor_arn)
        seconds = self.session_duration_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 900 <= seconds <= 43200:
            problems.append(
                f"iam_roles_anywhere.session_duration_seconds {seconds!r} must be a whole number from 900 to 43200 "
                "(15 minutes to 12 hours)"
            )
        if self.node_name is not None:
            problems += h.node_name_problems("iam_roles_anywhere.node_name", self.node_name)
        for name in ("certificate_path", "private_key_path"):
            path = getattr(self, name)
            if path is not None and (not isinstance(path, str) or not path.startswith("/")):
                problems.append(f"iam_roles_anywhere.{name} {path!r} must be an absolute path on the node")
        raise_if_problems("InvalidHybridCredentials", problems)


@dataclass(frozen=True, kw_only=True, slots=True)
class HybridCredentials:
    """Which credential provider hybrid nodes use: exactly one of ``ssm`` and ``iam_roles_anywhere``.

    Build with :meth:`ssm_activations` or :meth:`roles_anywhere`. Changing the provider replaces the node role's
    trust and the NodeConfig; nodes must be re-registered.
    """

    ssm: SsmActivationOptions | None = None
    iam_roles_anywhere: IamRolesAnywhereOptions | None = None

    def __post_init__(self) -> None:
        if self.ssm is not None and self.iam_roles_anywhere is not None:
            raise ConfigError(
                "InvalidHybridCredentials",
                "credentials has both ssm and iam_roles_anywhere; hybrid nodes use exactly one credential provider "
                "(nodeadm accepts only one of hybrid.ssm and hybrid.iamRolesAnywhere); keep one",
            )
        if self.ssm is None and self.iam_roles_anywhere is None:
            raise ConfigError(
                "InvalidHybridCredentials",
                "credentials has neither ssm nor iam_roles_anywhere; choose one, e.g. "
                "HybridCredentials.ssm_activations() (the default when credentials is not given)",
            )

    @classmethod
    def ssm_activations(cls, **options: Any) -> HybridCredentials:
        """SSM hybrid activations (options: :class:`SsmActivationOptions`)."""
        return cls(ssm=SsmActivationOptions(**options))

    @classmethod
    def roles_anywhere(cls, **options: Any) -> HybridCredentials:
        """IAM Roles Anywhere (options: :class:`IamRolesAnywhereOptions`)."""
        return cls(iam_roles_anywhere=IamRolesAnywhereOptions(**options))

    @property
    def provider(self) -> CredentialProvider:
        return CredentialProvider.SSM if self.ssm is not None else CredentialProvider.IAM_ROLES_ANYWHERE


# -- kubelet -----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, slots=True)
class HybridKubeletConfig:
    """Kubelet settings for the generated NodeConfig (``spec.kubelet``), validated against the kubelet's rules.

    Args:
        memory_manager_policy: ``"None"`` or ``"Static"`` (GA in Kubernetes 1.32). Default: - the kubelet's ``None``.
        reserved_memory: NUMA node -> memory reserved on it, e.g. ``{0: "1124Mi"}``. Required with ``Static``; the
            amounts must add up to kube-reserved + system-reserved + eviction-hard memory. Default: - none.
        kube_reserved_memory: ``kubeReserved.memory``. Required with ``Static`` (nodeadm otherwise derives it from each
            machine's RAM). Default: - nodeadm's per-machine value.
        system_reserved_memory: ``systemReserved.memory``. Default: - none (0).
        eviction_hard_memory: ``evictionHard["memory.available"]``. Default: - nodeadm's 100Mi.
        single_process_oom_kill: Kubernetes 1.32 ``singleProcessOOMKill``: kill only the process that ran out of
            memory instead of the whole container (cgroup v2; on cgroup v1 the kubelet forces true and rejects
            false). Default: - the kubelet's false on cgroup v2.
        flags: extra kubelet flags (``--name=value``); ``--hostname-override`` is rejected (nodeadm sets it).
            Default: - none.
        extra_config: more ``KubeletConfiguration`` fields, merged by nodeadm over its defaults. Default: - none.

    See: https://kubernetes.io/docs/tasks/administer-cluster/memory-manager/
    """

    memory_manager_policy: str | None = None
    reserved_memory: Mapping[int, str] | None = None
    kube_reserved_memory: str | None = None
    system_reserved_memory: str | None = None
    eviction_hard_memory: str | None = None
    single_process_oom_kill: bool | None = None
    flags: Sequence[str] = ()
    extra_config: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        object.__setattr__(self, "flags", _as_tuple("kubelet.flags", self.flags, problems))
        if isinstance(self.reserved_memory, Mapping):
            object.__setattr__(self, "reserved_memory", dict(self.reserved_memory))
        problems += h.kubelet_problems(self.inputs())
        raise_if_problems("InvalidHybridKubelet", problems)

    def inputs(self, kubernetes_version: str | None = None) -> h.KubeletInputs:
        return h.KubeletInputs(
            memory_manager_policy=self.memory_manager_policy,
            reserved_memory=self.reserved_memory,
            kube_reserved_memory=self.kube_reserved_memory,
            system_reserved_memory=self.system_reserved_memory,
            eviction_hard_memory=self.eviction_hard_memory,
            single_process_oom_kill=self.single_process_oom_kill,
            flags=tuple(self.flags),
            extra_config=self.extra_config,
            kubernetes_version=kubernetes_version,
        )

    def config_map(self) -> dict[str, Any]:
        """The ``spec.kubelet.config`` map."""
        return h.kubelet_config(self.inputs())


class HybridCni(str, Enum):
    """The CNI for hybrid nodes (the Amazon VPC CNI does not run on them)."""

    CILIUM = "cilium"
    """Cilium, the AWS-supported CNI for hybrid nodes, installed by a pinned Helm chart through the kubectl provider."""
    NONE = "none"
    """Bring your own CNI: nothing is installed (nodes stay NotReady until one runs)."""


# -- the construct ----------------------------------------------------------------------------------------------------
@jsii.implements(cdk.IAspect)
class _NodeConfigFileWriter:
    """Writes the owner's NodeConfig next to the templates when the app is synthesized (aspects run at synth)."""

    def __init__(self, owner: HybridNodes) -> None:
        self._owner = owner
        self._path = owner.node.path

    def visit(self, node: IConstruct) -> None:
        if node.node.path == self._path:
            self._owner.write_node_config_file()


def _unique_key(scope: Construct, value: str) -> str:
    """A construct-id fragment keyed by the value itself: the CIDR text, or a digest of a token's resolution."""
    if not v.is_unresolved(value):
        return h.cidr_key(value)
    resolved = cdk.Stack.of(scope).resolve(value)
    return "T" + hashlib.sha256(h.token_key(resolved).encode()).hexdigest()[:10]


_GATEWAY_ID = {
    "transit_gateway_id": re.compile(r"^tgw-[0-9a-f]{8}([0-9a-f]{9})?$"),
    "virtual_private_gateway_id": re.compile(r"^vgw-[0-9a-f]{8}([0-9a-f]{9})?$"),
}


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
      CIDRs, kubelet (10250) out to node CIDRs, webhook ports out to pod CIDRs;
    - optional routes from the VPC's private subnets to the remote CIDRs through a Transit Gateway or VGW;
    - Cilium (pinned Helm chart, pool from the pod CIDRs, only on hybrid nodes) unless ``cni=HybridCni.NONE``;
    - the add-ons hybrid nodes need on an Auto Mode cluster: kube-proxy, CoreDNS and the Pod Identity agent with its
      hybrid DaemonSet (Auto Mode's built-in versions serve only Auto Mode nodes);
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
        cilium_pod_cidr_mask_size: per-node pod block size carved from the pod CIDRs. Default: - 25 (128 IPs).
        security_group: where the rules go. Default: - the control-plane security group passed at cluster creation
            (``ControlPlaneSecurityGroup`` of an ``aws_eks_v2.Cluster``), else the EKS cluster security group.
        kubelet_ports: TCP ports the control plane reaches on remote nodes. Default: - ``[10250]``.
        webhook_ports: TCP ports the control plane reaches on remote pods (webhooks). Default: - ``[443, 9443]``;
            empty for none. Rules are only created when there are pod CIDRs.
        transit_gateway_id: route remote CIDRs from the private subnets to this Transit Gateway (the VPC must
            already be attached to it). Default: - no routes.
        virtual_private_gateway_id: route remote CIDRs to this VGW instead. Default: - no routes.
        route_subnets: subnets whose route tables get the routes. Default: - private subnets with egress.
        pod_identity_agent: install the Pod Identity agent add-on with its hybrid DaemonSet (and let the role call
            ``eks-auth:AssumeRoleForPodIdentity``). Default: - true.
        kube_proxy: install the kube-proxy add-on. Default: - true.
        core_dns: install the CoreDNS add-on. Default: - true.
        node_config_parameter: store the NodeConfig in an SSM parameter. Default: - true.
        write_node_config_file: write the NodeConfig file into the cloud assembly at synth. Default: - true.

    See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-overview.html
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: Any,
        networks: HybridNetworks | None = None,
        credentials: HybridCredentials | None = None,
        kubelet: HybridKubeletConfig | None = None,
        kubernetes_version: str | None = None,
        cni: HybridCni | str | None = None,
        cilium_version: str | None = None,
        cilium_pod_cidr_mask_size: int | None = None,
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
        self._owner_cluster = cluster
        self.cluster: eks.ICluster = self._icluster(cluster)
        self._cfn_cluster = self._cfn_of(self.cluster)
        self.networks = self._networks(cluster, networks)
        self.credentials = credentials or HybridCredentials.ssm_activations()
        self.provider = self.credentials.provider
        self.kubelet = kubelet
        self.kubernetes_version = self._version(cluster, kubernetes_version)

        problems: list[str] = []
        cni_value = HybridCni.CILIUM if cni is None else cni
        if not isinstance(cni_value, HybridCni):
            if cni_value in [c.value for c in HybridCni]:
                cni_value = HybridCni(cni_value)
            else:
                problems.append(f"cni {cni!r} is not one of {', '.join(repr(c.value) for c in HybridCni)}")
        self.cni = cni_value if isinstance(cni_value, HybridCni) else HybridCni.NONE
        problems += self._cluster_problems()
        if kubelet is not None:
            problems += h.kubelet_version_problems(kubelet.inputs(self.kubernetes_version))
        self._kubelet_ports = self._ports("kubelet_ports", kubelet_ports, DATA["ports"]["kubelet"], problems)
        self._webhook_ports = self._ports("webhook_ports", webhook_ports, DATA["ports"]["webhooks"], problems)
        gateway = self._gateway(transit_gateway_id, virtual_private_gateway_id, problems)
        mask = DATA["cilium"]["podCidrMaskSize"] if cilium_pod_cidr_mask_size is None else cilium_pod_cidr_mask_size
        chart_version = cilium_version or DATA["cilium"]["version"]
        if self.cni is HybridCni.CILIUM:
            problems += self._cilium_problems(mask, chart_version)
        raise_if_problems("InvalidHybridNodes", problems, path=self.node.path)

        stack = cdk.Stack.of(self)
        self.trust_anchor: rolesanywhere.CfnTrustAnchor | None = None
        self.profile: rolesanywhere.CfnProfile | None = None
        self.trust_anchor_arn: str | None = None
        self.profile_arn: str | None = None
        if self.credentials.iam_roles_anywhere is not None:
            self._trust_anchor(self.credentials.iam_roles_anywhere)
        self.role: iam.Role = self._role(stack, pod_identity_agent)
        if self.credentials.iam_roles_anywhere is not None:
            self._profile(self.credentials.iam_roles_anywhere)

        self.access_entry = eks.AccessEntry(
            self,
            "AccessEntry",
            cluster=self.cluster,
            principal=self.role.role_arn,
            access_entry_type=eks.AccessEntryType.HYBRID_LINUX,
            access_policies=[],
        )
        self.security_group = security_group or self._default_security_group()
        self.ingress_rules: dict[str, ec2.CfnSecurityGroupIngress] = {}
        self.egress_rules: dict[str, ec2.CfnSecurityGroupEgress] = {}
        self._network_rules()
        self.routes: dict[str, ec2.CfnRoute] = {}
        if gateway is not None:
            self._routes(gateway, route_subnets)

        self.cilium: eks.HelmChart | None = None
        if self.cni is HybridCni.CILIUM:
            self.cilium = self._cilium(mask, chart_version)
        self.addons: dict[str, Any] = {}
        self._addons(pod_identity_agent=pod_identity_agent, kube_proxy=kube_proxy, core_dns=core_dns)

        self.node_config_parameter: ssm.StringParameter | None = None
        if node_config_parameter:
            self._parameter()
        self._outputs()
        if write_node_config_file:
            cdk.Aspects.of(self).add(_NodeConfigFileWriter(self))
        self.node.default_child = self.role

    # -- inputs ------------------------------------------------------------------------------------------------------
    @staticmethod
    def _icluster(cluster: Any) -> eks.ICluster:
        inner = getattr(cluster, "cluster", None)
        if inner is not None and hasattr(cluster, "version_string"):
            wrapped: eks.ICluster = inner  # an AutoModeCluster
            return wrapped
        if cluster is None or not hasattr(cluster, "cluster_name") or not hasattr(cluster, "cluster_arn"):
            raise ConfigError(
                "InvalidHybridNodes",
                f"cluster must be an AutoModeCluster or an aws_eks_v2.ICluster, got {type(cluster).__name__}",
            )
        return cluster  # type: ignore[no-any-return]

    @staticmethod
    def _cfn_of(cluster: eks.ICluster) -> eks.CfnCluster | None:
        child = cluster.node.default_child
        return child if isinstance(child, eks.CfnCluster) else None

    def _networks(self, cluster: Any, networks: HybridNetworks | None) -> HybridNetworks:
        if networks is None:
            networks = getattr(cluster, "hybrid_networks", None)
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

    def _version(self, cluster: Any, given: str | None) -> str | None:
        if given is not None:
            return given
        version = getattr(cluster, "version_string", None)
        if version is None and self._cfn_cluster is not None:
            version = self._cfn_cluster.version
        return version if isinstance(version, str) and not v.is_unresolved(version) else None

    def _resolved(self, value: Any) -> Any:
        return cdk.Stack.of(self).resolve(value) if value is not None else None

    def _cluster_problems(self) -> list[str]:
        """Cross-checks against a cluster defined in this app (imported clusters cannot be read at synth)."""
        cfn = self._cfn_cluster
        if cfn is None:
            return []
        problems: list[str] = []
        remote = self._resolved(cfn.remote_network_config) or {}
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
        vpc_config = self._resolved(cfn.resources_vpc_config) or {}
        access = self._resolved(cfn.access_config) or {}
        k8s_net = self._resolved(cfn.kubernetes_network_config) or {}
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
            block = self.cluster.vpc.vpc_cidr_block
        except Exception:
            return []
        return [block] if isinstance(block, str) and not v.is_unresolved(block) else []

    @staticmethod
    def _ports(
        setting: str, given: Sequence[int] | None, default: Sequence[int], problems: list[str]
    ) -> tuple[int, ...]:
        if given is None:
            return tuple(default)
        ports = _as_tuple(setting, given, problems)
        for port in ports:
            if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
                problems.append(f"{setting} has {port!r}; ports are whole numbers from 1 to 65535")
        if len(set(ports)) != len(ports):
            problems.append(f"{setting} lists a port twice; list each once")
        return tuple(p for p in ports if isinstance(p, int))

    @staticmethod
    def _gateway(tgw: str | None, vgw: str | None, problems: list[str]) -> tuple[str, str] | None:
        if tgw is not None and vgw is not None:
            problems.append(
                "transit_gateway_id and virtual_private_gateway_id are both set; routes go to one gateway, choose one"
            )
            return None
        for setting, value in (("transit_gateway_id", tgw), ("virtual_private_gateway_id", vgw)):
            if value is None:
                continue
            if not v.is_unresolved(value) and (not isinstance(value, str) or not _GATEWAY_ID[setting].match(value)):
                prefix = "tgw" if setting.startswith("transit") else "vgw"
                problems.append(f"{setting} {value!r} is not a gateway ID like {prefix}-0123456789abcdef0")
                return None
            return setting, value
        return None

    def _cilium_problems(self, mask: object, version: str) -> list[str]:
        problems = []
        if not self._kubectl_available():
            problems.append(
                "cni 'cilium' is installed by a Helm chart through the cluster's kubectl provider, and this cluster "
                "has none; create the cluster with kubectl=True (AutoModeCluster) or kubectl_provider_options "
                "(aws_eks_v2.Cluster), or set cni=HybridCni.NONE and install your CNI yourself"
            )
        if not self.networks.pod_cidrs:
            problems.append(
                "cni 'cilium' needs pod CIDRs for its IP pool (clusterPoolIPv4PodCIDRList); add pod_cidrs to the "
                "HybridNetworks (they also become the cluster's remote pod networks) or set cni=HybridCni.NONE"
            )
        if isinstance(mask, bool) or not isinstance(mask, int) or not 1 <= mask <= 32:
            problems.append(f"cilium_pod_cidr_mask_size {mask!r} must be a whole number from 1 to 32")
        else:
            for cidr in self.networks.pod_cidrs:
                if not v.is_unresolved(cidr) and int(cidr.split("/")[1]) > mask:
                    problems.append(
                        f"cilium_pod_cidr_mask_size /{mask} is larger than pod CIDR {cidr}; Cilium carves per-node "
                        "blocks of that size out of each pod CIDR, so use a mask at least as long as every pod CIDR"
                    )
        match = re.match(r"^(\d+)\.(\d+)\.\d+-\d+$", version) if isinstance(version, str) else None
        minors = DATA["cilium"]["supportedMinors"]
        if not match or f"{match.group(1)}.{match.group(2)}" not in minors:
            problems.append(
                f"cilium_version {version!r} is not an AWS Cilium chart version of a supported minor "
                f"({', '.join(minors)}); use e.g. {DATA['cilium']['version']!r}"
            )
        return problems

    def _kubectl_available(self) -> bool:
        if hasattr(self._owner_cluster, "kubectl_enabled"):
            return bool(self._owner_cluster.kubectl_enabled)
        return getattr(self.cluster, "kubectl_provider", None) is not None

    # -- IAM -----------------------------------------------------------------------------------------------------------
    def _role(self, stack: cdk.Stack, pod_identity_agent: bool) -> iam.Role:
        cluster_arn = self.cluster.cluster_arn
        node_policy = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    sid="DescribeClusterAndCheckAccessEntry",
                    actions=["eks:DescribeCluster", "eks:ListAccessEntries"],
                    resources=[cluster_arn],
                )
            ]
        )
        managed = [iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEC2ContainerRegistryPullOnly")]
        if pod_identity_agent:
            # eks-auth:AssumeRoleForPodIdentity for the agent on the node (AWS's current reference templates).
            managed.append(iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKSWorkerNodeMinimalPolicy"))
        inline = {"EKSHybridNodes": node_policy}
        if self.credentials.ssm is not None:
            options = self.credentials.ssm
            principal: iam.IPrincipal = iam.ServicePrincipal("ssm.amazonaws.com").with_conditions(
                {
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnEquals": {"aws:SourceArn": f"arn:{stack.partition}:ssm:{stack.region}:{stack.account}:*"},
                }
            )
            inline["EKSHybridSSM"] = iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        sid="DescribeInstanceInformation", actions=["ssm:DescribeInstanceInformation"], resources=["*"]
                    ),
                    iam.PolicyStatement(
                        sid="DeregisterOwnManagedInstances",
                        actions=["ssm:DeregisterManagedInstance"],
                        resources=[f"arn:{stack.partition}:ssm:{stack.region}:{stack.account}:managed-instance/*"],
                        conditions={
                            "StringEquals": {f"ssm:resourceTag/{options.deregister_tag_key}": cluster_arn}
                        },
                    ),
                ]
            )
            managed.append(iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSSMManagedInstanceCore"))
            description = "EKS Hybrid Nodes role (SSM hybrid activations)"
            max_session = None
        else:
            ira = self.credentials.iam_roles_anywhere
            assert ira is not None
            # AWS's reference trust: AssumeRole only when the session name equals the certificate CN, and only
            # through this trust anchor; TagSession/SetSourceIdentity (added below) through the same anchor.
            principal = iam.ServicePrincipal("rolesanywhere.amazonaws.com").with_conditions(
                {
                    "StringEquals": {"sts:RoleSessionName": SESSION_NAME_FROM_CN},
                    "ArnEquals": {"aws:SourceArn": self.trust_anchor_arn},
                }
            )
            description = "EKS Hybrid Nodes role (IAM Roles Anywhere)"
            max_session = cdk.Duration.seconds(max(3600, ira.session_duration_seconds))
        role = iam.Role(
            self,
            "Role",
            assumed_by=principal,
            description=description,
            inline_policies=inline,
            managed_policies=managed,
            max_session_duration=max_session,
        )
        self._nag_suppressions(role)
        return role

    def _trust_anchor(self, options: IamRolesAnywhereOptions) -> None:
        if options.ca_bundle_pem is None:
            self.trust_anchor_arn = options.trust_anchor_arn
            return
        self.trust_anchor = rolesanywhere.CfnTrustAnchor(
            self,
            "TrustAnchor",
            name=self._rolesanywhere_name(),
            enabled=True,
            source=rolesanywhere.CfnTrustAnchor.SourceProperty(
                source_type="CERTIFICATE_BUNDLE",
                source_data=rolesanywhere.CfnTrustAnchor.SourceDataProperty(
                    x509_certificate_data=options.ca_bundle_pem.strip() + "\n"
                ),
            ),
        )
        self.trust_anchor_arn = self.trust_anchor.attr_trust_anchor_arn

    def _profile(self, options: IamRolesAnywhereOptions) -> None:
        assert self.role.assume_role_policy is not None
        self.role.assume_role_policy.add_statements(
            iam.PolicyStatement(
                actions=["sts:TagSession", "sts:SetSourceIdentity"],
                principals=[iam.ServicePrincipal("rolesanywhere.amazonaws.com")],
                conditions={"ArnEquals": {"aws:SourceArn": self.trust_anchor_arn}},
            )
        )
        self.profile = rolesanywhere.CfnProfile(
            self,
            "Profile",
            name=self._rolesanywhere_name(),
            enabled=True,
            role_arns=[self.role.role_arn],
            accept_role_session_name=True,
            duration_seconds=options.session_duration_seconds,
        )
        self.profile_arn = self.profile.attr_profile_arn

    def _rolesanywhere_name(self) -> str:
        """A deterministic name (pattern ``^[ a-zA-Z0-9-_]*$``, at most 255) from the construct path."""
        return cdk.Names.unique_id(self)[-200:]

    def _nag_suppressions(self, role: iam.Role) -> None:
        """Acknowledge the cdk-nag findings that AWS's reference templates imply (rule IDs as the audit prints them)."""
        from eks_platform.checks import acknowledge_aws_managed_policies

        managed = ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodeMinimalPolicy"]
        if self.credentials.ssm is not None:
            managed.append("AmazonSSMManagedInstanceCore")
        acknowledge_aws_managed_policies(
            role, managed,
            "AWS managed policies exactly as in AWS's EKS Hybrid Nodes reference templates (aws/eks-hybrid example/)",
        )
        if self.credentials.ssm is not None:
            from eks_platform.checks import acknowledge

            stack = cdk.Stack.of(self)
            region = stack.region if not v.is_unresolved(stack.region) else "<AWS::Region>"
            account = stack.account if not v.is_unresolved(stack.account) else "<AWS::AccountId>"
            partition = stack.partition if not v.is_unresolved(stack.partition) else "<AWS::Partition>"
            acknowledge(role, "AwsSolutions-IAM5[Resource::*]",
                        "ssm:DescribeInstanceInformation has no resource-level permissions (AWS reference template)")
            acknowledge(
                role,
                f"AwsSolutions-IAM5[Resource::arn:{partition}:ssm:{region}:{account}:managed-instance/*]",
                "ssm:DeregisterManagedInstance is limited by condition to managed instances tagged with this "
                "cluster's ARN (AWS reference template)",
            )

    # -- network -------------------------------------------------------------------------------------------------------
    def _default_security_group(self) -> ec2.ISecurityGroup:
        child = self.cluster.node.try_find_child("ControlPlaneSecurityGroup")
        if isinstance(child, ec2.SecurityGroup):
            return child
        return self.cluster.cluster_security_group

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
        """Cilium Helm values: AWS's hybrid-nodes values, the pool from the pod CIDRs, everything on hybrid nodes."""
        mask = DATA["cilium"]["podCidrMaskSize"] if mask_size is None else mask_size
        affinity = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [
                            {"key": HYBRID_NODE_LABEL[0], "operator": "In", "values": [HYBRID_NODE_LABEL[1]]}
                        ]}
                    ]
                }
            }
        }
        return {
            "affinity": affinity,
            "ipam": {
                "mode": "cluster-pool",
                "operator": {
                    "clusterPoolIPv4MaskSize": mask,
                    "clusterPoolIPv4PodCIDRList": list(self.networks.pod_cidrs),
                },
            },
            # The operator too: on Auto Mode an operator pod on cloud nodes would make Auto Mode launch an instance.
            "operator": {"affinity": affinity, "unmanagedPodWatcher": {"restart": False}},
        }

    def _cilium(self, mask: int, version: str) -> eks.HelmChart:
        return eks.HelmChart(
            self,
            "Cilium",
            cluster=self.cluster,
            chart=DATA["cilium"]["chart"],
            repository=DATA["cilium"]["repository"],
            version=version,
            namespace="kube-system",
            release="cilium",
            values=self.cilium_values(mask),
            wait=False,
        )

    def _addons(self, *, pod_identity_agent: bool, kube_proxy: bool, core_dns: bool) -> None:
        """kube-proxy, CoreDNS and the Pod Identity agent for the hybrid nodes (Auto Mode's serve only its nodes).

        On an Auto Mode cluster these are built in for Auto Mode nodes; hybrid nodes are extra capacity that needs
        the add-ons (AWS add-ons carry anti-affinity to Auto Mode nodes). CoreDNS needs a node to run on: until the
        first hybrid node joins with a CNI, EKS reports the add-on DEGRADED (CloudFormation treats that as done).
        """
        from eks_platform.constructs import addons as addon_api

        is_wrapper = hasattr(self._owner_cluster, "version_string")
        if pod_identity_agent:
            self.addons["eks-pod-identity-agent"] = addon_api.add_pod_identity_agent(
                self._owner_cluster if is_wrapper else self.cluster,
                hybrid_nodes=True,
                kubernetes_version=None if is_wrapper else self.kubernetes_version,
                scope=None if is_wrapper else self,
            )
        for enabled, name in ((kube_proxy, "kube-proxy"), (core_dns, "coredns")):
            if not enabled:
                continue
            if is_wrapper:
                self.addons[name] = addon_api.add_cluster_addon(self._owner_cluster, name, extra_capacity=True)
            else:
                self.addons[name] = addon_api.ManagedAddon(
                    self, name, cluster=self.cluster, name=name, kubernetes_version=self.kubernetes_version,
                    extra_capacity=True,
                )

    # -- NodeConfig ----------------------------------------------------------------------------------------------------
    @property
    def cluster_name_literal(self) -> str | None:
        """The cluster name when it is known at synth (set explicitly), else None (CloudFormation generates it)."""
        name = self._cfn_cluster.name if self._cfn_cluster is not None else self.cluster.cluster_name
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
        problems: list[str] = []
        if self.provider is CredentialProvider.SSM:
            if node_name is not None:
                problems.append("node_name applies to IAM Roles Anywhere; SSM names nodes after the managed instance")
            problems += h.ssm_activation_problems(
                activation_id if activation_id is not None else "00000000-0000-0000-0000-000000000000",
                activation_code if activation_code is not None else "x" * 20,
            )
        else:
            if activation_id is not None or activation_code is not None:
                problems.append("activation_id and activation_code apply to SSM credentials, not IAM Roles Anywhere")
            if node_name is not None:
                problems += h.node_name_problems("node_name", node_name)
        raise_if_problems("InvalidNodeConfig", problems, path=self.node.path)

        def value(token_or_literal: Any, placeholder: str) -> Any:
            if placeholders and v.is_unresolved(token_or_literal):
                return h.Placeholder.named(placeholder)
            return token_or_literal

        stack = cdk.Stack.of(self)
        name = self.cluster_name_literal or value(self.cluster.cluster_name, "CLUSTER_NAME")
        kubelet_map = self.kubelet.config_map() if self.kubelet else None
        flags = tuple(self.kubelet.flags) if self.kubelet else ()
        common: dict[str, Any] = {
            "cluster_name": name,
            "region": value(stack.region, "AWS_REGION"),
            "provider": self.provider,
            "enable_credentials_file": "eks-pod-identity-agent" in self.addons,
            "kubelet_config_map": kubelet_map,
            "kubelet_flags": flags,
        }
        if self.provider is CredentialProvider.SSM:
            doc = h.render_node_config(
                **common,
                activation_code=activation_code or h.Placeholder.named("SSM_ACTIVATION_CODE"),
                activation_id=activation_id or h.Placeholder.named("SSM_ACTIVATION_ID"),
            )
        else:
            ira = self.credentials.iam_roles_anywhere
            assert ira is not None
            doc = h.render_node_config(
                **common,
                node_name=node_name or ira.node_name or h.Placeholder.named("NODE_NAME"),
                trust_anchor_arn=value(self.trust_anchor_arn, "TRUST_ANCHOR_ARN"),
                profile_arn=value(self.profile_arn, "PROFILE_ARN"),
                role_arn=value(self.role.role_arn, "HYBRID_NODES_ROLE_ARN"),
                certificate_path=ira.certificate_path,
                private_key_path=ira.private_key_path,
            )
        raise_if_problems("InvalidNodeConfig", h.node_config_problems(doc), path=self.node.path)
        return doc

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
        doc = self.node_config(placeholders=True)
        text = h.dump_node_config(doc)
        names = sorted(set(re.findall(r"\$\{([A-Z_]+)\}", text)))
        lines = [
            f"nodeadm NodeConfig for EKS Hybrid Nodes ({self.provider.value}), generated by cdk-eks-platform",
            f"from {self.node.path}. Install: nodeadm install {self.kubernetes_version or '<k8s minor>'} "
            f"--credential-provider {self.provider.nodeadm_flag}",
            "Then: nodeadm init --config-source file://nodeConfig.yaml",
        ]
        per_node = {"SSM_ACTIVATION_CODE", "SSM_ACTIVATION_ID", "NODE_NAME"}
        deploy_time = [n for n in names if n not in per_node]
        if deploy_time:
            lines.append(
                "Known only after deploy: " + ", ".join(deploy_time) + ". The SSM parameter in stack output "
                "NodeConfigParameterName has them filled in."
            )
        if "SSM_ACTIVATION_ID" in names:
            lines.append(
                "SSM_ACTIVATION_ID/SSM_ACTIVATION_CODE: run the command in stack output SsmActivationCommand once."
            )
        if "NODE_NAME" in names:
            lines.append("NODE_NAME: this node's name, the CN of its certificate (at most 64 characters).")
        if names:
            lines.append("Fill them with: export NAME=value ...; envsubst < this-file > nodeConfig.yaml")
        return h.dump_node_config(doc, header="\n".join(lines))

    def write_node_config_file(self) -> str:
        """Write :meth:`node_config_file_text` to ``<cloud assembly>/hybrid/``; returns the path (called at synth)."""
        stage = cdk.Stage.of(self)
        outdir = stage.outdir if stage is not None else "cdk.out"
        directory = os.path.join(outdir, "hybrid")
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, self.node_config_file_name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(self.node_config_file_text())
        return path

    @property
    def activation_command(self) -> str | None:
        """SSM: the ``aws ssm create-activation`` command to run after deploy (None for IAM Roles Anywhere)."""
        if self.credentials.ssm is None:
            return None
        stack = cdk.Stack.of(self)
        options = self.credentials.ssm
        return (
            f"aws ssm create-activation --region {stack.region} --iam-role {self.role.role_name} "
            f"--registration-limit {options.registration_limit} "
            f"--tags Key={options.deregister_tag_key},Value={self.cluster.cluster_arn} "
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
        cdk.CfnOutput(self, "RoleArn", value=self.role.role_arn, description="EKS Hybrid Nodes IAM role")
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


# -- cdk.json `hybrid` section ---------------------------------------------------------------------------------------
_HYBRID_KEYS = (
    "nodeCidrs", "podCidrs", "credentials", "caBundlePem", "trustAnchorArn", "nodeName",
    "transitGatewayId", "virtualPrivateGatewayId", "cni", "webhookPorts",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class HybridConfig:
    """The ``hybrid`` section of the ``platform`` context object (see README "Hybrid nodes")."""

    node_cidrs: tuple[str, ...]
    pod_cidrs: tuple[str, ...] = ()
    credentials: CredentialProvider = CredentialProvider.SSM
    ca_bundle_pem: str | None = None
    trust_anchor_arn: str | None = None
    node_name: str | None = None
    transit_gateway_id: str | None = None
    virtual_private_gateway_id: str | None = None
    cni: HybridCni = HybridCni.CILIUM
    webhook_ports: tuple[int, ...] | None = None

    def networks(self) -> HybridNetworks:
        return HybridNetworks(node_cidrs=self.node_cidrs, pod_cidrs=self.pod_cidrs)

    def hybrid_credentials(self) -> HybridCredentials:
        if self.credentials is CredentialProvider.SSM:
            return HybridCredentials.ssm_activations()
        return HybridCredentials.roles_anywhere(
            ca_bundle_pem=self.ca_bundle_pem, trust_anchor_arn=self.trust_anchor_arn, node_name=self.node_name
        )


def parse_hybrid_config(setting: str, raw: Any, problems: list[str]) -> HybridConfig | None:
    """Parse the ``hybrid`` context object; problems are appended (each naming ``<setting>.<key>``), never raised."""
    if not isinstance(raw, dict):
        problems.append(f"{setting} must be an object, got {type(raw).__name__} {raw!r}")
        return None
    found: list[str] = v.unknown_keys(setting, raw.keys(), list(_HYBRID_KEYS))
    node = raw.get("nodeCidrs")
    pod = raw.get("podCidrs", [])
    if node is None:
        found.append(f"{setting}.nodeCidrs is required: the on-premises CIDRs of your hybrid nodes, e.g. "
                     "[\"192.168.100.0/24\"]")
        node = []
    for key, value in (("nodeCidrs", node), ("podCidrs", pod)):
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            found.append(f"{setting}.{key} must be a list of CIDR strings, got {value!r}")
    if isinstance(node, list) and isinstance(pod, list):
        found += h.remote_network_problems(
            node_cidrs=node, pod_cidrs=pod, node_setting=f"{setting}.nodeCidrs", pod_setting=f"{setting}.podCidrs"
        )
    allowed_creds = [c.value for c in CredentialProvider]
    creds_raw = raw.get("credentials", CredentialProvider.SSM.value)
    credentials = CredentialProvider.SSM
    if isinstance(creds_raw, list):
        found.append(
            f"{setting}.credentials {creds_raw!r} names {'both providers' if len(creds_raw) > 1 else 'a list'}; "
            f"hybrid nodes use exactly one: {' or '.join(map(repr, allowed_creds))}"
        )
    elif creds_raw not in allowed_creds:
        found.append(
            f"{setting}.credentials {creds_raw!r} is not a credential provider; choose exactly one of "
            f"{' or '.join(map(repr, allowed_creds))}"
        )
    else:
        credentials = CredentialProvider(creds_raw)
    pem, anchor = raw.get("caBundlePem"), raw.get("trustAnchorArn")
    node_name = raw.get("nodeName")
    if credentials is CredentialProvider.IAM_ROLES_ANYWHERE and creds_raw in allowed_creds:
        if (pem is None) == (anchor is None):
            found.append(
                f"{setting}: credentials 'iamRolesAnywhere' needs exactly one of caBundlePem (your CA certificate, "
                "PEM) and trustAnchorArn (an existing trust anchor); got " + ("both" if pem is not None else "neither")
            )
        if pem is not None:
            found += h.ca_bundle_problems(f"{setting}.caBundlePem", pem)
        if anchor is not None:
            found += h.trust_anchor_arn_problems(f"{setting}.trustAnchorArn", anchor)
        if node_name is not None:
            found += h.node_name_problems(f"{setting}.nodeName", node_name)
    else:
        for key in ("caBundlePem", "trustAnchorArn", "nodeName"):
            if raw.get(key) is not None:
                found.append(f"{setting}.{key} applies only to credentials 'iamRolesAnywhere'; remove it or switch")
    tgw, vgw = raw.get("transitGatewayId"), raw.get("virtualPrivateGatewayId")
    _gateway_problems: list[str] = []
    HybridNodes._gateway(tgw, vgw, _gateway_problems)
    found += [p.replace("transit_gateway_id", f"{setting}.transitGatewayId")
              .replace("virtual_private_gateway_id", f"{setting}.virtualPrivateGatewayId") for p in _gateway_problems]
    cni_raw = raw.get("cni", HybridCni.CILIUM.value)
    cni = HybridCni.CILIUM
    if cni_raw not in [c.value for c in HybridCni]:
        found.append(f"{setting}.cni {cni_raw!r} is not one of 'cilium' (managed) or 'none' (bring your own CNI)")
    else:
        cni = HybridCni(cni_raw)
    ports_raw = raw.get("webhookPorts")
    ports: tuple[int, ...] | None = None
    if ports_raw is not None:
        port_problems: list[str] = []
        ports = HybridNodes._ports(f"{setting}.webhookPorts", ports_raw, (), port_problems)
        found += port_problems
    problems += found
    if found:
        return None
    return HybridConfig(
        node_cidrs=tuple(node), pod_cidrs=tuple(pod), credentials=credentials, ca_bundle_pem=pem,
        trust_anchor_arn=anchor, node_name=node_name, transit_gateway_id=tgw, virtual_private_gateway_id=vgw,
        cni=cni, webhook_ports=ports,
    )
