"""Pure rules for team onboarding: namespace-scoped EKS access policies, ResourceQuota and LimitRange settings.

See: https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

from eks_platform._internal import k8s_api
from eks_platform._internal import validation as v

#: Access level -> the EKS access policy a team principal gets, always with ``accessScope.type: namespace``.
#: ``AmazonEKSEditPolicy`` and ``AmazonEKSViewPolicy`` are the Kubernetes ``edit``/``view`` roles; the EKS user guide
#: lists both as usable with a namespace scope (access-policy-permissions.html).
ACCESS_POLICIES: Mapping[str, str] = {
    "edit": "AmazonEKSEditPolicy",
    "view": "AmazonEKSViewPolicy",
}
#: The ResourceQuota ``spec.hard`` keys this library accepts: compute, storage and object counts.
#: See: https://kubernetes.io/docs/concepts/policy/resource-quotas/
QUOTA_KEY = re.compile(
    r"((requests|limits)\.(cpu|memory|ephemeral-storage|nvidia\.com/gpu)|cpu|memory|ephemeral-storage|"
    r"requests\.storage|persistentvolumeclaims|pods|services|services\.loadbalancers|services\.nodeports|"
    r"configmaps|secrets|replicationcontrollers|resourcequotas|count/[a-z0-9.-]+|"
    r"[a-z0-9.-]+\.storageclass\.storage\.k8s\.io/(requests\.storage|persistentvolumeclaims))",
    re.ASCII,
)
#: LimitRange resources for ``type: Container``.
LIMIT_RESOURCES = ("cpu", "memory", "ephemeral-storage")


#: Namespaces Kubernetes and EKS own; no team is given one of them.
SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


def system_namespace_problems(setting: str, namespace: object) -> list[str]:
    if namespace in SYSTEM_NAMESPACES:
        return [f"{setting} {namespace!r} is a system namespace; give the team a namespace of its own"]
    return []


def access_entry_id(prefix: str, principal_arn: str) -> str:
    """A stable, readable construct id for a principal's access entry, keyed by its ARN (never list position)."""
    name = principal_arn.rsplit("/", 1)[-1]
    readable = re.sub(r"[^A-Za-z0-9]", "", name)[:48] or "Principal"
    digest = hashlib.sha256(principal_arn.encode()).hexdigest()[:8]
    return f"{prefix}{readable}{digest}"


def principal_problems(setting: str, principals: Sequence[object]) -> list[str]:
    problems: list[str] = []
    for index, arn in enumerate(principals):
        problems += v.iam_principal_arn(f"{setting}[{index}]", arn)
    literal = [p for p in principals if isinstance(p, str)]
    if len(set(literal)) != len(literal):
        problems.append(f"{setting} lists the same principal twice; list each once")
    return problems


def overlap_problems(editors: Sequence[str], viewers: Sequence[str], *, editors_setting: str,
                     viewers_setting: str) -> list[str]:
    both = sorted(set(editors) & set(viewers))
    return [
        f"{arn} is in both {editors_setting} and {viewers_setting}; EKS keeps one access entry per principal, and edit "
        f"includes view. List it once"
        for arn in both
    ]


def quota_problems(setting: str, hard: object) -> list[str]:
    if hard is None:
        return []
    if not isinstance(hard, Mapping) or not hard:
        return [
            f"{setting} must be a non-empty mapping of ResourceQuota limits, e.g. "
            f"{{'requests.cpu': '10', 'limits.memory': '40Gi', 'pods': '100'}}; got {hard!r}"
        ]
    problems: list[str] = []
    for key, value in hard.items():
        if not isinstance(key, str) or not QUOTA_KEY.fullmatch(key):
            problems.append(
                f"{setting} has key {key!r}, which is not a ResourceQuota resource (requests.cpu, limits.memory, "
                "pods, persistentvolumeclaims, requests.storage, count/<resource>...)"
            )
            continue
        problems += k8s_api.quantity_problems(f"{setting}.{key}", value)
    return problems


def limit_problems(setting: str, limits: object) -> list[str]:
    if limits is None:
        return []
    if not isinstance(limits, Mapping) or not limits:
        return [f"{setting} must be a non-empty mapping such as {{'cpu': '500m', 'memory': '512Mi'}}, got {limits!r}"]
    problems: list[str] = []
    for key, value in limits.items():
        if key not in LIMIT_RESOURCES:
            problems.append(f"{setting} has {key!r}; a container LimitRange sets {', '.join(LIMIT_RESOURCES)}")
            continue
        problems += k8s_api.quantity_problems(f"{setting}.{key}", value)
    return problems
