"""A typed catalog of EKS add-ons (community and AWS), pinned, IAM-wired and Auto-Mode-aware.

Each add-on becomes one ``AWS::EKS::Addon`` (no Helm chart, no kubectl Lambda). Versions come from the checked-in
catalog (``eks_platform/_internal/data/addons.json``) for the cluster's Kubernetes minor; add-ons that need AWS
permissions get Pod Identity roles scoped to their namespace and service account.

See: https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol, cast

import aws_cdk as cdk
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct, IDependable

from eks_platform._internal import addons as cat
from eks_platform._internal import arguments as args
from eks_platform._internal import pod_identity as pi
from eks_platform._internal import validation as v
from eks_platform._internal import values
from eks_platform._internal.hybrid import addons as hybrid
from eks_platform._internal.tree import (
    child_path,
    created,
    default_child_of,
    make_child,
    path_of,
    region_of,
    remember,
    stack_of,
)
from eks_platform._internal.versions import consistent_version_problems
from eks_platform.checks.acknowledgments import acknowledge, acknowledge_aws_managed_policies
from eks_platform.constructs.keywords import check_fields, checked_keywords, checked_value
from eks_platform.constructs.pod_identity import (
    PodIdentity,
    _managed_policy_problems,
    _statement_problems,
    add_addon_pod_identity,
)
from eks_platform.constructs.readiness import COMPUTE_RESOURCE_TYPES as COMPUTE_RESOURCE_TYPES  # public here before
from eks_platform.constructs.readiness import _ComputeReadiness
from eks_platform.constructs.registry import ClusterRegistry
from eks_platform.constructs.types import ClusterLike, cluster_name_of, cluster_version, eks_cluster, platform_cluster
from eks_platform.errors import ConfigError


class AddonName(str, Enum):
    """Every add-on in the catalog (its EKS add-on name).

    See: https://docs.aws.amazon.com/eks/latest/userguide/community-addons.html
    """

    # Community add-ons (owner: community)
    METRICS_SERVER = "metrics-server"
    KUBE_STATE_METRICS = "kube-state-metrics"
    PROMETHEUS_NODE_EXPORTER = "prometheus-node-exporter"
    CERT_MANAGER = "cert-manager"
    EXTERNAL_DNS = "external-dns"
    FLUENT_BIT = "fluent-bit"
    SRIOV_NETWORK_METRICS_EXPORTER = "sriov-network-metrics-exporter"
    # AWS add-ons people combine with them (owner: aws)
    EKS_POD_IDENTITY_AGENT = "eks-pod-identity-agent"
    AWS_EBS_CSI_DRIVER = "aws-ebs-csi-driver"
    SNAPSHOT_CONTROLLER = "snapshot-controller"
    AMAZON_CLOUDWATCH_OBSERVABILITY = "amazon-cloudwatch-observability"
    COREDNS = "coredns"
    KUBE_PROXY = "kube-proxy"
    VPC_CNI = "vpc-cni"
    ADOT = "adot"
    AWS_GUARDDUTY_AGENT = "aws-guardduty-agent"
    # Storage drivers (owner: aws)
    AWS_EFS_CSI_DRIVER = "aws-efs-csi-driver"
    AWS_MOUNTPOINT_S3_CSI_DRIVER = "aws-mountpoint-s3-csi-driver"
    AWS_FSX_CSI_DRIVER = "aws-fsx-csi-driver"


class ResolveConflicts(str, Enum):
    """``ResolveConflicts`` of ``AWS::EKS::Addon``: what happens to fields changed in the cluster by others."""

    OVERWRITE = "OVERWRITE"
    NONE = "NONE"
    PRESERVE = "PRESERVE"


#: ConfigurationValues that deploy the Pod Identity agent's second DaemonSet for hybrid nodes
#: (EKS user guide ``hybrid-nodes-add-ons.html``; add-on v1.3.3-eksbuild.1 or later).
POD_IDENTITY_AGENT_HYBRID_CONFIGURATION: Mapping[str, Any] = {"daemonsets": {"hybrid": {"create": True}}}

@checked_value("InvalidAddonPodIdentity")
@dataclass(frozen=True, kw_only=True, slots=True)
class AddonPodIdentity:
    """A Pod Identity association for one of an add-on's service accounts (``PodIdentityAssociations``).

    Args:
        service_account: the add-on's service account (DNS-1123 subdomain).
        role: an existing role (left untouched). Default: - a new role scoped to the add-on's namespace and this
            service account.
        managed_policies: managed policies for the new role. Default: - none.
        policy_statements: inline statements for the new role. Default: - none.
    """

    service_account: str
    role: iam.IRole | None = None
    managed_policies: Sequence[iam.IManagedPolicy] = ()
    policy_statements: Sequence[iam.PolicyStatement] = ()

    def __post_init__(self) -> None:
        check_fields(self, "InvalidAddonPodIdentity")
        object.__setattr__(self, "managed_policies", v.as_tuple(self.managed_policies))
        object.__setattr__(self, "policy_statements", v.as_tuple(self.policy_statements))
        problems = v.dns1123_subdomain("AddonPodIdentity.service_account", self.service_account)
        if self.role is not None and (self.managed_policies or self.policy_statements):
            problems.append(
                "AddonPodIdentity got role together with managed_policies/policy_statements; pass either an existing "
                "role or the policies for a new one"
            )
        problems += _managed_policy_problems("AddonPodIdentity.managed_policies", self.managed_policies)
        problems += _statement_problems("AddonPodIdentity.policy_statements", self.policy_statements, False)
        if problems:
            raise ConfigError("InvalidAddonPodIdentity", problems)


def _zone_arn(zone: str) -> str:
    return f"arn:{cdk.Aws.PARTITION}:route53:::hostedzone/{zone}"


def route53_zone_statements(zone_ids: Sequence[str]) -> list[iam.PolicyStatement]:
    """external-dns rights reduced as the EKS user guide suggests, scoped to ``zone_ids``.

    ``route53:ListHostedZones`` supports no resource-level scoping, hence ``*``.
    """
    return [
        iam.PolicyStatement(
            sid="ChangeRecordsInZones",
            actions=["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
            resources=[_zone_arn(z) for z in zone_ids],
        ),
        iam.PolicyStatement(sid="ListZones", actions=["route53:ListHostedZones"], resources=["*"]),
    ]


def route53_dns01_statements(zone_ids: Sequence[str]) -> list[iam.PolicyStatement]:
    """cert-manager's Route 53 DNS-01 solver rights, scoped to ``zone_ids``.

    See: https://cert-manager.io/docs/configuration/acme/dns01/route53/
    """
    return [
        iam.PolicyStatement(
            sid="GetChange", actions=["route53:GetChange"], resources=[f"arn:{cdk.Aws.PARTITION}:route53:::change/*"]
        ),
        iam.PolicyStatement(
            sid="ChangeRecordsInZones",
            actions=["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
            resources=[_zone_arn(z) for z in zone_ids],
        ),
        iam.PolicyStatement(sid="FindZones", actions=["route53:ListHostedZonesByName"], resources=["*"]),
    ]


def cloudwatch_logs_statements(prefix: str) -> list[iam.PolicyStatement]:
    """Fluent Bit's ``cloudwatch_logs`` output rights, limited to log groups under ``prefix``."""
    group = f"arn:{cdk.Aws.PARTITION}:logs:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:log-group:{prefix}*"
    return [
        iam.PolicyStatement(
            sid="WriteLogs",
            actions=[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
                "logs:PutRetentionPolicy",
            ],
            resources=[group, f"{group}:log-stream:*"],
        )
    ]


