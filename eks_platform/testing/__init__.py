"""Test helpers for apps built with eks_platform: normalised templates, fixed synth settings, cfn-lint."""

from eks_platform.testing.lint import CfnLintFinding, cfn_lint_findings
from eks_platform.testing.templates import (
    FIXED_ACCOUNT,
    FIXED_REGION,
    FIXED_SYNTH_DATE,
    fixed_context,
    normalize_template,
    synth_templates,
)

__all__ = [
    "FIXED_ACCOUNT",
    "FIXED_REGION",
    "FIXED_SYNTH_DATE",
    "CfnLintFinding",
    "cfn_lint_findings",
    "fixed_context",
    "normalize_template",
    "synth_templates",
]
