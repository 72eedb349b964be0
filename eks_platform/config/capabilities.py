"""cdk.json: the ``platform.capabilities`` section (EKS Capabilities), validated into :class:`CapabilitySettings`.

Shape (keys are the capability names, the stable identity of each capability)::

    "capabilities": {
      "argocd": {"type": "ARGOCD",
                 "identityCenter": {"instanceArn": "arn:aws:sso:::instance/ssoins-...", "region": "us-east-1"},
                 "roleMappings": {"ADMIN": {"groups": ["<identity store group id>"]}, "VIEWER": {"users": [...]}}},
      "ack": {"type": "ACK", "policyStatements": [{"Effect": "Allow", "Action": [...], "Resource": [...]}]},
      "kro": {"type": "KRO"}
    }

One model per capability type (the ``type`` key selects it), so the JSON Schema lists each type's keys. Every rule
is the one the constructs apply (``eks_platform._internal.capabilities``), reported with the cdk.json path.

See: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-eks-capability.html
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from aws_cdk import aws_iam as iam
from constructs import Construct
from pydantic import ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from eks_platform._internal import capabilities as rules
from eks_platform._internal import validation as v
from eks_platform._internal.pod_identity import tag_problems
from eks_platform.config._base import HERE, TAG_ERROR, TAG_RULES, UNION_TAG, ConfigModel, check, ruled, section_problems
from eks_platform.constructs.capabilities import (
    AckCapability,
    ArgoCdCapability,
    ArgoCdRole,
    CapabilityType,
    IdentityCenter,
    KroCapability,
    RbacRoleMapping,
    SsoIdentity,
)
from eks_platform.constructs.types import ClusterLike

__all__ = [
    "AckCapabilitySettings",
    "ArgoCdCapabilitySettings",
    "CapabilityEntry",
    "CapabilitySettings",
    "KroCapabilitySettings",
    "capability_settings",
    "parse_capabilities_config",
]

Capability = ArgoCdCapability | AckCapability | KroCapability


@dataclass(frozen=True, kw_only=True, slots=True)
class CapabilitySettings:
    """One entry of ``platform.capabilities``, validated; :meth:`build` creates the capability construct."""

    name: str
    capability_type: CapabilityType
    tags: Mapping[str, str] = field(default_factory=dict)
    identity_center: IdentityCenter | None = None
    role_mappings: tuple[RbacRoleMapping, ...] = ()
    namespace: str = rules.DEFAULT_ARGOCD_NAMESPACE
    endpoint_prefix: str | None = None
    vpc_endpoint_ids: tuple[str, ...] = ()
    code_connection_arns: tuple[str, ...] = ()
    secret_arns: tuple[str, ...] = ()
    codecommit_repository_arns: tuple[str, ...] = ()
    ecr_repository_arns: tuple[str, ...] = ()
    policy_statements: tuple[Mapping[str, Any], ...] = ()
    role_selector_role_arns: tuple[str, ...] = ()
    disabled_services: tuple[str, ...] = ()
    enable_cross_namespace: bool | None = None

    def build(self, scope: Construct, construct_id: str, *, cluster: ClusterLike,
              role_name: str | None = None) -> Capability:
        """The capability construct (``role_name`` fixes the role's name, for RBAC rendered at synth)."""
        common: dict[str, Any] = {"cluster": cluster, "capability_name": self.name, "tags": dict(self.tags) or None,
                                  "role_name": role_name}
        if self.capability_type is CapabilityType.ARGOCD:
            assert self.identity_center is not None  # the model requires it for an Argo CD entry
            return ArgoCdCapability(
                scope, construct_id, identity_center=self.identity_center, role_mappings=self.role_mappings,
                namespace=self.namespace, endpoint_prefix=self.endpoint_prefix,
                vpc_endpoint_ids=self.vpc_endpoint_ids, code_connection_arns=self.code_connection_arns,
                secret_arns=self.secret_arns, codecommit_repository_arns=self.codecommit_repository_arns,
                ecr_repository_arns=self.ecr_repository_arns, **common,
            )
        if self.capability_type is CapabilityType.ACK:
            return AckCapability(
                scope, construct_id,
                policy_statements=[iam.PolicyStatement.from_json(dict(s)) for s in self.policy_statements],
                role_selector_role_arns=self.role_selector_role_arns, disabled_services=self.disabled_services,
                enable_cross_namespace=self.enable_cross_namespace, **common,
            )
        return KroCapability(scope, construct_id, **common)


def _each(rule: Any, values: tuple[str, ...], **kind: Any) -> list[str]:
    return [p for i, item in enumerate(values) for p in rule(f"{HERE}[{i}]", item, **kind)]


# -- Argo CD ----------------------------------------------------------------------------------------------------------
class IdentityCenterSettings(ConfigModel):
    """``identityCenter``: the AWS Identity Center instance Argo CD signs users in with."""

    instance_arn: Annotated[str, ruled(rules.idc_instance_arn_problems)] = Field(
        description="arn:aws:sso:::instance/ssoins-... (aws sso-admin list-instances)."
    )
    region: str | None = Field(default=None, description="Region of the instance. Default: the stack's region.")

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None:
            check(v.aws_region(HERE, value))
        return value


class RoleMembersSettings(ConfigModel):
    """``roleMappings.<ROLE>``: the Identity Center groups and users that get the role."""

    groups: tuple[str, ...] = Field(default=(), description="Identity Store group IDs (UUIDs, not display names).")
    users: tuple[str, ...] = Field(default=(), description="Identity Store user IDs (UUIDs, not e-mails).")

    @field_validator("groups", "users")
    @classmethod
    def _ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check(_each(rules.identity_id_problems, value))
        return value

    def identities(self) -> tuple[SsoIdentity, ...]:
        return tuple(map(SsoIdentity.group, self.groups)) + tuple(map(SsoIdentity.user, self.users))


_ARN_KINDS: dict[str, dict[str, str]] = {
    "code_connection_arns": {"service": "codeconnections", "resource_prefix": "connection/"},
    "secret_arns": {"service": "secretsmanager", "resource_prefix": "secret:"},
    "code_commit_repository_arns": {"service": "codecommit"},
    "ecr_repository_arns": {"service": "ecr", "resource_prefix": "repository/"},
}


class _CapabilityBase(ConfigModel):
    @classmethod
    def foreign_key_problem(cls, path: str, key: str) -> str | None:
        kind = typing.get_args(cls.model_fields["type"].annotation)[0]  # the Literal of the subclass
        return f"{path} is not a setting of a {kind} capability" if key in _ANY_TYPE_KEYS else None

    tags: Annotated[dict[str, str], ruled(tag_problems)] = Field(
        default_factory=dict, description="Tags on the capability."
    )


class ArgoCdCapabilitySettings(_CapabilityBase):
    """``"type": "ARGOCD"``: managed Argo CD. Sign-in is through AWS Identity Center only."""

    missing_hints: ClassVar[dict[str, str]] = {
        "identityCenter": " for an Argo CD capability: "
        '{"instanceArn": "arn:aws:sso:::instance/ssoins-...", "region": "<its region>"}; EKS signs Argo CD users in '
        "only through AWS Identity Center",
        "roleMappings": ': map an Argo CD role to its identities, such as {"ADMIN": {"groups": '
        '["<identity store group id>"]}}',
    }

    type: Literal["ARGOCD"] = Field(description="The capability type.")
    identity_center: IdentityCenterSettings = Field(description="The AWS Identity Center instance users sign in with.")
    role_mappings: dict[str, RoleMembersSettings] = Field(
        description="Argo CD role (ADMIN, EDITOR, VIEWER) -> the Identity Center groups and users that get it.",
        json_schema_extra={"propertyNames": {"enum": list(rules.ARGOCD_ROLES)}},
    )
    namespace: Annotated[str, ruled(v.dns1123_label)] = Field(
        default=rules.DEFAULT_ARGOCD_NAMESPACE, description="Namespace Argo CD watches."
    )
    endpoint_prefix: str | None = Field(default=None, description="Prefix of the Argo CD endpoint's host name.")
    vpc_endpoint_ids: tuple[str, ...] = Field(default=(), description="VPC endpoints (vpce-...) for private access.")
    code_connection_arns: tuple[str, ...] = Field(default=(), description="CodeConnections connections it may use.")
    secret_arns: tuple[str, ...] = Field(default=(), description="Secrets Manager secrets it may read.")
    code_commit_repository_arns: tuple[str, ...] = Field(
        default=(), description="CodeCommit repositories it may read."
    )
    ecr_repository_arns: tuple[str, ...] = Field(default=(), description="ECR repositories (Helm charts) it may read.")

    @field_validator("role_mappings")
    @classmethod
    def _roles(cls, value: dict[str, RoleMembersSettings]) -> dict[str, RoleMembersSettings]:
        problems = [p for role in value for p in rules.argocd_role_problems(f"{HERE}.{role}", role)]
        problems += rules.role_mappings_problems(HERE, [(role, len(m.identities())) for role, m in value.items()])
        check(problems)
        return value

    @field_validator("endpoint_prefix")
    @classmethod
    def _prefix(cls, value: str | None) -> str | None:
        if value is not None:
            check(rules.endpoint_prefix_problems(HERE, value))
        return value

    @field_validator("vpc_endpoint_ids")
    @classmethod
    def _endpoints(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check(_each(rules.vpc_endpoint_id_problems, value))
        return value

    @field_validator(*_ARN_KINDS)
    @classmethod
    def _arns(cls, value: tuple[str, ...], info: Any) -> tuple[str, ...]:
        check(_each(rules.arn_problems, value, **_ARN_KINDS[info.field_name]))
        return value

    def settings(self, name: str) -> CapabilitySettings:
        identity_center = IdentityCenter(instance_arn=self.identity_center.instance_arn,
                                         region=self.identity_center.region)
        return CapabilitySettings(
            name=name, capability_type=CapabilityType.ARGOCD, tags=dict(self.tags), identity_center=identity_center,
            role_mappings=tuple(
                RbacRoleMapping(role=ArgoCdRole(role), identities=members.identities())
                for role, members in self.role_mappings.items()
            ),
            namespace=self.namespace, endpoint_prefix=self.endpoint_prefix, vpc_endpoint_ids=self.vpc_endpoint_ids,
            code_connection_arns=self.code_connection_arns, secret_arns=self.secret_arns,
            codecommit_repository_arns=self.code_commit_repository_arns,
            ecr_repository_arns=self.ecr_repository_arns,
        )


# -- ACK --------------------------------------------------------------------------------------------------------------
class PolicyStatementSettings(ConfigModel):
    """An IAM policy statement in its JSON form (the keys as IAM writes them).

    See: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
    """

    model_config = ConfigDict(alias_generator=None)

    sid: str | None = Field(default=None, alias="Sid", description="Statement ID.")
    effect: Literal["Allow", "Deny"] = Field(default="Allow", alias="Effect", description="Allow or Deny.")
    action: str | tuple[str, ...] | None = Field(default=None, alias="Action", description="Actions (service:Action).")
    not_action: str | tuple[str, ...] | None = Field(
        default=None, alias="NotAction", description="Refused in an Allow statement (grants everything not listed)."
    )
    resource: str | tuple[str, ...] | None = Field(default=None, alias="Resource", description="Resource ARNs.")
    not_resource: str | tuple[str, ...] | None = Field(
        default=None, alias="NotResource", description="Refused in an Allow statement (grants everything not listed)."
    )
    condition: dict[str, dict[str, Any]] | None = Field(default=None, alias="Condition", description="Conditions.")

    def as_json(self) -> dict[str, Any]:
        """The statement as the user wrote it (the keys given, lists as lists)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class AckCapabilitySettings(_CapabilityBase):
    """``"type": "ACK"``: AWS Controllers for Kubernetes. No permissions unless statements are given."""

    type: Literal["ACK"] = Field(description="The capability type.")
    policy_statements: tuple[PolicyStatementSettings, ...] = Field(
        default=(), description="IAM statements of the capability role (least privilege: no wildcard actions)."
    )
    role_selector_role_arns: tuple[str, ...] = Field(
        default=(), description="IAM roles the capability may assume through IAM Role Selectors."
    )
    disabled_services: tuple[str, ...] = Field(default=(), description="ACK service controllers to turn off (s3, rds).")
    enable_cross_namespace: bool | None = Field(
        default=None, description="Let resources refer to resources in other namespaces. Default: EKS's default."
    )

    @field_validator("policy_statements")
    @classmethod
    def _statements(cls, value: tuple[PolicyStatementSettings, ...]) -> tuple[PolicyStatementSettings, ...]:
        check(rules.policy_statement_problems(HERE, [s.as_json() for s in value]))
        return value

    @field_validator("role_selector_role_arns")
    @classmethod
    def _roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check(_each(v.iam_role_arn, value))
        return value

    @field_validator("disabled_services")
    @classmethod
    def _services(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check(_each(rules.ack_service_problems, value))
        return value

    def settings(self, name: str) -> CapabilitySettings:
        return CapabilitySettings(
            name=name, capability_type=CapabilityType.ACK, tags=dict(self.tags),
            policy_statements=tuple(s.as_json() for s in self.policy_statements),
            role_selector_role_arns=self.role_selector_role_arns, disabled_services=self.disabled_services,
            enable_cross_namespace=self.enable_cross_namespace,
        )


# -- kro --------------------------------------------------------------------------------------------------------------
class KroCapabilitySettings(_CapabilityBase):
    """``"type": "KRO"``: Kube Resource Orchestrator."""

    type: Literal["KRO"] = Field(description="The capability type.")

    def settings(self, name: str) -> CapabilitySettings:
        return CapabilitySettings(name=name, capability_type=CapabilityType.KRO, tags=dict(self.tags))


_MODELS: dict[str, type[_CapabilityBase]] = {
    "ARGOCD": ArgoCdCapabilitySettings,
    "ACK": AckCapabilitySettings,
    "KRO": KroCapabilitySettings,
}
_TYPE_KEYS = {name: {f.alias or n for n, f in model.model_fields.items()} for name, model in _MODELS.items()}
_ANY_TYPE_KEYS = set().union(*_TYPE_KEYS.values())


def _kind(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return UNION_TAG + kind if isinstance(kind, str) and kind in _MODELS else None


TAG_RULES["capability"] = (
    "type", rules.capability_type_problems, 'an object with "type" ARGOCD, ACK or KRO and that type\'s settings'
)


#: One entry of ``platform.capabilities``; ``type`` selects the model.
CapabilityEntry = Annotated[
    Annotated[ArgoCdCapabilitySettings, Tag(UNION_TAG + "ARGOCD")]
    | Annotated[AckCapabilitySettings, Tag(UNION_TAG + "ACK")]
    | Annotated[KroCapabilitySettings, Tag(UNION_TAG + "KRO")],
    Discriminator(
        _kind, custom_error_type=TAG_ERROR, custom_error_message="capability"
    ),
]


def capability_name_problems(entries: Mapping[str, Any]) -> list[str]:
    """The capability names (the keys of ``platform.capabilities``); ``HERE`` is the section."""
    return [p for name in entries for p in rules.capability_name_problems(f"{HERE}.{name} (the key)", name)]


def capability_settings(entries: Mapping[str, Any]) -> tuple[CapabilitySettings, ...]:
    """The validated entries as the values the reference stack builds, in declaration order."""
    return tuple(entry.settings(name) for name, entry in entries.items())


SECTION_SHAPE = 'a mapping of capability names to settings, such as {"argocd": {"type": "ARGOCD", ...}}'


class _Section(ConfigModel):
    shape_hints: ClassVar[dict[str, str]] = {"capabilities": SECTION_SHAPE}

    capabilities: dict[str, CapabilityEntry] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _names(self) -> _Section:
        check([p.replace(HERE, f"{HERE}.capabilities") for p in capability_name_problems(self.capabilities)])
        return self


def parse_capabilities_config(setting: str, raw: Any, problems: list[str]) -> tuple[CapabilitySettings, ...]:
    """Validate ``platform.capabilities`` on its own (capability name -> settings); problems are appended."""
    root = setting.removesuffix(".capabilities")
    section, found = section_problems(_Section, {"capabilities": raw}, root=root)
    problems += [p if root != setting else p.replace(f"{root}.capabilities", root, 1) for p in found]
    return capability_settings(section.capabilities) if section is not None else ()
