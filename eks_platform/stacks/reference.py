"""The reference platform stack: wires constructs from typed settings; no business logic here."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from eks_platform.config import PlatformConfig
from eks_platform.constructs.cluster import AutoModeCluster
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
        )
        # -- feature sections are wired below this line by their issues -----------------------------------------

    @staticmethod
    def _needs_kubectl(config: PlatformConfig) -> bool:
        """Whether any configured feature applies Kubernetes manifests through the kubectl provider."""
        return False
