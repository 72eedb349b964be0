"""``AutoModeCluster``: an EKS Auto Mode cluster with the defaults a careful platform team would pick."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct, IDependable

from eks_platform._internal import arguments as args
from eks_platform._internal import cluster as rules
from eks_platform._internal import pod_identity as pi
from eks_platform._internal import validation as v
from eks_platform._internal import zones as az
from eks_platform._internal.kubectl_layers import kubectl_layer
from eks_platform._internal.node_pools import BUILT_IN_NODE_POOLS, built_in_node_pool_problems
from eks_platform._internal.tags import aws_tag_problems
from eks_platform._internal.versions import SupportDecision, SupportType, decide_support
from eks_platform.checks.acknowledgments import acknowledge, acknowledge_aws_managed_policies
from eks_platform.checks.cdk_internals import acknowledge_cdk_internal
from eks_platform.constructs.addons import AddonName, AddonPodIdentity, ManagedAddon, ResolveConflicts, addons_scope
from eks_platform.constructs.hybrid.networks import HybridNetworks
from eks_platform.constructs.manifests import DeliveryMode, ManifestDelivery
from eks_platform.constructs.pod_identity import PodIdentity, SharedPodIdentityRole
from eks_platform.constructs.types import vpc_cidrs_for_checks
from eks_platform.context import synth_date
from eks_platform.errors import ConfigError

#: The construct id of the cluster's ``ManifestDelivery`` (see ``AutoModeCluster.add_manifest_delivery``).
MANIFESTS_ID = "Manifests"

ALL_LOG_TYPES: tuple[eks.ClusterLoggingTypes, ...] = (
    eks.ClusterLoggingTypes.API,
    eks.ClusterLoggingTypes.AUDIT,
    eks.ClusterLoggingTypes.AUTHENTICATOR,
    eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
    eks.ClusterLoggingTypes.SCHEDULER,
)


class BuiltInNodePool(str, Enum):
    """EKS Auto Mode's built-in node pools.

    See: https://docs.aws.amazon.com/eks/latest/userguide/set-builtin-node-pools.html
    """

    SYSTEM = "system"
    GENERAL_PURPOSE = "general-purpose"


class EndpointAccess(str, Enum):
    """Who can reach the Kubernetes API endpoint."""

    PRIVATE = "private"
    """Only from inside the VPC (and networks routed to it)."""
    PUBLIC_AND_PRIVATE = "public-and-private"
    """Public endpoint restricted to the given CIDRs; nodes and the VPC use the private endpoint."""
    PUBLIC = "public"
    """Public endpoint only, restricted to the given CIDRs (hybrid nodes that reach EKS over the internet)."""


def _kubernetes_version(value: eks.KubernetesVersion | str) -> tuple[eks.KubernetesVersion, str]:
    if isinstance(value, eks.KubernetesVersion):
        return value, value.version
    return eks.KubernetesVersion.of(value), value


def _endpoint_access_argument(value: object) -> tuple[EndpointAccess | None, list[str]]:
    """``endpoint_access``: an :class:`EndpointAccess`, its string value, or the same-named ``eks.EndpointAccess``."""
    if value is None:
        return None, []
    aliases = (
        (eks.EndpointAccess.PRIVATE, EndpointAccess.PRIVATE),
        (eks.EndpointAccess.PUBLIC, EndpointAccess.PUBLIC),
        (eks.EndpointAccess.PUBLIC_AND_PRIVATE, EndpointAccess.PUBLIC_AND_PRIVATE),
    )
    member, problems = args.enum_argument("endpoint_access", value, EndpointAccess, aliases=aliases)
    if problems and isinstance(value, eks.EndpointAccess):
        problems = [
            "endpoint_access is an eks.EndpointAccess restricted with only_from(); pass the mode "
            "(EndpointAccess.PUBLIC_AND_PRIVATE or EndpointAccess.PUBLIC) and the CIDRs as endpoint_public_cidrs"
        ]
    return member, problems


def _admin_id(arn: str) -> str:
    """A stable, readable construct ID for an admin principal, keyed by its ARN (never by list position)."""
    name = arn.rsplit("/", 1)[-1]
    readable = re.sub(r"[^A-Za-z0-9]", "", name)[:48] or "Principal"
    digest = hashlib.sha256(arn.encode()).hexdigest()[:8]
    return f"ClusterAdmin{readable}{digest}"


class AutoModeCluster(Construct):
    """An Amazon EKS cluster with Auto Mode, private endpoint, encrypted secrets and a cost-aware upgrade policy.

    Wraps ``aws_cdk.aws_eks_v2.Cluster`` under the inner id ``"Default"``, so the logical IDs equal those of a plain
    ``eks.Cluster`` with this construct's id and an existing cluster can be adopted without replacement.

    Example::

        cluster = AutoModeCluster(stack, "Cluster", admin_principal_arns=["arn:aws:iam::111111111111:role/Admin"])

    Args:
        scope: parent construct.
        construct_id: construct id. Changing it replaces the cluster.
        cluster_name: EKS cluster name (1-100 characters, ``^[0-9A-Za-z][A-Za-z0-9_-]*$``). Changing this replaces
            the cluster. Default: - a name generated by CloudFormation.
        version: Kubernetes version. Default: - 1.32 (in extended support since 2026-03-23; see the cost warning).
        built_in_node_pools: Auto Mode built-in node pools to enable, a subset of ``system`` and
            ``general-purpose``. Default: - both. An empty list disables them (bring your own NodePools).
        secrets_key: KMS key for envelope encryption of Kubernetes secrets. Changing this replaces the cluster.
            Default: - a new key with rotation on, retained when the stack is deleted, whose key policy lets only
            ``secrets_key_admin_arns`` (and the CloudFormation execution role of the CDK bootstrap, so a failed first
            create can clean up) disable it or schedule its deletion.
        secrets_key_admin_arns: IAM role or user ARNs that administer the new secrets key: the only principals
            allowed ``kms:DisableKey`` and ``kms:ScheduleKeyDeletion`` (both make every secret of the cluster
            unrecoverable). Only with a new key. Default: - nobody but the CDK bootstrap's CloudFormation execution
            role; IAM policies of the account still grant the key's use (EKS encrypts through the cluster role).
        endpoint_access: endpoint mode. Default: - ``PRIVATE`` when no public CIDRs are given, otherwise
            ``PUBLIC_AND_PRIVATE``.
        endpoint_public_cidrs: IPv4 CIDRs allowed to reach the public endpoint. Default: - none (private endpoint).
        allow_public_endpoint_from_anywhere: the explicit opt-in required for ``0.0.0.0/0`` in
            ``endpoint_public_cidrs``; it also raises a warning. Default: - false.
        admin_principal_arns: IAM role or user ARNs granted ``AmazonEKSClusterAdminPolicy`` through access entries.
            Default: - nobody (the cluster creator gets no implicit admin).
        vpc: an existing VPC. Default: - a new VPC with 3 AZs, public and private subnets, NAT gateways and subnets
            tagged for load balancers.
        vpc_cidr: CIDR of the new VPC (only without ``vpc``). Default: - 10.0.0.0/16.
        availability_zones: AZs of the new VPC (only without ``vpc``): AZ names (``us-east-1a``) or AZ IDs
            (``use1-az1``, the same in every account; the subnets then set ``AvailabilityZoneId``). In us-east-1,
            us-west-1 and ca-central-1 set them: EKS refuses cluster subnets in ``use1-az3``, ``usw1-az2`` and
            ``cac1-az3`` (refused here), and the region's first AZ names can map to those in your account (a
            warning says so when they are not set). Changing them replaces the subnets. Default: - the first three
            of the stack's AZs (an environment-specific stack looks them up once and caches them in
            ``cdk.context.json``, unless it overrides ``Stack.availability_zones`` as ``EksReferenceStack`` does).
            See: https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html
        nat_gateways: NAT gateways of the new VPC (only without ``vpc``). Default: - one per AZ.
        service_ipv4_cidr: Kubernetes service CIDR. Changing this replaces the cluster. Default: - chosen by EKS.
        upgrade_support_type: ``UpgradePolicy.SupportType``. Default: - STANDARD while the version is in standard
            support, EXTENDED (with a cost warning) once it is in extended support.
        deletion_protection: EKS deletion protection. Default: - true.
        zonal_shift: enable ARC zonal shift for the cluster. Default: - false.
        logging_types: control-plane log types. Default: - all five (api, audit, authenticator,
            controllerManager, scheduler).
        kubectl: create the kubectl provider (a Lambda function) to apply Kubernetes manifests. With a public-only
            endpoint the provider runs in the VPC's private subnets, so it reaches the API through the NAT gateways
            the endpoint allow-lists. Default: - false; no Lambda at all. Features that need it say so.
        removal_policy: what happens, when the stack is deleted or they leave it, to what holds data and what it
            stands on: the cluster, the secrets key, the cluster and node roles, the control-plane security group
            and the new VPC's network. Identity (access entries, the kubectl provider's Lambdas, roles, layers and
            its cluster-admin entry) is always deleted when it leaves. Default: -
            ``RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE``: retained, except when the first create fails (so a retry
            is not blocked by a leftover cluster of the same name).
        tags: tags for the cluster. Default: - none.
        hybrid_networks: remote node and pod CIDRs for EKS Hybrid Nodes (``RemoteNetworkConfig``), checked against
            the VPC CIDR, the service CIDR and the endpoint (public or private, not both). Changing them updates the
            cluster in place. Default: - no hybrid nodes. Add ``HybridNodes`` for the node side.

    See: https://docs.aws.amazon.com/eks/latest/userguide/automode.html
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster_name: str | None = None,
        version: eks.KubernetesVersion | str | None = None,
        built_in_node_pools: Sequence[BuiltInNodePool | str] | None = None,
        secrets_key: kms.IKey | None = None,
        secrets_key_admin_arns: Sequence[str] | None = None,
        endpoint_access: EndpointAccess | str | eks.EndpointAccess | None = None,
        endpoint_public_cidrs: Sequence[str] | None = None,
        allow_public_endpoint_from_anywhere: bool = False,
        admin_principal_arns: Sequence[str] | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_cidr: str | None = None,
        availability_zones: Sequence[str] | None = None,
        nat_gateways: int | None = None,
        service_ipv4_cidr: str | None = None,
        upgrade_support_type: SupportType | str | None = None,
        deletion_protection: bool = True,
        zonal_shift: bool = False,
        logging_types: Sequence[eks.ClusterLoggingTypes] | None = None,
        kubectl: bool = False,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        tags: Mapping[str, str] | None = None,
        hybrid_networks: HybridNetworks | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        # Types first: a wrong type never reaches aws-cdk-lib (a jsii error) or a truthiness test ("false").
        endpoint_access, problems = _endpoint_access_argument(endpoint_access)
        upgrade_support_type, found = (
            args.enum_argument("upgrade_support_type", upgrade_support_type, SupportType)
            if upgrade_support_type is not None
            else (None, [])
        )
        problems += found
        for setting, flag in (
            ("allow_public_endpoint_from_anywhere", allow_public_endpoint_from_anywhere),
            ("deletion_protection", deletion_protection),
            ("zonal_shift", zonal_shift),
            ("kubectl", kubectl),
        ):
            problems += args.bool_problems(setting, flag)
        for setting, items in (
            ("built_in_node_pools", built_in_node_pools),
            ("endpoint_public_cidrs", endpoint_public_cidrs),
            ("admin_principal_arns", admin_principal_arns),
            ("availability_zones", availability_zones),
        ):
            problems += args.string_sequence_problems(setting, items)
        problems += args.instance_problems(
            "version", version, (eks.KubernetesVersion, str), "an eks.KubernetesVersion or a string such as '1.32'"
        )
        problems += args.instance_problems("removal_policy", removal_policy, cdk.RemovalPolicy, "a cdk.RemovalPolicy")
        problems += args.instance_sequence_problems(
            "logging_types", logging_types, eks.ClusterLoggingTypes, "eks.ClusterLoggingTypes members"
        )
        problems += aws_tag_problems("tags", tags)
        if problems:
            raise ConfigError("InvalidClusterSettings", problems, path=self.node.path)

        k8s_version, version_string = _kubernetes_version(eks.KubernetesVersion.V1_32 if version is None else version)
        pools = list(BuiltInNodePool) if built_in_node_pools is None else list(built_in_node_pools)
        public_cidrs = tuple(endpoint_public_cidrs or ())
        admins = tuple(admin_principal_arns or ())
        if cluster_name is not None:
            problems += v.eks_cluster_name("cluster_name", cluster_name)
        given_pools = [pool.value if isinstance(pool, BuiltInNodePool) else pool for pool in pools]
        problems += built_in_node_pool_problems("built_in_node_pools", given_pools)
        pool_names: list[str] = list(dict.fromkeys(n for n in given_pools if n in BUILT_IN_NODE_POOLS))
        for cidr in public_cidrs:
            problems += v.ipv4_cidr("endpoint_public_cidrs", cidr)
        problems += rules.public_anywhere_problems(
            "endpoint_public_cidrs",
            public_cidrs,
            allowed=allow_public_endpoint_from_anywhere,
            opt_in="allow_public_endpoint_from_anywhere=True",
        )
        mode = endpoint_access or (EndpointAccess.PUBLIC_AND_PRIVATE if public_cidrs else EndpointAccess.PRIVATE)
        if mode is EndpointAccess.PRIVATE and public_cidrs:
            problems.append(
                f"endpoint_public_cidrs {list(public_cidrs)} given with endpoint_access PRIVATE; remove the CIDRs or "
                "choose PUBLIC_AND_PRIVATE"
            )
        if mode is not EndpointAccess.PRIVATE and not public_cidrs:
            problems.append(
                f"endpoint_access {mode.name} needs an explicit endpoint_public_cidrs list (nobody gets in by "
                "default); give your networks' CIDRs"
            )
        region = cdk.Stack.of(self).region
        for arn in admins:
            problems += v.iam_principal_arn("admin_principal_arns", arn)
            problems += v.arn_partition_problems("admin_principal_arns", arn, region)
        if len(set(admins)) != len(admins):
            problems.append("admin_principal_arns lists the same principal twice; list each once")
        if vpc is not None and (vpc_cidr or availability_zones or nat_gateways is not None):
            problems.append(
                "vpc was given together with vpc_cidr/availability_zones/nat_gateways; these only shape a new VPC. "
                "Pass either an existing vpc or the settings for a new one"
            )
        if vpc_cidr is not None:
            problems += v.ipv4_cidr("vpc_cidr", vpc_cidr)
        if vpc is None:  # the new VPC: its zones, and room for the subnets carved in them
            problems += rules.availability_zone_problems("availability_zones", availability_zones, region)
            zone_count = len(set(availability_zones)) if availability_zones else rules.DEFAULT_ZONE_COUNT
            problems += rules.vpc_size_problems("vpc_cidr", vpc_cidr or "10.0.0.0/16", zone_count)
        key_admins = tuple(secrets_key_admin_arns or ())
        for arn in key_admins:
            problems += v.iam_principal_arn("secrets_key_admin_arns", arn)
        if key_admins and secrets_key is not None:
            problems.append(
                "secrets_key_admin_arns was given with an existing secrets_key; administer that key in its own key "
                "policy, or drop secrets_key to get a new key with these administrators"
            )
        if vpc is None and availability_zones is not None:
            problems += az.zone_problems("availability_zones", region, list(availability_zones))
        zone_warning = az.zone_problems("availability_zones", region, None) if vpc is None and (
            availability_zones is None
        ) else []
        if service_ipv4_cidr is not None:
            problems += v.ipv4_cidr("service_ipv4_cidr", service_ipv4_cidr)
            problems += rules.service_cidr_problems(
                "service_ipv4_cidr", service_ipv4_cidr, vpc_cidrs=vpc_cidrs_for_checks(self, vpc, vpc_cidr)
            )
        if nat_gateways is not None:
            problems += rules.nat_gateway_problems("nat_gateways", nat_gateways)
        decision: SupportDecision | None = None
        if not v.is_unresolved(version_string):
            decision, version_problems = decide_support(
                version_string, today=synth_date(self), requested=upgrade_support_type
            )
            problems += version_problems
        # Hybrid nodes: remote networks against the VPC, the service CIDR and the endpoint.
        hybrid_vpc_cidrs = vpc_cidrs_for_checks(self, vpc, vpc_cidr)
        if hybrid_networks is not None and not isinstance(hybrid_networks, HybridNetworks):
            problems.append(f"hybrid_networks must be a HybridNetworks, got {type(hybrid_networks).__name__}")
        elif hybrid_networks is not None:
            problems += hybrid_networks.cluster_problems(
                vpc_cidrs=hybrid_vpc_cidrs,
                service_ipv4_cidr=service_ipv4_cidr,
                endpoint_public_access=mode is not EndpointAccess.PRIVATE,
                endpoint_private_access=mode is not EndpointAccess.PUBLIC,
                authentication_mode="API",
                ip_family="ipv4",
            )
        if problems:
            raise ConfigError("InvalidClusterSettings", problems, path=self.node.path)

        self.version = k8s_version
        self.version_string = version_string
        self.kubectl_enabled = kubectl
        self.hybrid_networks = hybrid_networks
        self.auto_mode = True
        self.endpoint_access = mode
        self.support = decision

        # Owned under fixed IDs: their logical IDs are pinned by a contract test.
        self.vpc: ec2.IVpc = vpc or self._new_vpc(vpc_cidr, availability_zones, nat_gateways)
        self.secrets_key: kms.IKey = secrets_key or self._new_secrets_key(key_admins, removal_policy)
        self.node_role: iam.Role = iam.Role(
            self,
            "NodeRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="EKS Auto Mode node role",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKSWorkerNodeMinimalPolicy"),
                iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEC2ContainerRegistryPullOnly"),
            ],
        )
        # A retained cluster keeps working only if its node role stays too.
        self.node_role.apply_removal_policy(removal_policy)

        kubectl_options = None
        if kubectl:
            # aws_eks_v2 puts the provider in the VPC only when the endpoint has private access. A public-only
            # endpoint allow-lists the NAT gateways' addresses, so the provider must egress through them too.
            kubectl_options = eks.KubectlProviderOptions(
                kubectl_layer=self._kubectl_layer(version_string),
                private_subnets=self.vpc.private_subnets if mode is EndpointAccess.PUBLIC else None,
            )

        self.cluster = eks.Cluster(
            self,
            "Default",
            version=k8s_version,
            cluster_name=cluster_name,
            vpc=self.vpc,
            vpc_subnets=[ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)],
            default_capacity_type=eks.DefaultCapacityType.AUTOMODE,
            compute=eks.ComputeConfig(node_pools=pool_names, node_role=self.node_role),
            bootstrap_cluster_creator_admin_permissions=False,
            bootstrap_self_managed_addons=False,
            secrets_encryption_key=self.secrets_key,
            cluster_logging=list(logging_types) if logging_types is not None else list(ALL_LOG_TYPES),
            endpoint_access=self._endpoint(mode, public_cidrs),
            service_ipv4_cidr=service_ipv4_cidr,
            kubectl_provider_options=kubectl_options,
            remote_node_networks=hybrid_networks.remote_node_networks if hybrid_networks else None,
            remote_pod_networks=hybrid_networks.remote_pod_networks if hybrid_networks else None,
            tags=dict(tags) if tags else None,
        )
        cfn = self.cluster.node.default_child
        assert isinstance(cfn, eks.CfnCluster)
        self.cfn_cluster: eks.CfnCluster = cfn
        # What holds data and what it stands on follow removal_policy; nothing else under the cluster does (the
        # L2's removal_policy would retain every access entry and the kubectl provider with its cluster-admin).
        cfn.apply_removal_policy(removal_policy)
        self.cluster.role.apply_removal_policy(removal_policy)
        control_plane_sg = self.cluster.node.try_find_child("ControlPlaneSecurityGroup")
        if isinstance(control_plane_sg, ec2.SecurityGroup):
            control_plane_sg.apply_removal_policy(removal_policy)
        if vpc is None:
            for child in self.vpc.node.find_all():
                if isinstance(child, cdk.CfnResource):
                    child.apply_removal_policy(removal_policy)
        # Settings aws_eks_v2's L2 does not expose; what the construct insists on comes last.
        cfn.deletion_protection = deletion_protection
        if zonal_shift:
            cfn.zonal_shift_config = eks.CfnCluster.ZonalShiftConfigProperty(enabled=True)
        if decision is not None:
            cfn.upgrade_policy = eks.CfnCluster.UpgradePolicyProperty(support_type=decision.support_type.value)
            if decision.warning:
                cdk.Annotations.of(self).add_warning_v2("eks-platform:extended-support", decision.warning)
        # Auto Mode requires access entries: pin API mode rather than rely on the L2's default.
        cfn.access_config = eks.CfnCluster.AccessConfigProperty(
            authentication_mode="API", bootstrap_cluster_creator_admin_permissions=False
        )
        hybrid_warning = hybrid_networks.service_cidr_warning(
            vpc_cidrs=hybrid_vpc_cidrs, service_ipv4_cidr=service_ipv4_cidr
        ) if hybrid_networks else None
        if hybrid_warning:
            cdk.Annotations.of(self).add_warning_v2("eks-platform:hybrid-service-cidr", hybrid_warning)
        for warning in zone_warning:
            # Not an error: the template of a stack deployed without zones must not change under it (its subnets
            # would be replaced). New stacks should set AZ IDs; the reference cdk.json does.
            cdk.Annotations.of(self).add_warning_v2("eks-platform:availability-zones", warning)
        if mode is EndpointAccess.PUBLIC:
            self._restrict_public_only_endpoint(cfn, public_cidrs, owns_vpc=vpc is None)
        if "0.0.0.0/0" in public_cidrs:
            cdk.Annotations.of(self).add_warning_v2(
                "eks-platform:public-endpoint",
                "The Kubernetes API endpoint is open to 0.0.0.0/0 (allow_public_endpoint_from_anywhere=True). Anyone "
                "on the internet can reach it and try credentials; restrict endpoint_public_cidrs to your networks.",
            )

        self.admin_access_entries: dict[str, eks.AccessEntry] = {}
        for arn in admins:
            self.admin_access_entries[arn] = self.cluster.grant_cluster_admin(_admin_id(arn), arn)

        # Policy-pack acknowledgments: AWS requires these managed policies; there is nothing to fix.
        acknowledge_aws_managed_policies(
            self.cluster.role,
            ("AmazonEKSClusterPolicy", "AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy",
             "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy"),
            "EKS Auto Mode requires these AWS managed policies on the cluster role, and AWS updates them as Auto Mode "
            "gains capabilities (https://docs.aws.amazon.com/eks/latest/userguide/auto-cluster-iam-role.html)",
        )
        acknowledge_aws_managed_policies(
            self.node_role,
            ("AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"),
            "the EKS Auto Mode node role needs exactly these AWS managed policies "
            "(https://docs.aws.amazon.com/eks/latest/userguide/auto-create-node-role.html)",
        )
        if self.cluster.kubectl_provider is not None:
            acknowledge_cdk_internal(
                self.cluster.kubectl_provider,
                "created by aws_eks_v2 for its kubectl provider: aws-cdk-lib chooses the Lambda runtime, the AWS "
                "managed policies and the lambda:InvokeFunction grant on its own handler; upgrading aws-cdk-lib "
                "updates them",
            )

        self.node.default_child = self.cluster

    # -- helpers ----------------------------------------------------------------------------------------------
    def _new_secrets_key(self, admins: Sequence[str], removal_policy: cdk.RemovalPolicy) -> kms.Key:
        """A rotating key whose destruction only its administrators (and CloudFormation's rollback) can start.

        The default statement (the account root, ``kms:*``) stays: it lets IAM policies grant the key's use, which
        is how the cluster role encrypts secrets. An explicit deny in the key policy outranks any IAM allow, so
        ``kms:DisableKey`` and ``kms:ScheduleKeyDeletion`` are refused to everyone else.

        See: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
        """
        key = kms.Key(
            self,
            "SecretsKey",
            description=f"EKS secrets envelope encryption for {self.node.path}",
            enable_key_rotation=True,
            removal_policy=removal_policy,
            admins=[iam.ArnPrincipal(arn) for arn in admins] or None,
        )
        stack = cdk.Stack.of(self)
        allowed = [*admins, f"arn:{stack.partition}:iam::{stack.account}:role/cdk-*-cfn-exec-role-*"]
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OnlyKeyAdministratorsDisableOrDeleteTheSecretsKey",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["kms:DisableKey", "kms:ScheduleKeyDeletion"],
                resources=["*"],
                conditions={"ArnNotLike": {"aws:PrincipalArn": allowed}},
            )
        )
        return key

    def _new_vpc(self, cidr: str | None, zones: Sequence[str] | None, nat_gateways: int | None) -> ec2.Vpc:
        vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(cidr or "10.0.0.0/16"),
            availability_zones=list(zones) if zones is not None else None,
            max_azs=None if zones is not None else 3,
            nat_gateways=3 if nat_gateways is None else nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=20),
                ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=19),
            ],
        )
        if zones is not None and all(az.is_az_id(zone) for zone in zones):
            # Chosen by AZ ID: the same physical zones in every account (ec2.Vpc only knows names).
            for subnet in [*vpc.public_subnets, *vpc.private_subnets]:
                cfn_subnet = subnet.node.default_child
                assert isinstance(cfn_subnet, ec2.CfnSubnet)
                cfn_subnet.availability_zone_id = subnet.availability_zone
                cfn_subnet.add_property_deletion_override("AvailabilityZone")
        # Where the Auto Mode load balancer controller places load balancers.
        for subnet in vpc.public_subnets:
            cdk.Tags.of(subnet).add("kubernetes.io/role/elb", "1")
        for subnet in vpc.private_subnets:
            cdk.Tags.of(subnet).add("kubernetes.io/role/internal-elb", "1")
        # Policy-pack acknowledgment; remove it when the VPC gets flow logs (the audit then flags it stale).
        acknowledge(
            vpc,
            "AwsSolutions-VPC7",
            "AutoModeCluster does not create VPC flow logs yet (CloudWatch Logs ingestion is billed per GB); accounts "
            "with organization-wide flow logs are covered, others should call vpc.add_flow_log('FlowLog')",
        )
        return vpc

    @staticmethod
    def _endpoint(mode: EndpointAccess, cidrs: tuple[str, ...]) -> eks.EndpointAccess:
        if mode is EndpointAccess.PRIVATE:
            return eks.EndpointAccess.PRIVATE
        if mode is EndpointAccess.PUBLIC:
            # aws_eks_v2 refuses PUBLIC.only_from(): nodes in the VPC reach a public-only endpoint through NAT, so
            # the allow-list must include the NAT addresses. _restrict_public_only_endpoint sets it on the L1.
            return eks.EndpointAccess.PUBLIC
        return eks.EndpointAccess.PUBLIC_AND_PRIVATE.only_from(*cidrs)

    def _restrict_public_only_endpoint(self, cfn: eks.CfnCluster, cidrs: tuple[str, ...], *, owns_vpc: bool) -> None:
        """Public-only endpoint: the given CIDRs plus the new VPC's NAT gateway addresses (nodes egress there)."""
        allowed: list[str] = list(cidrs)
        if owns_vpc:
            for subnet in self.vpc.public_subnets:
                eip = subnet.node.try_find_child("EIP")
                if isinstance(eip, ec2.CfnEIP):
                    allowed.append(cdk.Fn.join("", [eip.attr_public_ip, "/32"]))
        else:
            cdk.Annotations.of(self).add_warning_v2(
                "eks-platform:public-only-endpoint",
                "endpoint_access PUBLIC with an existing VPC: Auto Mode nodes reach the API through the VPC's NAT "
                "gateways, so endpoint_public_cidrs must include their public IPs (/32) or nodes cannot join.",
            )
        if "0.0.0.0/0" in cidrs:
            allowed = ["0.0.0.0/0"]
        cfn.add_property_override("ResourcesVpcConfig.PublicAccessCidrs", allowed)

    def _kubectl_layer(self, version: str) -> Any:
        return kubectl_layer(self, "KubectlLayer", version)

    # -- attributes -------------------------------------------------------------------------------------------
    @property
    def cluster_name(self) -> str:
        return self.cluster.cluster_name

    @property
    def cluster_arn(self) -> str:
        return self.cluster.cluster_arn

    # -- Kubernetes objects through cdk8s (eks_platform.constructs.manifests) ----------------------------------
    def add_manifest_delivery(
        self,
        *,
        mode: DeliveryMode | None = None,
        output_name: str | None = None,
        output_directory: str | os.PathLike[str] | None = None,
        overwrite: bool = True,
    ) -> ManifestDelivery:
        """Create this cluster's one ``ManifestDelivery`` (id ``Manifests``); read it later as ``manifests``.

        Charts are applied through the kubectl provider when the cluster has one (``kubectl=True``), otherwise they
        are only written to ``cdk.out/manifests/<cluster>/`` (render-only, no Lambda). Both write the YAML. The
        arguments are ``ManifestDelivery``'s.
        """
        existing = self.node.try_find_child(MANIFESTS_ID)
        if existing is not None:
            raise ConfigError(
                "DuplicateManifestDelivery",
                f"cluster {self.node.path} already has a ManifestDelivery ({existing.node.path}); one delivery per "
                "cluster: use cluster.manifests",
                path=self.node.path,
            )
        return ManifestDelivery(
            self,
            MANIFESTS_ID,
            cluster=self.cluster,
            kubernetes_version=self.version_string,
            mode=mode,
            output_name=output_name,
            output_directory=output_directory,
            overwrite=overwrite,
        )

    @property
    def manifests(self) -> ManifestDelivery:
        """The ``ManifestDelivery`` created by :meth:`add_manifest_delivery` (a ``ConfigError`` before that)."""
        existing = self.node.try_find_child(MANIFESTS_ID)
        if not isinstance(existing, ManifestDelivery):
            raise ConfigError(
                "NoManifestDelivery",
                f"cluster {self.node.path} has no ManifestDelivery yet; call cluster.add_manifest_delivery() first "
                "(optionally with mode=DeliveryMode.RENDER_ONLY)",
                path=self.node.path,
            )
        return existing

    def add_chart(self, chart: Any, *, depends_on: Sequence[Any] = ()) -> eks.KubernetesManifest | None:
        """Deliver a complete cdk8s chart through :attr:`manifests` (see ``ManifestDelivery.add_chart``)."""
        return self.manifests.add_chart(chart, depends_on=depends_on)

    # -- Pod Identity and the add-on catalog (constructs/pod_identity.py, constructs/addons.py) ----------------
    def add_pod_identity(
        self,
        namespace: str,
        service_account: str,
        *,
        role: iam.IRole | SharedPodIdentityRole | None = None,
        managed_policies: Sequence[iam.IManagedPolicy] | None = None,
        policy_statements: Sequence[iam.PolicyStatement] | None = None,
        allow_wildcard_statements: bool | None = None,
        target_role: iam.IRole | str | None = None,
        allow_same_account_target: bool | None = None,
        disable_session_tags: bool | None = None,
        session_policy: iam.PolicyDocument | None = None,
        tags: Mapping[str, str] | None = None,
        create_service_account: bool | None = None,
    ) -> PodIdentity:
        """Bind ``namespace/service_account`` to an IAM role with EKS Pod Identity (no kubectl Lambda).

        A :class:`~eks_platform.constructs.pod_identity.PodIdentity` at ``<this>/PodIdentities/<namespace>:<sa>``;
        the keyword arguments are its own.

        See: https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
        """
        found = self.node.try_find_child("PodIdentities")
        holder = found if isinstance(found, Construct) else Construct(self, "PodIdentities")
        # Validate the names before they become a construct id (a bad id would surface as a jsii error).
        problems = pi.name_problems(namespace, service_account)
        if problems:
            raise ConfigError("InvalidPodIdentity", problems, path=f"{holder.node.path}")
        return PodIdentity(
            holder,
            PodIdentity.id_for(namespace, service_account),
            cluster=self.cluster,
            namespace=namespace,
            service_account=service_account,
            role=role,
            managed_policies=managed_policies,
            policy_statements=policy_statements,
            allow_wildcard_statements=allow_wildcard_statements,
            target_role=target_role,
            allow_same_account_target=allow_same_account_target,
            disable_session_tags=disable_session_tags,
            session_policy=session_policy,
            tags=tags,
            create_service_account=create_service_account,
        )

    def add_addon(
        self,
        name: AddonName | str,
        *,
        version: str | None = None,
        kubernetes_version: str | None = None,
        configuration: Mapping[str, Any] | None = None,
        resolve_conflicts: ResolveConflicts | None = None,
        preserve_on_delete: bool | None = None,
        hosted_zone_ids: Sequence[str] | None = None,
        cloudwatch_log_group_prefix: str | None = None,
        pod_identities: Sequence[AddonPodIdentity] | None = None,
        extra_capacity: bool = False,
        hybrid_nodes: bool | None = None,
        compute: Sequence[IDependable] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> ManagedAddon:
        """Install an add-on from the catalog as ``AWS::EKS::Addon`` with its pinned version for this cluster.

        A :class:`~eks_platform.constructs.addons.ManagedAddon` at ``<this>/Addons/<name>``; ``name`` is an
        ``AddonName`` or its EKS name, the keyword arguments are ``ManagedAddon``'s. Auto Mode is on, compute is
        searched under this cluster, ``kubernetes_version`` defaults to the cluster's and ``hybrid_nodes`` to
        whether the cluster has hybrid networks.

        See: https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html
        """
        addon_name = name.value if isinstance(name, AddonName) else str(name)
        return ManagedAddon(
            addons_scope(self),
            addon_name,
            cluster=self.cluster,
            name=addon_name,
            kubernetes_version=self.version_string if kubernetes_version is None else kubernetes_version,
            version=version,
            configuration=configuration,
            resolve_conflicts=resolve_conflicts,
            preserve_on_delete=preserve_on_delete,
            hosted_zone_ids=hosted_zone_ids,
            cloudwatch_log_group_prefix=cloudwatch_log_group_prefix,
            pod_identities=pod_identities,
            auto_mode=True,
            extra_capacity=extra_capacity,
            hybrid_nodes=self.hybrid_networks is not None if hybrid_nodes is None else hybrid_nodes,
            compute=compute,
            compute_scope=self,
            tags=tags,
        )
