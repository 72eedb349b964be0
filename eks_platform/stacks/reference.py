"""The reference platform stack: wires constructs from typed settings; no business logic here."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from eks_platform._internal.limits import apply_resource_limit
from eks_platform.config import PlatformConfig
from eks_platform.constructs.addons import ManagedAddon
from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.constructs.hybrid import HybridCni, HybridNodes
from eks_platform.constructs.manifests import DeliveryMode
from eks_platform.constructs.node_pools import AutoModeNodePools
from eks_platform.constructs.pod_identity import PodIdentity
from eks_platform.constructs.storage import EbsStorage
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
        for key, value in sorted(config.tags.items()):
            cdk.Tags.of(self).add(key, value)

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
            vpc_cidr=config.vpc_cidr,
            availability_zones=config.availability_zones,
            nat_gateways=config.nat_gateways,
            upgrade_support_type=config.upgrade_support_type,
            deletion_protection=config.deletion_protection,
            zonal_shift=config.zonal_shift,
            kubectl=self._needs_kubectl(config),
            hybrid_networks=config.hybrid.networks() if config.hybrid is not None else None,
        )
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
            )
        # Pod Identity bindings (`podIdentities`): one association + scoped role each, no kubectl Lambda
        self.pod_identities: dict[str, PodIdentity] = {
            binding.key: binding.apply(self.cluster) for binding in config.pod_identities
        }
        # EKS add-ons from the catalog (`addons`), pinned for the cluster's Kubernetes version
        self.addons: dict[str, ManagedAddon] = {
            name: self.cluster.add_addon(name, **settings.options()) for name, settings in config.addons.items()
        }
        # Kubernetes objects through cdk8s (`manifestDelivery`, `storage`, `nodePools`): one chart each,
        # applied through the kubectl provider (one custom resource per chart) or render-only; YAML in cdk.out/manifests
        self.storage: EbsStorage | None = None
        self.node_pools: AutoModeNodePools | None = None
        if config.storage is not None or config.node_pools is not None:
            delivery = self.cluster.add_manifest_delivery(mode=config.manifest_delivery)
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
        # CloudFormation's 500-resource limit: a ConfigError above it, a warning at synth past 90 %
        apply_resource_limit(self)

    @staticmethod
    def _needs_kubectl(config: PlatformConfig) -> bool:
        """Whether any configured feature applies Kubernetes manifests through the kubectl provider."""
        cilium = config.hybrid is not None and config.hybrid.cni is HybridCni.CILIUM  # a Helm chart
        service_accounts = any(binding.create_service_account for binding in config.pod_identities)
        charts = (config.storage is not None or config.node_pools is not None) and (
            config.manifest_delivery is DeliveryMode.APPLY
        )  # StorageClass/VolumeAttributesClass/NodeClass/NodePool charts
        return cilium or service_accounts or charts
