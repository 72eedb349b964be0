"""Rules for EKS Capabilities (``AWS::EKS::Capability``: managed Argo CD, ACK and kro), as pure functions.

Each function returns a list of problems (empty when the value is fine) and skips deploy-time tokens. The limits come
from the CloudFormation resource schema of ``AWS::EKS::Capability`` (shipped with cfn-lint) and the EKS User Guide:

- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-eks-capability.html
- https://docs.aws.amazon.com/eks/latest/userguide/capability-role.html (trust policy, permissions by type)
- https://docs.aws.amazon.com/eks/latest/userguide/capabilities-security.html (least privilege, access entries)
- https://docs.aws.amazon.com/eks/latest/userguide/argocd-permissions.html (role mappings, 1,000 identities)
- https://docs.aws.amazon.com/eks/latest/userguide/ack-permissions.html (IAM Role Selectors)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from eks_platform._internal import validation as v

#: ``Type`` of ``AWS::EKS::Capability`` (its schema's enum).
CAPABILITY_TYPES: tuple[str, ...] = ("ARGOCD", "ACK", "KRO")
#: The service principal every capability role must trust, with ``sts:AssumeRole`` and ``sts:TagSession``
#: (user guide "Amazon EKS capability IAM role", section "Trust policy for capability roles").
CAPABILITY_SERVICE_PRINCIPAL = "capabilities.eks.amazonaws.com"
TRUST_ACTIONS: tuple[str, ...] = ("sts:AssumeRole", "sts:TagSession")
#: ``DeletePropagationPolicy``: the only value the schema allows; Kubernetes resources the capability manages are
#: kept when the capability is deleted.
DELETE_PROPAGATION_POLICY = "RETAIN"
#: Argo CD built-in global roles (upper case, case-sensitive) and Identity Center identity types.
ARGOCD_ROLES: tuple[str, ...] = ("ADMIN", "EDITOR", "VIEWER")
SSO_IDENTITY_TYPES: tuple[str, ...] = ("SSO_USER", "SSO_GROUP")
#: "EKS Capabilities integration with AWS Identity Center supports up to 1,000 identities per Argo CD capability."
MAX_ARGOCD_IDENTITIES = 1000
#: The namespace Argo CD watches when the capability sets none (capabilities-security: "defaults to argocd").
DEFAULT_ARGOCD_NAMESPACE = "argocd"

_CAPABILITY_NAME = re.compile(r"[0-9A-Za-z][A-Za-z0-9_-]{0,99}", re.ASCII)
# IAM Identity Center (SSO Admin API) InstanceArn pattern.
_IDC_INSTANCE_ARN = re.compile(
    r"arn:aws(-cn|-us-gov|-iso|-iso-[a-z])?:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}",
    re.ASCII,
)
# Identity Store UserId / GroupId pattern (Identity Store API reference).
_IDENTITY_ID = re.compile(
    r"([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}", re.ASCII
)
_ENDPOINT_PREFIX = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", re.ASCII)
_VPCE_ID = re.compile(r"vpce-[0-9a-f]{8,17}", re.ASCII)
_ACK_SERVICE = re.compile(r"[a-z][a-z0-9]*", re.ASCII)
_ARN = re.compile(r"arn:aws(-cn|-us-gov|-iso|-iso-[a-z])?:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+", re.ASCII)
_ACTION = re.compile(r"[a-z0-9-]+:[A-Za-z0-9*?]+", re.ASCII)


def capability_type_problems(setting: str, value: object) -> list[str]:
    if value not in CAPABILITY_TYPES:
        return [f"{setting} {value!r} is not an EKS capability type; use one of {', '.join(CAPABILITY_TYPES)}"]
    return []


def capability_name_problems(setting: str, value: object) -> list[str]:
    """1-100 letters, digits, '-' or '_', starting with a letter or digit. Changing it replaces the capability."""
    if v.is_unresolved(value):
        return []
    if not isinstance(value, str) or not _CAPABILITY_NAME.fullmatch(value):
        return [
            f"{setting} {value!r} is not a capability name; use 1-100 letters, digits, '-' or '_', starting with a "
            "letter or digit"
        ]
    return []


def idc_instance_arn_problems(setting: str, value: object) -> list[str]:
    if v.is_unresolved(value):
        return []
    if not isinstance(value, str) or not _IDC_INSTANCE_ARN.fullmatch(value):
        return [
            f"{setting} {value!r} is not an IAM Identity Center instance ARN (arn:aws:sso:::instance/ssoins-"
            "<16 characters>); find it with `aws sso-admin list-instances`. Argo CD on EKS authenticates only "
            "through AWS Identity Center"
        ]
    return []


def identity_id_problems(setting: str, value: object) -> list[str]:
    if v.is_unresolved(value):
        return []
    if not isinstance(value, str) or not _IDENTITY_ID.fullmatch(value):
        return [
            f"{setting} {value!r} is not an Identity Store user or group ID (a UUID such as "
            "'906739b3-xxxx-xxxx-xxxx-xxxxxxxxxxxx', optionally with a 10-digit prefix); use the ID from "
            "`aws identitystore list-groups` / `list-users`, not a display name or e-mail"
        ]
    return []


def argocd_role_problems(setting: str, value: object) -> list[str]:
    if value not in ARGOCD_ROLES:
        return [f"{setting} {value!r} is not an Argo CD role; use one of {', '.join(ARGOCD_ROLES)} (upper case)"]
    return []


def identity_type_problems(setting: str, value: object) -> list[str]:
    if value not in SSO_IDENTITY_TYPES:
        return [f"{setting} {value!r} is not an identity type; use one of {', '.join(SSO_IDENTITY_TYPES)}"]
    return []


def role_mappings_problems(setting: str, mappings: Sequence[tuple[str, int]]) -> list[str]:
    """Cross-mapping rules: at least one mapping, each role once, at most 1,000 identities in all.

    Args:
        mappings: ``(role, number of identities)`` per mapping, in order.
    """
    problems: list[str] = []
    if not mappings:
        problems.append(
            f"{setting} is empty; map at least one Identity Center user or group to an Argo CD role (ADMIN, EDITOR or "
            "VIEWER): users without a global role cannot sign in to Argo CD"
        )
    seen: set[str] = set()
    for index, (role, count) in enumerate(mappings):
        if role in seen:
            problems.append(f"{setting}[{index}] maps role {role} again; list each role once with all its identities")
        seen.add(role)
        if count == 0:
            problems.append(f"{setting}[{index}] has no identities; list at least one user or group for {role}")
    total = sum(count for _, count in mappings)
    if total > MAX_ARGOCD_IDENTITIES:
        problems.append(
            f"{setting} lists {total} identities; EKS allows at most {MAX_ARGOCD_IDENTITIES} per Argo CD capability "
            "(map groups instead of single users)"
        )
    return problems


def endpoint_prefix_problems(setting: str, value: object) -> list[str]:
    if v.is_unresolved(value):
        return []
    if not isinstance(value, str) or not 1 <= len(value) <= 50 or not _ENDPOINT_PREFIX.fullmatch(value):
        return [
            f"{setting} {value!r} is not an endpoint prefix; use 1-50 lower-case letters, digits or '-', starting "
            "and ending with a letter or digit"
        ]
    return []


def vpc_endpoint_id_problems(setting: str, value: object) -> list[str]:
    if v.is_unresolved(value):
        return []
    if not isinstance(value, str) or not _VPCE_ID.fullmatch(value):
        return [f"{setting} {value!r} is not a VPC endpoint ID (vpce-<8 to 17 hex digits>)"]
    return []


def ack_service_problems(setting: str, value: object) -> list[str]:
    if not isinstance(value, str) or not 1 <= len(value) <= 63 or not _ACK_SERVICE.fullmatch(value):
        return [f"{setting} {value!r} is not an ACK service name (lower-case letters and digits, such as 's3', 'rds')"]
    return []


def arn_problems(setting: str, value: object, *, service: str | None = None, resource_prefix: str = "") -> list[str]:
    """An ARN with no wildcard (optionally of ``service`` with a resource starting ``resource_prefix``)."""
    if v.is_unresolved(value):
        return []
    if not isinstance(value, str) or not _ARN.fullmatch(value):
        return [f"{setting} {value!r} is not an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)"]
    parts = value.split(":", 5)
    problems = []
    if service is not None and (parts[2] != service or not parts[5].startswith(resource_prefix)):
        what = resource_prefix.rstrip(":/") or "resource"
        problems.append(f"{setting} {value!r} is not an ARN of a {service} {what}")
    if "*" in value or "?" in value:
        problems.append(f"{setting} {value!r} has a wildcard; name the exact resource")
    return problems


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def policy_statement_problems(setting: str, statements: Iterable[Mapping[str, Any]]) -> list[str]:
    """Least-privilege rules for the IAM statements a user hands to a capability role (JSON form).

    Only Allow statements are judged. Refused: ``NotAction`` and ``NotResource`` (they grant everything not named),
    wildcard actions (``*``, ``<service>:*``, which the policy pack's EKSP-11 also rejects) and ``Resource: "*"``. A
    wildcard inside a resource ARN (``arn:aws:s3:::my-app-*``) is accepted: the user guide's security considerations
    show it as the least-privilege pattern.
    """
    problems: list[str] = []
    for index, statement in enumerate(statements):
        where = f"{setting}[{index}]"
        if statement.get("Effect", "Allow") != "Allow":
            continue
        if "NotAction" in statement or "NotResource" in statement:
            problems.append(f"{where} uses NotAction/NotResource, which grants everything not listed; list actions")
        actions = _as_list(statement.get("Action"))
        resources = _as_list(statement.get("Resource"))
        if not actions and "NotAction" not in statement:
            problems.append(f"{where} has no Action; list the actions the capability calls")
        for action in actions:
            if v.is_unresolved(action):
                continue
            if not isinstance(action, str) or action in ("*", "*:*") or action.endswith(":*"):
                problems.append(
                    f"{where} action {action!r} is a wildcard (every action of "
                    f"{'every service' if action in ('*', '*:*') else 'the service'}); list the actions it needs"
                )
            elif not _ACTION.fullmatch(action):
                problems.append(f"{where} action {action!r} is not '<service>:<Action>'")
        if not resources and "NotResource" not in statement:
            problems.append(f"{where} has no Resource; name the ARNs it may act on")
        for resource in resources:
            if resource == "*":
                problems.append(
                    f"{where} has Resource '*'; name the ARNs (patterns such as arn:aws:s3:::my-app-* are allowed)"
                )
    return problems
