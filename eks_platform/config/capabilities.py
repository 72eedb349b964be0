"""cdk.json: the ``platform.capabilities`` section (EKS Capabilities), parsed into :class:`CapabilitySettings`.

Shape (keys are the capability names, the stable identity of each capability)::

    "capabilities": {
      "argocd": {"type": "ARGOCD",
                 "identityCenter": {"instanceArn": "arn:aws:sso:::instance/ssoins-...", "region": "us-east-1"},
                 "roleMappings": {"ADMIN": {"groups": ["<identity store group id>"]}, "VIEWER": {"users": [...]}}},
      "ack": {"type": "ACK", "policyStatements": [{"Effect": "Allow", "Action": [...], "Resource": [...]}]},
      "kro": {"type": "KRO"}
    }

Every rule is the one the constructs apply (``eks_platform._internal.capabilities``), reported with the cdk.json path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import aws_iam as iam
from constructs import Construct

from eks_platform._internal import capabilities as rules
from eks_platform._internal import validation as v
from eks_platform._internal.pod_identity import tag_problems
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

_COMMON_KEYS = ("type", "tags")
_TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "ARGOCD": (
        "identityCenter",
        "roleMappings",
        "namespace",
        "endpointPrefix",
        "vpcEndpointIds",
        "codeConnectionArns",
        "secretArns",
        "codeCommitRepositoryArns",
        "ecrRepositoryArns",
    ),
    "ACK": ("policyStatements", "roleSelectorRoleArns", "disabledServices", "enableCrossNamespace"),
    "KRO": (),
}
_STATEMENT_KEYS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition")

Capability = ArgoCdCapability | AckCapability | KroCapability

#: The JSON Schema of the section (names -> typed entries; the rules are judged at synth).
CAPABILITIES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "EKS Capabilities by name.",
    "additionalProperties": {
        "type": "object",
        "properties": {
            "type": {"enum": list(rules.CAPABILITY_TYPES)},
            "tags": {"type": "object", "additionalProperties": {"type": "string"}},
            **{key: {} for keys in _TYPE_KEYS.values() for key in keys},
        },
        "required": ["type"],
        "additionalProperties": False,
    },
}


@dataclass(frozen=True, kw_only=True, slots=True)
class CapabilitySettings:
    """One entry of ``platform.capabilities``; :meth:`build` creates the capability construct."""

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
            assert self.identity_center is not None  # the parser refuses an Argo CD entry without it
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


def _strings(setting: str, raw: Any, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        problems.append(f"{setting} must be a list of strings, got {raw!r}")
        return ()
    return tuple(raw)


def _arns(setting: str, raw: Any, problems: list[str], **kind: Any) -> tuple[str, ...]:
    items = _strings(setting, raw, problems)
    for index, arn in enumerate(items):
        problems += rules.arn_problems(f"{setting}[{index}]", arn, **kind)
    return items


def _role_mappings(setting: str, raw: Any, problems: list[str]) -> tuple[RbacRoleMapping, ...]:
    if not isinstance(raw, dict):
        problems.append(
            f"{setting} must map an Argo CD role to its identities, such as "
            '{"ADMIN": {"groups": ["<identity store group id>"]}}, got ' + repr(raw)
        )
        return ()
    mappings: list[RbacRoleMapping] = []
    counts: list[tuple[str, int]] = []
    for role, members in raw.items():
        where = f"{setting}.{role}"
        role_problems = rules.argocd_role_problems(where, role)
        problems += role_problems
        if not isinstance(members, dict):
            problems.append(f"{where} must be an object with 'groups' and/or 'users' lists, got {members!r}")
            continue
        problems += v.unknown_keys(where, members.keys(), ["groups", "users"])
        identities: list[SsoIdentity] = []
        for key, maker in (("groups", SsoIdentity.group), ("users", SsoIdentity.user)):
            for index, identity_id in enumerate(_strings(f"{where}.{key}", members.get(key, []), problems)):
                id_problems = rules.identity_id_problems(f"{where}.{key}[{index}]", identity_id)
                problems += id_problems
                if not id_problems:
                    identities.append(maker(identity_id))
        counts.append((str(role), len(identities)))
        if not role_problems:
            mappings.append(RbacRoleMapping(role=ArgoCdRole(role), identities=tuple(identities)))
    problems += rules.role_mappings_problems(setting, counts)
    return tuple(mappings)


def _identity_center(setting: str, raw: Any, problems: list[str]) -> IdentityCenter | None:
    if not isinstance(raw, dict):
        problems.append(
            f"{setting} is required for an Argo CD capability: "
            '{"instanceArn": "arn:aws:sso:::instance/ssoins-...", "region": "<its region>"}; EKS signs Argo CD '
            "users in only through AWS Identity Center"
        )
        return None
    problems += v.unknown_keys(setting, raw.keys(), ["instanceArn", "region"])
    found = rules.idc_instance_arn_problems(f"{setting}.instanceArn", raw.get("instanceArn"))
    region = raw.get("region")
    if region is not None:
        found += v.aws_region(f"{setting}.region", region)
    problems += found
    return None if found else IdentityCenter(instance_arn=raw["instanceArn"], region=region)


def _statements(setting: str, raw: Any, problems: list[str]) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        problems.append(f"{setting} must be a list of IAM policy statements (objects), got {raw!r}")
        return ()
    for index, statement in enumerate(raw):
        problems += v.unknown_keys(f"{setting}[{index}]", statement.keys(), list(_STATEMENT_KEYS))
        if statement.get("Effect", "Allow") not in ("Allow", "Deny"):
            problems.append(f"{setting}[{index}].Effect {statement.get('Effect')!r} must be 'Allow' or 'Deny'")
    problems += rules.policy_statement_problems(setting, raw)
    return tuple(raw)


def _entry(setting: str, name: str, raw: Any, problems: list[str]) -> CapabilitySettings | None:
    problems += rules.capability_name_problems(f"{setting} (the key)", name)
    if not isinstance(raw, dict):
        problems.append(f"{setting} must be an object with at least \"type\", got {raw!r}")
        return None
    capability_type = raw.get("type")
    type_problems = rules.capability_type_problems(f"{setting}.type", capability_type)
    if type_problems:
        problems += type_problems
        return None
    allowed = list(_COMMON_KEYS + _TYPE_KEYS[str(capability_type)])
    for key in raw:
        if key not in allowed and any(key in keys for keys in _TYPE_KEYS.values()):
            problems.append(f"{setting}.{key} is not a setting of a {capability_type} capability")
    problems += v.unknown_keys(setting, [k for k in raw if not any(k in ks for ks in _TYPE_KEYS.values())], allowed)
    values: dict[str, Any] = {"name": name, "capability_type": CapabilityType(str(capability_type))}
    if "tags" in raw:
        problems += tag_problems(f"{setting}.tags", raw["tags"])
        values["tags"] = dict(raw["tags"]) if isinstance(raw["tags"], dict) else {}
    if capability_type == "ARGOCD":
        values["identity_center"] = _identity_center(f"{setting}.identityCenter", raw.get("identityCenter"), problems)
        values["role_mappings"] = _role_mappings(f"{setting}.roleMappings", raw.get("roleMappings"), problems)
        if "namespace" in raw:
            problems += v.dns1123_label(f"{setting}.namespace", raw["namespace"])
            values["namespace"] = raw["namespace"]
        if "endpointPrefix" in raw:
            problems += rules.endpoint_prefix_problems(f"{setting}.endpointPrefix", raw["endpointPrefix"])
            values["endpoint_prefix"] = raw["endpointPrefix"]
        if "vpcEndpointIds" in raw:
            ids = _strings(f"{setting}.vpcEndpointIds", raw["vpcEndpointIds"], problems)
            for index, vpce in enumerate(ids):
                problems += rules.vpc_endpoint_id_problems(f"{setting}.vpcEndpointIds[{index}]", vpce)
            values["vpc_endpoint_ids"] = ids
        for key, attr, kind in (
            ("codeConnectionArns", "code_connection_arns", {"service": "codeconnections",
                                                            "resource_prefix": "connection/"}),
            ("secretArns", "secret_arns", {"service": "secretsmanager", "resource_prefix": "secret:"}),
            ("codeCommitRepositoryArns", "codecommit_repository_arns", {"service": "codecommit"}),
            ("ecrRepositoryArns", "ecr_repository_arns", {"service": "ecr", "resource_prefix": "repository/"}),
        ):
            if key in raw:
                values[attr] = _arns(f"{setting}.{key}", raw[key], problems, **kind)
    elif capability_type == "ACK":
        if "policyStatements" in raw:
            values["policy_statements"] = _statements(f"{setting}.policyStatements", raw["policyStatements"], problems)
        if "roleSelectorRoleArns" in raw:
            arns = _strings(f"{setting}.roleSelectorRoleArns", raw["roleSelectorRoleArns"], problems)
            for index, arn in enumerate(arns):
                problems += v.iam_role_arn(f"{setting}.roleSelectorRoleArns[{index}]", arn)
            values["role_selector_role_arns"] = arns
        if "disabledServices" in raw:
            services = _strings(f"{setting}.disabledServices", raw["disabledServices"], problems)
            for index, service in enumerate(services):
                problems += rules.ack_service_problems(f"{setting}.disabledServices[{index}]", service)
            values["disabled_services"] = services
        if "enableCrossNamespace" in raw:
            problems += v.expect_type(f"{setting}.enableCrossNamespace", raw["enableCrossNamespace"], bool,
                                      "true or false")
            values["enable_cross_namespace"] = raw["enableCrossNamespace"]
    return CapabilitySettings(**values)


def parse_capabilities_config(setting: str, raw: Any, problems: list[str]) -> tuple[CapabilitySettings, ...]:
    """Parse ``platform.capabilities`` (capability name -> settings); problems are appended, never raised."""
    if not isinstance(raw, dict):
        problems.append(
            f"{setting} must map capability names to settings, such as "
            '{"argocd": {"type": "ARGOCD", ...}}, got ' + repr(raw)
        )
        return ()
    before = len(problems)
    entries = [_entry(f"{setting}.{name}", str(name), body, problems) for name, body in raw.items()]
    if len(problems) > before:
        return ()
    return tuple(e for e in entries if e is not None)
