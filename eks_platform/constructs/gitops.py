"""Point the EKS Argo CD capability at the cluster's rendered manifests folder: a complete GitOps path.

:class:`ArgoCdBootstrap` renders one more chart for the cluster (``GitOps.k8s.yaml``), kept out of the folder's
``kustomization.yaml`` so Argo CD never manages its own permissions:

- the cluster registration (a ``Secret`` labelled ``argocd.argoproj.io/secret-type: cluster`` whose ``server`` is the
  cluster ARN: the managed capability does not register its own cluster, nor accept ``kubernetes.default.svc``);
- Kubernetes RBAC for the capability role's access-entry group ``eks-access-entry:<role ARN>``: read on every
  resource (Argo CD needs it for discovery and health), write only on the kinds the folder contains (EKS grants the
  capability no deployment rights by default);
- the ``Application`` that syncs the folder (repository URL, path and revision from your settings).

See https://docs.aws.amazon.com/eks/latest/userguide/argocd-register-clusters.html and
https://docs.aws.amazon.com/eks/latest/userguide/argocd-create-application.html.

In ``APPLY`` mode the kubectl provider applies this chart after the capability exists. In ``RENDER_ONLY`` mode nothing
in the stack applies it: apply ``GitOps.k8s.yaml`` once (``kubectl apply -f``) after the first deployment, and
Argo CD syncs the rest of the folder from then on, with no kubectl Lambda in the stack.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_eks_v2 as eks
from constructs import Construct

from eks_platform._internal import gitops as rules
from eks_platform._internal import validation as v
from eks_platform._internal.k8s_api import new_api_object
from eks_platform._internal.synth_hooks import on_validate
from eks_platform.constructs.capabilities import ArgoCdCapability
from eks_platform.constructs.keywords import checked_keywords
from eks_platform.constructs.manifests import ManifestDelivery, PlatformChart
from eks_platform.errors import ConfigError, raise_if_problems


class ArgoCdBootstrapChart(PlatformChart):
    """The cluster registration, Argo CD's RBAC and the ``Application``, as plain objects (see the module docstring).

    Args:
        scope: a cdk8s app.
        construct_id: chart id (names the YAML file).
        kubernetes_version: the cluster's Kubernetes minor.
        argocd_namespace: the capability's namespace.
        principal_arn: the capability role ARN (its access-entry group gets the RBAC).
        cluster_arn: the cluster ARN (the registration's ``server``).
        name: name of the Application, the cluster registration and the RBAC objects.
        repository_url: Git repository holding the folder.
        path: the folder, relative to the repository root.
        target_revision: branch, tag or commit. Default: - ``HEAD``.
        project: Argo CD project of the Application and the cluster. Default: - ``default``.
        automated: sync on every change. Default: - true.
        prune: delete objects removed from the folder (with ``automated``). Default: - true.
        self_heal: revert changes made outside Git (with ``automated``). Default: - true.
        synced_objects: the objects of the folder (they decide the write RBAC).
        extra_rules: more RBAC ``PolicyRule`` objects for the sync ClusterRole (kinds the library does not know).
    """

    @checked_keywords("InvalidGitOpsSettings")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kubernetes_version: str,
        argocd_namespace: str,
        principal_arn: str,
        cluster_arn: str,
        name: str,
        repository_url: str,
        path: str,
        synced_objects: Sequence[Mapping[str, Any]],
        target_revision: str = "HEAD",
        project: str = "default",
        automated: bool = True,
        prune: bool = True,
        self_heal: bool = True,
        extra_rules: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        problems = rules.repository_url_problems("repository_url", repository_url)
        problems += rules.repository_path_problems("path", path)
        problems += rules.revision_problems("target_revision", target_revision)
        problems += v.dns1123_subdomain("project", project)
        problems += v.dns1123_subdomain("name", name)
        extra = [dict(rule) for rule in (extra_rules or ())]
        for index, rule in enumerate(extra):
            if not {"apiGroups", "resources", "verbs"} <= set(rule):
                problems.append(f"extra_rules[{index}] must have apiGroups, resources and verbs, got {sorted(rule)}")
        write, unknown = rules.write_rules(synced_objects, where=f"chart {construct_id!r}")
        if not extra:
            problems += unknown
        raise_if_problems("InvalidGitOpsSettings", problems, path=f"{scope.node.path}/{construct_id}")
        super().__init__(scope, construct_id, kubernetes_version=kubernetes_version)
        subject = [{"kind": "Group", "name": rules.ACCESS_ENTRY_GROUP_PREFIX + principal_arn,
                    "apiGroup": "rbac.authorization.k8s.io"}]

        self.cluster_secret = new_api_object(self, "Cluster", {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": argocd_namespace,
                         "labels": {rules.CLUSTER_SECRET_LABEL: "cluster"}},
            "stringData": {"name": name, "server": cluster_arn, "project": project},
        })
        self._binding("Read", f"{name}-argocd-read", subject, [
            {"apiGroups": ["*"], "resources": ["*"], "verbs": list(rules.READ_VERBS)}])
        cluster_rules = [
            {"apiGroups": [group], "resources": resources, "verbs": list(rules.WRITE_VERBS)}
            for group, resources in write["cluster"].items()
        ] + extra
        if cluster_rules:
            self._binding("Sync", f"{name}-argocd-sync", subject, cluster_rules)
        for namespace, groups in write["namespaces"].items():
            ns_rules = [{"apiGroups": [g], "resources": r, "verbs": list(rules.WRITE_VERBS)} for g, r in groups.items()]
            new_api_object(self, f"SyncRole-{namespace}", {
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": {"name": f"{name}-argocd-sync", "namespace": namespace}, "rules": ns_rules})
            new_api_object(self, f"SyncRoleBinding-{namespace}", {
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": f"{name}-argocd-sync", "namespace": namespace},
                "subjects": subject,
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"{name}-argocd-sync"}})
        sync_policy: dict[str, Any] = {"automated": {"prune": prune, "selfHeal": self_heal}} if automated else {}
        self.application = new_api_object(self, "Application", {
            "apiVersion": rules.APPLICATION_API_VERSION,
            "kind": "Application",
            "metadata": {"name": name, "namespace": argocd_namespace},
            "spec": {
                "project": project,
                "source": {"repoURL": repository_url, "targetRevision": target_revision, "path": path},
                "destination": {"name": name},
                "syncPolicy": sync_policy,
            },
        })

    def _binding(self, construct_id: str, name: str, subject: list[dict[str, str]], policy: list[Any]) -> None:
        new_api_object(self, f"{construct_id}ClusterRole", {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name}, "rules": policy})
        new_api_object(self, f"{construct_id}ClusterRoleBinding", {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": name}, "subjects": subject,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name}})


def _literal_role_arn(capability: ArgoCdCapability, stack: cdk.Stack) -> str:
    """The role ARN as a literal when the role has a fixed name and the stack a literal account and region."""
    name, role = capability.role_name, capability.role
    partition = v.partition_of_region(stack.region) if not v.is_unresolved(stack.region) else None
    if isinstance(name, str) and not v.is_unresolved(name) and partition and not v.is_unresolved(stack.account):
        return f"arn:{partition}:iam::{stack.account}:role/{name}"
    return role.role_arn


def _cluster_arn(delivery: ManifestDelivery, stack: cdk.Stack) -> str:
    partition = v.partition_of_region(stack.region) if not v.is_unresolved(stack.region) else None
    name = delivery.cluster_name
    if partition and not v.is_unresolved(name) and not v.is_unresolved(stack.account):
        return f"arn:{partition}:eks:{stack.region}:{stack.account}:cluster/{name}"
    return delivery.cluster.cluster_arn


class ArgoCdBootstrap(Construct):
    """Registers the cluster with the Argo CD capability and creates the ``Application`` for its manifests folder.

    Create it after every other chart of the delivery (the write RBAC is derived from them; a chart added later
    fails the synth).

    Example::

        ArgoCdBootstrap(stack, "GitOps", delivery=delivery, capability=argocd,
                        repository_url="https://github.com/example/platform.git", path="manifests/eks-platform")

    Args:
        scope: parent construct.
        construct_id: construct id.
        delivery: the cluster's manifest delivery (its folder is what Argo CD syncs).
        capability: the cluster's :class:`ArgoCdCapability`. In render-only mode its role needs a fixed
            ``role_name`` (the RBAC names the role ARN, which must be known at synth).
        repository_url: the Git repository the folder is committed to.
        path: the folder in that repository (the delivery's folder, relative to the repository root).
        target_revision: Default: - ``HEAD``.
        application_name: Default: - the delivery's output name (the cluster name).
        project: Default: - ``default``.
        automated: Default: - true.
        prune: Default: - true.
        self_heal: Default: - true.
        extra_rules: RBAC rules for kinds the library does not know. Default: - none.
        chart_id: Default: - ``GitOps``.

    Attributes:
        chart: the :class:`ArgoCdBootstrapChart`.
        manifest: its custom resource (None in render-only mode).
    """

    @checked_keywords("InvalidGitOpsSettings")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        delivery: ManifestDelivery,
        capability: ArgoCdCapability,
        repository_url: str,
        path: str,
        target_revision: str = "HEAD",
        application_name: str | None = None,
        project: str = "default",
        automated: bool = True,
        prune: bool = True,
        self_heal: bool = True,
        extra_rules: Sequence[Mapping[str, Any]] | None = None,
        chart_id: str = "GitOps",
    ) -> None:
        super().__init__(scope, construct_id)
        if not isinstance(capability, ArgoCdCapability):
            raise ConfigError("InvalidGitOpsSettings", "capability must be an ArgoCdCapability", path=self.node.path)
        stack = cdk.Stack.of(self)
        synced = [obj for delivered in delivery.charts.values() if delivered.in_kustomization
                  for obj in delivered.objects]
        self._synced_charts = len(delivery.charts)
        self.delivery = delivery
        self.chart = ArgoCdBootstrapChart(
            delivery.app,
            chart_id,
            kubernetes_version=delivery.kubernetes_version,
            argocd_namespace=capability.namespace,
            principal_arn=_literal_role_arn(capability, stack),
            cluster_arn=_cluster_arn(delivery, stack),
            name=application_name or delivery.output_name.lower(),
            repository_url=repository_url,
            path=path,
            synced_objects=synced,
            target_revision=target_revision,
            project=project,
            automated=automated,
            prune=prune,
            self_heal=self_heal,
            extra_rules=extra_rules,
        )
        self.manifest: eks.KubernetesManifest | None = delivery.add_chart(
            self.chart, depends_on=[capability], in_kustomization=False
        )
        on_validate(self, _NoLaterCharts(self).validate)


class _NoLaterCharts:
    """Fails the synth when a chart is delivered after the bootstrap (its RBAC would not cover it)."""

    def __init__(self, bootstrap: ArgoCdBootstrap) -> None:
        self._bootstrap = bootstrap

    def validate(self) -> list[str]:
        later = list(self._bootstrap.delivery.charts)[self._bootstrap._synced_charts + 1:]
        if later:
            return [
                f"charts {later} were added after {self._bootstrap.node.path}; Argo CD's write RBAC would not cover "
                "them. Create ArgoCdBootstrap after every other chart of the delivery"
            ]
        return []
