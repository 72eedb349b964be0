"""EKSP-6: the cluster still accepts the aws-auth ConfigMap."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eks_platform.checks._rule import Finding, Level, Rule, RuleContext, get_path, is_intrinsic


def check(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    """Non-compliant unless ``AccessConfig.AuthenticationMode`` is ``API`` (CloudFormation default: CONFIG_MAP)."""
    mode = get_path(properties, "AccessConfig", "AuthenticationMode")
    if is_intrinsic(mode) or is_intrinsic(properties.get("AccessConfig")):
        return []
    if mode == "API":
        return []
    shown = "not set (CloudFormation default CONFIG_MAP)" if mode is None else repr(mode)
    return [
        Finding(
            message=(
                f"AccessConfig.AuthenticationMode is {shown}: the aws-auth ConfigMap can still grant cluster access, "
                "outside IAM and CloudTrail. Set it to API and manage access with access entries (AutoModeCluster "
                "does; aws_eks_v2 does too). Modes only move forward: CONFIG_MAP -> API_AND_CONFIG_MAP -> API."
            )
        )
    ]


RULE = Rule(
    number=6,
    title="authentication-mode-not-api",
    resource_types=frozenset({"AWS::EKS::Cluster"}),
    level=Level.ERROR,
    info="The EKS cluster's authentication mode must be API (access entries only).",
    explanation=(
        "With CONFIG_MAP or API_AND_CONFIG_MAP anyone who can edit kube-system/aws-auth can grant themselves cluster "
        "access, and those grants are invisible to IAM. Access entries are IAM-managed, auditable and required by "
        "Auto Mode."
    ),
    check=check,
    see="https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html",
)
