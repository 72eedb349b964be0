"""EKSP-3: Kubernetes secrets are not envelope-encrypted with a KMS key the account controls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eks_platform.checks._rule import Finding, Level, Rule, RuleContext, as_list, get_path, is_intrinsic


def check(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    """Non-compliant when no ``EncryptionConfig`` entry covers ``secrets`` with a ``Provider.KeyArn``."""
    raw = properties.get("EncryptionConfig")
    if is_intrinsic(raw):
        return []
    for entry in as_list(raw):
        if is_intrinsic(entry):
            return []
        if not isinstance(entry, Mapping):
            continue
        resources = entry.get("Resources")
        key = get_path(entry, "Provider", "KeyArn")
        if is_intrinsic(resources):
            return []
        if "secrets" in as_list(resources) and key:
            return []
    return [
        Finding(
            message=(
                "Kubernetes secrets are not envelope-encrypted with a customer managed KMS key (no EncryptionConfig "
                "entry with Resources ['secrets'] and Provider.KeyArn). AutoModeCluster does this by default "
                "(secrets_key); with eks.Cluster pass secrets_encryption_key. Note: adding or changing "
                "EncryptionConfig on an existing cluster replaces it in CloudFormation (create-only property)."
            )
        )
    ]


RULE = Rule(
    number=3,
    title="secrets-not-encrypted",
    resource_types=frozenset({"AWS::EKS::Cluster"}),
    level=Level.ERROR,
    info="The EKS cluster must envelope-encrypt Kubernetes secrets with a customer managed KMS key.",
    explanation=(
        "EKS encrypts etcd at rest, but only a customer managed key lets you audit every secret decryption in "
        "CloudTrail, revoke access by disabling the key, and meet policies that require customer-controlled keys. "
        "EncryptionConfig is create-only: set it when the cluster is created."
    ),
    check=check,
    see="https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html",
)
