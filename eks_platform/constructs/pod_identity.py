"""EKS Pod Identity: bind a Kubernetes service account to an IAM role without the kubectl Lambda.

``PodIdentity`` emits ``AWS::EKS::PodIdentityAssociation`` directly (L1) and, by default, an IAM role whose trust
policy is scoped by the session tags EKS sends (cluster ARN, namespace, service account). A stack with only a cluster
and bindings therefore has no ``AWS::Lambda::Function`` and no custom resource.

See: https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from eks_platform._internal import managed_policies as mp
from eks_platform._internal import pod_identity as pi
from eks_platform._internal import validation as v
from eks_platform._internal import values
from eks_platform._internal.synth_hooks import on_prepare
from eks_platform._internal.tree import account_of, child_path, created, node_of, path_of, remember, stack_of
from eks_platform.constructs.abac import SessionTag as SessionTag  # re-export: public here before
from eks_platform.constructs.abac import grant_with_session_tags as grant_with_session_tags  # re-export
from eks_platform.constructs.keywords import checked_keywords
from eks_platform.constructs.registry import ClusterRegistry, literal_cluster_name
from eks_platform.constructs.types import ClusterLike, cluster_arn_of, cluster_name_of, eks_cluster
from eks_platform.errors import ConfigError


def _cluster_account(cluster: eks.ICluster) -> str | None:
    stack = stack_of(cluster)
    account = remember(stack, "account", lambda: stack.account)
    return None if v.is_unresolved(account) else account


def _statement_problems(
    setting: str, statements: Sequence[iam.PolicyStatement], allow_wildcard: bool
) -> list[str]:
    problems: list[str] = []
    as_json = []
    for index, statement in enumerate(statements):
        if not isinstance(statement, iam.PolicyStatement):
            problems.append(f"{setting}[{index}] must be an aws_iam.PolicyStatement, got {type(statement).__name__}")
            continue
        as_json.append(statement.to_statement_json())
    if problems or allow_wildcard:
        return problems
    for index in pi.wildcard_admin_statements(as_json):
        problems.append(
            f"{setting}[{index}] allows action '*' on resource '*' (administrator access) to every pod using this "
            "service account; list the actions and resources it needs, or set allow_wildcard_statements=True if "
            "that is really intended"
        )
    return problems


def _managed_policy_arn(policy: object) -> str | None:
    """The policy's ARN (read once per policy object: one policy is often shared by many bindings), or None when
    ``policy`` is no managed policy."""

    def read() -> str | None:
        arn = getattr(policy, "managed_policy_arn", None)
        return arn if isinstance(arn, str) else None

    return remember(policy, "managed_policy_arn", read)


def _managed_policy_problems(setting: str, policies: Sequence[iam.IManagedPolicy]) -> list[str]:
    problems = []
    for index, policy in enumerate(policies):
        arn = _managed_policy_arn(policy)
        if arn is None:
            problems.append(
                f"{setting}[{index}] must be an aws_iam.IManagedPolicy (e.g. ManagedPolicy.from_aws_managed_policy_name"
                f"(...)), got {type(policy).__name__} {policy!r}"
            )
        elif arn.endswith(":policy/AdministratorAccess"):
            problems.append(
                f"{setting}[{index}] is AdministratorAccess; give the service account only what it needs"
            )
        else:
            problems += _aws_managed_path_problems(f"{setting}[{index}]", arn)
    return problems


def _aws_managed_path_problems(setting: str, arn: str) -> list[str]:
    """An AWS managed policy built without the path AWS publishes it under names a policy that does not exist
    (``from_aws_managed_policy_name("AmazonEBSCSIDriverPolicy")``; the policy is ``service-role/...``)."""
    _, marker, reference = arn.partition(":iam::aws:policy/")
    if not marker or v.is_unresolved(reference):
        return []
    written_path, name = mp.split_name(reference)
    path = mp.aws_managed_policies().get(name)
    if path is None or path == written_path or path == mp.SERVICE_LINKED_PATH:
        return mp.aws_managed_policy_name_problems(setting, reference) if path == mp.SERVICE_LINKED_PATH else []
    return [
        f"{setting} is the AWS managed policy {reference!r}, but AWS publishes {name} at path {path}, so that ARN "
        f"does not exist; use iam.ManagedPolicy.from_aws_managed_policy_name({mp.qualified_name(name)!r})"
    ]


def create_pod_identity_role(
    scope: Construct,
    construct_id: str,
    *,
    cluster: eks.ICluster,
    namespace: str,
    service_account: str,
    managed_policies: Sequence[iam.IManagedPolicy] = (),
    policy_statements: Sequence[iam.PolicyStatement] = (),
    scoped: bool = True,
    description: str | None = None,
    also_trusted: Sequence[tuple[str, str]] = (),
    role_name: str | None = None,
) -> iam.Role:
    """An IAM role EKS Pod Identity can assume for exactly one cluster/namespace/service account.

    The trust policy allows ``pods.eks.amazonaws.com`` ``sts:AssumeRole`` and ``sts:TagSession`` on the condition
    that the request tags ``eks-cluster-arn``, ``kubernetes-namespace`` and ``kubernetes-service-account`` match.
    ``aws:SourceAccount``/``aws:SourceArn`` are deliberately not added: the EKS user guide documents only the request
    tags for this trust policy.

    Args:
        scope: parent construct.
        construct_id: construct id of the role.
        cluster: the cluster whose ARN scopes the trust.
        namespace: Kubernetes namespace.
        service_account: Kubernetes service account.
        managed_policies: managed policies to attach. Default: - none.
        policy_statements: statements of the role's default inline policy. Default: - none.
        scoped: add the session-tag conditions. Default: - true; pass false only when session tags are disabled
            (the trust then conditions on ``aws:SourceAccount``, the cluster's account).
        description: role description. Default: - names the binding.
        also_trusted: further ``(namespace, service_account)`` pairs, each trusted by its own exact statement.
            Default: - none.
        role_name: the IAM role name. Changing it replaces the role. Default: - generated by CloudFormation.

    See: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
    """
    base = values.session_tags_service_principal(pi.POD_IDENTITY_PRINCIPAL)
    # Without session tags the trust cannot name cluster, namespace or service account; it still names the
    # account EKS must be acting for (the confused-deputy guard), so no other account's association can use it.
    principal: iam.IPrincipal = (
        base.with_conditions(pi.trust_conditions(cluster_arn_of(cluster), [(namespace, service_account)]))
        if scoped else base.with_conditions(pi.source_account_conditions(account_of(cluster)))
    )
    role = iam.Role(
        scope,
        construct_id,
        assumed_by=principal,
        description=description or f"EKS Pod Identity role for {namespace}/{service_account}",
        managed_policies=list(managed_policies) or None,
        role_name=role_name,
    )
    created(role, scope, construct_id)
    for ns, sa in also_trusted:
        role.assume_role_policy.add_statements(  # type: ignore[union-attr]
            iam.PolicyStatement(
                principals=[values.service_principal(pi.POD_IDENTITY_PRINCIPAL)],
                actions=list(pi.TRUST_ACTIONS),
                conditions=pi.trust_conditions(cluster_arn_of(cluster), [(ns, sa)]),
            )
        )
    for statement in policy_statements:
        role.add_to_principal_policy(statement)
    return role


class SharedPodIdentityRole(Construct):
    """One Pod Identity role for several service accounts, e.g. a role shared by tenant namespaces (ABAC).

    Its trust policy has one exact statement per ``(namespace, service_account)`` (cluster ARN, namespace and service
    account request tags), so only those service accounts of this cluster can use it. Bind each of them with
    ``PodIdentity(..., role=shared)`` and scope what each pod may reach with :func:`grant_with_session_tags`.

    Args:
        scope: parent construct.
        construct_id: construct id. Changing it replaces the role.
        cluster: the EKS cluster.
        bindings: the ``(namespace, service_account)`` pairs allowed to use the role (at least one, no repeats).
        managed_policies: managed policies. Default: - none.
        policy_statements: inline statements (``*`` on ``*`` needs ``allow_wildcard_statements``). Default: - none.
        allow_wildcard_statements: accept statements that allow every action on every resource. Default: - false.

    See: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
    """

    @checked_keywords("InvalidSharedPodIdentityRole")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ClusterLike,
        bindings: Sequence[tuple[str, str]],
        managed_policies: Sequence[iam.IManagedPolicy] | None = None,
        policy_statements: Sequence[iam.PolicyStatement] | None = None,
        allow_wildcard_statements: bool | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        cluster = eks_cluster(cluster)
        pairs = [tuple(b) for b in bindings] if isinstance(bindings, list | tuple) else []
        problems: list[str] = []
        if not pairs:
            problems.append("bindings must list at least one (namespace, service_account) pair")
        for index, pair in enumerate(pairs):
            if len(pair) != 2:
                problems.append(f"bindings[{index}] {pair!r} must be a (namespace, service_account) pair")
                continue
            problems += pi.name_problems(pair[0], pair[1], prefix=f"bindings[{index}].")
        if len(set(pairs)) != len(pairs):
            problems.append("bindings lists the same (namespace, service_account) twice; list each once")
        policies = tuple(managed_policies or ())
        statements = tuple(policy_statements or ())
        problems += _managed_policy_problems("managed_policies", policies)
        problems += _statement_problems("policy_statements", statements, bool(allow_wildcard_statements))
        if problems:
            raise ConfigError("InvalidSharedPodIdentityRole", problems, path=path_of(self))
        self.cluster = cluster
        self.bindings: tuple[tuple[str, str], ...] = tuple((str(a), str(b)) for a, b in pairs)
        first, *rest = self.bindings
        self.role = create_pod_identity_role(
            self,
            "Role",
            cluster=cluster,
            namespace=first[0],
            service_account=first[1],
            managed_policies=policies,
            policy_statements=statements,
            description=f"EKS Pod Identity role shared by {', '.join(f'{n}/{a}' for n, a in self.bindings)}"[:1000],
            also_trusted=rest,
        )
        self.node.default_child = self.role

    def trusts(self, namespace: str, service_account: str) -> bool:
        return (namespace, service_account) in self.bindings


class PodIdentity(Construct):
    """One EKS Pod Identity association: a Kubernetes service account bound to an IAM role.

    Emits ``AWS::EKS::PodIdentityAssociation`` (no kubectl Lambda, no custom resource) and, unless ``role`` is
    given, an IAM role trusted by ``pods.eks.amazonaws.com`` only for this cluster, namespace and service account.

    Example::

        PodIdentity(stack, "Reporting", cluster=cluster, namespace="apps", service_account="reporting",
                    managed_policies=[values.aws_managed_policy("AmazonS3ReadOnlyAccess")])

    Args:
        scope: parent construct.
        construct_id: construct id. ``PodIdentity.id_for(namespace, service_account)`` gives the stable, readable
            id ``AutoModeCluster.add_pod_identity`` uses. Changing it replaces the association and the role.
        cluster: the EKS cluster (an ``AutoModeCluster`` or an ``aws_eks_v2`` cluster).
        namespace: Kubernetes namespace (DNS-1123 label). It need not exist yet. Changing this replaces the
            association.
        service_account: Kubernetes service account name (DNS-1123 subdomain). It need not exist yet. Changing this
            replaces the association.
        role: an existing role to bind. The construct then changes neither its trust policy nor its permissions
            (and warns): the role must trust ``pods.eks.amazonaws.com`` with ``sts:AssumeRole`` and
            ``sts:TagSession``. A :class:`SharedPodIdentityRole` that lists this binding is used without warning.
            Default: - a new role scoped to this binding.
        managed_policies: managed policies for the new role. Default: - none.
        policy_statements: inline statements for the new role. A statement allowing ``*`` on ``*`` is rejected
            unless ``allow_wildcard_statements``. Default: - none.
        allow_wildcard_statements: accept statements that allow every action on every resource. Default: - false.
        target_role: cross-account target role (``TargetRoleArn``), as an ``iam.IRole`` or an ARN. EKS first
            assumes the association role, then this role; the association role gets ``sts:AssumeRole`` and
            ``sts:TagSession`` on it. The target role's trust policy lives in the other account: see
            ``target_trust_policy()``. On a cluster whose name is known at synth the new association role gets a
            deterministic name (``association_role_name``), so the target account can create its role first and the
            trust survives a redeployment. Default: - no target role.
        association_role_name: the name of the new association role. Changing it replaces the role (the
            association is updated in place). Default: - for a binding with ``target_role`` on a cluster with a
            literal name: ``eks-pi-<cluster>-<namespace>-<service account>`` (a hash suffix when over 64
            characters); otherwise generated by CloudFormation.
        allow_same_account_target: accept a target role in the cluster's own account. Default: - false.
        disable_session_tags: stop EKS from adding session tags. The created role's trust can then no longer be
            scoped by cluster, namespace and service account (a warning says so); it is conditioned on
            ``aws:SourceAccount`` (the cluster's account) instead, the confused-deputy guard. Default: - false, or
            true when a ``session_policy`` is given (EKS requires it).
        session_policy: an inline session policy that further restricts the role for this association
            (``Policy``; the effective permissions are the intersection). Requires session tags disabled.
            Default: - none.
        tags: tags for the association. Default: - none.
        create_service_account: also apply the ServiceAccount manifest through the cluster's kubectl provider
            (the namespace must exist). Needs a cluster created with the kubectl provider. Default: - false: EKS does
            not need the service account to exist for the association.

    See: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html
    """

    @checked_keywords("InvalidPodIdentity")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ClusterLike,
        namespace: str,
        service_account: str,
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
        association_role_name: str | None = None,
    ) -> None:
        cluster = eks_cluster(cluster)
        # Before any construct exists: a duplicate id would otherwise surface as a jsii error.
        registry = ClusterRegistry.of(cluster)
        registry.check_binding(namespace, service_account, child_path(scope, construct_id))
        super().__init__(scope, construct_id)
        created(self, scope, construct_id)
        policies = tuple(managed_policies or ())
        statements = tuple(policy_statements or ())
        problems = pi.name_problems(namespace, service_account)
        if role is not None and (policies or statements):
            problems.append(
                "role was given together with managed_policies/policy_statements; the construct never changes an "
                "existing role. Attach the policies to that role yourself, or drop role to let the construct create "
                "a scoped one"
            )
        shared = role if isinstance(role, SharedPodIdentityRole) else None
        if shared is not None:
            if not shared.trusts(namespace, service_account):
                problems.append(
                    f"role {shared.node.path} is not trusted by {namespace}/{service_account}; add the pair to its "
                    "bindings"
                )
            if shared.cluster is not cluster and path_of(shared.cluster) != path_of(cluster):
                problems.append(
                    f"role {shared.node.path} was made for cluster {shared.cluster.node.path}, not this one"
                )
            if disable_session_tags or session_policy is not None:
                problems.append(
                    f"role {shared.node.path} is trusted through session tags, so session tags must stay enabled "
                    "(a session policy needs them off); bind an existing role whose trust allows it instead"
                )
        elif role is not None and not hasattr(role, "role_arn"):
            problems.append(f"role must be an aws_iam.IRole, got {type(role).__name__} {role!r}")
        problems += _managed_policy_problems("managed_policies", policies)
        problems += _statement_problems("policy_statements", statements, bool(allow_wildcard_statements))

        target_arn: str | None = None
        if target_role is not None:
            target_arn = target_role if isinstance(target_role, str) else getattr(target_role, "role_arn", None)
            if target_arn is None:
                problems.append(f"target_role must be an aws_iam.IRole or a role ARN, got {target_role!r}")
            else:
                arn_problems = v.iam_role_arn("target_role", target_arn)
                problems += arn_problems
                if not arn_problems and not allow_same_account_target:
                    same = pi.same_account_target_problem(target_arn, _cluster_account(cluster))
                    if same:
                        problems.append(same)

        effective_disable = disable_session_tags
        if session_policy is not None:
            if not isinstance(session_policy, iam.PolicyDocument):
                problems.append(
                    f"session_policy must be an aws_iam.PolicyDocument, got {type(session_policy).__name__}"
                )
            elif session_policy.is_empty:
                problems.append("session_policy has no statements; drop it or add the statements to allow")
            if disable_session_tags is False:
                problems.append(
                    "session_policy needs session tags disabled (EKS rejects a policy with session tags on); "
                    "remove disable_session_tags=False or the session policy"
                )
            effective_disable = True
        problems += pi.tag_problems("tags", tags)
        if association_role_name is not None:
            problems += pi.role_name_problems("association_role_name", association_role_name)
            if role is not None:
                problems.append(
                    "association_role_name names the role this construct creates; it cannot rename the given role"
                )
        if create_service_account and cluster.kubectl_provider is None:
            problems.append(
                "create_service_account=True needs the cluster's kubectl provider (a Lambda), and this cluster has "
                "none; create the cluster with kubectl=True, or leave create_service_account off (EKS does not need "
                "the service account to exist for the association)"
            )
        if problems:
            raise ConfigError("InvalidPodIdentity", problems, path=path_of(self))

        registry.register_binding(namespace, service_account, path_of(self))

        self.cluster = cluster
        self.namespace = namespace
        self.service_account = service_account
        self.session_tags_disabled = bool(effective_disable)
        self.target_role_arn = target_arn
        cluster_name = literal_cluster_name(cluster)
        self.association_role_name: str | None = None
        """The association role's name when it is known at synth (see ``association_role_name``)."""
        if role is None:
            self.association_role_name = association_role_name or (
                pi.association_role_name(cluster_name, namespace, service_account)
                if target_arn is not None and cluster_name is not None
                else None
            )

        if role is None:
            self.role: iam.IRole = create_pod_identity_role(
                self,
                "Role",
                cluster=cluster,
                namespace=namespace,
                service_account=service_account,
                managed_policies=policies,
                policy_statements=statements,
                scoped=not self.session_tags_disabled,
                role_name=self.association_role_name,
            )
            if target_arn is not None:
                self.role.add_to_principal_policy(
                    iam.PolicyStatement(actions=list(pi.TRUST_ACTIONS), resources=[target_arn])
                )
            if self.session_tags_disabled:
                cdk.Annotations.of(self).add_warning_v2(
                    "eks-platform:pod-identity-trust",
                    f"Session tags are disabled for {namespace}/{service_account}, so the role's trust policy cannot "
                    "be scoped by the eks-cluster-arn and kubernetes-* tags: any Pod Identity association whose "
                    "creator may iam:PassRole this role can use it. Keep iam:PassRole on it tightly restricted: "
                    "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html",
                )
        elif shared is not None:
            self.role = shared.role
            if target_arn is not None:
                shared.role.add_to_principal_policy(
                    iam.PolicyStatement(actions=list(pi.TRUST_ACTIONS), resources=[target_arn])
                )
        else:
            self.role = cast(iam.IRole, role)
            needs = "sts:AssumeRole and sts:TagSession for pods.eks.amazonaws.com"
            if target_arn is not None:
                needs += f", and permission to sts:AssumeRole/sts:TagSession on {target_arn}"
            cdk.Annotations.of(self).add_warning_v2(
                "eks-platform:pod-identity-existing-role",
                f"{namespace}/{service_account} uses an existing role, whose trust policy and permissions are left "
                f"as they are. It must allow {needs}, ideally scoped by the aws:RequestTag/eks-cluster-arn, "
                "kubernetes-namespace and kubernetes-service-account conditions: "
                "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html",
            )

        self.association = eks.CfnPodIdentityAssociation(
            self,
            "Association",
            cluster_name=cluster_name_of(cluster),
            namespace=namespace,
            service_account=service_account,
            role_arn=self.role.role_arn,
            target_role_arn=target_arn,
            disable_session_tags=True if self.session_tags_disabled else None,
            policy=stack_of(self).to_json_string(session_policy.to_json()) if session_policy is not None else None,
            tags=[cdk.CfnTag(key=k, value=tags[k]) for k in sorted(tags)] if tags else None,
        )
        if role is None or shared is not None:
            # Credentials are handed out only once the role's inline policy exists. The association already refers to
            # the role itself, so only the inline policy (if any is added, also later) needs an explicit DependsOn.
            bound_role = shared.role if shared else self.role
            on_prepare(self, self.association, _WaitForInlinePolicy(self.association, bound_role))
        node_of(self).default_child = self.association

        self.service_account_manifest: eks.KubernetesManifest | None = None
        if create_service_account:
            self.service_account_manifest = eks.KubernetesManifest(
                self,
                "ServiceAccount",
                cluster=cluster,
                manifest=[
                    {
                        "apiVersion": "v1",
                        "kind": "ServiceAccount",
                        "metadata": {
                            "name": service_account,
                            "namespace": namespace,
                            "labels": {"app.kubernetes.io/managed-by": "cdk-eks-platform"},
                        },
                    }
                ],
                overwrite=True,
            )

    @staticmethod
    def id_for(namespace: str, service_account: str) -> str:
        """The construct id for a binding: ``namespace:service-account`` (readable, stable, order-independent)."""
        return pi.association_key(namespace, service_account)

    @property
    def association_arn(self) -> str:
        """The ARN of the association."""
        return self.association.attr_association_arn

    @property
    def association_id(self) -> str:
        """The ID of the association (``a-...``)."""
        return self.association.attr_association_id

    @property
    def external_id(self) -> str:
        """The association's ``ExternalId``: what a target role's trust policy matches as ``sts:ExternalId``.

        Known only after the association exists (see ``target_trust_policy``).
        """
        return self.association.attr_external_id

    @property
    def association_role_arn(self) -> str:
        """The association role's ARN: a literal when its name and the account are known at synth (a binding with
        ``target_role`` on a named cluster in a stack with an account), otherwise a deploy-time reference."""
        stack = cdk.Stack.of(self.cluster)
        partition = v.partition_of_region(stack.region)
        if self.association_role_name is not None and partition is not None and not v.is_unresolved(stack.account):
            return f"arn:{partition}:iam::{stack.account}:role/{self.association_role_name}"
        return self.role.role_arn

    def _literal_cluster_arn(self) -> str:
        stack = cdk.Stack.of(self.cluster)
        name = literal_cluster_name(self.cluster)
        partition = v.partition_of_region(stack.region)
        if name is None or partition is None or v.is_unresolved(stack.account):
            return self.cluster.cluster_arn
        return f"arn:{partition}:eks:{stack.region}:{stack.account}:cluster/{name}"

    def target_trust_policy(self) -> iam.PolicyDocument:
        """The trust policy the cross-account target role needs, to be applied in the target account.

        With session tags on (the default) it trusts this association role on the condition that the session tags
        name this cluster, namespace and service account. On a cluster with a literal name in a stack with a literal
        account and region, every value in it is literal (the role has a deterministic name): the target account can
        create its role *before* this stack is deployed (one phase), and the trust keeps working when the stack is
        redeployed. Otherwise it holds deploy-time references: deploy this stack first, then create the target role
        from the resolved document (the honest order). With session tags off, EKS passes the association's external
        id instead, which exists only after the association was created: always deploy first, then apply this
        document (``sts:ExternalId`` = ``external_id``). Render it with
        ``Stack.of(x).to_json_string(doc.to_json())``, e.g. into a ``CfnOutput``.

        See: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-assign-target-role.html
        """
        if self.target_role_arn is None:
            raise ConfigError(
                "NoTargetRole",
                f"{self.namespace}/{self.service_account} has no target_role; there is no target trust policy",
                path=self.node.path,
            )
        stack = stack_of(self.cluster)
        account = stack.account
        partition = v.partition_of_region(stack.region)
        root: iam.IPrincipal = (
            iam.ArnPrincipal(f"arn:{partition}:iam::{account}:root")
            if partition is not None and not v.is_unresolved(account)
            else iam.AccountPrincipal(account)
        )
        role_arn = self.association_role_arn
        if self.session_tags_disabled:
            conditions: dict[str, Any] = {
                "StringEquals": {"sts:ExternalId": self.external_id},
                "ArnEquals": {"aws:PrincipalArn": role_arn},
            }
            return iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(principals=[root], actions=["sts:AssumeRole"], conditions=conditions),
                    iam.PolicyStatement(
                        principals=[root],
                        actions=["sts:TagSession"],
                        conditions={"ArnEquals": {"aws:PrincipalArn": role_arn}},
                    ),
                ]
            )
        conditions = pi.trust_conditions(self._literal_cluster_arn(), [(self.namespace, self.service_account)])
        conditions["ArnEquals"] = {"aws:PrincipalArn": role_arn}
        return iam.PolicyDocument(
            statements=[iam.PolicyStatement(principals=[root], actions=list(pi.TRUST_ACTIONS), conditions=conditions)]
        )


