"""EKS Capabilities: AWS-managed Argo CD, AWS Controllers for Kubernetes (ACK) and kro, one construct per type.

Each construct creates one ``AWS::EKS::Capability`` and, unless you pass ``role``, its capability IAM role:

- trust: ``capabilities.eks.amazonaws.com`` with ``sts:AssumeRole`` and ``sts:TagSession``, nothing else
  (https://docs.aws.amazon.com/eks/latest/userguide/capability-role.html);
- permissions: only what you name. kro needs none; Argo CD needs none unless it reads Git credentials from Secrets
  Manager, uses CodeConnections, CodeCommit or Helm charts in ECR; ACK gets the statements you list and/or
  ``sts:AssumeRole`` on the IAM Role Selector roles you list, and never a default like AdministratorAccess
  (https://docs.aws.amazon.com/eks/latest/userguide/capabilities-security.html, "IAM permissions required by
  capability").

EKS itself creates the capability's access entry on the cluster with the capability's access policies
(AmazonEKSArgoCDClusterPolicy and namespace-scoped AmazonEKSArgoCDPolicy, AmazonEKSACKPolicy, AmazonEKSKROPolicy).
Those do not let Argo CD deploy applications: grant that with Kubernetes RBAC (``ArgoCdBootstrap`` in
``constructs/gitops.py`` does it for the platform's own folder).

Lifecycle (CloudFormation schema of ``AWS::EKS::Capability``): ``ClusterName``, ``CapabilityName``, ``Type`` and the
Argo CD ``Namespace``, ``EndpointPrefix`` and ``AwsIdc`` are create-only, and replacement deletes the old capability
before creating the new one (``delete_then_create``): Argo CD is unavailable in between. Role mappings, network
access, ACK settings, the role and tags update in place. ``DeletePropagationPolicy`` is ``RETAIN`` (the only value):
deleting the capability keeps the Kubernetes resources it manages. The capability and its role are deleted when they
leave the code (they are identity, not data).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from eks_platform._internal import capabilities as rules
from eks_platform._internal import validation as v
from eks_platform._internal.pod_identity import tag_problems
from eks_platform.checks.acknowledgments import acknowledge
from eks_platform.constructs.keywords import check_fields, checked_keywords, checked_value
from eks_platform.constructs.types import ClusterLike, eks_cluster
from eks_platform.errors import ConfigError, raise_if_problems


class CapabilityType(str, Enum):
    """``Type`` of an EKS capability."""

    ARGOCD = "ARGOCD"
    ACK = "ACK"
    KRO = "KRO"


class ArgoCdRole(str, Enum):
    """Argo CD's built-in global roles (see https://docs.aws.amazon.com/eks/latest/userguide/argocd-permissions.html)."""

    ADMIN = "ADMIN"
    EDITOR = "EDITOR"
    VIEWER = "VIEWER"


class SsoIdentityType(str, Enum):
    USER = "SSO_USER"
    GROUP = "SSO_GROUP"


@checked_value("InvalidArgoCdSettings")
@dataclass(frozen=True, kw_only=True, slots=True)
class SsoIdentity:
    """An AWS Identity Center user or group, by its Identity Store ID (not its display name)."""

    id: str
    type: SsoIdentityType = SsoIdentityType.GROUP

    def __post_init__(self) -> None:
        check_fields(self, "InvalidArgoCdSettings")
        problems = rules.identity_id_problems("identity id", self.id)
        if not isinstance(self.type, SsoIdentityType):
            problems.append(f"identity type {self.type!r} is not an SsoIdentityType (USER or GROUP)")
        raise_if_problems("InvalidArgoCdSettings", problems)

    @classmethod
    def group(cls, group_id: str) -> SsoIdentity:
        return cls(id=group_id, type=SsoIdentityType.GROUP)

    @classmethod
    def user(cls, user_id: str) -> SsoIdentity:
        return cls(id=user_id, type=SsoIdentityType.USER)


@checked_value("InvalidArgoCdSettings")
@dataclass(frozen=True, kw_only=True, slots=True)
class RbacRoleMapping:
    """Identity Center users and groups that get one Argo CD global role. Updates in place."""

    role: ArgoCdRole
    identities: tuple[SsoIdentity, ...]

    def __post_init__(self) -> None:
        check_fields(self, "InvalidArgoCdSettings")
        object.__setattr__(self, "identities", tuple(self.identities))
        problems = []
        if not isinstance(self.role, ArgoCdRole):
            problems += rules.argocd_role_problems("role mapping role", self.role)
        if not all(isinstance(i, SsoIdentity) for i in self.identities):
            problems.append("role mapping identities must be SsoIdentity values (SsoIdentity.group('<id>'), ...)")
        raise_if_problems("InvalidArgoCdSettings", problems)


