"""Attribute-based access control with EKS Pod Identity session tags: one role shared by several namespaces or
service accounts, each pod reaching only resources tagged like its own session.

See: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum

from aws_cdk import aws_iam as iam

from eks_platform.constructs.keywords import checked_keywords
from eks_platform.errors import ConfigError

#: An IAM action as aws-cdk-lib's PolicyStatement accepts it (packages/aws-cdk-lib/aws-iam/lib/policy-statement.ts,
#: validatePolicyActions): ``*`` or ``service:Action`` with ``*`` wildcards.
_ACTION = re.compile(r"\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*]+", re.ASCII)


class SessionTag(str, Enum):
    """The session tags EKS Pod Identity attaches to every role session (all transitive).

    Use them in trust policies as ``aws:RequestTag/<key>`` and in permission policies as ``aws:PrincipalTag/<key>``.

    See: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
    """

    CLUSTER_ARN = "eks-cluster-arn"
    CLUSTER_NAME = "eks-cluster-name"
    NAMESPACE = "kubernetes-namespace"
    SERVICE_ACCOUNT = "kubernetes-service-account"
    POD_NAME = "kubernetes-pod-name"
    POD_UID = "kubernetes-pod-uid"

    @property
    def principal_tag(self) -> str:
        """The condition key in permission policies, e.g. ``aws:PrincipalTag/kubernetes-namespace``."""
        return f"aws:PrincipalTag/{self.value}"

    @property
    def policy_variable(self) -> str:
        """The IAM policy variable, e.g. ``${aws:PrincipalTag/kubernetes-namespace}`` (usable inside ARNs)."""
        return "${" + self.principal_tag + "}"


@checked_keywords("InvalidSessionTagGrant")
def grant_with_session_tags(
    grantee: iam.IGrantable,
    *,
    actions: Sequence[str],
    resources: Sequence[str],
    match: Sequence[SessionTag] = (SessionTag.NAMESPACE,),
    condition_key_prefix: str = "aws:ResourceTag",
) -> iam.Grant:
    """Grant ``actions`` on ``resources`` only where the resource's tags equal the caller's Pod Identity session tags.

    For one role shared by several namespaces or service accounts (attribute-based access control): each pod reaches
    only resources tagged with its own namespace (or service account, cluster...). Adds, for each tag in ``match``::

        "StringEquals": {"<condition_key_prefix>/<tag>": "${aws:PrincipalTag/<tag>}"}

    Example: S3 objects are tagged with ``s3:ExistingObjectTag/<key>``, so pass
    ``condition_key_prefix="s3:ExistingObjectTag"``. Path-based ABAC needs no condition: put
    ``SessionTag.NAMESPACE.policy_variable`` into the resource ARN instead.

    Session tags must stay enabled on the associations that use such a role.

    Args:
        grantee: the principal (usually ``PodIdentity.role``).
        actions: IAM actions.
        resources: resource ARNs.
        match: the session tags to match. Default: - the namespace.
        condition_key_prefix: the service's resource-tag condition key. Default: - ``aws:ResourceTag``.

    See: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
    """
    problems = []
    if not actions or not all(isinstance(a, str) and _ACTION.fullmatch(a) for a in actions):
        problems.append(f"actions must be a non-empty list of IAM actions such as 's3:GetObject', got {actions!r}")
    if not resources or not all(isinstance(r, str) and r for r in resources):
        problems.append(f"resources must be a non-empty list of ARNs (or '*'), got {resources!r}")
    tags = list(match)
    if not tags:
        problems.append("match is empty; name at least one SessionTag, e.g. SessionTag.NAMESPACE")
    for tag in tags:
        if not isinstance(tag, SessionTag):
            problems.append(f"match has {tag!r}; use SessionTag members ({', '.join(t.name for t in SessionTag)})")
    if not isinstance(condition_key_prefix, str) or not condition_key_prefix or condition_key_prefix.endswith("/"):
        problems.append(
            f"condition_key_prefix {condition_key_prefix!r} must be a condition key prefix without a trailing '/', "
            "e.g. aws:ResourceTag or s3:ExistingObjectTag"
        )
    if problems:
        raise ConfigError("InvalidSessionTagGrant", problems)
    return iam.Grant.add_to_principal(
        grantee=grantee,
        actions=list(actions),
        resource_arns=list(resources),
        conditions={
            "StringEquals": {f"{condition_key_prefix}/{tag.value}": tag.policy_variable for tag in tags}
        },
    )
