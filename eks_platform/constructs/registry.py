"""Book-keeping per cluster: every Pod Identity binding and add-on an app creates, to refuse duplicates early.

Duplicates and the 5,000 associations quota are counted across the whole app (every stack), also for imported
clusters; the registry adds nothing to any template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_cdk import aws_eks_v2 as eks
from constructs import Construct

from eks_platform._internal import pod_identity as pi
from eks_platform._internal import validation as v
from eks_platform._internal.tree import (
    account_of,
    default_child_of,
    make_child,
    path_of,
    region_of,
    remember,
    root_of,
)
from eks_platform.constructs.types import cfn_cluster_name_of
from eks_platform.errors import ConfigError


def literal_cluster_name(cluster: eks.ICluster) -> str | None:
    """The cluster's name when it is known at synth (set explicitly, or imported by name), otherwise None. Read once
    per cluster: the name is create-only (changing it replaces the cluster)."""

    def read() -> str | None:
        child = default_child_of(cluster)
        if isinstance(child, eks.CfnCluster):
            name = cfn_cluster_name_of(child)
            return name if isinstance(name, str) and not v.is_unresolved(name) else None
        name = cluster.cluster_name
        return None if v.is_unresolved(name) else name

    return remember(cluster, "registry_literal_cluster_name", read)


class _Registries(Construct):
    """Book-keeping child of the app root: one ``ClusterRegistry`` per cluster (see
    :meth:`ClusterRegistry.of` for the keys).

    A plain construct without resources (it adds nothing to any template). Living at the root, it sees every stack of
    the app, so duplicates and the per-cluster quota are judged across stacks; it works for imported clusters too.
    """

    ID = "EksPlatformRegistry"

    def __init__(self, scope: Construct) -> None:
        super().__init__(scope, self.ID)
        self.clusters: dict[str, ClusterRegistry] = {}
        self.names: dict[str, str] = {}  # "<name> (<account>/<region>)" -> path of the first cluster defined so


class ClusterRegistry:
    """Every Pod Identity binding, add-on and ``HybridNodes`` created for one cluster in this app."""

    def __init__(self, cluster_path: str) -> None:
        self.cluster_path = cluster_path
        self.bindings: dict[str, str] = {}  # namespace:service-account -> construct path
        self.addons: dict[str, str] = {}  # add-on name -> construct path
        self.addon_objects: dict[str, Any] = {}
        #: Called with every add-on created after registration (``HybridNodes`` places add-ons and opens ports).
        self.addon_listeners: list[Callable[[Any], None]] = []
        #: The ``HybridNodes`` that joined this cluster (add-ons read whether their pod CIDRs are routable).
        self.hybrid_nodes: list[Any] = []

    @classmethod
    def of(cls, cluster: eks.ICluster) -> ClusterRegistry:
        """The registry of ``cluster``. A cluster defined in this app is keyed by its construct path (two definitions
        of one name, such as before/after stacks of a test, stay apart). An imported cluster (a
        ``PlatformClusterReference``) is keyed by its name, account and region, and shares the registry of a cluster
        of that name defined earlier in the app: the team's bindings are counted with the platform's.

        Kept on the cluster's Python object once the key cannot change any more (a path), so later bindings and
        add-ons of the same cluster do not look it up in the tree again."""
        kept = vars(cluster).get("_eks_platform_registry")
        if isinstance(kept, ClusterRegistry):
            return kept
        registry, final = cls._find(cluster)
        if final:
            vars(cluster)["_eks_platform_registry"] = registry
        return registry

    @classmethod
    def _find(cls, cluster: eks.ICluster) -> tuple[ClusterRegistry, bool]:
        root = root_of(cluster)

        # the root's one registry child, kept on the root once found (a child is never replaced)
        holder: _Registries = remember(
            root, "registries", lambda: make_child(root, _Registries.ID, lambda: _Registries(root), accept=_Registries)
        )
        key = path_of(cluster)
        final = True
        name = literal_cluster_name(cluster)
        if name is not None:
            env = [x for x in (account_of(cluster), region_of(cluster)) if not v.is_unresolved(x)]
            named = f"{name} ({'/'.join(env)})" if len(env) == 2 else name
            if isinstance(default_child_of(cluster), eks.CfnCluster):
                holder.names.setdefault(named, key)
            else:
                key = holder.names.get(named, named)
                final = named in holder.names  # else a cluster of that name defined later takes the key
        if key not in holder.clusters:
            holder.clusters[key] = cls(key)
        return holder.clusters[key], final

    def check_binding(self, namespace: str, service_account: str, path: str) -> None:
        """Raise if the binding is taken or would exceed the quota (call before creating any construct)."""
        key = pi.association_key(namespace, service_account)
        if key in self.bindings:
            raise ConfigError(
                "DuplicatePodIdentity",
                f"{namespace}/{service_account} is already bound on cluster {self.cluster_path} by "
                f"{self.bindings[key]}; EKS allows one role per service account. Remove one binding, or grant both "
                "sets of permissions through one role",
                path=path,
            )
        problem = pi.quota_problem(self.cluster_path, len(self.bindings) + 1)
        if problem:
            raise ConfigError("PodIdentityQuotaExceeded", problem, path=path)

    def register_binding(self, namespace: str, service_account: str, path: str) -> None:
        self.check_binding(namespace, service_account, path)
        self.bindings[pi.association_key(namespace, service_account)] = path

    def check_addon(self, name: str, path: str) -> None:
        if name in self.addons:
            raise ConfigError(
                "DuplicateAddon",
                f"add-on {name} is already installed on cluster {self.cluster_path} by {self.addons[name]}; "
                "add each add-on once (merge the settings)",
                path=path,
            )
