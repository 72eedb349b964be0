"""EKSP-8: a role that EKS Pod Identity can assume is not scoped to a cluster, namespace and service account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eks_platform.checks._rule import (
    Finding,
    Level,
    Rule,
    RuleContext,
    as_list,
    is_intrinsic,
    literal_text,
    statements,
)

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"

#: Each dimension is satisfied by a condition on any one of its session-tag keys (IAM keys are case-insensitive).
SCOPE_KEYS: dict[str, tuple[str, ...]] = {
    "cluster": ("aws:requesttag/eks-cluster-arn", "aws:requesttag/eks-cluster-name"),
    "namespace": ("aws:requesttag/kubernetes-namespace",),
    "service account": ("aws:requesttag/kubernetes-service-account",),
}


def _trusts_pod_identity(statement: Mapping[str, Any]) -> bool:
    if statement.get("Effect") != "Allow":
        return False
    principal = statement.get("Principal")
    services = as_list(principal.get("Service")) if isinstance(principal, Mapping) else []
    # A partition-aware principal renders as Fn::Join ["", ["pods.eks.", {"Ref": "AWS::URLSuffix"}]].
    if not any((literal_text(s) or "").startswith("pods.eks.") for s in services):
        return False
    actions = [a.lower() for a in as_list(statement.get("Action")) if isinstance(a, str)]
    return any(a in ("sts:assumerole", "sts:*", "*") for a in actions)


def _condition_keys(statement: Mapping[str, Any]) -> set[str]:
    keys: set[str] = set()
    condition = statement.get("Condition")
    if isinstance(condition, Mapping):
        for block in condition.values():
            if isinstance(block, Mapping):
                keys.update(str(k).lower() for k in block)
    return keys


def check(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    """Non-compliant when a trust statement lets ``pods.eks.amazonaws.com`` assume the role without conditions on the
    cluster (``aws:RequestTag/eks-cluster-arn`` or ``-name``), namespace (``aws:RequestTag/kubernetes-namespace``)
    and service account (``aws:RequestTag/kubernetes-service-account``) session tags."""
    document = properties.get("AssumeRolePolicyDocument")
    if is_intrinsic(document):
        return []
    for statement in statements(document):
        if not _trusts_pod_identity(statement):
            continue
        keys = _condition_keys(statement)
        missing = [dimension for dimension, options in SCOPE_KEYS.items() if not keys.intersection(options)]
        if missing:
            return [
                Finding(
                    message=(
                        f"The trust policy lets EKS Pod Identity ({POD_IDENTITY_PRINCIPAL}) assume this role without "
                        f"a condition on the {', '.join(missing)} session tag"
                        f"{'s' if len(missing) > 1 else ''}, so any Pod Identity association in the account, on any "
                        "cluster, can hand the role to its pods. Add conditions such as StringEquals "
                        "aws:RequestTag/eks-cluster-arn, aws:RequestTag/kubernetes-namespace and "
                        "aws:RequestTag/kubernetes-service-account to the statement that allows sts:AssumeRole and "
                        "sts:TagSession (the eks_platform Pod Identity constructs do). A role deliberately shared by "
                        "several service accounts: acknowledge EKSP-8 on the role with that reason."
                    )
                )
            ]
    return []


RULE = Rule(
    number=8,
    title="pod-identity-trust-unscoped",
    resource_types=frozenset({"AWS::IAM::Role"}),
    level=Level.ERROR,
    info="A role trusted by EKS Pod Identity must restrict the cluster, namespace and service account with "
    "session-tag conditions.",
    explanation=(
        "pods.eks.amazonaws.com acts for every cluster in the account: without conditions, whoever can create a Pod "
        "Identity association (eks:CreatePodIdentityAssociation plus iam:PassRole) can give the role to any service "
        "account on any cluster. EKS Pod Identity passes eks-cluster-arn, eks-cluster-name, kubernetes-namespace and "
        "kubernetes-service-account as session tags (unless DisableSessionTags is set) so the trust policy can pin "
        "them."
    ),
    check=check,
    see="https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html",
)
