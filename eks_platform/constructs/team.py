"""``Team``: onboard an application team onto a shared cluster, scoped to its own namespace.

A team gets a namespace, access entries for its IAM principals with namespace-scoped EKS access policies
(``AmazonEKSEditPolicy`` / ``AmazonEKSViewPolicy`` with ``accessScope.type: namespace``), Pod Identity bindings for
service accounts in that namespace, and optionally a ResourceQuota and a LimitRange. The Kubernetes objects are a
cdk8s chart delivered with the cluster's other manifests (applied through the kubectl provider, or rendered for
GitOps). Platform admins stay cluster-scoped (``AutoModeCluster(admin_principal_arns=...)``); nobody else is.

This follows the shape of EKS Blueprints' ``ApplicationTeam``, with EKS access entries instead of the aws-auth
ConfigMap.

See: https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from eks_platform._internal import k8s_api, values
from eks_platform._internal import teams as t
from eks_platform._internal import validation as v
from eks_platform.constructs.keywords import check_fields, checked_keywords, checked_value
from eks_platform.constructs.manifests import ManifestDelivery, PlatformChart
from eks_platform.constructs.pod_identity import PodIdentity, SharedPodIdentityRole
from eks_platform.constructs.types import ClusterLike, PlatformCluster
from eks_platform.errors import ConfigError, raise_if_problems

#: Construct id of the delivery a platform cluster (``AutoModeCluster`` or a reference) holds its charts in.
MANIFESTS_ID = "Manifests"
_MANAGED_BY = {"app.kubernetes.io/managed-by": "cdk-eks-platform"}


@checked_value("InvalidTeamLimitRange")
@dataclass(frozen=True, kw_only=True, slots=True)
class TeamLimitRange:
    """A ``LimitRange`` of ``type: Container`` for the team's namespace: defaults for containers that set none.

    Args:
        default: default limits (``cpu``, ``memory``, ``ephemeral-storage``). Default: - none.
        default_request: default requests. Default: - none.
        max: the most a container may ask for. Default: - no maximum.
        min: the least a container may ask for. Default: - no minimum.

    See: https://kubernetes.io/docs/concepts/policy/limit-range/
    """

    default: Mapping[str, str] | None = None
    default_request: Mapping[str, str] | None = None
    max: Mapping[str, str] | None = None
    min: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        check_fields(self, "InvalidTeamLimitRange")
        problems: list[str] = []
        for name in ("default", "default_request", "max", "min"):
            problems += t.limit_problems(f"TeamLimitRange.{name}", getattr(self, name))
        if all(getattr(self, name) is None for name in ("default", "default_request", "max", "min")):
            problems.append("TeamLimitRange sets nothing; give at least one of default, default_request, max, min")
        raise_if_problems("InvalidTeamLimitRange", problems)

    def spec(self) -> dict[str, object]:
        limit: dict[str, object] = {"type": "Container"}
        keys = (("default", "default"), ("default_request", "defaultRequest"), ("max", "max"), ("min", "min"))
        for name, key in keys:
            value = getattr(self, name)
            if value is not None:
                limit[key] = {k: str(value[k]) for k in sorted(value)}
        return {"limits": [limit]}


class Team(Construct):
    """An application team on a shared cluster: its namespace, namespace-scoped access, Pod Identity and quotas.

    Example::

        team = Team(stack, "Payments", cluster=platform, name="payments",
                    editors=["arn:aws:iam::111111111111:role/PaymentsDevelopers"],
                    resource_quota={"requests.cpu": "20", "limits.memory": "64Gi"})
        team.add_pod_identity("orders-api", managed_policies=[...])

    Args:
        scope: parent construct.
        construct_id: construct id. Changing it replaces the team's access entries and roles.
        cluster: the cluster: an ``AutoModeCluster``, a ``PlatformClusterReference`` or an ``aws_eks_v2`` cluster
            (then ``delivery`` is required).
        name: the team (a DNS-1123 label); it names the chart ``Team-<name>``.
        namespace: the team's namespace. Changing this replaces the access entries' scope and the bindings.
            Default: - ``name``.
        editors: IAM role or user ARNs given ``AmazonEKSEditPolicy`` in the namespace. Default: - none.
        viewers: IAM role or user ARNs given ``AmazonEKSViewPolicy`` in the namespace. Default: - none.
        resource_quota: the namespace's ResourceQuota ``spec.hard`` (``requests.cpu``, ``limits.memory``,
            ``pods``...). Default: - no quota.
        limit_range: the namespace's container LimitRange. Default: - none.
        labels: labels of the namespace. Default: - ``app.kubernetes.io/managed-by`` and ``eks-platform/team``.
        delivery: where the chart goes. Default: - the platform cluster's ``Manifests`` delivery, created
            (render-only unless the cluster has a kubectl provider) when it does not exist yet.
        create_namespace: put the Namespace object into the chart. Default: - true; false when the platform creates
            namespaces itself.

    See: https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
    """

    @checked_keywords("InvalidTeam")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ClusterLike,
        name: str,
        namespace: str | None = None,
        editors: Sequence[str] | None = None,
        viewers: Sequence[str] | None = None,
        resource_quota: Mapping[str, str] | None = None,
        limit_range: TeamLimitRange | None = None,
        labels: Mapping[str, str] | None = None,
        delivery: ManifestDelivery | None = None,
        create_namespace: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        ns = name if namespace is None else namespace
        editor_arns = tuple(editors or ())
        viewer_arns = tuple(viewers or ())
        problems = v.dns1123_label("name", name) + v.dns1123_label("namespace", ns)
        problems += t.system_namespace_problems("namespace", ns)
        problems += t.principal_problems("editors", editor_arns)
        problems += t.principal_problems("viewers", viewer_arns)
        problems += t.overlap_problems(editor_arns, viewer_arns, editors_setting="editors", viewers_setting="viewers")
        problems += t.quota_problems("resource_quota", resource_quota)
        if limit_range is not None and not isinstance(limit_range, TeamLimitRange):
            problems.append(f"limit_range must be a TeamLimitRange, got {type(limit_range).__name__}")
        for key, value in (labels or {}).items():
            problems += v.k8s_qualified_name("labels", key) + v.k8s_label_value(f"labels.{key}", value)
        platform = cluster if isinstance(cluster, PlatformCluster) else None
        if platform is None and delivery is None:
            problems.append(
                "delivery is required for a plain aws_eks_v2 cluster (it does not know its Kubernetes version); pass "
                "a ManifestDelivery, or give the AutoModeCluster or PlatformClusterReference instead"
            )
        raise_if_problems("InvalidTeam", problems, path=self.node.path)

        self.platform: PlatformCluster | None = platform
        self.cluster: eks.ICluster = cast(eks.ICluster, platform.cluster if platform is not None else cluster)
        self.team_name = name
        self.namespace = ns
        self.pod_identities: dict[str, PodIdentity] = {}

        # -- access entries: one per principal, namespace-scoped -------------------------------------------------
        self.access_entries: dict[str, eks.AccessEntry] = {}
        for level, principals in (("edit", editor_arns), ("view", viewer_arns)):
            policy = values.access_policy(t.ACCESS_POLICIES[level], eks.AccessScopeType.NAMESPACE, (ns,))
            for arn in principals:
                self.access_entries[arn] = eks.AccessEntry(
                    self,
                    t.access_entry_id("Access", arn),
                    cluster=self.cluster,
                    principal=arn,
                    access_entry_type=eks.AccessEntryType.STANDARD,
                    access_policies=[policy],
                )

        # -- Kubernetes objects ---------------------------------------------------------------------------------
        self.delivery: ManifestDelivery = delivery or self._platform_delivery()
        self.chart: PlatformChart = self.delivery.new_chart(f"Team-{name}")
        team_labels = {**_MANAGED_BY, "eks-platform/team": name, **dict(labels or {})}
        if create_namespace:
            k8s_api.new_api_object(
                self.chart,
                "Namespace",
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": team_labels}},
            )
        if resource_quota is not None:
            k8s_api.new_api_object(
                self.chart,
                "ResourceQuota",
                {
                    "apiVersion": "v1",
                    "kind": "ResourceQuota",
                    "metadata": {"name": f"{name}-quota", "namespace": ns, "labels": dict(_MANAGED_BY)},
                    "spec": {"hard": {k: str(resource_quota[k]) for k in sorted(resource_quota)}},
                },
            )
        if limit_range is not None:
            k8s_api.new_api_object(
                self.chart,
                "LimitRange",
                {
                    "apiVersion": "v1",
                    "kind": "LimitRange",
                    "metadata": {"name": f"{name}-limits", "namespace": ns, "labels": dict(_MANAGED_BY)},
                    "spec": limit_range.spec(),
                },
            )
        self.manifest: eks.KubernetesManifest | None = self.delivery.add_chart(self.chart)
        """The chart's custom resource (APPLY mode), or None when the chart is only rendered."""

    def _platform_delivery(self) -> ManifestDelivery:
        platform = self.platform
        assert platform is not None
        owner = cast(Construct, platform)
        existing = owner.node.try_find_child(MANIFESTS_ID)
        if isinstance(existing, ManifestDelivery):
            return existing
        return ManifestDelivery(
            owner, MANIFESTS_ID, cluster=self.cluster, kubernetes_version=platform.version_string
        )

    # -- Pod Identity ---------------------------------------------------------------------------------------------
    @checked_keywords("InvalidPodIdentity")
    def add_pod_identity(
        self,
        service_account: str,
        *,
        role: iam.IRole | SharedPodIdentityRole | None = None,
        managed_policies: Sequence[iam.IManagedPolicy] | None = None,
        policy_statements: Sequence[iam.PolicyStatement] | None = None,
        target_role: iam.IRole | str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> PodIdentity:
        """Bind a service account of the team's namespace to an IAM role (a :class:`PodIdentity` under this team).

        The binding is counted with every other binding of the cluster in this app: a service account bound twice
        is refused.
        """
        if service_account in self.pod_identities:
            raise ConfigError(
                "DuplicatePodIdentity",
                f"team {self.team_name} already binds {self.namespace}/{service_account}; bind each service account "
                "once",
                path=self.node.path,
            )
        problems = v.dns1123_subdomain("service_account", service_account)
        if problems:
            raise ConfigError("InvalidPodIdentity", problems, path=self.node.path)
        binding = PodIdentity(
            self,
            PodIdentity.id_for(self.namespace, service_account),
            cluster=self.cluster,
            namespace=self.namespace,
            service_account=service_account,
            role=role,
            managed_policies=managed_policies,
            policy_statements=policy_statements,
            target_role=target_role,
            tags=tags,
        )
        self.pod_identities[service_account] = binding
        return binding
