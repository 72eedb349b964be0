"""Test helpers for apps built with eks_platform, and the pytest plugin (``eks_platform.testing.plugin``).

Everything here is cheap to import: aws-cdk-lib, cfn-lint and syrupy load when a helper first needs them.
"""

from typing import TYPE_CHECKING, Any

from eks_platform.testing.baselines import Baselines, added_and_removed, assert_no_replacement
from eks_platform.testing.kubernetes import kubernetes_objects, object_yaml
from eks_platform.testing.lint import CfnLintFinding, cfn_lint_findings, use_verdict_cache
from eks_platform.testing.manifests import assert_manifests_current, manifest_differences
from eks_platform.testing.synth import (
    AppBuilder,
    SynthCache,
    SynthDateWarning,
    SynthResult,
    cdk_json_context,
    find_app_dir,
    support_drift,
    synth_app,
)
from eks_platform.testing.template_checks import (
    TemplateFinding,
    assert_template_passes,
    check_template,
    format_findings,
)
from eks_platform.testing.templates import (
    FIXED_ACCOUNT,
    FIXED_REGION,
    FIXED_SYNTH_DATE,
    fixed_context,
    normalize_template,
    synth_templates,
)

if TYPE_CHECKING:
    from eks_platform.testing.snapshots import (
        KubernetesObjectSnapshotExtension,
        KubernetesObjectSnapshots,
        TemplateSnapshotExtension,
    )

__all__ = [
    "FIXED_ACCOUNT",
    "FIXED_REGION",
    "FIXED_SYNTH_DATE",
    "AppBuilder",
    "Baselines",
    "CfnLintFinding",
    "KubernetesObjectSnapshotExtension",
    "KubernetesObjectSnapshots",
    "SynthCache",
    "SynthDateWarning",
    "SynthResult",
    "TemplateFinding",
    "TemplateSnapshotExtension",
    "added_and_removed",
    "assert_manifests_current",
    "assert_no_replacement",
    "assert_template_passes",
    "cdk_json_context",
    "cfn_lint_findings",
    "check_template",
    "find_app_dir",
    "fixed_context",
    "format_findings",
    "kubernetes_objects",
    "manifest_differences",
    "normalize_template",
    "object_yaml",
    "support_drift",
    "synth_app",
    "synth_templates",
    "use_verdict_cache",
]


def __getattr__(name: str) -> Any:
    """``TemplateSnapshotExtension`` needs syrupy, a test-only dependency: import it on first use."""
    if name == "TemplateSnapshotExtension":
        # lazy: syrupy is a test-only dependency
        from eks_platform.testing.snapshots import TemplateSnapshotExtension

        return TemplateSnapshotExtension
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
