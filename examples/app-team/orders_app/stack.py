"""The orders team's stack: its namespace and access on the platform cluster, two Pod Identity bindings and the EFS
CSI driver add-on, all against a reference to a cluster another app owns (its contract file, no lookup)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from eks_platform import ConfigError, HermeticStack, PlatformClusterReference, Team, TeamLimitRange

STACK_NAME = "OrdersTeam"
_KEYS = ("clusterContract", "developers", "readers")
#: The EFS CSI driver build the team runs (`aws eks describe-addon-versions --addon-name aws-efs-csi-driver
#: --kubernetes-version 1.33`); the catalog has no pin for it, so the version is explicit.
EFS_CSI_VERSION = "v2.1.4-eksbuild.1"


def _arns(setting: str, raw: object, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not all(isinstance(x, str) for x in raw):
        problems.append(f"{setting} must be a list of IAM role ARNs, got {raw!r}")
        return ()
    return tuple(raw)


@dataclass(frozen=True, kw_only=True, slots=True)
class OrdersSettings:
    """What the team configures, read from the ``orders`` object of ``cdk.json`` context.

    Attributes:
        cluster_contract: the platform's cluster contract file (committed next to cdk.json).
        developers: IAM roles that may change the team's namespace (``AmazonEKSEditPolicy``).
        readers: IAM roles that may read it (``AmazonEKSViewPolicy``).
    """

    cluster_contract: Path
    developers: tuple[str, ...]
    readers: tuple[str, ...]

    @classmethod
    def from_context(cls, raw: Any, *, base: Path) -> OrdersSettings:
        """Parse the ``orders`` context object (one ``ConfigError`` listing every problem)."""
        if not isinstance(raw, Mapping):
            raise ConfigError(
                "InvalidOrdersSettings", f"context 'orders' must be an object, got {raw!r}", path="orders"
            )
        problems = [f"orders has an unknown key {key!r}" for key in sorted(set(raw) - set(_KEYS))]
        contract = raw.get("clusterContract")
        if not isinstance(contract, str):
            problems.append(f"orders.clusterContract must be the contract file's path, got {contract!r}")
        developers = _arns("orders.developers", raw.get("developers", []), problems)
        readers = _arns("orders.readers", raw.get("readers", []), problems)
        if problems:
            raise ConfigError("InvalidOrdersSettings", problems, path="orders")
        return cls(cluster_contract=base / str(contract), developers=developers, readers=readers)


class OrdersStack(HermeticStack):
    """The team's part of the shared cluster.

    Attributes:
        platform: the reference to the platform team's cluster (from its contract file).
        team: the ``orders`` namespace, its namespace-scoped access entries, quota and limits.
        queue: the workloads' queue.
        api / worker: the Pod Identity bindings of the two workloads.
        efs: the EFS CSI driver add-on with its Pod Identity role.
    """

    def __init__(self, scope: Construct, construct_id: str, *, settings: OrdersSettings, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        cdk.Tags.of(self).add("team", "orders")
        self.platform = PlatformClusterReference.from_contract_file(self, "Platform", settings.cluster_contract)

        self.team = Team(
            self,
            "Orders",
            cluster=self.platform,
            name="orders",
            editors=settings.developers,
            viewers=settings.readers,
            resource_quota={"requests.cpu": "16", "limits.memory": "64Gi", "pods": "150"},
            limit_range=TeamLimitRange(default={"cpu": "500m", "memory": "512Mi"}, default_request={"cpu": "100m"}),
        )

        self.queue = sqs.Queue(
            self, "Queue", encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
            retention_period=cdk.Duration.days(4),
        )
        self.api = self.team.add_pod_identity("orders-api")
        self.queue.grant_send_messages(self.api.role)
        self.worker = self.team.add_pod_identity("orders-worker")
        self.queue.grant_consume_messages(self.worker.role)

        # One add-on the platform does not install: EFS for the workers' shared files.
        self.efs = self.platform.add_addon("aws-efs-csi-driver", version=EFS_CSI_VERSION)
