"""What a team adds to a platform cluster: ``add_pod_identity`` and ``add_addon``, written once.

``AutoModeCluster`` and ``PlatformClusterReference`` (a cluster another app created) offer the same two methods with
the same keyword arguments, those of :class:`~eks_platform.constructs.pod_identity.PodIdentity` and
:class:`~eks_platform.constructs.addons.ManagedAddon`. They inherit them from :class:`ClusterAttachments`, so the
lists cannot drift apart; each class says only how it differs (:meth:`_attachment_cluster`, :meth:`_addon_defaults`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import aws_iam as iam
from constructs import Construct, IDependable

from eks_platform._internal import pod_identity as pi
from eks_platform._internal.tree import created, make_child, path_of, remember
from eks_platform.constructs.addons import AddonName, AddonPodIdentity, ManagedAddon, ResolveConflicts, addons_scope
from eks_platform.constructs.pod_identity import PodIdentity, SharedPodIdentityRole
from eks_platform.constructs.types import ClusterLike
from eks_platform.errors import ConfigError

_PODS = "PodIdentities"


class ClusterAttachments:
    """Mixin of a platform cluster construct: Pod Identity bindings under ``PodIdentities``, add-ons under
    ``Addons`` (the construct ids every existing stack already has)."""

    def _attachment_cluster(self) -> ClusterLike:
        """The cluster the bindings and add-ons attach to."""
        raise NotImplementedError

    def _addon_defaults(self, *, kubernetes_version: str | None, hybrid_nodes: bool | None) -> dict[str, Any]:
        """``ManagedAddon`` keyword arguments this kind of cluster decides (version, Auto Mode, hybrid nodes)."""
        raise NotImplementedError

    def _pod_identities_scope(self) -> Construct:
        """The ``PodIdentities`` child (created on first use), kept on this object."""

        def create() -> Construct:
            made = Construct(self, _PODS)  # type: ignore[arg-type]  # mixed into a Construct
            created(made, self, _PODS)
            return made

        return remember(self, "pod_identities_scope", lambda: make_child(self, _PODS, create, accept=Construct))

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
        the keyword arguments are its own (``create_service_account`` needs the cluster's kubectl provider).

        See: https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
        """
        holder = self._pod_identities_scope()
        # Validate the names before they become a construct id (a bad id would surface as a jsii error).
        problems = pi.name_problems(namespace, service_account)
        if problems:
            raise ConfigError("InvalidPodIdentity", problems, path=path_of(holder))
        return PodIdentity(
            holder,
            PodIdentity.id_for(namespace, service_account),
            cluster=self._attachment_cluster(),
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
        """Install an add-on from the catalog as ``AWS::EKS::Addon``, pinned for the cluster's Kubernetes minor.

        A :class:`~eks_platform.constructs.addons.ManagedAddon` at ``<this>/Addons/<name>``; ``name`` is an
        ``AddonName`` or its EKS name, the keyword arguments are ``ManagedAddon``'s. ``kubernetes_version``, when
        given, must be the cluster's; compute is searched under this construct.

        See: https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html
        """
        addon_name = name.value if isinstance(name, AddonName) else str(name)
        return ManagedAddon(
            addons_scope(self),  # type: ignore[arg-type]  # mixed into a Construct
            addon_name,
            cluster=self._attachment_cluster(),
            name=addon_name,
            version=version,
            configuration=configuration,
            resolve_conflicts=resolve_conflicts,
            preserve_on_delete=preserve_on_delete,
            hosted_zone_ids=hosted_zone_ids,
            cloudwatch_log_group_prefix=cloudwatch_log_group_prefix,
            pod_identities=pod_identities,
            extra_capacity=extra_capacity,
            compute=compute,
            compute_scope=self,  # type: ignore[arg-type]  # mixed into a Construct
            tags=tags,
            **self._addon_defaults(kubernetes_version=kubernetes_version, hybrid_nodes=hybrid_nodes),
        )
