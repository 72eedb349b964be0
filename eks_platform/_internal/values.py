"""aws-cdk-lib value objects that belong to no construct, made once per process.

An AWS managed policy by name, a service principal, an EKS access policy by name and a Kubernetes version are
immutable and have no scope: what they render is resolved against the construct that uses them when it synthesizes
(``ManagedPolicy.from_aws_managed_policy_name`` formats its ARN with the ``AWS::Partition`` token, a
``ServicePrincipal`` resolves its service name per stack). One object therefore serves every stack and every app of
the process, the way a module-level constant would, and each further stack, stage or test synth makes no round trip
to the jsii kernel for it (each construction is one). Each kind keeps at most :data:`KEPT` objects (least recently
used first out), so a long process that sees many distinct names (a fuzzer) does not grow without bound.

See: https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/aws-iam/lib/managed-policy.ts
(``fromAwsManagedPolicyName``), ``aws-iam/lib/principals.ts`` (``ServicePrincipal``, ``SessionTagsPrincipal``) and
``aws-eks-v2/lib/access-entry.ts`` (``AccessPolicy.fromAccessPolicyName``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam

#: How many objects of each kind are kept.
KEPT = 256


@lru_cache(maxsize=KEPT)
def aws_managed_policy(name: str) -> iam.IManagedPolicy:
    """``iam.ManagedPolicy.from_aws_managed_policy_name(name)``, made once per process."""
    return iam.ManagedPolicy.from_aws_managed_policy_name(name)


def aws_managed_policies(names: Sequence[str]) -> list[iam.IManagedPolicy]:
    """:func:`aws_managed_policy` of each name, in order."""
    return [aws_managed_policy(name) for name in names]


@lru_cache(maxsize=KEPT)
def service_principal(service: str) -> iam.ServicePrincipal:
    """``iam.ServicePrincipal(service)`` (no options), made once per process."""
    return iam.ServicePrincipal(service)


@lru_cache(maxsize=KEPT)
def session_tags_service_principal(service: str) -> iam.SessionTagsPrincipal:
    """``iam.SessionTagsPrincipal(iam.ServicePrincipal(service))``, made once per process (``with_conditions`` on it
    makes a new principal and leaves it unchanged)."""
    return iam.SessionTagsPrincipal(service_principal(service))


@lru_cache(maxsize=KEPT)
def any_principal() -> iam.AnyPrincipal:
    """``iam.AnyPrincipal()``, made once per process."""
    return iam.AnyPrincipal()


@lru_cache(maxsize=KEPT)
def access_policy(name: str, scope_type: eks.AccessScopeType, namespaces: tuple[str, ...] = ()) -> eks.IAccessPolicy:
    """``eks.AccessPolicy.from_access_policy_name(name, access_scope_type=..., namespaces=...)``, made once per
    process for each name, scope type and namespace list."""
    return eks.AccessPolicy.from_access_policy_name(
        name, access_scope_type=scope_type, namespaces=list(namespaces) or None
    )


@lru_cache(maxsize=KEPT)
def kubernetes_version(version: str) -> eks.KubernetesVersion:
    """``eks.KubernetesVersion.of(version)``, made once per process."""
    return eks.KubernetesVersion.of(version)


@lru_cache(maxsize=KEPT)
def endpoint_access(kind: str, cidrs: tuple[str, ...] = ()) -> eks.EndpointAccess:
    """``eks.EndpointAccess.<kind>`` (``PRIVATE``, ``PUBLIC`` or ``PUBLIC_AND_PRIVATE``), restricted with
    ``only_from(*cidrs)`` when CIDRs are given, made once per process."""
    access: eks.EndpointAccess = getattr(eks.EndpointAccess, kind)
    return access.only_from(*cidrs) if cidrs else access