@checked_keywords("InvalidAddonPodIdentity")
def add_addon_pod_identity(
    addon: Construct,
    *,
    cluster: eks.ICluster,
    namespace: str,
    service_account: str,
    role: iam.IRole | None = None,
    managed_policies: Sequence[iam.IManagedPolicy] | None = None,
    policy_statements: Sequence[iam.PolicyStatement] | None = None,
    allow_wildcard_statements: bool | None = None,
) -> iam.IRole:
    """Attach a Pod Identity association to an EKS add-on (``AWS::EKS::Addon.PodIdentityAssociations``).

    Works with ``aws_eks_v2.Addon`` (whose pinned version has no such setting; its ``CfnAddon`` is changed), with
    ``CfnAddon`` and with ``ManagedAddon``. The role is created the same way as ``PodIdentity`` creates one (trust
    scoped to the cluster, the add-on's namespace and service account) unless ``role`` is given. Associations made
    this way are owned by the add-on and deleted with it. Only add-on versions whose configuration has
    ``podIdentityConfiguration`` accept them (``aws eks describe-addon-configuration``).

    Args:
        addon: the add-on: an ``aws_eks_v2.Addon``, a ``CfnAddon``, or any construct whose ``default_child`` is one.
            The role is created next to the ``CfnAddon``, never inside it.
        cluster: the add-on's cluster.
        namespace: the namespace the add-on runs in (needed for the trust policy).
        service_account: the add-on's service account.
        role: an existing role (left untouched). Default: - a new scoped role.
        managed_policies: managed policies for the new role. Default: - none.
        policy_statements: inline statements for the new role. Default: - none.
        allow_wildcard_statements: accept ``*`` on ``*`` statements. Default: - false.

    Returns: the role bound to the service account.

    See: https://docs.aws.amazon.com/eks/latest/userguide/add-ons-iam.html
    """
    cfn = addon if isinstance(addon, eks.CfnAddon) else node_of(addon).default_child
    if isinstance(addon, eks.CfnAddon):
        owner: Construct = addon.node.scope or addon  # type: ignore[assignment]
        holder_id = f"{addon.node.id}PodIdentities"
    else:
        owner = addon
        holder_id = "PodIdentities"
    policies = tuple(managed_policies or ())
    statements = tuple(policy_statements or ())
    problems = pi.name_problems(namespace, service_account)
    if not isinstance(cfn, eks.CfnAddon):
        problems.append(f"addon must be an aws_eks_v2.Addon or CfnAddon, got {type(addon).__name__}")
    if role is not None and (policies or statements):
        problems.append(
            "role was given together with managed_policies/policy_statements; pass either an existing role or the "
            "policies for a new one"
        )
    problems += _managed_policy_problems("managed_policies", policies)
    problems += _statement_problems("policy_statements", statements, bool(allow_wildcard_statements))
    if problems:
        raise ConfigError("InvalidAddonPodIdentity", problems, path=path_of(addon))
    assert isinstance(cfn, eks.CfnAddon)
    ClusterRegistry.of(cluster).register_binding(namespace, service_account, path_of(addon))

    def find_or_create() -> Construct:
        found = node_of(owner).try_find_child(holder_id)
        if isinstance(found, Construct):
            return found
        made = Construct(owner, holder_id)
        created(made, owner, holder_id)
        return made

    holder = remember(owner, f"child {holder_id}", find_or_create)
    bound = role or create_pod_identity_role(
        holder,
        service_account,
        cluster=cluster,
        namespace=namespace,
        service_account=service_account,
        managed_policies=policies,
        policy_statements=statements,
        description=f"EKS Pod Identity role for add-on {cfn.addon_name} ({namespace}/{service_account})",
    )
    existing = cfn.pod_identity_associations
    current = list(existing) if isinstance(existing, list | tuple) else []
    current.append(
        eks.CfnAddon.PodIdentityAssociationProperty(role_arn=bound.role_arn, service_account=service_account)
    )
    cfn.pod_identity_associations = current
    if role is None:
        # The add-on refers to the role; only the role's inline policy needs an explicit DependsOn.
        on_prepare(owner, cfn, _WaitForInlinePolicy(cfn, bound))
    return bound


class _WaitForInlinePolicy:
    """Makes an association (or an add-on with associations) depend on its role's inline policy (``DefaultPolicy``)
    when the role has one at synth: an aspect-phase hook (``synth_hooks.on_prepare``), anchored on the association.

    The association refers to the role (``RoleArn``), which already orders it after the role: an explicit
    ``DependsOn`` on the role would be redundant (cfn-lint W3005).
    """

    def __init__(self, association: cdk.CfnResource, role: iam.IRole) -> None:
        self._association = association
        self._role = role

    def __call__(self) -> None:
        policy = node_of(self._role).try_find_child("DefaultPolicy")
        if policy is not None:
            node_of(self._association).add_dependency(policy)