def _hybrid_routable(registry: ClusterRegistry) -> bool | None:
    """None without ``HybridNodes`` on the cluster; else whether every one routes its pod CIDRs."""
    if not registry.hybrid_nodes:
        return None
    return all(bool(getattr(h, "pod_cidrs_routable", False)) for h in registry.hybrid_nodes)


def _is_auto_mode(cluster: eks.ICluster) -> bool:
    cfn = default_child_of(cluster)
    if not isinstance(cfn, eks.CfnCluster):
        return False
    config = cfn.compute_config
    return bool(getattr(config, "enabled", False)) if config is not None else False


class ManagedAddon(Construct):
    """One EKS add-on from the catalog, installed as ``AWS::EKS::Addon`` with a pinned version.

    Example::

        ManagedAddon(stack, "MetricsServer", cluster=cluster, name=AddonName.METRICS_SERVER)

    Args:
        scope: parent construct.
        construct_id: construct id (``AutoModeCluster.add_addon`` uses the add-on name). Changing it replaces the
            add-on.
        cluster: the EKS cluster: an ``AutoModeCluster`` or a ``PlatformClusterReference`` (its version, Auto Mode
            and hybrid networks are then the defaults) or an ``aws_eks_v2`` cluster. Changing this replaces the add-on.
        name: the add-on, an ``AddonName`` or its EKS name. Any other EKS add-on name is accepted with an explicit
            ``version`` (one warning says what the library does not know about it: IAM, hybrid support, Auto Mode
            overlap); without a version it is rejected with a suggestion.
        kubernetes_version: the cluster's Kubernetes minor, e.g. ``"1.32"``, used to pick the pinned version.
            Default: - required unless ``version`` is given (``AutoModeCluster.add_addon`` passes it).
        version: an explicit ``vX.Y.Z-eksbuild.N``. Default: - the catalog pin for the cluster's minor; without a
            pin for that minor, no ``AddonVersion`` (EKS installs its default for the minor; an info message says
            so). Pins never decrease from one minor to the next, so an upgrade never downgrades the add-on. With
            EKS Hybrid Nodes on the cluster (``HybridNodes``), a version below the add-on's hybrid minimum (EKS user
            guide hybrid-nodes-add-ons) is a ``ConfigError``.
        configuration: add-on configuration, serialised to ``ConfigurationValues`` JSON (sorted keys). See
            ``aws eks describe-addon-configuration``. With ``HybridNodes`` on the cluster, add-ons that serve a
            webhook or an APIService (cert-manager, metrics-server, ADOT) also get a required node affinity away from
            ``eks.amazonaws.com/compute-type: hybrid`` unless the pod CIDRs are routable
            (``HybridNetworks.pod_cidrs_routable``), and CoreDNS spreads its replicas over compute types; keys you set
            yourself are kept. Default: - the add-on's defaults.
        resolve_conflicts: ``ResolveConflicts``. Default: - ``OVERWRITE`` (the add-on's settings win over manual edits).
        preserve_on_delete: keep the add-on's Kubernetes resources when the add-on is deleted. Default: - false.
        hosted_zone_ids: Route 53 hosted zone IDs. external-dns needs them (its role may change records only
            there); for cert-manager they enable DNS-01 rights through a Pod Identity association of
            ``cert-manager/cert-manager``. Default: - none (required for external-dns).
        cloudwatch_log_group_prefix: fluent-bit only: grants its service account CloudWatch Logs rights on log groups
            under this prefix, for a ``cloudwatch_logs`` output. Default: - no IAM (fluent-bit needs none by default).
        pod_identities: extra Pod Identity associations for the add-on's service accounts (e.g. ADOT collectors).
            Default: - only the ones the catalog wires automatically.
        auto_mode: the cluster runs EKS Auto Mode. Default: - the platform cluster's ``auto_mode``, else read from the
            cluster's ``ComputeConfig``.
        extra_capacity: the cluster also runs capacity that is not Auto Mode (managed node groups, self-managed or
            hybrid nodes) which needs the add-ons Auto Mode has built in. Default: - false.
        hybrid_nodes: the cluster also runs EKS Hybrid Nodes: Auto Mode's built-in add-ons are then accepted if they
            run on hybrid nodes (kube-proxy, CoreDNS, the Pod Identity agent; not the VPC CNI or EBS CSI driver).
            Default: - false.
        compute: extra resources that must exist before an add-on that needs nodes (e.g. custom NodePool manifests).
            Default: - none; node groups, Fargate profiles and node access entries (any type but ``STANDARD``) under
            ``compute_scope`` are found automatically.
        compute_scope: construct subtree searched for compute resources. Default: - the cluster.
        tags: tags of the add-on (keys 1-127, values 1-255 characters). Default: - none.

    See: https://docs.aws.amazon.com/eks/latest/userguide/creating-an-add-on.html
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ClusterLike,
        name: AddonName | str,
        kubernetes_version: str | None = None,
        version: str | None = None,
        configuration: Mapping[str, Any] | None = None,
        resolve_conflicts: ResolveConflicts | None = None,
        preserve_on_delete: bool | None = None,
        hosted_zone_ids: Sequence[str] | None = None,
        cloudwatch_log_group_prefix: str | None = None,
        pod_identities: Sequence[AddonPodIdentity] | None = None,
        auto_mode: bool | None = None,
        extra_capacity: bool | None = None,
        hybrid_nodes: bool | None = None,
        compute: Sequence[IDependable] | None = None,
        compute_scope: Construct | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        addon_name = name.value if isinstance(name, AddonName) else name
        explicit_kubernetes_version = kubernetes_version
        platform = platform_cluster(cluster)
        if platform is not None:
            kubernetes_version = platform.version_string if kubernetes_version is None else kubernetes_version
            hybrid_nodes = platform.hybrid_networks is not None if hybrid_nodes is None else hybrid_nodes
            auto_mode = platform.auto_mode if auto_mode is None else auto_mode
        cluster = eks_cluster(cluster)
        registry = ClusterRegistry.of(cluster)
        # Before any construct exists: a duplicate id would otherwise surface as a jsii error.
        if isinstance(addon_name, str):
            registry.check_addon(addon_name, child_path(scope, construct_id))
        super().__init__(scope, construct_id)
        created(self, scope, construct_id)
        path = path_of(self)
        unknown = cat.unknown_name_problem(addon_name, version=version)
        if unknown:
            raise ConfigError("UnknownAddon", unknown, path=path)
        entry = cat.catalog().get(addon_name) or cat.uncatalogued_entry(addon_name)
        # Types first: a zone string would iterate as one-letter zones, a "false" string is truthy.
        problems = args.string_sequence_problems("hosted_zone_ids", hosted_zone_ids)
        for setting, flag in (
            ("preserve_on_delete", preserve_on_delete),
            ("auto_mode", auto_mode),
            ("extra_capacity", extra_capacity),
            ("hybrid_nodes", hybrid_nodes),
        ):
            problems += args.optional_bool_problems(setting, flag)
        if resolve_conflicts is not None:
            resolve_conflicts, found = args.enum_argument("resolve_conflicts", resolve_conflicts, ResolveConflicts)
            problems += found
        problems += args.instance_sequence_problems(
            "pod_identities", pod_identities, AddonPodIdentity, "AddonPodIdentity values"
        )
        problems += consistent_version_problems(
            "kubernetes_version", explicit_kubernetes_version, cluster_version(cluster)
        )
        if problems:
            raise ConfigError("InvalidAddon", problems, path=path)
        zones = tuple(hosted_zone_ids or ())
        identities = tuple(pod_identities or ())
        running_auto_mode = _is_auto_mode(cluster) if auto_mode is None else auto_mode
        needed_elsewhere = bool(extra_capacity) or (bool(hybrid_nodes) and entry.hybrid)
        if entry.auto_mode_builtin and running_auto_mode and not needed_elsewhere:
            why = (
                f"; the cluster's hybrid nodes cannot run it either ({addon_name} is not hybrid-compatible)"
                if hybrid_nodes else ""
            )
            problems.append(
                f"add-on {addon_name} is built into EKS Auto Mode, and no other capacity of this cluster needs it"
                f"{why}; drop it. A cluster that also runs node groups or self-managed nodes declares "
                "extra_capacity=True (add_pod_identity_agent does this for the Pod Identity agent)"
            )
        partition = cat.partition_problem(entry, region_of(self))
        if partition:
            problems.append(partition)
        resolved_version, pin, version_problems = cat.resolve_version(entry, kubernetes_version, version)
        problems += version_problems
        hybrid_minimum = (
            cat.hybrid_minimum_problem(entry, resolved_version, setting="version" if version else "pinned version")
            if hybrid_nodes and entry.hybrid and resolved_version is not None
            else None
        )
        # An Auto Mode built-in on an Auto Mode cluster with hybrid nodes serves the capacity that is not Auto Mode,
        # the hybrid nodes first: a version that cannot run there is refused. Any other add-on still runs on the
        # cluster's Auto Mode nodes, so an old build only gets a warning.
        only_for_hybrid = entry.auto_mode_builtin and bool(running_auto_mode) and bool(hybrid_nodes)
        if hybrid_minimum and only_for_hybrid:
            problems.append(hybrid_minimum)
        if identities and not entry.catalogued:
            problems.append(
                f"pod_identities needs the add-on's namespace, which the library does not know for {addon_name} (it "
                "is not in the catalog); bind its service accounts with add_addon_pod_identity(addon, cluster=..., "
                "namespace=..., service_account=...)"
            )
        config, config_problems = cat.configuration_json("configuration", configuration)
        problems += config_problems
        if config is not None and cat.has_tokens(config) and cat.has_nulls(config):
            problems.append(
                "configuration mixes CDK tokens with null values; CloudFormation rendering of tokens drops nulls, "
                "so remove the nulls (or the tokens)"
            )
        problems += cat.iam_settings_problems(
            entry,
            zones_setting="hosted_zone_ids",
            zones=zones,
            prefix_setting="cloudwatch_log_group_prefix",
            prefix=cloudwatch_log_group_prefix,
        )
        seen_accounts = [entry.service_account] if (entry.association == "addon" and (
            entry.managed_policies or zones or cloudwatch_log_group_prefix)) else []
        for identity in identities:
            if not isinstance(identity, AddonPodIdentity):
                problems.append(f"pod_identities entries must be AddonPodIdentity, got {identity!r}")
            elif identity.service_account in seen_accounts:
                problems.append(
                    f"pod_identities binds service account {identity.service_account} twice (the catalog already "
                    "binds it, or it is listed twice); bind each service account once"
                )
            else:
                seen_accounts.append(identity.service_account)
        problems += pi.tag_problems(
            "tags", tags, key_max=pi.ADDON_TAG_KEY_MAX, value_max=pi.ADDON_TAG_VALUE_MAX, value_min=1
        )
        # With HybridNodes on the cluster, pods of every hybrid-compatible add-on may land on hybrid nodes: a build
        # below the user guide's hybrid minimum is refused there, not only warned about.
        hybrid_routable = _hybrid_routable(registry)
        if hybrid_minimum is None and hybrid_routable is not None:
            hybrid_minimum = hybrid.minimum_problem(
                entry, resolved_version, setting="version" if version else "pinned version"
            )
        if hybrid_minimum and hybrid_routable is not None and not only_for_hybrid:
            problems.append(hybrid_minimum)
        if problems:
            raise ConfigError("InvalidAddon", problems, path=path)

        registry.check_addon(addon_name, path)
        registry.addons[addon_name] = path
        registry.addon_objects[addon_name] = self

        self.cluster = cluster
        self.entry = entry
        self.addon_name = addon_name
        self.pin = pin
        #: The configuration as the user gave it (normalised); placement on hybrid clusters is added on top.
        self.user_configuration = config
        if hybrid_routable is not None:
            config = hybrid.hybrid_configuration(entry, config, pod_cidrs_routable=hybrid_routable)
        self.roles: dict[str, iam.IRole] = {}
        self.dns_pod_identity: PodIdentity | None = None

        self.addon = eks.CfnAddon(
            self,
            "Resource",
            addon_name=addon_name,
            cluster_name=cluster_name_of(cluster),
            addon_version=resolved_version,
            configuration_values=self._configuration_values(config),
            resolve_conflicts=(resolve_conflicts or ResolveConflicts.OVERWRITE).value,
            preserve_on_delete=bool(preserve_on_delete),
            tags=[cdk.CfnTag(key=k, value=tags[k]) for k in sorted(tags)] if tags else None,
        )
        created(self.addon, self, "Resource")
        # node.default_child is left unset: the child with id "Resource" is the default child by convention
        # (constructs' Node.defaultChild, https://github.com/aws/constructs/blob/10.x/src/construct.ts).
        if (
            auto_mode is None
            and entry.auto_mode_builtin
            and not needed_elsewhere
            and not isinstance(default_child_of(cluster), eks.CfnCluster)
        ):
            cdk.Annotations.of(self).add_warning_v2(
                "eks-platform:addon-auto-mode-unknown",
                f"add-on {addon_name} is built into EKS Auto Mode, and cluster {path_of(cluster)} is imported, so "
                "the library cannot tell whether it runs Auto Mode and has not checked it. Use a "
                "PlatformClusterReference (its contract says), or pass auto_mode= explicitly.",
            )
        if not entry.catalogued and resolved_version is not None:
            cdk.Annotations.of(self).add_warning_v2(
                "eks-platform:addon-uncatalogued", cat.uncatalogued_warning(addon_name, resolved_version)
            )
        if hybrid_minimum and not only_for_hybrid:
            source = (
                f"the catalog pins {resolved_version} for Kubernetes {kubernetes_version}"
                if version is None
                else "it was given explicitly"
            )
            cdk.Annotations.of(self).add_warning_v2(
                "eks-platform:addon-hybrid-minimum",
                f"{hybrid_minimum} ({source}). Its pods run only on the cluster's other nodes; pass version= with "
                "a hybrid-compatible build to run it on hybrid nodes too.",
            )
        if resolved_version is None and isinstance(kubernetes_version, str) and not v.is_unresolved(
            kubernetes_version
        ):
            cdk.Annotations.of(self).add_info(cat.unpinned_notice(entry, kubernetes_version))
            acknowledge(
                self.addon, "EKSP-9",
                f"the add-on catalog has no citable {addon_name} version for Kubernetes {kubernetes_version}, so EKS "
                "installs its default version for that minor (see the info message); pass version= to pin one",
            )
        if pin is not None and pin.basis == "inferred":
            cdk.Annotations.of(self).add_warning_v2(
                "eks-platform:addon-version",
                f"add-on {addon_name} {pin.version} for Kubernetes {kubernetes_version} is an inferred pin (no "
                "AWS source ties it to that version). Confirm it with `aws eks describe-addon-versions --addon-name "
                f"{addon_name} --kubernetes-version {kubernetes_version}` or pass version= explicitly: {entry.docs}",
            )

        self._wire_iam(entry, zones, cloudwatch_log_group_prefix, identities)
        _ComputeReadiness.of(registry, self).register(self, [compute_scope or cluster], tuple(compute or ()))
        if hybrid_routable is not None:
            self._placement_notice(hybrid_routable)
        for listener in tuple(registry.addon_listeners):
            listener(self)

    def join_hybrid_nodes(self, *, pod_cidrs_routable: bool) -> None:
        """Adapt an add-on created before ``HybridNodes`` joined its cluster (``HybridNodes`` calls this).

        Refuses a version below the add-on's hybrid minimum and adds the placement hybrid nodes need to the
        configuration (see ``configuration``).

        Raises:
            ConfigError: ``InvalidAddon`` for a version below the hybrid minimum.
        """
        version = self.addon.addon_version
        minimum = hybrid.minimum_problem(
            self.entry, version if isinstance(version, str) else None, setting="version"
        )
        if minimum:
            raise ConfigError("InvalidAddon", minimum, path=path_of(self))
        config = hybrid.hybrid_configuration(
            self.entry, self.user_configuration, pod_cidrs_routable=pod_cidrs_routable
        )
        self.addon.configuration_values = self._configuration_values(config)
        self._placement_notice(pod_cidrs_routable)

    def _placement_notice(self, pod_cidrs_routable: bool) -> None:
        notice = hybrid.placement_notice(self.entry, pod_cidrs_routable=pod_cidrs_routable)
        if notice and not getattr(self, "_placement_noticed", False):
            self._placement_noticed = True  # once, however many HybridNodes join the cluster
            cdk.Annotations.of(self).add_warning_v2("eks-platform:hybrid-addon-placement", notice)

    def _configuration_values(self, config: dict[str, Any] | None) -> str | None:
        if config is None:
            return None
        if cat.has_tokens(config):  # e.g. a role ARN: let CloudFormation join the pieces
            return stack_of(self).to_json_string(config)
        return cat.configuration_text(config)

    # -- IAM ---------------------------------------------------------------------------------------------------
    def _wire_iam(
        self,
        entry: cat.CatalogEntry,
        zones: tuple[str, ...],
        log_prefix: str | None,
        identities: tuple[AddonPodIdentity, ...],
    ) -> None:
        statements: list[iam.PolicyStatement] = []
        if entry.iam_policy == "route53-zones" and zones:
            statements = route53_zone_statements(zones)
        elif entry.iam_policy == "cloudwatch-logs" and log_prefix is not None:
            statements = cloudwatch_logs_statements(log_prefix)
        managed = values.aws_managed_policies(entry.managed_policies)
        if entry.association == "addon" and entry.service_account and (statements or managed):
            role = add_addon_pod_identity(
                self,
                cluster=self.cluster,
                namespace=entry.namespace,
                service_account=entry.service_account,
                managed_policies=managed,
                policy_statements=statements,
            )
            self.roles[entry.service_account] = role
            if entry.managed_policies:
                acknowledge_aws_managed_policies(
                    role,
                    entry.managed_policies,
                    f"the AWS-recommended managed policy of the {entry.name} add-on (EKS user guide), on a role only "
                    f"{entry.namespace}/{entry.service_account} of this cluster can assume",
                )
            if entry.iam_policy == "route53-zones":
                acknowledge(role, "AwsSolutions-IAM5[Resource::*]",
                            "route53:ListHostedZones has no resource-level permissions; record changes are limited "
                            "to the given hosted zones")
            if entry.iam_policy == "cloudwatch-logs" and log_prefix is not None:
                group = f"arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:{log_prefix}*"
                reason = ("Fluent Bit creates log groups and streams at run time; the grant is limited to groups "
                          "under the configured prefix")
                acknowledge(role, f"AwsSolutions-IAM5[Resource::{group}]", reason)
                acknowledge(role, f"AwsSolutions-IAM5[Resource::{group}:log-stream:*]", reason)
        if entry.iam_policy == "route53-dns01" and zones and entry.service_account:
            # cert-manager's add-on rejects PodIdentityAssociations: bind its service account directly.
            self.dns_pod_identity = PodIdentity(
                self,
                PodIdentity.id_for(entry.namespace, entry.service_account),
                cluster=self.cluster,
                namespace=entry.namespace,
                service_account=entry.service_account,
                policy_statements=route53_dns01_statements(zones),
            )
            self.roles[entry.service_account] = self.dns_pod_identity.role
            acknowledge(self.dns_pod_identity.role, "AwsSolutions-IAM5[Resource::*]",
                        "route53:ListHostedZonesByName has no resource-level permissions; record changes are limited "
                        "to the given hosted zones")
            acknowledge(self.dns_pod_identity.role,
                        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::change/*]",
                        "cert-manager polls route53:GetChange for change IDs that exist only at run time")
        for identity in identities:
            self.roles[identity.service_account] = add_addon_pod_identity(
                self,
                cluster=self.cluster,
                namespace=entry.namespace,
                service_account=identity.service_account,
                role=identity.role,
                managed_policies=identity.managed_policies,
                policy_statements=identity.policy_statements,
            )

    # -- attributes --------------------------------------------------------------------------------------------
    @property
    def addon_version(self) -> str | None:
        """The installed version (pinned or explicit)."""
        version = self.addon.addon_version
        return version if isinstance(version, str) else None

    @property
    def addon_arn(self) -> str:
        return self.addon.attr_arn


def addons_scope(cluster: Construct) -> Construct:
    """The ``Addons`` child of a platform cluster, where ``add_addon`` puts every add-on (created on first use)."""

    def create() -> Construct:
        scope = Construct(cluster, "Addons")
        created(scope, cluster, "Addons")
        return scope

    return remember(cluster, "addons_scope", lambda: make_child(cluster, "Addons", create, accept=Construct))


class AddsAddons(Protocol):
    """A cluster with ``add_addon`` (``AutoModeCluster``), as the add-on helpers see it without importing it."""

    def add_addon(self, name: AddonName | str, *, extra_capacity: bool = False) -> ManagedAddon: ...


def add_cluster_addon(cluster: AddsAddons, name: AddonName | str, *, extra_capacity: bool = False) -> ManagedAddon:
    """``cluster.add_addon(name, extra_capacity=...)``, for callers that take the cluster as an argument."""
    return cluster.add_addon(name, extra_capacity=extra_capacity)


@checked_keywords("InvalidAddon")
def add_pod_identity_agent(
    cluster: ClusterLike,
    *,
    hybrid_nodes: bool = True,
    version: str | None = None,
    kubernetes_version: str | None = None,
    scope: Construct | None = None,
) -> ManagedAddon:
    """Install the ``eks-pod-identity-agent`` add-on for capacity that is not Auto Mode (hybrid nodes, node groups).

    Auto Mode nodes have the agent built in; this is the supported way to add it for the other capacity of the
    same cluster. With ``hybrid_nodes`` the add-on also deploys its hybrid DaemonSet
    (``{"daemonsets":{"hybrid":{"create": true}}}``); the nodes need ``enableCredentialsFile: true`` in their nodeadm
    ``NodeConfig``.

    Args:
        cluster: an ``AutoModeCluster`` (preferred) or an ``aws_eks_v2`` cluster.
        hybrid_nodes: deploy the hybrid-nodes DaemonSet. Default: - true.
        version: explicit add-on version. Default: - the catalog pin for the cluster's minor.
        kubernetes_version: the cluster's minor, needed for a bare ``ICluster`` without ``version``.
            Default: - the ``AutoModeCluster``'s version.
        scope: parent construct. Default: - ``<cluster>/Addons`` (an ``AutoModeCluster``) or the cluster.

    Returns: the add-on (construct id ``eks-pod-identity-agent``).

    See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-add-ons.html
    """
    configuration = dict(POD_IDENTITY_AGENT_HYBRID_CONFIGURATION) if hybrid_nodes else None
    name = AddonName.EKS_POD_IDENTITY_AGENT.value
    platform = platform_cluster(cluster)
    if platform is None or not isinstance(platform, Construct):
        return ManagedAddon(
            scope or cast(Construct, eks_cluster(cluster)),
            name,
            cluster=cluster,
            name=name,
            kubernetes_version=kubernetes_version,
            version=version,
            configuration=configuration,
            extra_capacity=True,
        )
    return ManagedAddon(
        scope or addons_scope(platform),
        name,
        cluster=platform.cluster,
        name=name,
        kubernetes_version=kubernetes_version or platform.version_string,
        version=version,
        configuration=configuration,
        auto_mode=platform.auto_mode,
        extra_capacity=True,
        hybrid_nodes=platform.hybrid_networks is not None,
        compute_scope=platform,
    )