@checked_value("InvalidArgoCdSettings")
@dataclass(frozen=True, kw_only=True, slots=True)
class IdentityCenter:
    """The AWS Identity Center instance Argo CD signs users in with (required: local users are not supported).

    Changing it replaces the capability.

    Args:
        instance_arn: ``arn:aws:sso:::instance/ssoins-...`` (``aws sso-admin list-instances``).
        region: the instance's region. Default: - the cluster's region.
    """

    instance_arn: str
    region: str | None = None

    def __post_init__(self) -> None:
        check_fields(self, "InvalidArgoCdSettings")
        problems = rules.idc_instance_arn_problems("identity_center.instance_arn", self.instance_arn)
        if self.region is not None:
            problems += v.aws_region("identity_center.region", self.region)
        raise_if_problems("InvalidArgoCdSettings", problems)


def capability_role_name(cluster_name: str, capability_name: str, *, account: str, region: str) -> str:
    """A stable IAM role name (at most 64 characters) for a capability role whose ARN must be known at synth.

    IAM names are global to the account, so the name carries a digest of account, region, cluster and capability.
    """
    digest = hashlib.sha256(f"{account}/{region}/{cluster_name}/{capability_name}".encode()).hexdigest()[:8]
    base = f"eksp-{cluster_name}-{capability_name}"[: 64 - 9]
    return f"{base}-{digest}"


@dataclass(frozen=True, kw_only=True, slots=True)
class _Spec:
    capability_type: CapabilityType
    capability_name: str
    configuration: Mapping[str, Any] | None = None
    statements: tuple[iam.PolicyStatement, ...] = field(default=())
    acknowledgments: tuple[tuple[str, str], ...] = field(default=())


