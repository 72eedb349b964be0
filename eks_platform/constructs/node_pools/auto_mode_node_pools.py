"""Custom EKS Auto Mode capacity for one cluster: the node role, its access entry, and a chart of classes and pools.

:class:`AutoModeNodePools` owns the node IAM role (with the ``EC2`` access entry and ``AmazonEKSAutoNodePolicy``),
builds one chart with the NodeClasses and NodePools, and delivers it so that CloudFormation deletes the NodeClasses
*before* the role: deleting a NodeClass makes Auto Mode drain its nodes and delete the instance profile it created for
the role, and only then can IAM delete the role. Without that order, ``cdk destroy`` fails with "Cannot delete entity,
must remove roles from instance profile first" (aws/aws-cdk#37189).

See: https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html
See: https://docs.aws.amazon.com/eks/latest/userguide/auto-create-node-role.html
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from eks_platform._internal import validation as v
from eks_platform._internal import values
from eks_platform._internal.node_pools import role_name_problems
from eks_platform._internal.tree import created, path_of, region_of, tags_of
from eks_platform.checks.acknowledgments import acknowledge_aws_managed_policies
from eks_platform.constructs.keywords import checked_keywords
from eks_platform.constructs.manifests import DeliveryMode, ManifestDelivery, PlatformChart
from eks_platform.constructs.node_pools.node_class import NodeClass, NodeClassSpec, SelectorTerm
from eks_platform.constructs.node_pools.node_pool import NodePool, NodePoolSpec
from eks_platform.constructs.types import private_subnets_of
from eks_platform.errors import ConfigError, raise_if_problems

__all__ = ["CLUSTER_SECURITY_GROUP_TAG", "SUBNET_DISCOVERY_TAG", "AutoModeNodePools"]

#: Tag this library puts on subnets it selects for node classes that name none.
SUBNET_DISCOVERY_TAG = "eks-platform.io/auto-mode-nodes"
#: Tag EKS puts on the cluster security group it creates (the built-in NodeClass uses that group).
CLUSTER_SECURITY_GROUP_TAG = "aws:eks:cluster-name"


class AutoModeNodePools(Construct):
    """Custom Auto Mode capacity for one cluster: the node role, its access entry, and one chart of classes and pools.

    Example::

        AutoModeNodePools(stack, "NodePools", delivery=cluster.manifests,
            node_classes=[NodeClassSpec(name="batch")],
            node_pools=[NodePoolSpec(name="batch", node_class="batch", architectures=[Architecture.ARM64],
                                     capacity_types=[CapacityType.SPOT],
                                     taints=[Taint(key="workload", value="batch")])])

    What you get:

    - an IAM role for the nodes (trusted by ``ec2.amazonaws.com``; ``AmazonEKSWorkerNodeMinimalPolicy`` and
      ``AmazonEC2ContainerRegistryPullOnly``) with an ``EC2`` access entry carrying ``AmazonEKSAutoNodePolicy``;
    - one chart (``NodePools``) with the NodeClasses (each naming that role) and NodePools;
    - deletion order: the chart's custom resource depends on the role and the access entry, so CloudFormation
      deletes the NodeClasses first (kubectl waits for Auto Mode to drain the nodes and remove the instance
      profile), then the access entry, then the role. In render-only mode nothing can order this: delete the
      NodeClasses with your GitOps tool before ``cdk destroy`` (a warning says so).

    The role gets a fixed physical name (``node_role_name`` or one derived from the construct path and region),
    because NodeClasses name their role and the rendered YAML must hold a literal. Changing it replaces the role.

    Args:
        scope: parent construct.
        construct_id: construct id.
        delivery: the cluster's manifest delivery.
        node_classes: custom NodeClasses (names unique). Default: - none.
        node_pools: NodePools (names unique; each names a class above or ``default``). Default: - none.
        node_role: use this role instead of creating one. Default: - a new role owned by this construct.
        node_role_name: physical name of the new role. Default: - derived from the construct path and region.
        create_access_entry: create the ``EC2`` access entry for the role. Default: - true (set false for a role
            that already has one, such as the cluster's built-in node role).
        subnets: subnets for node classes without ``subnets``; they get the ``eks-platform.io/auto-mode-nodes``
            tag. Default: - the cluster VPC's private subnets.
        chart_id: Default: - ``NodePools``.

    Attributes:
        node_role: the role the NodeClasses name.
        access_entry: its access entry (None when not created).
        chart: the chart with the classes and pools.
        manifest: the chart's custom resource (None in render-only mode).
    """

    @checked_keywords("InvalidNodePools")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        delivery: ManifestDelivery,
        node_classes: Sequence[NodeClassSpec] = (),
        node_pools: Sequence[NodePoolSpec] = (),
        node_role: iam.IRole | None = None,
        node_role_name: str | None = None,
        create_access_entry: bool = True,
        subnets: Sequence[ec2.ISubnet] | None = None,
        chart_id: str = "NodePools",
    ) -> None:
        super().__init__(scope, construct_id)
        created(self, scope, construct_id)
        problems = []
        for kind, items, spec_cls in (
            ("node class", node_classes, NodeClassSpec),
            ("node pool", node_pools, NodePoolSpec),
        ):
            if (
                isinstance(items, str)
                or not isinstance(items, Sequence)
                or not all(isinstance(i, spec_cls) for i in items)
            ):
                raise ConfigError(
                    "InvalidNodePools", f"{kind}s must be a list of {spec_cls.__name__} values", path=self.node.path
                )
            names = [str(getattr(i, "name", "")) for i in items]
            for name in sorted({n for n in names if names.count(n) > 1}):
                problems.append(f"{kind} {name!r} is defined twice; each {kind} needs a unique name")
        if node_role is not None and node_role_name is not None:
            problems.append("node_role and node_role_name were both given; pass an existing role or a name, not both")
        if node_role_name is not None:
            problems += role_name_problems("node_role_name", node_role_name)
        raise_if_problems("InvalidNodePools", problems, path=lambda: path_of(self))

        cluster = delivery.cluster
        # NodeClasses name their role; keep the literal name (role.role_name is a Ref token even with a fixed name).
        role_name: str
        if node_role is None:
            role_name = node_role_name or self._default_role_name()
            node_role = iam.Role(
                self,
                "NodeRole",
                role_name=role_name,
                assumed_by=values.service_principal("ec2.amazonaws.com"),
                description="EKS Auto Mode node role for custom NodeClasses",
                managed_policies=[
                    values.aws_managed_policy("AmazonEKSWorkerNodeMinimalPolicy"),
                    values.aws_managed_policy("AmazonEC2ContainerRegistryPullOnly"),
                ],
            )
            created(node_role, self, "NodeRole")
            acknowledge_aws_managed_policies(
                node_role,
                ("AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"),
                "an EKS Auto Mode node role needs exactly these AWS managed policies, as the cluster's own node role "
                "(https://docs.aws.amazon.com/eks/latest/userguide/auto-create-node-role.html)",
            )
        else:
            role_name = node_role.role_name
        self.node_role: iam.IRole = node_role
        self.node_role_name: str = role_name
        """The role's name as the NodeClasses carry it (a literal for the role this construct creates)."""
        self.access_entry: eks.AccessEntry | None = None
        if create_access_entry:
            self.access_entry = eks.AccessEntry(
                self,
                "NodeAccessEntry",
                cluster=cluster,
                principal=node_role.role_arn,
                access_entry_type=eks.AccessEntryType.EC2,
                access_policies=[
                    values.access_policy("AmazonEKSAutoNodePolicy", eks.AccessScopeType.CLUSTER)
                ],
            )

        default_subnets: list[SelectorTerm] | None = None
        if any(spec.subnets is None for spec in node_classes):
            default_subnets = [SelectorTerm.by_tags({SUBNET_DISCOVERY_TAG: delivery.output_name})]
            self._tag_subnets(list(subnets) if subnets is not None else private_subnets_of(cluster), delivery)
        default_groups = [SelectorTerm.by_tags({CLUSTER_SECURITY_GROUP_TAG: delivery.cluster_name})]

        self.chart: PlatformChart = delivery.new_chart(chart_id)
        self.node_classes: dict[str, NodeClass] = {}
        for spec in node_classes:
            filled = NodeClassSpec(
                name=spec.name,
                subnets=spec.subnets if spec.subnets is not None else default_subnets,
                security_groups=spec.security_groups if spec.security_groups is not None else default_groups,
                snat_policy=spec.snat_policy,
                network_policy=spec.network_policy,
                network_policy_event_logs=spec.network_policy_event_logs,
                ephemeral_storage=spec.ephemeral_storage,
                tags=spec.tags,
            )
            self.node_classes[spec.name] = NodeClass(
                self.chart, f"NodeClass-{spec.name}", spec=filled, role_name=role_name
            )
        self.node_pools: dict[str, NodePool] = {}
        for pool in node_pools:
            self.node_pools[pool.name] = NodePool(self.chart, f"NodePool-{pool.name}", spec=pool)

        depends_on: list[Any] = [node_role] + ([self.access_entry] if self.access_entry is not None else [])
        self.manifest = delivery.add_chart(self.chart, depends_on=depends_on)
        if delivery.mode is DeliveryMode.RENDER_ONLY and node_classes:
            cdk.Annotations.of(self).add_warning_v2(
                "eks-platform:node-class-deletion-order",
                "Render-only mode: CloudFormation cannot delete the NodeClasses before their node role. Delete the "
                f"NodeClasses {sorted(self.node_classes)} with your GitOps tool (and wait for their nodes to go) "
                "before `cdk destroy`, or the role's deletion fails with 'Cannot delete entity, must remove roles "
                "from instance profile first': https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html",
            )

    def _default_role_name(self) -> str:
        base = cdk.Names.unique_resource_name(self, max_length=48, separator="-")
        region = region_of(self)
        suffix = "" if v.is_unresolved(region) else f"-{region}"
        return f"{base}{suffix}"[:64]

    def _tag_subnets(self, subnets: list[ec2.ISubnet], delivery: ManifestDelivery) -> None:
        untaggable = [s.node.path for s in subnets if not isinstance(s, ec2.Subnet)]
        if untaggable or not subnets:
            raise ConfigError(
                "InvalidNodePools",
                "node classes without subnets select the subnets this construct tags, but "
                + (
                    f"these subnets are imported and cannot be tagged: {untaggable}"
                    if untaggable
                    else "no subnets were found"
                )
                + "; give NodeClassSpec.subnets explicitly, e.g. [SelectorTerm.by_id('subnet-...')]",
                path=self.node.path,
            )
        for subnet in subnets:
            tags_of(subnet).add(
                SUBNET_DISCOVERY_TAG, delivery.output_name, include_resource_types=["AWS::EC2::Subnet"]
            )

