"""The payments team's stack: an Auto Mode cluster, two workloads bound to IAM with Pod Identity, two community
add-ons and a fast EBS storage tier, all from cdk-eks-platform."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from eks_platform import AddonName, AutoModeCluster, ConfigError, HermeticStack
from eks_platform.constructs.storage import EbsStorage, VolumeTier

STACK_NAME = "TeamPlatform"
_TEAM_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$")


def _strings(setting: str, raw: object, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not all(isinstance(x, str) for x in raw):
        problems.append(f"{setting} must be a list of strings, got {raw!r}")
        return ()
    return tuple(raw)


@dataclass(frozen=True, kw_only=True, slots=True)
class TeamSettings:
    """What differs between teams, read from the ``team`` object of ``cdk.json`` context.

    Attributes:
        name: the team, a DNS label: the Kubernetes namespace of its workloads and the cluster name prefix.
            Changing it replaces the cluster.
        admin_principal_arns: IAM roles given cluster admin.
    """

    name: str
    admin_principal_arns: tuple[str, ...]

    def __post_init__(self) -> None:
        problems = []
        if not _TEAM_NAME.match(self.name):
            problems.append(f"team.name {self.name!r} must be a DNS label of 1-32 lowercase letters, digits and '-'")
        if problems:
            raise ConfigError("InvalidTeamSettings", problems, path="team")

    @classmethod
    def from_context(cls, raw: Any) -> TeamSettings:
        """Parse the ``team`` context object (one ``ConfigError`` listing every problem)."""
        if not isinstance(raw, Mapping):
            raise ConfigError("InvalidTeamSettings", f"context 'team' must be an object, got {raw!r}", path="team")
        problems: list[str] = []
        unknown = sorted(set(raw) - {"name", "adminPrincipalArns"})
        problems += [f"team has an unknown key {key!r}" for key in unknown]
        name = raw.get("name")
        if not isinstance(name, str):
            problems.append(f"team.name must be a string, got {name!r}")
        admins = _strings("team.adminPrincipalArns", raw.get("adminPrincipalArns", []), problems)
        if problems:
            raise ConfigError("InvalidTeamSettings", problems, path="team")
        return cls(name=str(name), admin_principal_arns=admins)


class TeamPlatformStack(HermeticStack):
    """The team's cluster and what its workloads need.

    Attributes:
        cluster: the ``AutoModeCluster`` (kubectl provider on, to apply the storage manifests).
        reports_bucket / orders_queue: the workloads' AWS resources.
        report_writer / orders_api: the Pod Identity bindings of the two workloads.
        metrics_server / kube_state_metrics: the community add-ons.
        storage: the gp3 StorageClass with one VolumeAttributesClass tier (``fast``).
    """

    def __init__(self, scope: Construct, construct_id: str, *, settings: TeamSettings, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.settings = settings
        cdk.Tags.of(self).add("team", settings.name)

        self.cluster = AutoModeCluster(
            self,
            "Cluster",
            cluster_name=f"{settings.name}-platform",
            admin_principal_arns=settings.admin_principal_arns,
            kubectl=True,
        )

        # The workloads' data, and the two Pod Identity bindings that let exactly their service accounts reach it.
        self.reports_bucket = s3.Bucket(
            self,
            "Reports",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.orders_queue = sqs.Queue(
            self, "Orders", encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
            retention_period=cdk.Duration.days(4),
        )
        self.report_writer = self.cluster.add_pod_identity(settings.name, "report-writer")
        self.reports_bucket.grant_put(self.report_writer.role)
        self.orders_api = self.cluster.add_pod_identity(settings.name, "orders-api")
        self.orders_queue.grant_send_messages(self.orders_api.role)

        # Two EKS community add-ons at the versions pinned for the cluster's Kubernetes minor.
        self.metrics_server = self.cluster.add_addon(AddonName.METRICS_SERVER)
        self.kube_state_metrics = self.cluster.add_addon(AddonName.KUBE_STATE_METRICS)

        # One storage tier: the default gp3 StorageClass and a "fast" VolumeAttributesClass to move volumes to.
        self.storage = EbsStorage(
            self,
            "Storage",
            delivery=self.cluster.add_manifest_delivery(),
            default_class=True,
            tiers=[VolumeTier.fast()],
        )
