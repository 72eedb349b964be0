"""EKS policy pack (``EKSP-<n>`` rules for cdk-nag 3), acknowledgments and the audit runner.

``acknowledge`` and the rule types import nothing heavy; :class:`EksPlatformChecks` (which loads cdk-nag's jsii
assembly) is imported on first use, so constructs can acknowledge findings without slowing every synth.
See README "Safety gates" for usage.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from eks_platform.checks._rule import Finding, Level, Rule, RuleContext
from eks_platform.checks.acknowledgments import (
    Acknowledged,
    acknowledge,
    acknowledge_all,
    acknowledge_aws_managed_policies,
    acknowledgments,
)

if TYPE_CHECKING:
    from eks_platform.checks.pack import PLUGIN_NAME, EksPlatformChecks, RecordedFinding
    from eks_platform.checks.rules import RULES, RULES_BY_ID

_LAZY = {
    "PLUGIN_NAME": "eks_platform.checks.pack",
    "EksPlatformChecks": "eks_platform.checks.pack",
    "RecordedFinding": "eks_platform.checks.pack",
    "RULES": "eks_platform.checks.rules",
    "RULES_BY_ID": "eks_platform.checks.rules",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'eks_platform.checks' has no attribute {name!r}")


__all__ = [
    "PLUGIN_NAME",
    "RULES",
    "RULES_BY_ID",
    "Acknowledged",
    "EksPlatformChecks",
    "Finding",
    "Level",
    "RecordedFinding",
    "Rule",
    "RuleContext",
    "acknowledge",
    "acknowledge_all",
    "acknowledge_aws_managed_policies",
    "acknowledgments",
]
