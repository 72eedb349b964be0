"""The reference platform stack: wires constructs from typed settings; no business logic here."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from eks_platform._internal.limits import apply_resource_limit
from eks_platform.config import PlatformConfig
from eks_platform.constructs.addons import ManagedAddon
from eks_platform.constructs.capabilities import (
    AckCapability,
    ArgoCdCapability,
    CapabilityType,
    KroCapability,
    capability_role_name,
)
from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.constructs.gitops import ArgoCdBootstrap
from eks_platform.constructs.hybrid import HybridCni, HybridNodes
from eks_platform.constructs.ingress import AlbIngressClass
from eks_platform.constructs.node_pools import AutoModeNodePools
from eks_platform.constructs.pod_identity import PodIdentity
from eks_platform.constructs.reference import ClusterContract
from eks_platform.constructs.storage import EbsStorage
from eks_platform.constructs.team import Team
from eks_platform.stacks.base import HermeticStack


class EksReferenceStack(HermeticStack):
    """A production-shaped EKS Auto Mode platform built from a :class:`PlatformConfig`.

    Attributes:
        platform: the settings it was built from.
        cluster: the :class:`AutoModeCluster`.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig, **kwargs: Any) -> None:
        kwargs.setdefault("env", cdk.Environment(account=config.account, region=config.region))
        kwargs.setdefault("description", f"EKS reference platform ({config.cluster_name}, Kubernetes "
                          f"{config.kubernetes_version})")
        kwargs.setdefault("availability_zones", config.availability_zones)
        super().__init__(scope, construct_id, **kwargs)
        self.platform = config
        tags = cdk.Tags.of(self)  # one handle for every tag (each add applies its own aspect here)
        for key, value in sorted(config.tags.items()):
            tags.add(key, value)

        self.cluster = AutoModeCluster(
            self,
            "Cluster",
            cluster_name=config.cluster_name,
            version=config.kubernetes_version,
            built_in_node_pools=config.built_in_node_pools,
            endpoint_access=config.endpoint_access,
            endpoint_public_cidrs=config.endpoint_public_cidrs,
            allow_public_endpoint_from_anywhere=config.allow_public_endpoint_from_anywhere,
            admin_principal_arns=config.admin_principal_arns,
            secrets_key_admin_arns=config.secrets_key_admin_arns,
            vpc_cidr=config.vpc_cidr,
            availability_zones=config.availability_zones,
            nat_gateways=config.nat_gateways,
            upgrade_support_type=config.upgrade_support_type,
            deletion_protection=config.deletion_protection,
            zonal_shift=config.zonal_shift,
            kubectl=self._needs_kubectl(config),
            hybrid_networks=config.hybrid.networks() if config.hybrid is not None else None,
        )
        # The cluster contract application teams build a PlatformClusterReference from (no resource):
        # cdk.out/contracts/<clusterName>.json
        self.contract = ClusterContract(self, "ClusterContract", cluster=self.cluster)
        # The sections below are created in this order; construct ids and order fix the logical IDs.
        # EKS Hybrid Nodes (the app builds this stack a second time with `hybrid` set, see stacks/app.py)
        self.hybrid_nodes: HybridNodes | None = None
        if config.hybrid is not None:
            self.hybrid_nodes = HybridNodes(
                self,
                "HybridNodes",
                cluster=self.cluster,
                credentials=config.hybrid.hybrid_credentials(),
                cni=config.hybrid.cni,
                transit_gateway_id=config.hybrid.transit_gateway_id,
                virtual_private_gateway_id=config.hybrid.virtual_private_gateway_id,
                webhook_ports=config.hybrid.webhook_ports,
                cilium_pool_cidrs=config.hybrid.cilium_pool_cidrs,
            )
        # Pod Identity bindings (`podIdentities`): one association + scoped role each, no kubectl Lambda
        self.pod_identities: dict[str, PodIdentity] = {
            binding.key: binding.apply(self.cluster) for binding in config.pod_identities
        }
        # EKS add-ons from the catalog (`addons`), pinned for the cluster's Kubernetes version
        self.addons: dict[str, ManagedAddon] = {
            name: self.cluster.add_addon(name, **settings.options()) for name, settings in config.addons.items()
        }
        # Kubernetes objects through cdk8s (`manifestDelivery`, `storage`, `nodePools`, `teams`, `ingress`): one chart
        # each, applied through the kubectl provider (one custom resource per object) or render-only; the YAML goes to
        # `gitops.manifestsDirectory` (default cdk.out/manifests)
        self.storage: EbsStorage | None = None
        self.node_pools: AutoModeNodePools | None = None
        self.teams: dict[str, Team] = {}
        self.ingress: AlbIngressClass | None = None
        self.gitops: ArgoCdBootstrap | None = None
        application = config.gitops.application if config.gitops is not None else None
        delivery = None
        if self._needs_delivery(config):
            delivery = self.cluster.add_manifest_delivery(
                mode=config.manifest_delivery,
                output_directory=config.gitops.manifests_directory if config.gitops is not None else None,
            )
            if config.storage is not None:
                self.storage = EbsStorage(self, "Storage", delivery=delivery, **config.storage.options(self))
            if config.node_pools is not None:
                self.node_pools = AutoModeNodePools(
                    self,
                    "NodePools",
                    delivery=delivery,
                    node_classes=config.node_pools.node_classes,
                    node_pools=config.node_pools.node_pools,
                    node_role_name=config.node_pools.node_role_name,
                )
            # Application teams (`teams`): namespace, namespace-scoped access entries, Pod Identity, quotas
            if config.teams:
                holder = Construct(self, "Teams")
                self.teams = {team.name: team.apply(holder, self.cluster) for team in config.teams}
            if config.ingress is not None:
                self.ingress = AlbIngressClass(self, "Ingress", delivery=delivery, **config.ingress.options())
        # EKS Capabilities (`capabilities`): one AWS::EKS::Capability and scoped role each, keyed by name. The Argo CD
        # role gets a fixed name when the Application's RBAC must name it at synth.
        self.capabilities: dict[str, ArgoCdCapability | AckCapability | KroCapability] = {}
        if config.capabilities:
            parent = Construct(self, "Capabilities")
            for settings in config.capabilities:
                fixed_name = application is not None and settings.capability_type is CapabilityType.ARGOCD
                role_name = (
                    capability_role_name(config.cluster_name, settings.name, account=config.account,
                                         region=config.region)
                    if fixed_name
                    else None
                )
                self.capabilities[settings.name] = settings.build(
                    parent, settings.name, cluster=self.cluster, role_name=role_name
                )
        # The Argo CD Application for the manifests folder (`gitops.application`): created after every other chart.
        # The parser guarantees exactly one Argo CD capability when an Application is configured.
        if application is not None and delivery is not None:
            (argocd,) = [c for c in self.capabilities.values() if isinstance(c, ArgoCdCapability)]
            manifests_directory = config.gitops.manifests_directory if config.gitops is not None else None
            self.gitops = ArgoCdBootstrap(
                self,
                "GitOps",
                delivery=delivery,
                capability=argocd,
                **application.options(
                    manifests_directory=manifests_directory, cluster_folder=delivery.relative_directory
                ),
            )
        # CloudFormation's 500-resource limit: a ConfigError above it, a warning at synth past 90 %
        apply_resource_limit(self)

    @staticmethod
    def _needs_delivery(config: PlatformConfig) -> bool:
        """Whether any configured feature renders a cdk8s chart."""
        application = config.gitops is not None and config.gitops.application is not None
        return any(s is not None for s in (config.storage, config.node_pools, config.ingress)) or application or bool(
            config.teams
        )

    @staticmethod
    def _needs_kubectl(config: PlatformConfig) -> bool:
        """Whether any configured feature applies Kubernetes manifests through the kubectl provider."""
        cilium = config.hybrid is not None and config.hybrid.cni is HybridCni.CILIUM  # a Helm chart
        service_accounts = any(binding.create_service_account for binding in config.pod_identities)
        charts = EksReferenceStack._needs_delivery(config) and (
            config.manifest_delivery.applies
        )  # storage, node pool, team, IngressClass and Argo CD bootstrap charts
        return cilium or service_accounts or charts
