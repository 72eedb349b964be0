"""The ``EKSP`` rules, in number order. Each lives in its own ``eksp_<n>_<topic>.py`` module."""

from __future__ import annotations

from eks_platform.checks import (
    eksp_1_public_endpoint,
    eksp_2_control_plane_logs,
    eksp_3_secrets_encryption,
    eksp_4_upgrade_policy,
    eksp_5_deletion_protection,
    eksp_6_authentication_mode,
    eksp_7_hybrid_endpoint,
    eksp_8_pod_identity_trust,
    eksp_9_addon_version,
    eksp_10_storage_class_reclaim,
    eksp_11_wildcard_actions,
)
from eks_platform.checks._rule import Rule

RULES: tuple[Rule, ...] = (
    eksp_1_public_endpoint.RULE,
    eksp_2_control_plane_logs.RULE,
    eksp_3_secrets_encryption.RULE,
    eksp_4_upgrade_policy.RULE,
    eksp_5_deletion_protection.RULE,
    eksp_6_authentication_mode.RULE,
    eksp_7_hybrid_endpoint.RULE,
    eksp_8_pod_identity_trust.RULE,
    eksp_9_addon_version.RULE,
    eksp_10_storage_class_reclaim.RULE,
    eksp_11_wildcard_actions.RULE,
)

RULES_BY_ID: dict[str, Rule] = {rule.rule_id: rule for rule in RULES}


def rules_for(resource_type: str, rules: tuple[Rule, ...] = RULES) -> tuple[Rule, ...]:
    """The rules that look at ``resource_type``."""
    return tuple(rule for rule in rules if rule.applies_to(resource_type))
