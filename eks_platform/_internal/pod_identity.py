"""Pod Identity rules that need no construct tree: names, keys, quotas, policy checks, tag limits.

Facts, with their public sources (EKS User Guide, https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html):

- Namespace: DNS-1123 label (<= 63); service account: DNS-1123 subdomain (<= 253) (k8s apimachinery ``generic.go``).
- Up to 5,000 Pod Identity associations per cluster, not adjustable (EKS user guide ``pod-identities.html``, Limits).
- One IAM role per service account in a cluster (same page): one association per namespace/service account.
- Association tags: key 1-128 characters, value 0-256, no ``aws:`` prefix (CFN schema of
  ``AWS::EKS::PodIdentityAssociation``).
- A session ``policy`` needs ``disableSessionTags: true`` (EKS API ``CreatePodIdentityAssociation.policy``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from eks_platform._internal import managed_policies as mp
from eks_platform._internal import validation as v
from eks_platform._internal.tags import aws_tag_problems

#: EKS quota: Pod Identity associations per cluster (EKS user guide, "EKS Pod Identity restrictions"). Not adjustable.
MAX_ASSOCIATIONS_PER_CLUSTER = 5000

#: The service principal of EKS Pod Identity (EKS user guide ``pod-id-role.html``).
POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
#: ``sts:TagSession`` is required because EKS passes session tags when it assumes the role.
TRUST_ACTIONS = ("sts:AssumeRole", "sts:TagSession")

#: The session tags EKS Pod Identity adds (EKS user guide ``pod-id-abac.html``), all transitive.
SESSION_TAG_KEYS = (
    "eks-cluster-arn",
    "eks-cluster-name",
    "kubernetes-namespace",
    "kubernetes-service-account",
    "kubernetes-pod-name",
    "kubernetes-pod-uid",
)

TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
#: ``AWS::EKS::Addon`` tags are stricter than association tags (CFN schema ``aws-eks-addon.json``).
ADDON_TAG_KEY_MAX = 127
ADDON_TAG_VALUE_MAX = 255


def association_key(namespace: str, service_account: str) -> str:
    """The stable key of a binding: ``namespace:service-account``.

    Used as the construct id of a binding, so logical IDs follow the Kubernetes identity, never a list position.
    Unambiguous because a namespace (a DNS-1123 label) and a service account name (a DNS-1123 subdomain) can never
    contain ``:``.
    """
    return f"{namespace}:{service_account}"


def name_problems(namespace: object, service_account: object, *, prefix: str = "") -> list[str]:
    """Kubernetes naming rules for the two halves of a binding."""
    return v.dns1123_label(f"{prefix}namespace", namespace) + v.dns1123_subdomain(
        f"{prefix}service_account", service_account
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def wildcard_admin_statements(statements: Iterable[Mapping[str, Any]]) -> list[int]:
    """Indexes of ``Allow`` statements whose actions include ``*`` and whose resources include ``*``.

    ``statements`` are IAM statement JSON objects (``PolicyStatement.to_statement_json()``).
    ``NotAction``/``NotResource`` statements are judged as wildcard too: ``NotAction: x`` allows everything but x.
    """
    found = []
    for index, statement in enumerate(statements):
        if statement.get("Effect", "Allow") != "Allow":
            continue
        actions = _as_list(statement.get("Action"))
        resources = _as_list(statement.get("Resource"))
        any_action = "*" in actions or "NotAction" in statement
        any_resource = "*" in resources or "NotResource" in statement
        if any_action and any_resource:
            found.append(index)
    return found


def tag_problems(setting: str, tags: object, *, key_max: int = TAG_KEY_MAX, value_max: int = TAG_VALUE_MAX,
                 value_min: int = 0) -> list[str]:
    """Tag map rules of EKS resources: the AWS tag rules (``eks_platform._internal.tags``) with EKS's lengths."""
    return aws_tag_problems(setting, tags, key_max=key_max, value_max=value_max, value_min=value_min)


def same_account_target_problem(target_arn: str, cluster_account: str | None) -> str | None:
    """A problem when a cross-account target role lives in the cluster's own account (both must be known)."""
    target_account = v.account_of_arn(target_arn) if not v.is_unresolved(target_arn) else None
    if target_account is None or cluster_account is None or v.is_unresolved(cluster_account):
        return None
    if target_account != cluster_account:
        return None
    return (
        f"target_role {target_arn} is in the cluster's own account {cluster_account}; a target role is for "
        "cross-account access. Attach the permissions to the association role instead (managed_policies / "
        "policy_statements), or set allow_same_account_target=True for deliberate same-account role chaining"
    )


def quota_problem(cluster_path: str, count: int) -> str | None:
    if count <= MAX_ASSOCIATIONS_PER_CLUSTER:
        return None
    return (
        f"cluster {cluster_path} would get {count} Pod Identity associations in this app; EKS allows at most "
        f"{MAX_ASSOCIATIONS_PER_CLUSTER} per cluster and the quota cannot be raised. Share one role across "
        "service accounts with session-tag (ABAC) policies, or spread workloads over more clusters"
    )