class _Capability(Construct):
    """Shared body: the capability role (created or given) and the ``AWS::EKS::Capability``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ClusterLike,
        spec: _Spec,
        role: iam.IRole | None,
        role_name: str | None,
        tags: Mapping[str, str] | None,
        problems: list[str],
    ) -> None:
        super().__init__(scope, construct_id)
        problems += rules.capability_name_problems("capability_name", spec.capability_name)
        if role is not None and (role_name is not None or spec.statements):
            problems.append(
                "role is given together with settings that build a role (role_name or permissions); pass an existing "
                "role or the settings, not both"
            )
        if role_name is not None and not v.is_unresolved(role_name) and (
            not isinstance(role_name, str) or not 1 <= len(role_name) <= 64
        ):
            problems.append(f"role_name {role_name!r} must be 1-64 characters")
        problems += tag_problems("tags", tags)
        raise_if_problems(f"Invalid{_TITLES[spec.capability_type]}Settings", problems, path=self.node.path)

        self.cluster: eks.ICluster = eks_cluster(cluster)
        self.capability_type = spec.capability_type
        self.capability_name = spec.capability_name
        self.role: iam.IRole = role if role is not None else self._new_role(role_name, spec)
        self.role_name: str | None = role_name if role is None else None
        """The fixed name of the role created here (None when CloudFormation names it, or for a given role)."""
        self.capability = eks.CfnCapability(
            self,
            "Resource",
            capability_name=spec.capability_name,
            cluster_name=self.cluster.cluster_name,
            type=spec.capability_type.value,
            role_arn=self.role.role_arn,
            delete_propagation_policy=rules.DELETE_PROPAGATION_POLICY,
            configuration=cast(Any, spec.configuration),
            tags=[cdk.CfnTag(key=k, value=val) for k, val in sorted((tags or {}).items())] or None,
        )
        # The role's permissions must exist before EKS assumes it, and outlive the capability on deletion.
        if isinstance(self.role, iam.Role):
            self.capability.node.add_dependency(self.role)
        self.node.default_child = self.capability

    def _new_role(self, role_name: str | None, spec: _Spec) -> iam.Role:
        role = iam.Role(
            self,
            "Role",
            role_name=role_name,
            description=f"EKS {_DISPLAY[spec.capability_type]} capability {spec.capability_name}",
            assumed_by=iam.SessionTagsPrincipal(iam.ServicePrincipal(rules.CAPABILITY_SERVICE_PRINCIPAL)),
        )
        for statement in spec.statements:
            role.add_to_policy(statement)
        for rule_id, reason in spec.acknowledgments:
            acknowledge(role, rule_id, reason)
        return role

    @property
    def capability_arn(self) -> str:
        """The capability ARN (deploy-time)."""
        return self.capability.attr_arn


_TITLES = {CapabilityType.ARGOCD: "ArgoCd", CapabilityType.ACK: "Ack", CapabilityType.KRO: "Kro"}
_DISPLAY = {CapabilityType.ARGOCD: "Argo CD", CapabilityType.ACK: "ACK", CapabilityType.KRO: "kro"}


def _arn_list(setting: str, values: Sequence[str] | None, problems: list[str], **kind: Any) -> tuple[str, ...]:
    items = tuple(values or ())
    for index, arn in enumerate(items):
        problems += rules.arn_problems(f"{setting}[{index}]", arn, **kind)
    return items


class ArgoCdCapability(_Capability):
    """The managed Argo CD capability, signed in through AWS Identity Center.

    Example::

        argocd = ArgoCdCapability(stack, "ArgoCd", cluster=cluster,
            identity_center=IdentityCenter(instance_arn="arn:aws:sso:::instance/ssoins-1234567890abcdef"),
            role_mappings=[RbacRoleMapping(role=ArgoCdRole.ADMIN,
                                           identities=(SsoIdentity.group("906739b3-1234-5678-9abc-def012345678"),))])

    The role gets permissions only for the integrations you name (each list is of exact ARNs, no wildcard).

    Args:
        scope: parent construct.
        construct_id: construct id.
        cluster: the cluster (``AutoModeCluster`` or an ``aws_eks_v2`` cluster).
        identity_center: the Identity Center instance. Required by EKS. Changing it replaces the capability.
        role_mappings: Identity Center users/groups per Argo CD role; at least one, each role once, at most 1,000
            identities. Updates in place.
        capability_name: Changing it replaces the capability. Default: - ``argocd``.
        namespace: where Argo CD watches Applications. Changing it replaces the capability. Default: - ``argocd``.
        endpoint_prefix: prefix of the hosted Argo CD URL. Changing it replaces the capability.
            Default: - generated by EKS.
        vpc_endpoint_ids: make the Argo CD UI/API reachable through these ``eks-capabilities`` VPC endpoints.
            Default: - the public endpoint.
        code_connection_arns: CodeConnections connections Argo CD may use for Git. Default: - none.
        secret_arns: Secrets Manager secrets holding repository credentials. Default: - none.
        codecommit_repository_arns: CodeCommit repositories Argo CD may pull. Default: - none.
        ecr_repository_arns: ECR repositories holding OCI Helm charts. Default: - none.
        role: an existing capability role (then no permission setting may be given). Default: - a new role.
        role_name: name of the new role. Default: - generated by CloudFormation. Changing it replaces the role.
        tags: tags on the capability. Default: - none.

    See: https://docs.aws.amazon.com/eks/latest/userguide/create-argocd-capability.html
    """

    @checked_keywords("InvalidCapabilitySettings")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ClusterLike,
        identity_center: IdentityCenter,
        role_mappings: Sequence[RbacRoleMapping],
        capability_name: str = "argocd",
        namespace: str = rules.DEFAULT_ARGOCD_NAMESPACE,
        endpoint_prefix: str | None = None,
        vpc_endpoint_ids: Sequence[str] | None = None,
        code_connection_arns: Sequence[str] | None = None,
        secret_arns: Sequence[str] | None = None,
        codecommit_repository_arns: Sequence[str] | None = None,
        ecr_repository_arns: Sequence[str] | None = None,
        role: iam.IRole | None = None,
        role_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        problems: list[str] = []
        if not isinstance(identity_center, IdentityCenter):
            problems.append(
                "identity_center is required and must be an IdentityCenter(instance_arn=...): EKS signs Argo CD users "
                "in only through AWS Identity Center"
            )
        mappings = list(role_mappings or ())
        if not all(isinstance(m, RbacRoleMapping) for m in mappings):
            problems.append("role_mappings must be RbacRoleMapping values")
            mappings = []
        problems += rules.role_mappings_problems(
            "role_mappings", [(m.role.value, len(m.identities)) for m in mappings]
        )
        problems += v.dns1123_label("namespace", namespace)
        if endpoint_prefix is not None:
            problems += rules.endpoint_prefix_problems("endpoint_prefix", endpoint_prefix)
        vpces = tuple(vpc_endpoint_ids or ())
        for index, vpce in enumerate(vpces):
            problems += rules.vpc_endpoint_id_problems(f"vpc_endpoint_ids[{index}]", vpce)
        connections = _arn_list("code_connection_arns", code_connection_arns, problems, service="codeconnections",
                                resource_prefix="connection/")
        secrets = _arn_list("secret_arns", secret_arns, problems, service="secretsmanager", resource_prefix="secret:")
        codecommit = _arn_list("codecommit_repository_arns", codecommit_repository_arns, problems,
                               service="codecommit")
        ecr = _arn_list("ecr_repository_arns", ecr_repository_arns, problems, service="ecr",
                        resource_prefix="repository/")

        statements, acks = _argocd_statements(connections, secrets, codecommit, ecr)
        configuration: dict[str, Any] | None = None
        if isinstance(identity_center, IdentityCenter) and not problems:
            argo: dict[str, Any] = {
                "awsIdc": {"idcInstanceArn": identity_center.instance_arn,
                           **({"idcRegion": identity_center.region} if identity_center.region else {})},
                "namespace": namespace,
                "rbacRoleMappings": [
                    {"role": m.role.value, "identities": [{"id": i.id, "type": i.type.value} for i in m.identities]}
                    for m in mappings
                ],
            }
            if endpoint_prefix is not None:
                argo["endpointPrefix"] = endpoint_prefix
            if vpces:
                argo["networkAccess"] = {"vpceIds": list(vpces)}
            configuration = {"argoCd": argo}
        super().__init__(
            scope,
            construct_id,
            cluster=cluster,
            spec=_Spec(capability_type=CapabilityType.ARGOCD, capability_name=capability_name,
                       configuration=configuration, statements=statements, acknowledgments=acks),
            role=role,
            role_name=role_name,
            tags=tags,
            problems=problems,
        )
        self.namespace = namespace
        self.identity_center = identity_center
        self.role_mappings = tuple(mappings)


def _argocd_statements(
    connections: Sequence[str], secrets: Sequence[str], codecommit: Sequence[str], ecr: Sequence[str]
) -> tuple[tuple[iam.PolicyStatement, ...], tuple[tuple[str, str], ...]]:
    """The Argo CD integrations of https://docs.aws.amazon.com/eks/latest/userguide/argocd-permissions.html
    ("AWS service permissions"), each scoped to the named resources."""
    statements: list[iam.PolicyStatement] = []
    acks: list[tuple[str, str]] = []
    if connections:
        statements.append(iam.PolicyStatement(
            actions=["codeconnections:UseConnection", "codeconnections:GetConnection"], resources=list(connections)))
    if secrets:
        statements.append(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=list(secrets)))
    if codecommit:
        statements.append(iam.PolicyStatement(actions=["codecommit:GitPull"], resources=list(codecommit)))
    if ecr:
        statements.append(iam.PolicyStatement(
            actions=["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            resources=list(ecr)))
        statements.append(iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]))
        acks.append(("AwsSolutions-IAM5[Resource::*]",
                     "ecr:GetAuthorizationToken supports only Resource '*' (it returns a registry token, not data); "
                     "image pulls are limited to the named repositories"))
    return tuple(statements), tuple(acks)


class AckCapability(_Capability):
    """The managed AWS Controllers for Kubernetes capability, with only the permissions you name.

    Example::

        ack = AckCapability(stack, "Ack", cluster=cluster, policy_statements=[
            iam.PolicyStatement(actions=["s3:CreateBucket", "s3:DeleteBucket", "s3:GetBucketTagging",
                                         "s3:PutBucketTagging"], resources=["arn:aws:s3:::team-a-*"])])

    There is no default policy: an ACK role with no permission can manage nothing, which is safer than the
    AdministratorAccess many examples attach. For production, prefer IAM Role Selectors: list the per-namespace roles
    in ``role_selector_role_arns`` (the capability role may then only assume them) and map them with
    ``IAMRoleSelector`` objects (https://docs.aws.amazon.com/eks/latest/userguide/ack-permissions.html).

    Args:
        scope: parent construct.
        construct_id: construct id.
        cluster: the cluster.
        policy_statements: statements for the AWS resources ACK manages: explicit actions (no ``*`` or
            ``<service>:*``) and resources (no bare ``*``). Default: - none.
        role_selector_role_arns: IAM roles the capability role may assume (``sts:AssumeRole`` and
            ``sts:TagSession``), for IAM Role Selectors. Default: - none.
        disabled_services: ACK service controllers not to run (``["sagemaker"]``). Default: - none.
        enable_cross_namespace: allow cross-namespace references. Default: - the service default.
        capability_name: Changing it replaces the capability. Default: - ``ack``.
        role: an existing capability role (then no permission setting may be given). Default: - a new role.
        role_name: Default: - generated by CloudFormation.
        tags: Default: - none.

    See: https://docs.aws.amazon.com/eks/latest/userguide/create-ack-capability.html
    """

    @checked_keywords("InvalidCapabilitySettings")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ClusterLike,
        policy_statements: Sequence[iam.PolicyStatement] | None = None,
        role_selector_role_arns: Sequence[str] | None = None,
        disabled_services: Sequence[str] | None = None,
        enable_cross_namespace: bool | None = None,
        capability_name: str = "ack",
        role: iam.IRole | None = None,
        role_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        problems: list[str] = []
        given = list(policy_statements or ())
        as_json = []
        for index, statement in enumerate(given):
            if not isinstance(statement, iam.PolicyStatement):
                problems.append(f"policy_statements[{index}] must be an aws_iam.PolicyStatement, got "
                                f"{type(statement).__name__}")
            else:
                as_json.append(statement.to_statement_json())
        problems += rules.policy_statement_problems("policy_statements", as_json)
        selector_roles = tuple(role_selector_role_arns or ())
        for index, arn in enumerate(selector_roles):
            problems += v.iam_role_arn(f"role_selector_role_arns[{index}]", arn)
        services = tuple(disabled_services or ())
        for index, service in enumerate(services):
            problems += rules.ack_service_problems(f"disabled_services[{index}]", service)
        if len(services) > 200:
            problems.append(f"disabled_services lists {len(services)} services; at most 200")
        statements = list(given)
        if selector_roles:
            statements.append(iam.PolicyStatement(actions=list(rules.TRUST_ACTIONS), resources=list(selector_roles)))
        ack: dict[str, Any] = {}
        if services:
            ack["disabledServices"] = list(services)
        if enable_cross_namespace is not None:
            ack["enableCrossNamespace"] = bool(enable_cross_namespace)
        super().__init__(
            scope,
            construct_id,
            cluster=cluster,
            spec=_Spec(capability_type=CapabilityType.ACK, capability_name=capability_name,
                       configuration={"ack": ack} if ack else None, statements=tuple(statements)),
            role=role,
            role_name=role_name,
            tags=tags,
            problems=problems,
        )


class KroCapability(_Capability):
    """The managed kro (Kube Resource Orchestrator) capability. Its role has no IAM permissions: kro uses only
    Kubernetes RBAC (grant it access to the kinds your ResourceGraphDefinitions create, see
    https://docs.aws.amazon.com/eks/latest/userguide/capabilities-security.html#kro-resource-permissions).

    Args:
        scope: parent construct.
        construct_id: construct id.
        cluster: the cluster.
        capability_name: Changing it replaces the capability. Default: - ``kro``.
        role: an existing capability role. Default: - a new role with the trust policy only.
        role_name: Default: - generated by CloudFormation.
        tags: Default: - none.

    See: https://docs.aws.amazon.com/eks/latest/userguide/create-kro-capability.html
    """

    @checked_keywords("InvalidCapabilitySettings")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ClusterLike,
        capability_name: str = "kro",
        role: iam.IRole | None = None,
        role_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            cluster=cluster,
            spec=_Spec(capability_type=CapabilityType.KRO, capability_name=capability_name),
            role=role,
            role_name=role_name,
            tags=tags,
            problems=[],
        )


def assert_capability_type(value: object) -> CapabilityType:
    """``CapabilityType(value)`` or a ConfigError listing the types (for callers holding a raw string)."""
    problems = rules.capability_type_problems("capability type", value)
    if problems:
        raise ConfigError("InvalidCapabilitySettings", problems)
    return CapabilityType(str(value))
