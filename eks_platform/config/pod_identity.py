"""cdk.json: the ``platform.podIdentities`` section, parsed into :class:`PodIdentityBinding` entries."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import aws_iam as iam
from constructs import Construct

from eks_platform._internal import pod_identity as pi
from eks_platform._internal import validation as v
from eks_platform.checks.acknowledgments import acknowledge_aws_managed_policies
from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.constructs.pod_identity import PodIdentity
from eks_platform.errors import ConfigError

_BINDING_KEYS = (
    "namespace",
    "serviceAccount",
    "managedPolicies",
    "targetRoleArn",
    "allowSameAccountTarget",
    "disableSessionTags",
    "tags",
    "createServiceAccount",
)
_PYTHON_NAMES = {
    "namespace": "namespace",
    "service_account": "service_account",
    "managed_policies": "managed_policies",
    "target_role_arn": "target_role_arn",
    "tags": "tags",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class PodIdentityBinding:
    """One ``podIdentities`` entry of the platform config: a service account bound to a new, scoped role.

    Args:
        namespace: Kubernetes namespace (DNS-1123 label).
        service_account: service account (DNS-1123 subdomain).
        managed_policies: AWS managed policy names (``AmazonS3ReadOnlyAccess``) or policy ARNs. Default: - none.
        target_role_arn: cross-account target role. Default: - none.
        allow_same_account_target: accept a target role in the cluster's account. Default: - false.
        disable_session_tags: turn EKS session tags off. Default: - false.
        tags: association tags. Default: - none.
        create_service_account: apply the ServiceAccount manifest (needs the kubectl provider, which the reference
            stack then enables). Default: - false.
    """

    namespace: str
    service_account: str
    managed_policies: tuple[str, ...] = ()
    target_role_arn: str | None = None
    allow_same_account_target: bool = False
    disable_session_tags: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    create_service_account: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "managed_policies", v.as_tuple(self.managed_policies))
        problems = pi.binding_problems(
            _PYTHON_NAMES,
            namespace=self.namespace,
            service_account=self.service_account,
            managed_policies=self.managed_policies,
            target_role_arn=self.target_role_arn,
            tags=self.tags,
        )
        if problems:
            raise ConfigError("InvalidPodIdentity", problems)

    @property
    def key(self) -> str:
        return pi.association_key(self.namespace, self.service_account)

    def apply(self, cluster: AutoModeCluster) -> PodIdentity:
        """Create this binding on an ``AutoModeCluster`` (what the reference stack does for each entry).

        The AWS managed policies named here were chosen explicitly in the platform config, so their
        ``AwsSolutions-IAM4`` findings are acknowledged on the role with that reason.
        """
        binding = cluster.add_pod_identity(self.namespace, self.service_account, **self.options(cluster))
        names = [name for name in self.managed_policies if not name.startswith("arn:")]
        if names and isinstance(binding.role, iam.Role):
            acknowledge_aws_managed_policies(
                binding.role,
                names,
                f"chosen explicitly in the platform config (podIdentities, {self.namespace}/{self.service_account}); "
                "the role is assumable only by that service account of this cluster",
            )
        return binding

    def options(self, scope: Construct) -> dict[str, Any]:
        """Keyword arguments for ``AutoModeCluster.add_pod_identity`` (policies resolved under ``scope``)."""
        policies: list[iam.IManagedPolicy] = []
        for name in self.managed_policies:
            if name.startswith("arn:"):
                policy_id = f"ManagedPolicy{hashlib.sha256(f'{self.key}|{name}'.encode()).hexdigest()[:8]}"
                policies.append(iam.ManagedPolicy.from_managed_policy_arn(scope, policy_id, name))
            else:
                policies.append(iam.ManagedPolicy.from_aws_managed_policy_name(name))
        return {
            "managed_policies": policies or None,
            "target_role": self.target_role_arn,
            "allow_same_account_target": self.allow_same_account_target or None,
            "disable_session_tags": self.disable_session_tags or None,
            "tags": dict(self.tags) or None,
            "create_service_account": self.create_service_account or None,
        }


def parse_pod_identities_config(setting: str, raw: Any, problems: list[str]) -> tuple[PodIdentityBinding, ...]:
    """Parse ``platform.podIdentities`` (a list of objects); append problems, never raise."""
    if not isinstance(raw, list):
        problems.append(f"{setting} must be a list of bindings, got {type(raw).__name__} {raw!r}")
        return ()
    bindings: list[PodIdentityBinding] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        where = f"{setting}[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be an object with namespace and serviceAccount, got {item!r}")
            continue
        found: list[str] = v.unknown_keys(where, item.keys(), list(_BINDING_KEYS))
        for key in ("namespace", "serviceAccount"):
            if key not in item:
                found.append(f"{where}.{key} is required")
        policies = item.get("managedPolicies", [])
        if not isinstance(policies, list):
            found.append(f"{where}.managedPolicies must be a list of policy names or ARNs, got {policies!r}")
            policies = []
        target = item.get("targetRoleArn")
        tags = item.get("tags", {})
        found += pi.binding_problems(
            {
                "namespace": f"{where}.namespace",
                "service_account": f"{where}.serviceAccount",
                "managed_policies": f"{where}.managedPolicies",
                "target_role_arn": f"{where}.targetRoleArn",
                "tags": f"{where}.tags",
            },
            namespace=item.get("namespace", "x"),
            service_account=item.get("serviceAccount", "x"),
            managed_policies=policies,
            target_role_arn=target,
            tags=tags,
        )
        for flag in ("allowSameAccountTarget", "disableSessionTags", "createServiceAccount"):
            if flag in item:
                found += v.expect_type(f"{where}.{flag}", item[flag], bool, "true or false")
        if found:
            problems += found
            continue
        binding = PodIdentityBinding(
            namespace=item["namespace"],
            service_account=item["serviceAccount"],
            managed_policies=tuple(policies),
            target_role_arn=target,
            allow_same_account_target=item.get("allowSameAccountTarget", False),
            disable_session_tags=item.get("disableSessionTags", False),
            tags=dict(tags),
            create_service_account=item.get("createServiceAccount", False),
        )
        if binding.key in seen:
            problems.append(
                f"{where} binds {binding.namespace}/{binding.service_account} again "
                f"(also {setting}[{seen[binding.key]}]); "
                "EKS allows one role per service account. Merge the two entries"
            )
            continue
        seen[binding.key] = index
        bindings.append(binding)
    return tuple(bindings)
