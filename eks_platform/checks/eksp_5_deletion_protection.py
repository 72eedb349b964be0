"""EKSP-5: the cluster can be deleted by a single API call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eks_platform.checks._rule import Finding, Level, Rule, RuleContext, as_bool


def check(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    """Non-compliant unless ``DeletionProtection`` is true (EKS default: false)."""
    raw = properties.get("DeletionProtection")
    value = as_bool(raw, default=False)
    if value is None or value:
        return []
    shown = "not set (EKS default false)" if raw is None else repr(raw)
    return [
        Finding(
            message=(
                f"DeletionProtection is {shown}: a stack deletion, a replacement or one DeleteCluster call removes "
                "the cluster and every workload on it. Set it to true (AutoModeCluster deletion_protection=True, the "
                "default; with eks.Cluster set cluster.node.default_child.deletion_protection = True). Turn it off "
                "deliberately, in its own deployment, before you really delete the cluster."
            )
        )
    ]


RULE = Rule(
    number=5,
    title="deletion-protection-off",
    resource_types=frozenset({"AWS::EKS::Cluster"}),
    level=Level.ERROR,
    info="The EKS cluster must have deletion protection on.",
    explanation=(
        "Deletion protection makes EKS refuse DeleteCluster until it is switched off, which turns an accidental "
        "stack deletion or a replacement caused by a create-only property change into a failed deployment instead "
        "of a lost cluster."
    ),
    check=check,
    see="https://docs.aws.amazon.com/eks/latest/userguide/deletion-protection.html",
)
