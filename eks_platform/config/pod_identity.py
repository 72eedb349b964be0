"""cdk.json: the ``platform.podIdentities`` section, validated into :class:`PodIdentityBinding` entries."""

from __future__ import annotations

import hashlib
from typing import Any

from aws_cdk import aws_iam as iam
from constructs import Construct
from pydantic import Field, ValidationInfo, field_validator, model_validator

from eks_platform._internal import managed_policies as mp
from eks_platform._internal import pod_identity as pi
from eks_platform._internal import validation as v
from eks_platform._internal import values
from eks_platform.checks.acknowledgments import acknowledge_aws_managed_policies
from eks_platform.config._base import HERE, ConfigModel, check
from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.constructs.pod_identity import PodIdentity


class PodIdentityBinding(ConfigModel):
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

    namespace: str = Field(description="Kubernetes namespace of the service account (DNS-1123 label).")
    service_account: str = Field(description="Kubernetes service account name (DNS-1123 subdomain).")
    managed_policies: tuple[str, ...] = Field(
        default=(), description="AWS managed policy names (AmazonS3ReadOnlyAccess) or IAM policy ARNs for the role."
    )
    target_role_arn: str | None = Field(default=None, description="Cross-account target role ARN. Default: none.")
    allow_same_account_target: bool = Field(
        default=False, description="Accept a target role in the cluster's own account."
    )
    disable_session_tags: bool = Field(default=False, description="Turn EKS Pod Identity session tags off.")
    tags: dict[str, str] = Field(default_factory=dict, description="Tags on the Pod Identity association.")
    create_service_account: bool = Field(
        default=False, description="Apply the ServiceAccount manifest too (enables the kubectl provider)."
    )

    @field_validator("target_role_arn")
    @classmethod
    def _partition(cls, value: str | None, info: ValidationInfo) -> str | None:
        check(v.arn_partition_problems(HERE, value, (info.context or {}).get("region")))
        return value

    @model_validator(mode="after")
    def _rules(self) -> PodIdentityBinding:
        check(
            pi.binding_problems(
                {
                    "namespace": f"{HERE}.namespace",
                    "service_account": f"{HERE}.serviceAccount",
                    "managed_policies": f"{HERE}.managedPolicies",
                    "target_role_arn": f"{HERE}.targetRoleArn",
                    "tags": f"{HERE}.tags",
                },
                namespace=self.namespace,
                service_account=self.service_account,
                managed_policies=self.managed_policies,
                target_role_arn=self.target_role_arn,
                tags=self.tags,
            )
        )
        return self

    @property
    def key(self) -> str:
        return pi.association_key(self.namespace, self.service_account)

    def apply(self, cluster: AutoModeCluster) -> PodIdentity:
        """Create this binding on an ``AutoModeCluster`` (what the reference stack does for each entry).

        The AWS managed policies named here were chosen explicitly in the platform config, so their
        ``AwsSolutions-IAM4`` findings are acknowledged on the role with that reason.
        """
        binding = cluster.add_pod_identity(self.namespace, self.service_account, **self.options(cluster))
        names = [mp.qualified_name(name) for name in self.managed_policies if not name.startswith("arn:")]
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
                policies.append(values.aws_managed_policy(mp.qualified_name(name)))
        return {
            "managed_policies": policies or None,
            "target_role": self.target_role_arn,
            "allow_same_account_target": self.allow_same_account_target or None,
            "disable_session_tags": self.disable_session_tags or None,
            "tags": dict(self.tags) or None,
            "create_service_account": self.create_service_account or None,
        }


def duplicate_binding_problems(bindings: tuple[PodIdentityBinding, ...]) -> list[str]:
    """EKS allows one role per service account: one binding per ``namespace/serviceAccount``."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, binding in enumerate(bindings):
        if binding.key in seen:
            problems.append(
                f"{HERE}[{index}] binds {binding.namespace}/{binding.service_account} again "
                f"(also {HERE}[{seen[binding.key]}]); EKS allows one role per service account. Merge the two entries"
            )
            continue
        seen[binding.key] = index
    return problems