def policy_json(document: Mapping[str, Any]) -> str:
    """Deterministic JSON for a policy document without tokens (sorted keys, compact)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def trust_conditions(cluster_arn: str, bindings: Sequence[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """The ``StringEquals`` block that scopes a Pod Identity trust policy to one cluster and its bindings.

    Keys are the request tags EKS sends when it assumes the role (EKS user guide ``pod-id-role.html``):
    ``eks-cluster-arn``, ``kubernetes-namespace``, ``kubernetes-service-account``. With several bindings the values
    become lists, which widens the trust to every namespace x service-account combination: callers that need exact
    pairs use one role per binding (what :class:`PodIdentity` does).
    """
    namespaces = sorted({ns for ns, _ in bindings})
    accounts = sorted({sa for _, sa in bindings})
    return {
        "StringEquals": {
            "aws:RequestTag/eks-cluster-arn": cluster_arn,
            "aws:RequestTag/kubernetes-namespace": namespaces[0] if len(namespaces) == 1 else namespaces,
            "aws:RequestTag/kubernetes-service-account": accounts[0] if len(accounts) == 1 else accounts,
        }
    }


_POLICY_ARN = re.compile(r"arn:aws(-cn|-us-gov|-iso|-iso-[a-z])?:iam::(aws|\d{12}):policy/[\w+=,.@/-]{1,512}", re.ASCII)
_POLICY_NAME = re.compile(r"[\w+=,.@/-]{1,512}", re.ASCII)


def managed_policy_reference_problems(setting: str, name: object) -> list[str]:
    """An AWS managed policy name (``AmazonS3ReadOnlyAccess``) or a policy ARN, as the platform config names them.

    A name must be in the table of AWS managed policies (``managed_policies``); an ARN is the way to pass any other
    policy (a newer AWS one, or a customer managed one) and is checked for its shape only.
    """
    if not isinstance(name, str):
        return [f"{setting} entries must be strings, got {type(name).__name__} {name!r}"]
    if name.startswith("arn:"):
        if not _POLICY_ARN.fullmatch(name):
            return [f"{setting} {name!r} is not an IAM policy ARN (arn:<partition>:iam::<account|aws>:policy/<name>)"]
        return []
    if not _POLICY_NAME.fullmatch(name):
        return [f"{setting} {name!r} is not an AWS managed policy name such as AmazonS3ReadOnlyAccess"]
    return mp.aws_managed_policy_name_problems(setting, name)


def binding_problems(
    names: Mapping[str, str],
    *,
    namespace: object,
    service_account: object,
    managed_policies: Sequence[object],
    target_role_arn: object,
    tags: object,
) -> list[str]:
    """The fields of one Pod Identity binding given by name (namespace, service account, policies, target, tags).

    ``names`` maps ``namespace``, ``service_account``, ``managed_policies``, ``target_role_arn`` and ``tags`` to the
    setting names the caller's user wrote.
    """
    problems = v.dns1123_label(names["namespace"], namespace)
    problems += v.dns1123_subdomain(names["service_account"], service_account)
    for index, policy in enumerate(managed_policies):
        problems += managed_policy_reference_problems(f"{names['managed_policies']}[{index}]", policy)
    if target_role_arn is not None:
        problems += v.iam_role_arn(names["target_role_arn"], target_role_arn)
    problems += tag_problems(names["tags"], tags)
    return problems


#: IAM role names: at most 64 characters of letters, digits and ``+=,.@_-`` (IAM ``CreateRole`` ``RoleName``).
ROLE_NAME_MAX = 64
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)


def association_role_name(cluster_name: str, namespace: str, service_account: str) -> str:
    """A deterministic IAM role name for the association role of one binding: ``eks-pi-<cluster>-<ns>-<sa>``.

    Known before anything is deployed, so the account that owns a cross-account target role can trust the
    association role first (one phase). Longer names keep a readable prefix and end in 8 hex characters of the
    SHA-256 of ``<cluster>/<namespace>/<service account>``, so distinct bindings never share a name.
    """
    readable = re.sub(r"[^\w+=,.@-]", "-", f"eks-pi-{cluster_name}-{namespace}-{service_account}")
    if len(readable) <= ROLE_NAME_MAX:
        return readable
    digest = hashlib.sha256(f"{cluster_name}/{namespace}/{service_account}".encode()).hexdigest()[:8]
    return f"{readable[: ROLE_NAME_MAX - 9]}-{digest}"


def role_name_problems(setting: str, name: object) -> list[str]:
    if v.is_unresolved(name):
        return []
    if not isinstance(name, str) or not _ROLE_NAME.fullmatch(name):
        return [
            f"{setting} {name!r} is not an IAM role name (1-64 letters, digits and '+=,.@_-')"
        ]
    return []
def source_account_conditions(account: str) -> dict[str, dict[str, Any]]:
    """The confused-deputy guard of a Pod Identity trust without session tags: only EKS acting for ``account``.

    With session tags disabled the ``aws:RequestTag`` conditions cannot be used, and an unconditioned
    ``pods.eks.amazonaws.com`` trust lets EKS assume the role for an association in any account whose creator may
    pass it. ``aws:SourceAccount`` is the global condition key AWS documents against the cross-service confused deputy
    (IAM user guide, "The confused deputy problem"); the EKS Best Practices Guide ("Identity and Access Management",
    EKS Pod Identity) conditions the Pod Identity trust on its organization-wide sibling ``aws:SourceOrgId``.
    ``aws:SourceAccount`` needs no AWS Organization.

    See: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention
    """
    return {"StringEquals": {"aws:SourceAccount": account}}
